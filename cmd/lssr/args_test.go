package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/lssr/lssr"
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
		{"lssr sweep run --workers -1 s.yaml", "lssr sweep run --workers -1 s.yaml"},
		{"lssr sweep", "lssr sweep"},
		{"lssr", "lssr"},
	}
	for _, tc := range tests {
		got, err := interspersed(app, strings.Fields(tc.in))
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("interspersed(%q) = %q, %v; want %q", tc.in, strings.Join(got, " "), err, tc.want)
		}
	}
}

func TestInterspersedMovesGlobalFlagsToTheFront(t *testing.T) {
	app := newApp()
	tests := []struct{ in, want string }{
		{"lssr sweep status X --db other.db", "lssr --db other.db sweep status X"},
		{"lssr --db a.db sweep status X", "lssr --db a.db sweep status X"},
		{"lssr sweep --db a.db status X", "lssr --db a.db sweep status X"},
		{"lssr sweep status --db=x.db X", "lssr --db=x.db sweep status X"},
		{"lssr sweep status -db x.db X", "lssr -db x.db sweep status X"},
		{"lssr report a --db d.db b --out o", "lssr --db d.db report --out o a b"},
		// The last --db wins, as it would in one place.
		{"lssr --db a.db sweep status X --db b.db", "lssr --db a.db --db b.db sweep status X"},
		{"lssr sweep status X -- --db b.db", "lssr sweep status X -- --db b.db"},
		// Before an unknown command, global flags still move, and the rest
		// stays for the command's action to name.
		{"lssr sweep stauts X --db a.db --summary", "lssr --db a.db sweep stauts X --summary"},
		// --help shows the help, whatever arguments come with it.
		{"lssr sweep status X --help", "lssr sweep status --help"},
		{"lssr report a b -h", "lssr report -h"},
		{"lssr sweep --help status", "lssr sweep --help status"},
		// While the shell completes, nothing is an error and the flag stays last.
		{"lssr sweep status --db --generate-bash-completion", "lssr sweep status --db --generate-bash-completion"},
		{"lssr sweep status X --db a.db --su --generate-bash-completion", "lssr --db a.db sweep status --su X --generate-bash-completion"},
		{"lssr sweep status --help X --generate-bash-completion", "lssr sweep status --help X --generate-bash-completion"},
	}
	for _, tc := range tests {
		got, err := interspersed(app, strings.Fields(tc.in))
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("interspersed(%q) = %q, %v; want %q", tc.in, strings.Join(got, " "), err, tc.want)
		}
	}
}

func TestInterspersedRejectsUnknownFlags(t *testing.T) {
	app := newApp()
	tests := []struct{ in, want string }{
		{"lssr sweep status --frobnicate X", "sweep status: unknown flag --frobnicate (see 'lssr sweep status --help')"},
		{"lssr sweep status X --summry", "sweep status: unknown flag --summry; did you mean --summary? (see 'lssr sweep status --help')"},
		{"lssr sweep status X --summry=true", "sweep status: unknown flag --summry; did you mean --summary? (see 'lssr sweep status --help')"},
		{"lssr sweep --summary status X", "sweep: unknown flag --summary (see 'lssr sweep --help')"},
		{"lssr --out x report q", "unknown flag --out (see 'lssr --help')"},
		{"lssr sweep status X --version", "sweep status: unknown flag --version (see 'lssr sweep status --help')"},
		{"lssr sweep status X --db", "sweep status: flag --db needs a value (see 'lssr sweep status --help')"},
		{"lssr report q --out", "report: flag --out needs a value (see 'lssr report --help')"},
		{"lssr --db", "flag --db needs a value (see 'lssr --help')"},
	}
	for _, tc := range tests {
		got, err := interspersed(app, strings.Fields(tc.in))
		if err == nil || err.Error() != tc.want || !errors.Is(err, lssr.ErrBadInput) {
			t.Errorf("interspersed(%q) = %q, %v; want the bad-input error %q", tc.in, got, err, tc.want)
		}
	}
}

func TestArgAt(t *testing.T) {
	tests := []struct {
		usage string
		i     int
		want  string
	}{
		{"NAME", 0, "NAME"},
		{"NAME", 1, ""},
		{"NAME [NAME...]", 0, "NAME"},
		{"NAME [NAME...]", 5, "NAME"},
		{"SWEEP JOB --out FILE.safetensors", 1, "JOB"},
		{"SWEEP JOB --out FILE.safetensors", 2, ""},
		{"bash|zsh", 0, "bash|zsh"},
		{"", 0, ""},
	}
	for _, tc := range tests {
		if got := argAt(tc.usage, tc.i); got != tc.want {
			t.Errorf("argAt(%q, %d) = %q, want %q", tc.usage, tc.i, got, tc.want)
		}
	}
}
