package main

import (
	"errors"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
)

func TestParseReportSources(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []reportSource // nil: bad input
	}{
		{"plain names use --db", []string{"q", "r"},
			[]reportSource{{db: "lssr.db", name: "q", label: "q"}, {db: "lssr.db", name: "r", label: "r"}}},
		{"PATH:NAME", []string{"runs/a.db:q", "r"},
			[]reportSource{{db: "runs/a.db", name: "q", label: "q", qualified: true}, {db: "lssr.db", name: "r", label: "r"}}},
		{"split at the last colon", []string{"c:/data/a.db:q"},
			[]reportSource{{db: "c:/data/a.db", name: "q", label: "q", qualified: true}}},
		{"one name from two databases", []string{"a.db:q", "b.sqlite:q", "a.db:r"},
			[]reportSource{{db: "a.db", name: "q", label: "a-q", qualified: true}, {db: "b.sqlite", name: "q", label: "b-q", qualified: true},
				{db: "a.db", name: "r", label: "r", qualified: true}}},
		{"--db and a PATH:NAME of another file", []string{"q", "b.db:q"},
			[]reportSource{{db: "lssr.db", name: "q", label: "lssr-q"}, {db: "b.db", name: "q", label: "b-q", qualified: true}}},
		{"two spellings of one file are one database", []string{"q", "./lssr.db:r"},
			[]reportSource{{db: "lssr.db", name: "q", label: "q"}, {db: "./lssr.db", name: "r", label: "r", qualified: true}}},
		{"one sweep twice", []string{"q", "q"}, nil},
		{"one sweep twice, spelled two ways", []string{"q", "./lssr.db:q"}, nil},
		{"empty name", []string{"a.db:"}, nil},
		{"empty path", []string{":q"}, nil},
		{"two files of one name", []string{"x/a.db:q", "y/a.db:q"}, nil},
		{"a label that is another sweep's name", []string{"a.db:q", "b.db:q", "a-q"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseReportSources(tc.args, "lssr.db")
			if tc.want == nil {
				if !errors.Is(err, lssr.ErrBadInput) {
					t.Fatalf("got %+v, %v; want bad input", got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
