package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/orchestrator/slurm"
	"github.com/lssr/lssr/sweeps"
)

// stopSpec is a 2 × 2 grid with training.stop_early 0.5 of 4 epochs: at
// η = 32 the loss of this tanh MLP stays many times its initial 1.24 (13 to
// 14 after epoch 2) without going non-finite, so those jobs stop after
// epoch 2; at η = 0.1 it falls below it in the first epoch and they train
// to the end.
func stopSpec(name string) testutil.Spec {
	return testutil.Spec{Name: name, N: 256, TestN: 64, Dim: 8, Classes: 3, Hidden: []int{8}, Activation: "tanh",
		Epochs: 4, MeasureEvery: 1, StopEarly: 0.5, SaveWeights: true, BatchSizes: "[8, 32]", LearningRates: "[0.1, 32]",
		Seeds: "[0]", Workers: 2}
}

// stopReason matches the reason a stopSpec job at η = 32 gives.
var stopReason = regexp.MustCompile(`^stopped early: training loss [0-9.]+ not below its initial 1\.2[0-9]* after epoch 2 of 4 \(stop_early 0\.5\)$`)

// TestStopEarlySweep runs a grid with the stall rule: the hopeless jobs end
// stopped with their reason, which the progress output prints, and the
// others are done; status counts them, export carries the reason, the
// report counts them, and export weights explains why a stopped job has
// none.
func TestStopEarlySweep(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), stopSpec("st").YAML())
	r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml")
	if r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	lines := regexp.MustCompile(`(?m)^\[\d/4\] stopped  b=\S+ +η=2\^5 +seed=0  (.*)  \(pid \d+\)$`).FindAllStringSubmatch(r.stdout, -1)
	if len(lines) != 2 {
		t.Fatalf("%d progress lines of stopped jobs, want 2:\n%s", len(lines), r.stdout)
	}
	for _, l := range lines {
		if !stopReason.MatchString(l[1]) {
			t.Errorf("progress prints %q, want the reason", l[1])
		}
	}
	if !strings.Contains(r.stdout, "sweep st: 0 pending, 0 running, 2 done, 0 diverged, 2 stopped, 0 failed, 0 cancelled") {
		t.Errorf("run's counts:\n%s", r.stdout)
	}

	var stoppedID string
	for _, j := range readJobs(t, filepath.Join(dir, "lssr.db"), "st") {
		want := lssr.StateDone
		if j.Job.LR == 32 {
			want, stoppedID = lssr.StateStopped, j.Job.ID
		}
		if j.State != want || j.Result == nil || j.Attempts != 1 {
			t.Fatalf("job η = %g: %s after %d attempts, result %v; want %s", j.Job.LR, j.State, j.Attempts, j.Result, want)
		}
		if want == lssr.StateStopped && (!stopReason.MatchString(j.Result.Stopped) || j.Result.Epochs != 2 || j.Result.TestAcc != 0) {
			t.Errorf("stopped job %s: %+v", j.Job.ID, j.Result)
		}
	}

	r = runLSSR(t, dir, "sweep", "export", "st", "--format", "json")
	var rows []exportRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); r.code != 0 || err != nil || len(rows) != 4 {
		t.Fatalf("export: exit %d, %v, %d rows", r.code, err, len(rows))
	}
	for _, row := range rows {
		if (row.State == lssr.StateStopped) != stopReason.MatchString(row.Stopped) {
			t.Errorf("export row %s (%s) gives the reason %q", row.JobID, row.State, row.Stopped)
		}
	}

	if r := runLSSR(t, dir, "report", "st", "--out", "rep"); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	if md, _ := os.ReadFile(filepath.Join(dir, "rep", "summary.md")); !strings.Contains(string(md), "| stopped | 2 |") {
		t.Errorf("summary.md does not count the stopped runs:\n%s", md)
	}

	r = runLSSR(t, dir, "export", "weights", "st", stoppedID, "--out", "w.safetensors")
	if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "it was stopped early (training.stop_early)") {
		t.Errorf("export weights of a stopped job: exit %d, %q", r.code, line)
	}
}

// TestJobRunStopsEarly: `lssr job run`, what a Slurm task runs, stops a
// hopeless job and leaves a result file that the orchestrator's reader
// accepts as stopped, without weights although the job keeps them.
func TestJobRunStopsEarly(t *testing.T) {
	dir := t.TempDir()
	spec, err := sweeps.Parse([]byte(stopSpec("jr").YAML()), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job lssr.Job
	for _, j := range spec.Jobs() {
		if j.LR == 32 && j.BatchSize == 8 {
			job = j
		}
	}
	p := slurm.PathsOf(filepath.Join(dir, "shared"), job.ID)
	if err := slurm.WriteTask(p.Task, job); err != nil {
		t.Fatal(err)
	}
	r := runLSSR(t, dir, "job", "run", p.Task)
	if r.code != 0 || !strings.Contains(r.stdout, "job "+job.ID+": stopped early: training loss ") {
		t.Fatalf("job run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	res, err := slurm.ReadResult(p, job)
	if err != nil {
		t.Fatal(err)
	}
	if !stopReason.MatchString(res.Stopped) || res.Diverged || res.Epochs != 2 || len(res.Series) != 2 || res.Weights != nil {
		t.Errorf("result %+v, want stopped after epoch 2 without weights", res)
	}
	if _, err := os.Stat(p.Weights); !os.IsNotExist(err) {
		t.Errorf("a weights file was written for a stopped job: %v", err)
	}
}

// TestSlurmStopEarlyMatchesLocal: the stopSpec grid through Slurm array
// tasks ends as it does on local workers, stopped jobs included: the
// result files of stopped jobs validate although the jobs keep weights
// and no weights file comes with them.
func TestSlurmStopEarlyMatchesLocal(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), stopSpec("ss").YAML())
	r := runWithEnv(t, dir, env, append([]string{"--db", "slurm.db", "sweep", "run", "--plain"}, append(slurmArgs, "s.yaml")...)...)
	if r.code != 0 {
		t.Fatalf("slurm run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runLSSR(t, dir, "--db", "local.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("local run: exit %d: %s", r.code, r.stderr)
	}
	stopped := 0
	for _, j := range readJobs(t, filepath.Join(dir, "slurm.db"), "ss") {
		if j.State == lssr.StateStopped && stopReason.MatchString(j.Result.Stopped) {
			stopped++
		}
	}
	if stopped != 2 {
		t.Errorf("%d jobs stopped through Slurm with their reason, want 2", stopped)
	}
	sameState(t, readState(t, dir, "slurm.db", "ss"), readState(t, dir, "local.db", "ss"))
}
