package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// TestReportRangeFlags reports one small sweep with --range and --values
// and with --clip, and refuses a bad --range (or --range with --clip) with
// one line, exit 2 and nothing written.
func TestReportRangeFlags(t *testing.T) {
	dir := t.TempDir()
	spec := syntheticSpec("rr", 2)
	spec.LearningRates = "{log2_from: -5, log2_to: -2}"
	testutil.WriteFile(t, filepath.Join(dir, "rr.yaml"), spec.YAML())
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "rr.yaml"); r.code != 0 {
		t.Fatalf("sweep: exit %d: %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"report", "rr", "--out", "ranged", "--range", "20,90", "--values"},
		{"report", "rr", "--out", "clipped", "--clip"},
		{"report", "rr", "--out", "se", "--colour", "se", "--range", "0,5"},
	} {
		r := runLSSR(t, dir, args...)
		if r.code != 0 {
			t.Fatalf("lssr %v: exit %d\n%s", args, r.code, r.stderr)
		}
		for _, f := range []string{"heatmap.png", "train-loss.png"} {
			file, err := os.Open(filepath.Join(dir, args[3], f))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := png.Decode(file); err != nil {
				t.Errorf("%v: %s: %v", args, f, err)
			}
			file.Close()
		}
	}
	for i, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"--range", "80"}, "--range: want LO,HI"},
		{[]string{"--range", "60,80,90"}, "--range: want LO,HI"},
		{[]string{"--range", "low,high"}, "--range: want LO,HI"},
		{[]string{"--range", "80,60"}, "LO < HI"},
		{[]string{"--range", "70,70"}, "LO < HI"},
		{[]string{"--range", "NaN,80"}, "finite"},
		{[]string{"--range", "60,+Inf"}, "finite"},
		{[]string{"--range", "60,80", "--clip"}, "--range and --clip"},
	} {
		out := "bad" + string(rune('a'+i))
		r := runLSSR(t, dir, append([]string{"report", "rr", "--out", out}, tc.args...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tc.says) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line saying %q", tc.args, r.code, r.stderr, tc.says)
		}
		if _, err := os.Stat(filepath.Join(dir, out)); err == nil {
			t.Errorf("%v: a refused report wrote %s", tc.args, out)
		}
	}
}
