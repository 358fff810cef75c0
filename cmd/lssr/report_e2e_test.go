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

// TestReportAcrossDatabases reports sweeps of one name from two database
// files (PATH:NAME): each gets a subfolder labelled by its file, panels.png
// draws both, and each sub-report holds its own database's runs. A missing
// file, a sweep its file lacks, an empty NAME and two files of one name exit
// 2 with one line naming the problem, and write nothing.
func TestReportAcrossDatabases(t *testing.T) {
	dir := t.TempDir()
	// a.db holds a 3×4 grid, b.db a 2×4 grid, both named "rs".
	for db, bs := range map[string]string{"a.db": "[8, 32, 128]", "b.db": "[8, 32]"} {
		spec := syntheticSpec("rs", 2)
		spec.LearningRates = "{log2_from: -5, log2_to: -2}"
		spec.BatchSizes = bs
		testutil.WriteFile(t, filepath.Join(dir, db+".yaml"), spec.YAML())
		if r := runLSSR(t, dir, "--db", db, "sweep", "run", "--plain", db+".yaml"); r.code != 0 {
			t.Fatalf("sweep into %s: exit %d: %s", db, r.code, r.stderr)
		}
	}
	r := runLSSR(t, dir, "report", "a.db:rs", "b.db:rs")
	if r.code != 0 || !strings.Contains(r.stdout, "report-a-rs-b-rs/panels.png: 2 sweeps on one colour scale") {
		t.Fatalf("report: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "report-a-rs-b-rs")
	for _, f := range []string{"a-rs/heatmap.png", "a-rs/curves.png", "a-rs/fit.json", "b-rs/heatmap.png", "b-rs/summary.md", "panels.png"} {
		file, err := os.Open(filepath.Join(out, f))
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
	// Each sub-report has its database's runs: a header and 12 or 8 rows.
	for sub, rows := range map[string]int{"a-rs": 12, "b-rs": 8} {
		csv, err := os.ReadFile(filepath.Join(out, sub, "results.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Count(string(csv), "\n"); got != rows+1 {
			t.Errorf("%s/results.csv has %d lines, want %d", sub, got, rows+1)
		}
	}

	if err := os.Mkdir(filepath.Join(dir, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	bdb, err := os.ReadFile(filepath.Join(dir, "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(dir, "x", "a.db"), bdb)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "a.db:rs", "nosuch.db:rs", "--out", "bad1"}, "no database at nosuch.db"},
		{[]string{"report", "a.db:rs", "b.db:nosuch", "--out", "bad2"}, "sweep not found: nosuch in b.db"},
		{[]string{"report", "a.db:", "--out", "bad3"}, `"a.db:": want NAME or PATH:NAME`},
		{[]string{"report", "a.db:rs", "x/a.db:rs", "--out", "bad4"}, "would both be labelled a-rs"},
	} {
		r := runLSSR(t, dir, tc.args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("lssr %v: exit %d, stderr %q; want 2 and one line with %q", tc.args, r.code, r.stderr, tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, tc.args[len(tc.args)-1])); err == nil {
			t.Errorf("lssr %v wrote its --out", tc.args)
		}
	}
}
