package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// slurmEnv returns the environment the Slurm commands need to reach a
// one-node test cluster. A cluster named by $LSSR_SLURM_DIR that is up is
// used and left alone; otherwise the first call brings up one of the tests'
// own with scripts/slurm/cluster.sh (installing Slurm when missing), in a
// folder of its own, so it shares no state, ports or munged with anything
// else on the machine, and TestMain takes it down. Without Slurm the test is
// skipped, except in CI (CI=true), where that is a failure.
func slurmEnv(t *testing.T) []string {
	t.Helper()
	slurmOnce.Do(func() {
		var said string
		slurmConf, said, slurmErr = slurmUp()
		// What else runs here and what the cluster left running.
		t.Logf("scripts/slurm/cluster.sh up:\n%s", said)
	})
	if slurmErr != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(slurmErr)
		}
		t.Skip(slurmErr)
	}
	return []string{slurmConf}
}

var (
	slurmOnce           sync.Once
	slurmConf, slurmErr string // "SLURM_CONF=…", or why there is no cluster
	// slurmStop takes down the cluster the tests brought up; nil if none.
	slurmStop func()
)

func slurmUp() (conf, said, failure string) {
	script, _ := filepath.Abs("../../scripts/slurm/cluster.sh")
	if dir := os.Getenv("LSSR_SLURM_DIR"); dir != "" && exec.Command("bash", script, "status", dir).Run() == nil {
		return "SLURM_CONF=" + filepath.Join(dir, "slurm.conf"), "using the cluster in $LSSR_SLURM_DIR=" + dir, ""
	}
	dir, err := os.MkdirTemp("", "lssr-slurm-test-")
	if err != nil {
		return "", "", err.Error()
	}
	slurmStop = func() {
		down := exec.Command("bash", script, "down", dir)
		down.Stderr = os.Stderr // what it stopped, and what else still runs
		down.Run()
		os.RemoveAll(dir)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("bash", script, "up", dir)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", errb.String(), fmt.Sprintf("no Slurm cluster (scripts/slurm/cluster.sh up %s: %v): %s", dir, err, lastLine(errb.String()))
	}
	conf = strings.TrimPrefix(strings.TrimSpace(lastLine(out.String())), "export ")
	if !strings.HasPrefix(conf, "SLURM_CONF=") {
		return "", errb.String(), fmt.Sprintf("cluster.sh up printed %q, want export SLURM_CONF=… last", out.String())
	}
	return conf, errb.String(), ""
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

var slurmArgs = []string{"--executor", "slurm", "--throttle", "2", "--slurm-poll", "300ms"}

// TestSlurmMatchesLocal runs one sweep through Slurm (as its spec's
// executor section asks) and through local workers (as --executor local
// overrides): every exported number and stored series is the same.
func TestSlurmMatchesLocal(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	// The spec asks for Slurm; the flag sends the same spec to local workers.
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("sm", 4, "[0.02, 0.05, 0.1]").YAML()+"executor: {kind: slurm, throttle: 2}\n")
	r := runWithEnv(t, dir, env, "--db", "slurm.db", "sweep", "run", "--slurm-poll", "300ms", "s.yaml")
	if r.code != 0 {
		t.Fatalf("slurm run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runLSSR(t, dir, "--db", "local.db", "sweep", "run", "--plain", "--executor", "local", "s.yaml"); r.code != 0 {
		t.Fatalf("local run: exit %d: %s", r.code, r.stderr)
	}
	host, _ := os.Hostname() // the one-node cluster's node
	for _, j := range readJobs(t, filepath.Join(dir, "slurm.db"), "sm") {
		if !strings.HasPrefix(j.Worker, "slurm ") {
			t.Errorf("job %s ran on %q, want a Slurm task ID", j.Job.ID, j.Worker)
		}
		if p := j.Result.Provenance; p == nil || p.Host != host || p.KernelPath == "" {
			t.Errorf("job %s: provenance %+v, want the node %q that ran its task", j.Job.ID, p, host)
		}
	}
	sameState(t, readState(t, dir, "slurm.db", "sm"), readState(t, dir, "local.db", "sm"))
	t.Logf("3 jobs through one sbatch --array: %s", strings.TrimSpace(r.stdout))
}

// TestSlurmResumeAfterOrchestratorKill kills the orchestrator while tasks
// run on the cluster: the resumed orchestrator waits for the tasks still
// queued or running (same Slurm task IDs), ingests the finished ones and
// ends as an uninterrupted local sweep.
func TestSlurmResumeAfterOrchestratorKill(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("sk", 30, "[0.01, 0.02, 0.04, 0.08]").YAML())
	cmd := exec.Command(lssrBin, append([]string{"--db", "k.db", "sweep", "run", "s.yaml"}, slurmArgs...)...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once every job has a task and at least one is running.
	deadline := time.Now().Add(guard)
	var atKill []store.JobRecord
	for time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		jobs, ok := tryReadJobs(filepath.Join(dir, "k.db"), "sk")
		if !ok {
			continue
		}
		ids, _ := filepath.Glob(filepath.Join(dir, "lssr-slurm", "sk", "slurm", "*.id"))
		if len(ids) == len(jobs) && len(jobs) > 0 && countFinished(jobs) < len(jobs) {
			atKill = jobs
			break
		}
	}
	if atKill == nil {
		t.Fatal("the tasks were never all submitted")
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// While no orchestrator runs: cancel a task (it vanishes), and let at
	// least one other task finish (its result waits in the shared folder).
	// The task to cancel is one the throttle (%2) still holds pending when
	// there is one: it cannot finish before the scancel, however slow this
	// test is to get there.
	taskBefore := taskIDs(t, dir, "sk")
	var vanished string
	for id, task := range taskBefore {
		st := taskState(env, task)
		if st == "PENDING" || vanished == "" && st == "RUNNING" {
			vanished = id
		}
	}
	if vanished == "" {
		t.Fatal("no task is queued or running at the kill")
	}
	sc := exec.Command("scancel", taskBefore[vanished])
	sc.Env = append(os.Environ(), env...)
	if b, err := sc.CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v: %s", err, b)
	}
	results := func() []string {
		r, _ := filepath.Glob(filepath.Join(dir, "lssr-slurm", "sk", "results", "*.json"))
		return r
	}
	for deadline := time.Now().Add(guard); len(results()) == 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	finishedWhileDown := len(results())
	r := runWithEnv(t, dir, env, append([]string{"--db", "k.db", "sweep", "resume", "sk"}, slurmArgs...)...)
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	taskAfter := taskIDs(t, dir, "sk")
	for id, before := range taskBefore {
		switch {
		case id == vanished && taskAfter[id] == before:
			t.Errorf("job %s: its task %s was cancelled while no orchestrator ran, yet it was not resubmitted", id, before)
		case id != vanished && taskAfter[id] != before:
			t.Errorf("job %s: task %s at the kill, %s after resume: resubmitted instead of waited for or ingested", id, before, taskAfter[id])
		}
	}
	if finishedWhileDown == 0 {
		t.Error("no task finished while the orchestrator was down; the ingest path was not exercised")
	}
	t.Logf("killed with %d of %d jobs stored as finished; while it was down %d task(s) finished and 1 was cancelled; "+
		"resume ingested the finished, waited for the %d still queued or running, and resubmitted the cancelled one (%s → %s)",
		countFinished(atKill), len(atKill), finishedWhileDown, len(taskBefore)-1-finishedWhileDown, taskBefore[vanished], taskAfter[vanished])
	if r := runLSSR(t, dir, "--db", "local.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("local run: exit %d: %s", r.code, r.stderr)
	}
	sameState(t, readState(t, dir, "k.db", "sk"), readState(t, dir, "local.db", "sk"))
}

// TestSlurmScancelResubmits cancels a running task with scancel after it
// has checkpointed: the orchestrator resubmits the job, which continues
// from its checkpoint to the uninterrupted result.
func TestSlurmScancelResubmits(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("sc", 60, "[0.05]").YAML())
	cmd := exec.Command(lssrBin, append([]string{"--db", "c.db", "sweep", "run", "s.yaml"}, slurmArgs...)...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	shared := filepath.Join(dir, "lssr-slurm", "sc")
	var task string
	deadline := time.Now().Add(guard)
	for time.Now().Before(deadline) && task == "" {
		time.Sleep(100 * time.Millisecond)
		cks, _ := filepath.Glob(filepath.Join(shared, "checkpoints", "*.safetensors"))
		ids := taskIDs(t, dir, "sc")
		if len(cks) > 0 && len(ids) == 1 {
			for _, v := range ids {
				task = v
			}
		}
	}
	if task == "" {
		t.Fatalf("no task checkpointed within %v (a guard: the sweep hangs)", guard)
	}
	sc := exec.Command("scancel", task)
	sc.Env = append(os.Environ(), env...)
	if b, err := sc.CombinedOutput(); err != nil {
		t.Fatalf("scancel %s: %v: %s", task, err, b)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the sweep did not survive scancel: %v\n%s", err, out.String())
	}
	jobs := readJobs(t, filepath.Join(dir, "c.db"), "sc")
	j := jobs[0]
	if j.State != lssr.StateDone || j.Attempts != 2 || j.Result.ResumedFrom < 1 || j.Worker == "slurm "+task {
		t.Errorf("job: %s after %d attempts on %s, resumed from %d; want done after 2 on a new task, resumed from a checkpoint",
			j.State, j.Attempts, j.Worker, j.Result.ResumedFrom)
	}
	t.Logf("scancel %s; resubmitted as %s, resumed from epoch %d", task, j.Worker, j.Result.ResumedFrom)
	if r := runLSSR(t, dir, "--db", "local.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("local run: exit %d: %s", r.code, r.stderr)
	}
	sameState(t, readState(t, dir, "c.db", "sc"), readState(t, dir, "local.db", "sc"))
}

// taskIDs reads the Slurm task recorded for each job in the shared folder.
func taskIDs(t *testing.T, dir, sweep string) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "lssr-slurm", sweep, "slurm", "*.id"))
	ids := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err == nil {
			ids[strings.TrimSuffix(filepath.Base(f), ".id")] = strings.TrimSpace(string(raw))
		}
	}
	return ids
}

// taskState is a Slurm task's state as squeue shows it (PENDING, RUNNING),
// "" once it has left the queue.
func taskState(env []string, task string) string {
	sq := exec.Command("squeue", "-h", "-j", task, "-o", "%T")
	sq.Env = append(os.Environ(), env...)
	out, _ := sq.Output()
	return strings.TrimSpace(string(out))
}

// tryReadJobs reads a sweep's jobs if the database can be read now.
func tryReadJobs(path, sweep string) ([]store.JobRecord, bool) {
	db, err := store.Open(path, store.Options{ReadOnly: true})
	if err != nil {
		return nil, false
	}
	defer db.Close()
	var jobs []store.JobRecord
	err = db.View(func(tx *store.Tx) (err error) { jobs, err = tx.Jobs(sweep); return err })
	return jobs, err == nil
}

// TestSlurmCancel: `lssr sweep cancel` of a sweep running through Slurm
// stops its orchestrator, marks its jobs cancelled and scancels its tasks.
func TestSlurmCancel(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("cx", 200, "[0.01, 0.02, 0.04]").YAML())
	cmd := exec.Command(lssrBin, append([]string{"--db", "x.db", "sweep", "run", "s.yaml"}, slurmArgs...)...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(guard); len(taskIDs(t, dir, "cx")) < 3 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	r := runWithEnv(t, dir, env, "--db", "x.db", "sweep", "cancel", "--wait", guard.String(), "cx")
	cmd.Wait()
	if r.code != 0 || !strings.Contains(r.stdout, "scancel of 3 queued or running Slurm task(s)") {
		t.Fatalf("cancel: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, j := range readJobs(t, filepath.Join(dir, "x.db"), "cx") {
		if j.State != lssr.StateCancelled {
			t.Errorf("job %s is %s, want cancelled", j.Job.ID, j.State)
		}
	}
	for _, task := range taskIDs(t, dir, "cx") {
		if st := taskState(env, task); st == "RUNNING" || st == "PENDING" {
			t.Errorf("task %s is still %s after cancel", task, st)
		}
	}
}
