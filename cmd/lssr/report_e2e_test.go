package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// TestReportSeveralSweeps runs two small sweeps into one database and
// reports them together: each gets its own report folder, panels.png draws
// both, and bad input (an unknown sweep among them, an unknown colouring)
// exits 2 and writes nothing.
func TestReportSeveralSweeps(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"ra", "rb"} {
		spec := syntheticSpec(name, 2)
		spec.LearningRates = "{log2_from: -5, log2_to: -2}"
		testutil.WriteFile(t, filepath.Join(dir, name+".yaml"), spec.YAML())
		if r := runLSSR(t, dir, "sweep", "run", "--plain", name+".yaml"); r.code != 0 {
			t.Fatalf("sweep %s: exit %d: %s", name, r.code, r.stderr)
		}
	}
	r := runLSSR(t, dir, "report", "ra", "rb", "--out", "both", "--colour", "se")
	if r.code != 0 || !strings.Contains(r.stdout, "panels.png: 2 sweeps on one colour scale") {
		t.Fatalf("report: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"ra/heatmap.png", "ra/train-loss.png", "ra/fit.json", "rb/summary.md", "panels.png"} {
		file, err := os.Open(filepath.Join(dir, "both", f))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, ".png") {
			if _, err := png.Decode(file); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		}
		file.Close()
	}
	for _, args := range [][]string{
		{"report", "ra", "nosuch", "--out", "bad1"},
		{"report", "ra", "--colour", "red", "--out", "bad2"},
		{"report"},
	} {
		r := runLSSR(t, dir, args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("lssr %v: exit %d, stderr %q; want 2 and one line", args, r.code, r.stderr)
		}
	}
	for _, bad := range []string{"bad1", "bad2"} {
		if _, err := os.Stat(filepath.Join(dir, bad)); err == nil {
			t.Errorf("a refused report wrote %s", bad)
		}
	}
}

// TestReportOptimumAboveTheGrid runs a two-η grid of learning rates so
// small that accuracy still rises with η after two epochs, so every
// column's best η is the top one: lssr report fits no rule, says why and
// which way to extend the grid, and exits 0. No cell trains far enough to
// have a stability edge.
func TestReportOptimumAboveTheGrid(t *testing.T) {
	dir := t.TempDir()
	spec := syntheticSpec("top", 2)
	spec.LearningRates = "[0.0001220703125, 0.000244140625]"
	testutil.WriteFile(t, filepath.Join(dir, "top.yaml"), spec.YAML())
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "top.yaml"); r.code != 0 {
		t.Fatalf("sweep: exit %d: %s", r.code, r.stderr)
	}
	r := runLSSR(t, dir, "report", "top", "--out", "rep")
	if r.code != 0 {
		t.Fatalf("report: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"top: ridge: 0 of 3 points inside the grid; extend learning_rates above 2^-12\n",
		"top: stability edge: no cell trains, so there is no edge to fit\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "beyond seed noise") || strings.Contains(r.stdout, "ΔAIC") {
		t.Errorf("report names a rule or prints ΔAIC although nothing was fitted:\n%s", r.stdout)
	}
}
