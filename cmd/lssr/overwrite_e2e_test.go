package main

// End-to-end tests that no command replaces a file it did not create
// without --force.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// tinySpec is a 2×2 sweep that trains in a fraction of a second.
var tinySpec = testutil.Spec{Name: "tiny", N: 256, TestN: 64, Dim: 4, Classes: 2, Hidden: []int{4},
	Epochs: 1, SaveWeights: true, BatchSizes: "[8, 16]", LearningRates: "[0.1, 0.2]", Workers: 1}.YAML()

// refused asserts a refusal to write: exit 2, one line on stderr holding
// want, nothing on stdout.
func refused(t *testing.T, r cmdResult, args []string, want string) {
	t.Helper()
	if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("lssr %s: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q",
			strings.Join(args, " "), r.code, r.stdout, r.stderr, want)
	}
}

// unchanged asserts that the file at path still holds content.
func unchanged(t *testing.T, path, content string) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != content {
		t.Errorf("%s was changed: %q, %v", path, b, err)
	}
}

func TestExportOutFilesNeedForce(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "spec.yaml"), tinySpec)
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "spec.yaml"); r.code != 0 {
		t.Fatalf("sweep run: exit %d: %s", r.code, r.stderr)
	}
	os.Mkdir(filepath.Join(dir, "folder"), 0o755)
	job := readJobs(t, filepath.Join(dir, "lssr.db"), "tiny")[0].Job.ID
	for _, cmd := range [][]string{
		{"sweep", "export", "tiny"},
		{"export", "weights", "tiny", job},
		{"export", "data", "tiny"},
	} {
		run := func(extra ...string) ([]string, cmdResult) {
			args := append(append([]string{}, cmd...), extra...)
			return args, runLSSR(t, dir, args...)
		}
		args, r := run("--out", "spec.yaml")
		refused(t, r, args, "lssr: --out spec.yaml exists; pass --force to replace it")
		unchanged(t, filepath.Join(dir, "spec.yaml"), tinySpec)
		args, r = run("--out", "folder", "--force")
		refused(t, r, args, "lssr: --out folder is a folder; give a file path")
		args, r = run("--out", "nowhere/x.out")
		refused(t, r, args, "lssr: --out nowhere/x.out: the folder nowhere does not exist")

		// A new file is written; the same again needs --force, which
		// replaces it.
		out := filepath.Join(dir, "new.out")
		os.Remove(out)
		if args, r = run("--out", "new.out"); r.code != 0 {
			t.Errorf("lssr %v: exit %d: %s", args, r.code, r.stderr)
		}
		first, err := os.ReadFile(out)
		if err != nil || len(first) == 0 {
			t.Fatalf("lssr %v wrote %d bytes, %v", args, len(first), err)
		}
		args, r = run("--out", "new.out")
		refused(t, r, args, "exists; pass --force")
		testutil.WriteFile(t, out, "mine")
		if args, r = run("--out", "new.out", "--force"); r.code != 0 {
			t.Errorf("lssr %v: exit %d: %s", args, r.code, r.stderr)
		}
		unchanged(t, out, string(first))
	}
}

func TestReportOutFolderNeedsForceUnlessLSSRWroteIt(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "spec.yaml"), tinySpec)
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "spec.yaml"); r.code != 0 {
		t.Fatalf("sweep run: exit %d: %s", r.code, r.stderr)
	}
	report := func(out string, extra ...string) ([]string, cmdResult) {
		args := append([]string{"report", "tiny", "--out", out}, extra...)
		return args, runLSSR(t, dir, args...)
	}
	ok := func(args []string, r cmdResult) {
		t.Helper()
		if r.code != 0 {
			t.Errorf("lssr %v: exit %d: %s", args, r.code, r.stderr)
		}
	}
	// A new folder, then the same again: lssr wrote it, so it is rewritten.
	ok(report("r"))
	if _, err := os.Stat(filepath.Join(dir, "r", reportMarker)); err != nil {
		t.Errorf("no marker in the report folder: %v", err)
	}
	ok(report("r"))
	// An empty folder.
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	ok(report("empty"))
	// A report written before the marker was.
	legacy := filepath.Join(dir, "legacy")
	os.Mkdir(legacy, 0o755)
	for _, f := range []string{"heatmap.png", "fit.json", "summary.md", "results.csv"} {
		testutil.WriteFile(t, filepath.Join(legacy, f), "old")
	}
	ok(report("legacy"))

	// A folder of someone else's: refused without --force, and then
	// nothing in it changes; with --force, its other files stay.
	mine := filepath.Join(dir, "mine")
	os.Mkdir(mine, 0o755)
	testutil.WriteFile(t, filepath.Join(mine, "notes.txt"), "notes")
	testutil.WriteFile(t, filepath.Join(mine, "results.csv"), "my results")
	args, r := report("mine")
	refused(t, r, args, "lssr: --out mine holds files lssr did not write; pass --force")
	if entries, _ := os.ReadDir(mine); len(entries) != 2 {
		t.Errorf("a refused report left %d files in the folder", len(entries))
	}
	unchanged(t, filepath.Join(mine, "results.csv"), "my results")
	ok(report("mine", "--force"))
	unchanged(t, filepath.Join(mine, "notes.txt"), "notes")

	// A path that is not a folder is bad input, --force or not.
	args, r = report("spec.yaml", "--force")
	refused(t, r, args, "lssr: --out spec.yaml exists and is not a folder")
	unchanged(t, filepath.Join(dir, "spec.yaml"), tinySpec)
}
