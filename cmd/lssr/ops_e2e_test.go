package main

// End-to-end tests of retry, cancel, the writer lock and status on a large
// sweep, with the real binary, worker processes and bbolt file.

import (
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// startSweep starts `lssr sweep run` on a spec whose jobs take several
// seconds each, and returns once it holds the database's writer lock.
func startSweep(t *testing.T, dir, db, name string) *exec.Cmd {
	t.Helper()
	testutil.WriteFile(t, filepath.Join(dir, name+".yaml"), syntheticSpec(name, 3000).YAML())
	cmd := exec.Command(lssrBin, "--db", db, "sweep", "run", "--plain", name+".yaml")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	path := filepath.Join(dir, db)
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if store.LockHolder(path).PID == cmd.Process.Pid {
			return cmd
		}
	}
	t.Fatalf("the sweep did not take the writer lock within %v (a guard: it hangs)", guard)
	return nil
}

// waitForRunning polls until n jobs are running.
func waitForRunning(t *testing.T, path, sweep string, n int) {
	t.Helper()
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		running := 0
		jobs, _ := tryReadJobs(path, sweep) // the writer may be committing: poll again
		for _, j := range jobs {
			if j.State == lssr.StateRunning {
				running++
			}
		}
		if running >= n {
			return
		}
	}
	t.Fatalf("fewer than %d jobs running within %v (a guard: the sweep hangs)", n, guard)
}

func oneStderrLine(t *testing.T, r cmdResult) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 {
		t.Errorf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
	}
	return lines[0]
}

// TestSecondWriterFailsAtOnce: a second writer fails while the sweep that
// holds the database runs on, naming it. "At once" is measured against a
// reader of the same database started the same way: the writer may take
// longer only by its short wait for the lock (store.Options.LockWait,
// 200 ms), never by anything the holder does, so the bound holds on a busy
// machine as on an idle one.
func TestSecondWriterFailsAtOnce(t *testing.T) {
	dir := t.TempDir()
	cmd := startSweep(t, dir, "x.db", "busy")
	timed := func(args ...string) (cmdResult, time.Duration) {
		start := time.Now()
		r := runLSSR(t, dir, args...)
		return r, time.Since(start)
	}
	for _, args := range [][]string{
		{"--db", "x.db", "sweep", "resume", "busy"},
		{"--db", "x.db", "sweep", "run", "busy.yaml"},
		{"--db", "x.db", "sweep", "retry", "busy"},
	} {
		_, before := timed("--db", "x.db", "sweep", "status", "--summary", "busy")
		r, took := timed(args...)
		_, after := timed("--db", "x.db", "sweep", "status", "--summary", "busy")
		line := oneStderrLine(t, r)
		reader := max(before, after)
		t.Logf("%v: exit %d after %v (a reader: %v): %s", args[2:], r.code, took.Round(time.Millisecond), reader.Round(time.Millisecond), line)
		if r.code != 1 || !strings.Contains(line, "database is in use by lssr pid ") || !strings.Contains(line, "(sweep busy)") {
			t.Errorf("exit %d, stderr %q: want 1 and the holder's PID and sweep", r.code, line)
		}
		if took > 2*reader+time.Second {
			t.Errorf("the second writer took %v to fail, a reader %v: it waited for more than the lock", took, reader)
		}
		if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
			t.Fatalf("the sweep holding the database has stopped: the writer may have waited for it")
		}
	}
	// Readers are not writers: status works meanwhile.
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "status", "busy"); r.code != 0 {
		t.Errorf("status while a sweep runs: exit %d: %s", r.code, r.stderr)
	}
	if h := store.LockHolder(filepath.Join(dir, "x.db")); h.PID != cmd.Process.Pid || h.Sweep != "busy" {
		t.Errorf("lock holder %+v, want the running sweep", h)
	}
}

func TestCancelStopsTheOrchestratorAndRetryBringsJobsBack(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.db")
	cmd := startSweep(t, dir, "c.db", "cx")
	waitForRunning(t, path, "cx", 2)

	// --wait is a guard: cancel returns as soon as the orchestrator stops.
	r := runLSSR(t, dir, "--db", "c.db", "sweep", "cancel", "--wait", guard.String(), "cx")
	t.Logf("cancel: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	if r.code != 0 {
		t.Fatalf("cancel: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"stopping its orchestrator, lssr pid ", "running jobs went back to pending", "9 pending jobs cancelled"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("cancel's output lacks %q", want)
		}
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("the orchestrator ended with %v, want exit status 130 (interrupted)", err)
	}
	interrupted := 0
	for _, j := range readJobs(t, path, "cx") {
		if j.State != lssr.StateCancelled || j.Failures != 0 {
			t.Errorf("job %s is %s after cancel, with %d failures; want cancelled, none failed", j.Job.ID, j.State, j.Failures)
		}
		interrupted += j.Interruptions
	}
	if interrupted != 2 {
		t.Errorf("%d interruptions counted, want the 2 jobs that ran", interrupted)
	}

	// Resume leaves cancelled jobs alone.
	r = runLSSR(t, dir, "--db", "c.db", "sweep", "resume", "cx")
	if r.code != 0 || !strings.Contains(r.stdout, "every job has finished") {
		t.Errorf("resume after cancel: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Plain retry takes failed jobs only; there are none.
	r = runLSSR(t, dir, "--db", "c.db", "sweep", "retry", "cx")
	if r.code != 0 || !strings.Contains(r.stdout, "no failed jobs to retry") {
		t.Errorf("retry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLSSR(t, dir, "--db", "c.db", "sweep", "retry", "cx", "--cancelled")
	if r.code != 0 || !strings.Contains(r.stdout, "9 cancelled jobs back to pending") {
		t.Errorf("retry --cancelled: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, j := range readJobs(t, path, "cx") {
		if j.State != lssr.StatePending || j.Attempts != 0 || j.LastError != "" {
			t.Errorf("job %s after retry --cancelled: %s, %d attempts, %q", j.Job.ID, j.State, j.Attempts, j.LastError)
		}
	}
	// Cancel with no orchestrator running marks the pending jobs at once.
	r = runLSSR(t, dir, "--db", "c.db", "sweep", "cancel", "cx")
	if r.code != 0 || strings.Contains(r.stdout, "stopping") || !strings.Contains(r.stdout, "9 pending jobs cancelled") {
		t.Errorf("cancel of an idle sweep: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRetryDefaultsToFailedJobs(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), syntheticSpec("rt", 2).YAML())
	if r := runLSSR(t, dir, "--db", "r.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(dir, "r.db")
	// Give three jobs the outcomes a real failure, divergence and early
	// stop leave.
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var failed, diverged, stopped string
	err = db.Update(func(tx *store.Tx) error {
		jobs, _ := tx.Jobs("rt")
		jobs[1].State, jobs[1].Attempts, jobs[1].LastError, jobs[1].Result = lssr.StateFailed, 3, "worker pid 9 exited", nil
		jobs[2].State, jobs[2].Result = lssr.StateDiverged, &lssr.Result{Diverged: true}
		jobs[3].State, jobs[3].Result = lssr.StateStopped, &lssr.Result{Stopped: "stopped early: training loss 1.4 not below its initial 1.3 after epoch 1 of 2 (stop_early 0.5)", Epochs: 1}
		failed, diverged, stopped = jobs[1].Job.ID, jobs[2].Job.ID, jobs[3].Job.ID
		for _, j := range jobs[1:4] {
			if err := tx.PutJob("rt", j); err != nil {
				return err
			}
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	status := runLSSR(t, dir, "--db", "r.db", "sweep", "status", "rt")
	if !strings.Contains(status.stdout, "worker pid 9 exited") {
		t.Errorf("status does not show the failed job's last error:\n%s", status.stdout)
	}
	r := runLSSR(t, dir, "--db", "r.db", "sweep", "retry", "rt")
	if r.code != 0 || !strings.Contains(r.stdout, "1 failed job back to pending") || !strings.Contains(r.stdout, failed) {
		t.Fatalf("retry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLSSR(t, dir, "--db", "r.db", "sweep", "retry", "rt", "--diverged")
	if r.code != 0 || !strings.Contains(r.stdout, "1 diverged job back to pending") || !strings.Contains(r.stdout, diverged) {
		t.Fatalf("retry --diverged: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runLSSR(t, dir, "--db", "r.db", "sweep", "retry", "rt", "--stopped")
	if r.code != 0 || !strings.Contains(r.stdout, "1 stopped job back to pending") || !strings.Contains(r.stdout, stopped) {
		t.Fatalf("retry --stopped: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runLSSR(t, dir, "--db", "r.db", "sweep", "resume", "rt"); r.code != 0 {
		t.Fatalf("resume: exit %d: %s", r.code, r.stderr)
	}
	for _, j := range readJobs(t, path, "rt") {
		if j.State != lssr.StateDone || (j.Job.ID == failed || j.Job.ID == diverged || j.Job.ID == stopped) && j.Attempts != 1 {
			t.Errorf("job %s after retry and resume: %s, %d attempts", j.Job.ID, j.State, j.Attempts)
		}
	}
	// An unknown sweep is bad input, for both commands.
	for _, cmd := range []string{"retry", "cancel"} {
		r := runLSSR(t, dir, "--db", "r.db", "sweep", cmd, "nope")
		if line := oneStderrLine(t, r); r.code != 2 || !strings.Contains(line, "sweep not found: nope") {
			t.Errorf("%s of an unknown sweep: exit %d, %q", cmd, r.code, line)
		}
	}
}

// TestStatusOfTenThousandJobs: status of a 10,000-job sweep, with running
// jobs and checkpoints, counts and shows every job. How fast it answers is
// BenchmarkStatusTenThousandJobs's business, not a test's.
func TestStatusOfTenThousandJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-job database")
	}
	dir := t.TempDir()
	bigStatusDB(t, filepath.Join(dir, "big.db")).Close()
	r := runLSSR(t, dir, "--db", "big.db", "sweep", "status", "big")
	if r.code != 0 {
		t.Fatalf("status: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "10000 jobs: 3900 pending, 8 running, 6000 done, 0 diverged, 92 failed, 0 cancelled") {
		t.Errorf("counts line: %s", strings.SplitN(r.stdout, "\n", 2)[0])
	}
	if n := len(regexp.MustCompile(`ckpt e12 4\ds ago`).FindAllString(r.stdout, -1)); n != 8 {
		t.Errorf("%d rows show the running jobs' checkpoint, want 8", n)
	}
}

// BenchmarkStatusTenThousandJobs times `sweep status` of a 10,000-job sweep
// (in process, output discarded): read from the file when no orchestrator
// runs, and through the orchestrator's read service while one does.
func BenchmarkStatusTenThousandJobs(b *testing.B) {
	path := filepath.Join(b.TempDir(), "big.db")
	writer := bigStatusDB(b, path)
	b.Run("served", func(b *testing.B) {
		for b.Loop() {
			if err := runSweepStatus(io.Discard, path, "big", false, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	writer.Close()
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			if err := runSweepStatus(io.Discard, path, "big", false, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// bigSpec is a 10 × 100 × 10 grid: 10,000 jobs.
var bigSpec = testutil.Spec{Name: "big", N: 4096, TestN: 1000, Dim: 16, Classes: 4, Hidden: []int{64}, Activation: "relu", Epochs: 10,
	BatchSizes: "{log2_from: 3, log2_to: 12}", LearningRates: "{log2_from: -12, log2_to: 12.75, log2_step: 0.25}",
	Seeds: "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", Workers: 8}.YAML()

// bigStatusDB stores sweep "big": 10,000 jobs, 6,000 done, 8 running with
// checkpoints, 92 failed, the rest pending; the writer stays open.
func bigStatusDB(tb testing.TB, path string) *store.DB {
	db, err := store.Open(path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	spec, err := sweeps.Parse([]byte(bigSpec), "big.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	jobs := spec.Jobs()
	cfg := spec.Config()
	now := time.Now()
	err = db.Update(func(tx *store.Tx) error {
		rec := store.SweepRecord{Name: "big", Workers: 8, Source: spec.Source, Path: spec.Path, Config: &cfg}
		if err := tx.CreateSweep(rec, jobs); err != nil {
			return err
		}
		recs, _ := tx.Jobs("big")
		for i, rec := range recs {
			switch {
			case i < 6000:
				rec.State, rec.Attempts = lssr.StateDone, 1
				rec.Result = &lssr.Result{TestAcc: 0.8, Seconds: 12}
			case i < 6008:
				rec.State, rec.Attempts, rec.Worker, rec.StartedAt = lssr.StateRunning, 1, "pid 4242", now.Add(-time.Minute)
				rec.CheckpointEpoch, rec.CheckpointAt = 12, now.Add(-40*time.Second)
			case i < 6100:
				rec.State, rec.Attempts, rec.LastError = lssr.StateFailed, 3, "trainer: out of memory"
			default:
				continue
			}
			if err := tx.PutJob("big", rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	return db
}

// TestCancelRefusesAnotherSweepsOrchestrator: a cancel of sweep B does not
// stop the process running sweep A on the same database.
func TestCancelRefusesAnotherSweepsOrchestrator(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "b.yaml"), syntheticSpec("idle", 2).YAML())
	// Store sweep "idle" without running it long: run it, then start "busy".
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "run", "b.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	cmd := startSweep(t, dir, "x.db", "busy")
	r := runLSSR(t, dir, "--db", "x.db", "sweep", "cancel", "idle")
	line := oneStderrLine(t, r)
	if r.code != 1 || !strings.Contains(line, `for sweep "busy", not idle`) {
		t.Errorf("exit %d, %q", r.code, line)
	}
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the other sweep's orchestrator is gone: %v", err)
	}
}
