package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// cfgSpec is a spec of a few jobs of a fraction of a second each.
func cfgSpec(name string, epochs int, bs, lrs string) string {
	return testutil.Spec{Name: name, N: 256, TestN: 64, Dim: 8, Classes: 3, Hidden: []int{8}, Activation: "relu",
		Epochs: epochs, BatchSizes: bs, LearningRates: lrs, Seeds: "[0]", Workers: 2}.YAML()
}

// TestEditedSpecNeverMergesIntoItsSweep: a sweep is one configuration. An
// edited epoch count, or an added training.stop_early, is refused (exit 2, one line naming the field, the
// database unchanged); --as runs it as another sweep; a grown grid
// continues the sweep; a shrunk one keeps the stored jobs, which status,
// export and report leave out unless --all.
func TestEditedSpecNeverMergesIntoItsSweep(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "s.yaml")
	testutil.WriteFile(t, spec, cfgSpec("edit", 2, "[8, 32]", "[0.05, 0.1]"))
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("first run: exit %d: %s", r.code, r.stderr)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "lssr.db"))

	testutil.WriteFile(t, spec, cfgSpec("edit", 3, "[8, 32]", "[0.05, 0.1]"))
	r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml")
	line := oneStderrLine(t, r)
	if r.code != 2 || !strings.Contains(line, "training.epochs: 2 → 3") || !strings.Contains(line, "--as NAME") {
		t.Fatalf("edited epochs: exit %d, %q; want 2 and the field and what to do", r.code, line)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "lssr.db")); !bytes.Equal(before, after) {
		t.Fatal("the refused run changed the database")
	}
	// So is the stall rule added, which changes outcomes like any
	// training field.
	stopping := strings.Replace(cfgSpec("edit", 2, "[8, 32]", "[0.05, 0.1]"), "training: {epochs: 2", "training: {epochs: 2, stop_early: 0.5", 1)
	testutil.WriteFile(t, spec, stopping)
	r = runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "training.stop_early: 0 → 0.5") {
		t.Fatalf("added stop_early: exit %d, %q; want 2 and the field", r.code, line)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "lssr.db")); !bytes.Equal(before, after) {
		t.Fatal("the refused run changed the database")
	}
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml", "--as", "edit3"); r.code != 0 || !strings.Contains(r.stdout, "sweep edit3: 4 jobs stored") {
		t.Fatalf("--as: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if r := runLSSR(t, dir, "sweep", "run", "s.yaml", "--as", "bad/name"); r.code != 2 {
		t.Fatalf("--as bad/name: exit %d", r.code)
	}

	// A grown grid continues; a shrunk one keeps what it has.
	testutil.WriteFile(t, spec, cfgSpec("edit", 2, "[8, 32, 64]", "[0.05, 0.1]"))
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml"); r.code != 0 || !strings.Contains(r.stdout, "continuing it, 2 new jobs from the grown grid") {
		t.Fatalf("grown grid: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	testutil.WriteFile(t, spec, cfgSpec("edit", 2, "[8]", "[0.05, 0.1]"))
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml"); r.code != 0 || !strings.Contains(r.stdout, "4 stored jobs are outside this grid") {
		t.Fatalf("shrunk grid: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "status", "edit"}, "edit (s.yaml): 2 jobs: 0 pending, 0 running, 2 done"},
		{[]string{"sweep", "status", "edit", "--all"}, "edit (s.yaml): 6 jobs: 0 pending, 0 running, 6 done"},
	} {
		if r := runLSSR(t, dir, tc.args...); r.code != 0 || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%v: exit %d: %s", tc.args, r.code, r.stdout)
		}
	}
	for _, tc := range []struct {
		all  bool
		rows int
	}{{false, 2}, {true, 6}} {
		args := []string{"sweep", "export", "edit"}
		if tc.all {
			args = append(args, "--all")
		}
		r := runLSSR(t, dir, args...)
		if rows := strings.Count(r.stdout, "\n") - 1; r.code != 0 || rows != tc.rows {
			t.Errorf("%v: exit %d, %d rows, want %d", args, r.code, rows, tc.rows)
		}
	}
	r = runLSSR(t, dir, "report", "edit", "--out", "rep")
	if r.code != 0 || !strings.Contains(r.stdout, "4 stored jobs outside the current grid are left out") {
		t.Errorf("report: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if csv, _ := os.ReadFile(filepath.Join(dir, "rep", "results.csv")); strings.Count(string(csv), "\n") != 3 {
		t.Errorf("report's results.csv has %d lines, want a header and 2 runs", strings.Count(string(csv), "\n"))
	}

	r = runLSSR(t, dir, "sweep", "show", "edit")
	for _, want := range []string{"6 stored, 2 in the grid", "b (1): 8", "η (2): 0.05, 0.1", "batch_sizes: [8]", "--- spec as stored ---"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("show: exit %d, want %q in:\n%s", r.code, want, r.stdout)
		}
	}
}

// TestDeleteAsksAndRefusesARunningSweep: delete needs --yes when not on a
// terminal, refuses while the sweep's orchestrator runs, and removes only
// its sweep.
func TestDeleteAsksAndRefusesARunningSweep(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), cfgSpec("gone", 1, "[8]", "[0.1]"))
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	r := runLSSR(t, dir, "--db", "x.db", "sweep", "delete", "gone")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "--yes") {
		t.Fatalf("delete without --yes off a terminal: exit %d, %q", r.code, line)
	}
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "delete", "nope", "--yes"); r.code != 2 {
		t.Fatalf("delete of an unknown sweep: exit %d", r.code)
	}
	cmd := startSweep(t, dir, "x.db", "busy")
	r = runLSSR(t, dir, "--db", "x.db", "sweep", "delete", "busy", "--yes")
	if line := oneStderrLine(t, r); r.code != 1 || !strings.Contains(line, "is running") || !strings.Contains(line, "sweep cancel busy") {
		t.Fatalf("delete of a running sweep: exit %d, %q", r.code, line)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "delete", "gone", "--yes"); r.code != 0 || !strings.Contains(r.stdout, "deleted sweep gone: 1 jobs") {
		t.Fatalf("delete --yes: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = runLSSR(t, dir, "--db", "x.db", "sweep", "list")
	if strings.Contains(r.stdout, "gone") || !strings.Contains(r.stdout, "busy") {
		t.Fatalf("list after delete:\n%s", r.stdout)
	}
}

// TestDatabaseFromBeforeConfigs: testdata/before-config.db was written by
// lssr 409a061, which let an edited spec (epochs 1 → 2) merge into sweep
// "mixed"; sweep "clean" is one configuration. They still open; status
// names the mix, report and run refuse it with one line, and the clean
// sweep works as any other.
func TestDatabaseFromBeforeConfigs(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "before-config.db"))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(dir, "old.db"), raw)
	r := runLSSR(t, dir, "--db", "old.db", "sweep", "status", "mixed")
	if r.code != 0 || !strings.Contains(r.stdout, "mixes 2 configurations, stored by an older lssr: training.epochs 1 (2 jobs), training.epochs 2 (2 jobs)") {
		t.Errorf("status of the mixed sweep: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	r = runLSSR(t, dir, "--db", "old.db", "report", "mixed", "--out", "rep")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "mixes 2 configurations") || !strings.Contains(line, "refuses") {
		t.Errorf("report of the mixed sweep: exit %d, %q", r.code, line)
	}
	if _, err := os.Stat(filepath.Join(dir, "rep")); err == nil {
		t.Error("the refused report wrote its folder")
	}
	r = runLSSR(t, dir, "--db", "old.db", "sweep", "status", "clean")
	if r.code != 0 || strings.Contains(r.stdout, "mixes") || !strings.Contains(r.stdout, "2 jobs: 0 pending, 0 running, 2 done") {
		t.Errorf("status of the clean sweep: exit %d: %s", r.code, r.stdout)
	}
	if r := runLSSR(t, dir, "--db", "old.db", "report", "clean", "--out", "rep"); r.code != 0 {
		t.Errorf("report of the clean sweep: exit %d: %s", r.code, r.stderr)
	}
	// The clean sweep's configuration comes from its jobs: an edit is
	// refused, the same spec continues.
	spec := oldSpec("clean", 2)
	testutil.WriteFile(t, filepath.Join(dir, "clean.yaml"), spec)
	if r := runLSSR(t, dir, "--db", "old.db", "sweep", "run", "clean.yaml", "--plain"); r.code != 0 {
		t.Errorf("the clean sweep's own spec: exit %d: %s", r.code, r.stderr)
	}
	testutil.WriteFile(t, filepath.Join(dir, "clean.yaml"), oldSpec("clean", 3))
	r = runLSSR(t, dir, "--db", "old.db", "sweep", "run", "clean.yaml", "--plain")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "training.epochs: 2 → 3") {
		t.Errorf("an edit of the clean sweep: exit %d, %q", r.code, line)
	}
	testutil.WriteFile(t, filepath.Join(dir, "mixed.yaml"), oldSpec("mixed", 2))
	r = runLSSR(t, dir, "--db", "old.db", "sweep", "run", "mixed.yaml", "--plain")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "mixes 2 configurations") {
		t.Errorf("a run of the mixed sweep: exit %d, %q", r.code, line)
	}
}

// oldSpec is the spec testdata/before-config.db's sweeps ran.
func oldSpec(name string, epochs int) string {
	return testutil.Spec{Name: name, N: 128, TestN: 64, Dim: 4, Classes: 2, Hidden: []int{4}, Activation: "relu",
		Epochs: epochs, BatchSizes: "[8, 16]", LearningRates: "[0.1]", Seeds: "[0]", Workers: 1}.YAML()
}
