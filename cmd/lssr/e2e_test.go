package main

// End-to-end tests of the real binary: real worker processes over
// go-plugin, the real trainer on a synthetic dataset, the real bbolt file.

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

var lssrBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lssr-e2e-")
	if err != nil {
		panic(err)
	}
	lssrBin = filepath.Join(dir, "lssr")
	if out, err := exec.Command("go", "build", "-o", lssrBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building lssr: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if slurmStop != nil {
		slurmStop()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

type cmdResult struct {
	stdout, stderr string
	code           int
}

func runLSSR(t *testing.T, dir string, args ...string) cmdResult {
	t.Helper()
	return runWithEnv(t, dir, nil, args...)
}

// runWithEnv runs lssr in dir with extra environment variables.
func runWithEnv(t *testing.T, dir string, env []string, args ...string) cmdResult {
	t.Helper()
	cmd := exec.Command(lssrBin, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running lssr %v: %v", args, err)
	}
	return cmdResult{out.String(), errb.String(), code}
}

// syntheticSpec is a 3×3 grid on a synthetic Gaussian mixture whose jobs
// each take a fraction of a second.
func syntheticSpec(name string, epochs int) testutil.Spec {
	return testutil.Spec{Name: name, N: 2048, TestN: 256, Dim: 16, Classes: 4, Hidden: []int{64}, Activation: "tanh",
		Epochs: epochs, MeasureEvery: 2, BatchSizes: "[8, 32, 128]", LearningRates: "{log2_from: -4, log2_to: -2}", Seeds: "[0]", Workers: 2}
}

// exportWithoutTiming exports a sweep as CSV and drops the seconds column,
// the only one that may differ between two runs of the same jobs.
func exportWithoutTiming(t *testing.T, dir, db, name string) [][]string {
	t.Helper()
	r := runLSSR(t, dir, "--db", db, "sweep", "export", name, "--format", "csv")
	if r.code != 0 {
		t.Fatalf("export: exit %d: %s", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	secs := -1
	for i, h := range rows[0] {
		if h == "seconds" {
			secs = i
		}
	}
	for i := range rows {
		rows[i] = append(rows[i][:secs:secs], rows[i][secs+1:]...)
	}
	return rows
}

func TestRunKillResumeMatchesUninterrupted(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), syntheticSpec("e2e", 60).YAML())

	if r := runLSSR(t, dir, "--db", "a.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	want := exportWithoutTiming(t, dir, "a.db", "e2e")

	// Start the same sweep on another file, kill -9 the orchestrator as
	// soon as it reports the second finished job (an event, not a time, so
	// the 7 jobs still to go are cut short on any machine), and resume.
	p := startProc(t, dir, nil, "--db", "b.db", "sweep", "run", "s.yaml")
	for range 2 {
		if _, ok := p.next(event.finished); !ok {
			t.Fatalf("the sweep ended before its second job finished: %v\n%s", p.err, p.stderr.String())
		}
	}
	p.kill()
	jobsAtKill := readJobs(t, filepath.Join(dir, "b.db"), "e2e")
	doneBeforeKill := map[string]store.JobRecord{}
	for _, j := range jobsAtKill {
		if j.State.Finished() {
			doneBeforeKill[j.Job.ID] = j
		}
	}
	if all := len(jobsAtKill); countFinished(jobsAtKill) == all {
		t.Fatalf("all %d jobs finished before the kill; the test did not interrupt anything", all)
	}
	t.Logf("killed the orchestrator with %d of %d jobs finished", countFinished(jobsAtKill), len(jobsAtKill))

	r := runLSSR(t, dir, "--db", "b.db", "sweep", "resume", "e2e")
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	after := readJobs(t, filepath.Join(dir, "b.db"), "e2e")
	for _, j := range after {
		if j.State != lssr.StateDone {
			t.Errorf("job %s is %s after resume", j.Job.ID, j.State)
		}
	}
	// Jobs finished before the kill were not trained again.
	for id, before := range doneBeforeKill {
		for _, j := range after {
			if j.Job.ID == id && (j.Attempts != before.Attempts || !j.FinishedAt.Equal(before.FinishedAt)) {
				t.Errorf("job %s finished before the kill but ran again: attempts %d→%d", id, before.Attempts, j.Attempts)
			}
		}
	}
	got := exportWithoutTiming(t, dir, "b.db", "e2e")
	// Attempt counts differ for the jobs the kill interrupted (those that
	// were not are checked above); compare all else.
	blankColumns(want, "attempts", "failures", "interruptions")
	blankColumns(got, "attempts", "failures", "interruptions")
	for i := range want {
		if len(got) <= i {
			t.Fatalf("resumed export has %d rows, want %d", len(got), len(want))
		}
		if strings.Join(want[i], ",") != strings.Join(got[i], ",") {
			t.Errorf("row %d differs:\n uninterrupted %v\n resumed       %v", i, want[i], got[i])
		}
	}
}

func readJobs(t *testing.T, path, sweep string) []store.JobRecord {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var jobs []store.JobRecord
	if err := db.View(func(tx *store.Tx) (err error) { jobs, err = tx.Jobs(sweep); return err }); err != nil {
		t.Fatal(err)
	}
	return jobs
}

func countFinished(jobs []store.JobRecord) int {
	n := 0
	for _, j := range jobs {
		if j.State.Finished() {
			n++
		}
	}
	return n
}

func TestBadSpecsExitTwoWithOneLineAndWriteNothing(t *testing.T) {
	bad, err := filepath.Glob("../../sweeps/testdata/bad/*.yaml")
	if err != nil || len(bad) < 10 {
		t.Fatalf("want at least 10 malformed specs in sweeps/testdata/bad, found %d (%v)", len(bad), err)
	}
	missingData := filepath.Join(t.TempDir(), "missing-data.yaml")
	testutil.WriteFile(t, missingData, "name: m\ndataset: {name: fashion-mnist, dir: /nonexistent/fmnist, n: 100}\n"+
		"model: {kind: mlp, hidden: [8]}\ntraining: {epochs: 1}\ngrid: {batch_sizes: [8], learning_rates: [0.1]}\n")
	for _, spec := range append(bad, missingData) {
		t.Run(filepath.Base(spec), func(t *testing.T) {
			dir := t.TempDir()
			abs, _ := filepath.Abs(spec)
			r := runLSSR(t, dir, "sweep", "run", abs)
			if r.code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
			}
			if lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n"); len(lines) != 1 {
				t.Errorf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("bad input wrote %d files, e.g. %s", len(entries), entries[0].Name())
			}
		})
	}
}

func TestCommandsOnMissingThingsExitTwo(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"sweep", "status", "nope"},
		{"sweep", "resume", "nope"},
		{"sweep", "retry", "nope"},
		{"sweep", "cancel", "nope"},
		{"sweep", "export", "nope"},
		{"report", "nope"},
		{"predict", "nope", "--b", "8"},
		{"export", "weights", "nope", "abc", "--out", "w.safetensors"},
		{"export", "frobnicate"},
		{"sweep", "run"},
		{"sweep", "run", "no-such-file.yaml"},
		{"sweep", "frobnicate"},
		{"--no-such-flag"},
	} {
		r := runLSSR(t, dir, args...)
		if r.code != 2 {
			t.Errorf("lssr %v: exit %d, want 2 (stderr %q)", args, r.code, r.stderr)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("lssr %v wrote %s", args, entries[0].Name())
		}
	}
}
