package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr/store"
)

// faultSpec is a sweep of jobs long enough to interrupt (epochs of a few
// tens of milliseconds) with a checkpoint after every epoch; the fault and
// Slurm tests share it.
func faultSpec(name string, epochs int, lrs string) string {
	return fmt.Sprintf(`name: %s
dataset: {name: synthetic, n: 2048, test_n: 256, dim: 32, classes: 4}
model: {kind: mlp, hidden: [96], activation: tanh}
training: {epochs: %d, measure_every: 3, checkpoint_every: 1}
grid: {batch_sizes: [8], learning_rates: %s, seeds: [0]}
workers: 2
`, name, epochs, lrs)
}

// withoutCheckpoints drops checkpoint_every from a faultSpec: its short
// jobs then never checkpoint (the default is a minute of work apart).
func withoutCheckpoints(spec string) string {
	return strings.Replace(spec, ", checkpoint_every: 1", "", 1)
}

// sweepState is everything a sweep stored that must not depend on how it
// was run: the export without timing and attempts, and every job's series.
type sweepState struct {
	export [][]string
	series map[string]store.Series
}

func readState(t *testing.T, dir, db, sweep string) sweepState {
	t.Helper()
	rows := exportWithoutTiming(t, dir, db, sweep)
	for _, row := range rows[1:] {
		row[6] = "" // attempts
	}
	st := sweepState{export: rows, series: map[string]store.Series{}}
	sdb, err := store.Open(filepath.Join(dir, db), store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	err = sdb.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(sweep)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			if st.series[j.Job.ID], err = tx.Series(sweep, j.Job.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func sameState(t *testing.T, got, want sweepState) {
	t.Helper()
	if !reflect.DeepEqual(got.export, want.export) {
		t.Errorf("exports differ:\n got  %v\n want %v", got.export, want.export)
	}
	if !reflect.DeepEqual(got.series, want.series) {
		t.Errorf("stored series differ from the uninterrupted sweep's")
	}
}

// TestFaultWorkerCrashOrHangResumesFromCheckpoint injects a worker that
// exits mid-job and one that hangs mid-job (once each): the orchestrator
// replaces the worker (for the hang, after --hang-timeout), the job
// continues from its last checkpoint, and the sweep ends exactly as an
// uninterrupted one.
func TestFaultWorkerCrashOrHangResumesFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "s.yaml"), faultSpec("f", 8, "[0.05, 0.1]"))
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "f")
	for _, tc := range []struct {
		fault, says string
	}{{"exit@3", "worker lost"}, {"hang@3", "worker hung: no progress for 2s"}} {
		t.Run(tc.fault, func(t *testing.T) {
			db := strings.ReplaceAll(tc.fault, "@", "-") + ".db"
			env := []string{"LSSR_FAULT=" + tc.fault, "LSSR_FAULT_ONCE=" + filepath.Join(dir, db+".once")}
			r := runWithEnv(t, dir, env, "--db", db, "sweep", "run", "--plain", "--hang-timeout", "2s", "s.yaml")
			if r.code != 0 || !strings.Contains(r.stdout, tc.says) {
				t.Fatalf("exit %d, want 0 and %q in the progress:\n%s\n%s", r.code, tc.says, r.stdout, r.stderr)
			}
			retried := 0
			for _, j := range readJobs(t, filepath.Join(dir, db), "f") {
				if j.Attempts == 2 {
					retried++
					// A crash may lose the messages still in flight, so
					// the last stored checkpoint is of epoch 1, 2 or 3.
					if j.Result == nil || j.Result.ResumedFrom < 1 || j.Result.ResumedFrom > 3 {
						t.Errorf("job %s: the retry resumed from epoch %v, want 1…3", j.Job.ID, j.Result)
					} else {
						t.Logf("job %s: the retry resumed from epoch %d", j.Job.ID, j.Result.ResumedFrom)
					}
				}
			}
			if retried != 1 {
				t.Errorf("%d jobs took a second attempt, want the one the fault hit", retried)
			}
			sameState(t, readState(t, dir, db, "f"), want)
		})
	}
}

// TestFaultWorkerPanicFailsAfterRetries: a job that panics every time is
// retried up to --max-attempts, then failed with the panic's text stored.
// (Its jobs take no checkpoints: a retry resumed past the panicking epoch
// would not panic again.)
func TestFaultWorkerPanicFailsAfterRetries(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "s.yaml"), withoutCheckpoints(faultSpec("p", 4, "[0.05]")))
	r := runWithEnv(t, dir, []string{"LSSR_FAULT=panic@2"}, "sweep", "run", "--plain", "--max-attempts", "2", "s.yaml")
	if r.code == 0 {
		t.Errorf("a sweep whose only job failed exited 0")
	}
	jobs := readJobs(t, filepath.Join(dir, "lssr.db"), "p")
	if len(jobs) != 1 || jobs[0].State != store.StateFailed || jobs[0].Attempts != 2 ||
		!strings.Contains(jobs[0].LastError, "panicked: injected fault (LSSR_FAULT=panic@2)") {
		t.Fatalf("job: state %s, attempts %d, last error %q; want failed after 2 with the panic", jobs[0].State, jobs[0].Attempts, jobs[0].LastError)
	}
	if r := runLSSR(t, dir, "sweep", "status", "p"); !strings.Contains(r.stdout, "injected fault") {
		t.Errorf("status does not show the panic:\n%s", r.stdout)
	}
}

// TestFaultWorkerSIGKILL kills a worker process with SIGKILL in the middle
// of a job, after it has checkpointed: the job resumes from that
// checkpoint on a new worker and the sweep ends as an uninterrupted one.
func TestFaultWorkerSIGKILL(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "s.yaml"), faultSpec("k", 40, "[0.05]"))
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "k")

	cmd := exec.Command(lssrBin, "--db", "k.db", "sweep", "run", "--plain", "s.yaml")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid, epoch := waitForCheckpoint(t, filepath.Join(dir, "k.db"), "k", 3)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %d: %v", pid, err)
	}
	t.Logf("killed worker pid %d after the checkpoint of epoch %d", pid, epoch)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the sweep did not survive its worker's death: %v", err)
	}
	jobs := readJobs(t, filepath.Join(dir, "k.db"), "k")
	if j := jobs[0]; j.State != store.StateDone || j.Attempts != 2 || j.Result.ResumedFrom < epoch {
		t.Errorf("job: %s after %d attempts, resumed from %d; want done after 2, resumed from ≥ %d", j.State, j.Attempts, j.Result.ResumedFrom, epoch)
	}
	sameState(t, readState(t, dir, "k.db", "k"), want)
}

// waitForCheckpoint polls the store until a running job has a checkpoint of
// at least the given epoch and returns its worker's PID and that epoch.
func waitForCheckpoint(t *testing.T, path, sweep string, epoch int) (pid, at int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		db, err := store.Open(path, store.Options{ReadOnly: true})
		if err != nil {
			continue
		}
		var jobs []store.JobRecord
		err = db.View(func(tx *store.Tx) (err error) { jobs, err = tx.Jobs(sweep); return err })
		db.Close()
		for _, j := range jobs {
			if err == nil && j.State == store.StateRunning && j.CheckpointEpoch >= epoch {
				if pid, err := strconv.Atoi(strings.TrimPrefix(j.Worker, "pid ")); err == nil {
					return pid, j.CheckpointEpoch
				}
			}
		}
	}
	t.Fatalf("no running job checkpointed epoch %d within a minute", epoch)
	return 0, 0
}

// TestFaultOrchestratorKilledRepeatedly kills the orchestrator with
// SIGKILL at random moments, resuming after each kill, at least 20 times,
// then lets the sweep finish: no job is lost, none is counted twice, no
// worker is left behind, and the export and every stored series equal the
// uninterrupted sweep's.
func TestFaultOrchestratorKilledRepeatedly(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "s.yaml"), faultSpec("o", 80, "[0.01, 0.02, 0.04, 0.08, 0.16, 0.32]"))
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "o")

	rng := rand.New(rand.NewPCG(2026, 11))
	kills := 0
	for round := 0; kills < 20; round++ {
		args := []string{"--db", "o.db", "sweep", "resume", "--plain", "o"}
		if round == 0 {
			args = []string{"--db", "o.db", "sweep", "run", "--plain", "s.yaml"}
		}
		cmd := exec.Command(lssrBin, args...)
		cmd.Dir = dir
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("round %d: lssr %v: %v", round, args, err)
			}
			t.Fatalf("the sweep finished after %d kills; make its jobs longer", kills)
		case <-time.After(time.Duration(100+rng.IntN(600)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			kills++
		}
	}
	if r := runLSSR(t, dir, "--db", "o.db", "sweep", "resume", "--plain", "o"); r.code != 0 {
		t.Fatalf("final resume: exit %d: %s", r.code, r.stderr)
	}
	jobs := readJobs(t, filepath.Join(dir, "o.db"), "o")
	seen := map[string]bool{}
	for _, j := range jobs {
		if seen[j.Job.ID] {
			t.Errorf("job %s stored twice", j.Job.ID)
		}
		seen[j.Job.ID] = true
		if j.State != store.StateDone {
			t.Errorf("job %s is %s", j.Job.ID, j.State)
		}
	}
	if len(jobs) != 6 {
		t.Errorf("%d jobs stored, want 6", len(jobs))
	}
	resumed := 0
	for _, j := range jobs {
		if j.Result != nil && j.Result.ResumedFrom > 0 {
			resumed++
		}
	}
	t.Logf("%d kills survived; %d of %d jobs finished from a checkpoint", kills, resumed, len(jobs))
	// A worker notices its host is gone within a second.
	var left []byte
	for range 30 {
		if left, _ = exec.Command("pgrep", "-f", lssrBin+" worker").Output(); len(bytes.TrimSpace(left)) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(bytes.TrimSpace(left)) > 0 {
		t.Errorf("worker processes left behind: %s", left)
	}
	sameState(t, readState(t, dir, "o.db", "o"), want)
}

// TestFaultDiskFull runs a sweep whose database cannot grow past 1 MiB (a
// file-size limit, as a full disk): the sweep stops with an error naming
// the failed write, the database stays readable and consistent, and
// resuming without the limit ends exactly as an uninterrupted sweep.
func TestFaultDiskFull(t *testing.T) {
	dir := t.TempDir()
	spec := strings.NewReplacer("dim: 32", "dim: 200", "hidden: [96]", "hidden: [256]", "batch_sizes: [8]", "batch_sizes: [32]").
		Replace(faultSpec("d", 20, "[0.01, 0.02, 0.04, 0.08]"))
	writeFile(t, filepath.Join(dir, "s.yaml"), spec)
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "d")

	cmd := exec.Command("bash", "-c", `ulimit -f 1024 && exec "$0" --db d.db sweep run --plain s.yaml`, lssrBin)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "file too large") {
		t.Fatalf("a sweep on a full disk: err %v, output:\n%s\nwant a failure naming the write", err, out)
	}
	jobs := readJobs(t, filepath.Join(dir, "d.db"), "d")
	if n := countFinished(jobs); n == len(jobs) {
		t.Fatalf("all %d jobs finished within the limit; the test did not fill the disk", n)
	}
	t.Logf("stopped at the limit with %d of %d jobs finished", countFinished(jobs), len(jobs))
	if r := runLSSR(t, dir, "--db", "d.db", "sweep", "resume", "--plain", "d"); r.code != 0 {
		t.Fatalf("resume after the disk was freed: exit %d: %s", r.code, r.stderr)
	}
	sameState(t, readState(t, dir, "d.db", "d"), want)
}
