package main

import (
	"strings"
	"testing"
)

func TestInterspersedMovesFlagsBeforePositionals(t *testing.T) {
	app := newApp()
	tests := []struct{ in, want string }{
		{"lssr report q --out dir", "lssr report --out dir q"},
		{"lssr --db x.db report q --out=dir", "lssr --db x.db report --out=dir q"},
		{"lssr sweep run s.yaml --workers 3 --plain", "lssr sweep run --workers 3 --plain s.yaml"},
		{"lssr sweep export q --format json", "lssr sweep export --format json q"},
		{"lssr export weights q 1a2b --out w.safetensors --force", "lssr export weights --out w.safetensors --force q 1a2b"},
		{"lssr sweep status q -- --odd", "lssr sweep status q -- --odd"},
		{"lssr sweep", "lssr sweep"},
		{"lssr", "lssr"},
	}
	for _, tc := range tests {
		got := strings.Join(interspersed(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("interspersed(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
