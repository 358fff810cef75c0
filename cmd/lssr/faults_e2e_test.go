package main

import (
	"bytes"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// faultSpec is a sweep of jobs long enough to interrupt (epochs of a few
// tens of milliseconds) with a checkpoint after every epoch; the fault and
// Slurm tests share it.
func faultSpec(name string, epochs int, lrs string) testutil.Spec {
	return testutil.Spec{Name: name, N: 2048, TestN: 256, Dim: 32, Classes: 4, Hidden: []int{96}, Activation: "tanh",
		Epochs: epochs, MeasureEvery: 3, CheckpointEvery: 1, BatchSizes: "[8]", LearningRates: lrs, Seeds: "[0]", Workers: 2}
}

// sweepState is everything a sweep stored that must not depend on how it
// was run: the export without timing and attempt counts, and every job's
// series.
type sweepState struct {
	export [][]string
	series map[string]store.Series
}

func readState(t *testing.T, dir, db, sweep string) sweepState {
	t.Helper()
	rows := exportWithoutTiming(t, dir, db, sweep)
	blankColumns(rows, "attempts", "failures", "interruptions")
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
// continues from its last stored checkpoint (after the crash possibly
// none: see below), and the sweep ends exactly as an uninterrupted one. The hang timeout is the one wall-clock limit here, as
// it is the feature under test: 10 s against epochs of tens of
// milliseconds, so only the injected hang reaches it, however busy the
// machine.
func TestFaultWorkerCrashOrHangResumesFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("f", 8, "[0.05, 0.1]").YAML())
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "f")
	// A crash (exit) may lose every message still in flight: the
	// checkpoints ride in the progress messages, and an epoch of this job
	// takes about a millisecond, so all three checkpoints before the
	// crash can be lost and the retry start from scratch. A hung worker
	// lives until the hang timeout kills it, so its messages arrive and
	// the retry resumes from a stored checkpoint.
	for _, tc := range []struct {
		fault, says string
		from        int // the earliest epoch the retry may resume from
	}{{"exit@3", "worker lost", 0}, {"hang@3", "worker hung: no progress for 10s", 1}} {
		t.Run(tc.fault, func(t *testing.T) {
			db := strings.ReplaceAll(tc.fault, "@", "-") + ".db"
			env := []string{"LSSR_FAULT=" + tc.fault, "LSSR_FAULT_ONCE=" + filepath.Join(dir, db+".once")}
			r := runWithEnv(t, dir, env, "--db", db, "sweep", "run", "--plain", "--hang-timeout", "10s", "s.yaml")
			if r.code != 0 || !strings.Contains(r.stdout, tc.says) {
				t.Fatalf("exit %d, want 0 and %q in the progress:\n%s\n%s", r.code, tc.says, r.stdout, r.stderr)
			}
			retried := 0
			for _, j := range readJobs(t, filepath.Join(dir, db), "f") {
				if j.Attempts == 2 {
					retried++
					if j.Failures != 1 || j.Interruptions != 0 {
						t.Errorf("job %s: %d failed and %d interrupted attempts, want the one failure", j.Job.ID, j.Failures, j.Interruptions)
					}
					switch {
					case j.Result == nil:
						t.Errorf("job %s: no result", j.Job.ID)
					case j.Result.ResumedFrom < tc.from || j.Result.ResumedFrom > 3:
						t.Errorf("job %s: the retry resumed from epoch %d, want %d…3", j.Job.ID, j.Result.ResumedFrom, tc.from)
					default:
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
	// Without checkpoint_every its short jobs never checkpoint (the
	// default is a minute of work apart).
	spec := faultSpec("p", 4, "[0.05]")
	spec.CheckpointEvery = 0
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec.YAML())
	r := runWithEnv(t, dir, []string{"LSSR_FAULT=panic@2"}, "sweep", "run", "--plain", "--max-attempts", "2", "s.yaml")
	if r.code == 0 {
		t.Errorf("a sweep whose only job failed exited 0")
	}
	jobs := readJobs(t, filepath.Join(dir, "lssr.db"), "p")
	if len(jobs) != 1 || jobs[0].State != lssr.StateFailed || jobs[0].Attempts != 2 || jobs[0].Failures != 2 ||
		!strings.Contains(jobs[0].LastError, "panicked: injected fault (LSSR_FAULT=panic@2)") {
		t.Fatalf("job: state %s, attempts %d, last error %q; want failed after 2 with the panic", jobs[0].State, jobs[0].Attempts, jobs[0].LastError)
	}
	if r := runLSSR(t, dir, "sweep", "status", "p"); !strings.Contains(r.stdout, "injected fault") {
		t.Errorf("status does not show the panic:\n%s", r.stdout)
	}
}

// TestFaultWorkerSIGKILL kills a worker process with SIGKILL in the middle
// of a job, once it has stored the checkpoint of epoch 3: the job resumes
// from that checkpoint on a new worker and the sweep ends as an
// uninterrupted one.
func TestFaultWorkerSIGKILL(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("k", 40, "[0.05]").YAML())
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "k")

	p := startProc(t, dir, nil, "--db", "k.db", "sweep", "run", "--plain", "s.yaml")
	e, ok := p.next(func(e event) bool { return isCheckpoint(e) && e.epoch >= 3 })
	if !ok {
		t.Fatalf("the sweep ended before its checkpoint of epoch 3: %v\n%s", p.err, p.stderr.String())
	}
	if err := syscall.Kill(e.pid(), syscall.SIGKILL); err != nil {
		t.Fatalf("kill worker %s: %v", e.worker, err)
	}
	t.Logf("killed worker %s after the checkpoint of epoch %d", e.worker, e.epoch)
	if p.wait(); p.err != nil {
		t.Fatalf("the sweep did not survive its worker's death: %v\n%s", p.err, p.stderr.String())
	}
	jobs := readJobs(t, filepath.Join(dir, "k.db"), "k")
	if j := jobs[0]; j.State != lssr.StateDone || j.Attempts != 2 || j.Failures != 1 || j.Interruptions != 0 || j.Result.ResumedFrom < e.epoch {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted), resumed from %d; want done after 2 (1 failed), resumed from ≥ %d",
			j.State, j.Attempts, j.Failures, j.Interruptions, j.Result.ResumedFrom, e.epoch)
	}
	sameState(t, readState(t, dir, "k.db", "k"), want)
}

// TestFaultOrchestratorKilledRepeatedly kills the orchestrator with SIGKILL
// 20 times, resuming after each kill, then lets the sweep finish: no job is
// lost, none is counted twice, no worker is left behind, and the export and
// every stored series equal the uninterrupted sweep's.
//
// Each kill comes after a random number k (1…10, seeded and logged) of
// progress events since the restart, a stored checkpoint or a finished job,
// read from the --plain lines as they come; never after a wall-clock wait.
// The sweep has 6 × 80 such events, and each round moves it on by about k
// (plus the few the orchestrator prints while the kill is on its way), so
// it is mid-sweep at every kill on a fast machine as on a slow or busy one.
func TestFaultOrchestratorKilledRepeatedly(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), faultSpec("o", 80, "[0.01, 0.02, 0.04, 0.08, 0.16, 0.32]").YAML())
	if r := runLSSR(t, dir, "--db", "clean.db", "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	want := readState(t, dir, "clean.db", "o")

	const kills, seed = 20, 2026
	rng := rand.New(rand.NewPCG(seed, 11))
	t.Logf("kills after k ∈ 1…10 progress events since each restart, seed %d", seed)
	for round := range kills {
		args := []string{"--db", "o.db", "sweep", "resume", "--plain", "o"}
		if round == 0 {
			args = []string{"--db", "o.db", "sweep", "run", "--plain", "s.yaml"}
		}
		p := startProc(t, dir, nil, args...)
		k := 1 + rng.IntN(10)
		var last event
		for i := range k {
			e, ok := p.next(isProgress)
			if !ok {
				t.Fatalf("round %d: the sweep ended after %d of the %d events to kill at (%d kills so far): %v\n%s",
					round, i, k, round, p.err, p.stderr.String())
			}
			last = e
		}
		late := p.kill()
		t.Logf("kill %2d after event %2d: %s (%d more printed before it died)", round+1, k, strings.TrimSpace(last.line), late)
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
		if j.State != lssr.StateDone || j.Failures != 0 {
			t.Errorf("job %s is %s after %d failures", j.Job.ID, j.State, j.Failures)
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
	noWorkersLeft(t)
	sameState(t, readState(t, dir, "o.db", "o"), want)
}

// noWorkersLeft fails the test if worker processes of this test binary's
// lssr outlive their orchestrators. A worker leaves once it notices its
// host has gone, which takes a moment: poll for that, within the guard.
func noWorkersLeft(t *testing.T) {
	t.Helper()
	var left []byte
	for deadline := time.Now().Add(guard); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if left, _ = exec.Command("pgrep", "-f", lssrBin+" worker").Output(); len(bytes.TrimSpace(left)) == 0 {
			return
		}
	}
	t.Errorf("worker processes left behind: %s", left)
}

// TestFaultDiskFull runs a sweep whose database cannot grow past 1 MiB (a
// file-size limit, as a full disk): the sweep stops with an error naming
// the failed write, the database stays readable and consistent, and
// resuming without the limit ends exactly as an uninterrupted sweep.
func TestFaultDiskFull(t *testing.T) {
	dir := t.TempDir()
	spec := faultSpec("d", 20, "[0.01, 0.02, 0.04, 0.08]")
	spec.Dim, spec.Hidden, spec.BatchSizes = 200, []int{256}, "[32]"
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec.YAML())
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

// blankColumns empties the named columns of an export's rows (not the
// header): counts that depend on how a sweep was run, not on its numbers.
func blankColumns(rows [][]string, names ...string) {
	for i, h := range rows[0] {
		if slices.Contains(names, h) {
			for _, row := range rows[1:] {
				row[i] = ""
			}
		}
	}
}
