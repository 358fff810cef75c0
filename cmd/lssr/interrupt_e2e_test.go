package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/sweeps"
)

// firstJobID is the ID of the first job a spec expands to: the one every
// run and resume starts first.
func firstJobID(t *testing.T, spec string) string {
	t.Helper()
	s, err := sweeps.Parse([]byte(spec), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s.Jobs()[0].ID
}

// killWorkerOf SIGKILLs the worker of a checkpoint event and returns the
// next checkpoint of the same job, which a new worker stores once the
// orchestrator has retried the job.
func killWorkerOf(t *testing.T, p *sweepProc, e event) event {
	t.Helper()
	if err := syscall.Kill(e.pid(), syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %s: %v", e.worker, err)
	}
	next, ok := p.next(func(n event) bool { return n.what == "ckpt" && n.job == e.job && n.worker != e.worker })
	if !ok {
		t.Fatalf("the sweep ended without retrying job %s after its worker %s was killed: %v\n%s%s",
			e.job, e.worker, p.err, p.stdout.String(), p.stderr.String())
	}
	return next
}

// TestFaultInterruptionsAreNotFailures: the orchestrator is killed 6 times
// while one job runs, and that job's worker is killed once in between, as
// in a long sweep on a laptop. The job was started 8 times, but failed only
// once, so with --max-attempts 3 it ends done with the others, with the
// uninterrupted sweep's numbers, and the final resume exits 0. Kills come
// after events (the job's k-th checkpoint since the restart, k from a
// logged seed), so the test runs the same on any machine.
func TestFaultInterruptionsAreNotFailures(t *testing.T) {
	dir := t.TempDir()
	spec := faultSpec("i", 60, "[0.05, 0.1, 0.2]").YAML()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec)
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "i")
	target := firstJobID(t, spec)

	const kills, seed = 6, 7
	rng := rand.New(rand.NewPCG(seed, 1))
	workerRound := rng.IntN(kills)
	t.Logf("job %s: %d orchestrator kills, its worker killed in round %d (seed %d)", target, kills, workerRound, seed)
	for round := range kills {
		args := []string{"--db", "i.db", "sweep", "resume", "--plain", "i"}
		if round == 0 {
			args = []string{"--db", "i.db", "sweep", "run", "--plain", "s.yaml"}
		}
		p := startProc(t, dir, nil, args...)
		k := 1 + rng.IntN(3)
		var e event
		for range k {
			var ok bool
			if e, ok = p.next(checkpointOf(target)); !ok {
				t.Fatalf("round %d: the sweep ended before job %s checkpointed %d times: %v\n%s", round, target, k, p.err, p.stderr.String())
			}
		}
		if round == workerRound {
			killed := e.worker
			e = killWorkerOf(t, p, e)
			t.Logf("round %d: killed worker %s after the job's checkpoint %d since the restart; retried on %s", round, killed, k, e.worker)
		}
		p.kill()
		t.Logf("round %d: killed the orchestrator after the job's checkpoint of epoch %d", round, e.epoch)
	}
	r := runLSSR(t, dir, "--db", "i.db", "sweep", "resume", "--plain", "i")
	if r.code != 0 {
		t.Fatalf("final resume: exit %d, want 0\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, j := range readJobs(t, filepath.Join(dir, "i.db"), "i") {
		if j.State != lssr.StateDone {
			t.Errorf("job %s is %s (%q), want done", j.Job.ID, j.State, j.LastError)
		}
		if j.Job.ID == target && (j.Attempts != kills+2 || j.Failures != 1 || j.Interruptions != kills) {
			t.Errorf("job %s: %d attempts (%d failed, %d interrupted), want %d (1 failed, %d interrupted)",
				j.Job.ID, j.Attempts, j.Failures, j.Interruptions, kills+2, kills)
		}
	}
	status := runLSSR(t, dir, "--db", "i.db", "sweep", "status", "i")
	if wantCol := fmt.Sprintf("%d (1 failed, %d interrupted)", kills+2, kills); !strings.Contains(status.stdout, wantCol) {
		t.Errorf("status does not show %q:\n%s", wantCol, status.stdout)
	}
	sameState(t, readState(t, dir, "i.db", "i"), want)
}

// TestFaultWorkerKilledMaxAttemptsTimesFails: a job interrupted once by an
// orchestrator kill, then losing its worker --max-attempts (2) times, ends
// failed with the worker's error, and the run says so with exit status 1.
func TestFaultWorkerKilledMaxAttemptsTimesFails(t *testing.T) {
	dir := t.TempDir()
	spec := faultSpec("m", 60, "[0.05]").YAML()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec)
	target := firstJobID(t, spec)

	p := startProc(t, dir, nil, "--db", "m.db", "sweep", "run", "--plain", "--max-attempts", "2", "s.yaml")
	if _, ok := p.next(checkpointOf(target)); !ok {
		t.Fatalf("the sweep ended before its first checkpoint: %v\n%s", p.err, p.stderr.String())
	}
	p.kill()
	p = startProc(t, dir, nil, "--db", "m.db", "sweep", "resume", "--plain", "--max-attempts", "2", "m")
	e, ok := p.next(checkpointOf(target))
	if !ok {
		t.Fatalf("the resumed sweep ended before its first checkpoint: %v\n%s", p.err, p.stderr.String())
	}
	e = killWorkerOf(t, p, e)
	if err := syscall.Kill(e.pid(), syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %s: %v", e.worker, err)
	}
	p.wait()
	if p.code() != 1 || !strings.Contains(p.stderr.String(), "1 job(s) failed") {
		t.Errorf("the resume whose job failed: exit %d, want 1 and the count of failed jobs\n%s", p.code(), p.stderr.String())
	}
	jobs := readJobs(t, filepath.Join(dir, "m.db"), "m")
	if j := jobs[0]; j.State != lssr.StateFailed || j.Attempts != 3 || j.Failures != 2 || j.Interruptions != 1 || !strings.Contains(j.LastError, "worker") {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted), error %q; want failed after 3 (2 failed, 1 interrupted) with the worker's error",
			j.State, j.Attempts, j.Failures, j.Interruptions, j.LastError)
	} else {
		t.Logf("failed with %q", j.LastError)
	}
	status := runLSSR(t, dir, "--db", "m.db", "sweep", "status", "m")
	if !strings.Contains(status.stdout, "3 (2 failed, 1 interrupted)") || !strings.Contains(status.stdout, "worker") {
		t.Errorf("status does not show the counts and the error:\n%s", status.stdout)
	}
}
