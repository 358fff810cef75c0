package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/lssr/lssr/worker"
)

// runnerExecutor runs jobs in this process on a worker.Runner: the real
// TrainerRunner, optionally behind a fault injector. It has the slots of a
// pool without the processes, so these tests exercise the orchestrator's
// bookkeeping; the process path is tested in worker/ and cmd/lssr.
type runnerExecutor struct {
	slots  int
	runner worker.Runner
}

func (e *runnerExecutor) Slots() int               { return e.slots }
func (e *runnerExecutor) SlotName(slot int) string { return fmt.Sprintf("test-%d", slot) }
func (e *runnerExecutor) Label(string) string      { return "" }
func (e *runnerExecutor) Close() error             { return nil }
func (e *runnerExecutor) Run(ctx context.Context, _ int, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	return e.runner.Run(ctx, job, progress)
}

// faultyRunner fails chosen jobs a number of times before letting them run.
type faultyRunner struct {
	next     worker.Runner
	mu       sync.Mutex
	failures map[string]int // job ID → failures left (-1: always)
}

func (f *faultyRunner) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	f.mu.Lock()
	left := f.failures[job.ID]
	if left > 0 {
		f.failures[job.ID] = left - 1
	}
	f.mu.Unlock()
	if left != 0 {
		return lssr.Result{}, errors.New("injected failure")
	}
	return f.next.Run(ctx, job, progress)
}

// blockingRunner blocks every job until its context ends.
type blockingRunner struct{ started chan struct{} }

func (b *blockingRunner) Run(ctx context.Context, _ lssr.Job, _ func(lssr.Progress)) (lssr.Result, error) {
	b.started <- struct{}{}
	<-ctx.Done()
	return lssr.Result{}, ctx.Err()
}

// refuseRunner fails the test if any job reaches it.
type refuseRunner struct{ t *testing.T }

func (r refuseRunner) Run(_ context.Context, job lssr.Job, _ func(lssr.Progress)) (lssr.Result, error) {
	r.t.Errorf("job %s ran again", job.ID)
	return lssr.Result{}, errors.New("refused")
}

var testSpec = testutil.Spec{Name: "t", N: 256, TestN: 64, Dim: 8, Classes: 3, Hidden: []int{8}, Activation: "tanh",
	Epochs: 3, MeasureEvery: 1, BatchSizes: "[16, 64]", LearningRates: "[0.05, 0.2]", Seeds: "[0]", Workers: 2}.YAML()

func prepared(t *testing.T, spec string) (*store.DB, *sweeps.Spec) {
	t.Helper()
	s, err := sweeps.Parse([]byte(spec), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "lssr.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Prepare(db, s, time.Now()); err != nil {
		t.Fatal(err)
	}
	return db, s
}

func jobsOf(t *testing.T, db *store.DB, sweep string) []store.JobRecord {
	t.Helper()
	var jobs []store.JobRecord
	if err := db.View(func(tx *store.Tx) (err error) { jobs, err = tx.Jobs(sweep); return err }); err != nil {
		t.Fatal(err)
	}
	return jobs
}

func TestRunStoresTheTrainersResults(t *testing.T) {
	db, spec := prepared(t, testSpec)
	exec := &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{}); err != nil {
		t.Fatal(err)
	}
	direct := &worker.TrainerRunner{}
	for _, rec := range jobsOf(t, db, spec.Name) {
		if rec.State != lssr.StateDone || rec.Attempts != 1 || rec.Result == nil {
			t.Fatalf("job %s: state %s attempts %d result %v", rec.Job.ID, rec.State, rec.Attempts, rec.Result)
		}
		want, err := direct.Run(context.Background(), rec.Job, nil)
		if err != nil {
			t.Fatal(err)
		}
		var series store.Series
		db.View(func(tx *store.Tx) (err error) { series, err = tx.Series(spec.Name, rec.Job.ID); return err })
		if !reflect.DeepEqual(series.Measurements, want.Measurements) || !reflect.DeepEqual(series.Epochs, want.Series) {
			t.Errorf("job %s: stored series differ from the trainer's", rec.Job.ID)
		}
		got := *rec.Result
		got.Seconds, want.Seconds = 0, 0
		want.Series, want.Measurements = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("job %s: stored result %+v, trainer gives %+v", rec.Job.ID, got, want)
		}
	}
}

func TestRetriesThenFails(t *testing.T) {
	db, spec := prepared(t, testSpec)
	jobs := spec.Jobs()
	flaky, broken := jobs[0].ID, jobs[1].ID
	runner := &faultyRunner{next: &worker.TrainerRunner{}, failures: map[string]int{flaky: 1, broken: -1}}
	err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: runner}, Options{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		switch rec.Job.ID {
		case flaky:
			if rec.State != lssr.StateDone || rec.Attempts != 2 || rec.LastError != "" {
				t.Errorf("flaky job: %s after %d attempts, error %q; want done after 2", rec.State, rec.Attempts, rec.LastError)
			}
		case broken:
			if rec.State != lssr.StateFailed || rec.Attempts != 3 || rec.Failures != 3 || rec.LastError != "injected failure" {
				t.Errorf("broken job: %s after %d attempts, error %q; want failed after 3 with the error", rec.State, rec.Attempts, rec.LastError)
			}
		default:
			if rec.State != lssr.StateDone || rec.Attempts != 1 {
				t.Errorf("job %s: %s after %d attempts", rec.Job.ID, rec.State, rec.Attempts)
			}
		}
	}
	// A failed job stays failed on resume; nothing else runs again.
	err = Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 1, runner: refuseRunner{t}}, Options{})
	if err != nil {
		t.Fatalf("resume of a finished sweep: %v", err)
	}
}

func TestResumeRequeuesJobsLeftRunning(t *testing.T) {
	db, spec := prepared(t, testSpec)
	stale := spec.Jobs()[2].ID
	err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Job(spec.Name, stale)
		if err != nil {
			return err
		}
		rec.State, rec.Attempts, rec.Worker = lssr.StateRunning, 1, "pid 1 (dead)"
		return tx.PutJob(spec.Name, rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		want := 1
		if rec.Job.ID == stale {
			want = 2
		}
		if rec.State != lssr.StateDone || rec.Attempts != want || rec.Interruptions != want-1 || rec.Failures != 0 {
			t.Errorf("job %s: %s after %d attempts (%d interrupted, %d failed), want done after %d, the first interrupted",
				rec.Job.ID, rec.State, rec.Attempts, rec.Interruptions, rec.Failures, want)
		}
	}
}

func TestCancelReturnsJobsInFlightToPending(t *testing.T) {
	db, spec := prepared(t, testSpec)
	ctx, cancel := context.WithCancel(context.Background())
	block := &blockingRunner{started: make(chan struct{}, 4)}
	done := make(chan error, 1)
	go func() { done <- Run(ctx, db, spec.Name, &runnerExecutor{slots: 2, runner: block}, Options{}) }()
	<-block.started
	<-block.started
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Minute): // a guard against a hang, not a speed limit
		t.Fatal("Run did not return after cancel")
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		if rec.State != lssr.StatePending {
			t.Errorf("job %s is %s after cancel, want pending", rec.Job.ID, rec.State)
		}
	}
}

func TestPrepareGrowsTheGridAndKeepsFinishedJobs(t *testing.T) {
	db, spec := prepared(t, testSpec)
	if err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}, Options{}); err != nil {
		t.Fatal(err)
	}
	grown, err := sweeps.Parse([]byte(testSpec+"# a comment changes nothing\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	grown.Grid.LearningRates = append(grown.Grid.LearningRates, 0.8)
	prep, err := Prepare(db, grown, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if prep.Created || prep.Added != 2 || prep.Total != 6 {
		t.Fatalf("Prepare of a grown grid: %+v, want 2 added of 6", prep)
	}
	var done, pending int
	for _, rec := range jobsOf(t, db, spec.Name) {
		switch rec.State {
		case lssr.StateDone:
			done++
		case lssr.StatePending:
			pending++
		}
	}
	if done != 4 || pending != 2 {
		t.Fatalf("after growing: %d done, %d pending; want 4 and 2", done, pending)
	}
}

// oneJobSpec is a sweep of a single job, so a test knows which job every
// attempt is.
var oneJobSpec = testutil.Spec{Name: "one", N: 64, TestN: 16, Dim: 4, Classes: 2, Hidden: []int{4}, Activation: "tanh",
	Epochs: 1, BatchSizes: "[16]", LearningRates: "[0.1]", Seeds: "[0]", Workers: 1}.YAML()

// scriptedRunner plays one behaviour per attempt, in order, and succeeds
// once the script is used up.
type scriptedRunner struct {
	mu      sync.Mutex
	script  []string // "fail", "hang", "interrupt", "bad-result"
	started chan string
}

func (s *scriptedRunner) Run(ctx context.Context, job lssr.Job, _ func(lssr.Progress)) (lssr.Result, error) {
	s.mu.Lock()
	what := "succeed"
	if len(s.script) > 0 {
		what, s.script = s.script[0], s.script[1:]
	}
	s.mu.Unlock()
	if s.started != nil {
		s.started <- what
	}
	switch what {
	case "fail":
		return lssr.Result{}, errors.New("worker lost: error reading from server: EOF")
	case "bad-result":
		return lssr.Result{}, fmt.Errorf("%w x.json: a metric is not finite", ErrBadResult)
	case "hang", "interrupt":
		// A hung worker reports nothing until it is killed; an attempt to
		// interrupt waits for the test to cancel the run.
		<-ctx.Done()
		return lssr.Result{}, ctx.Err()
	}
	return lssr.Result{Epochs: job.Training.Epochs, TestAcc: 0.5}, nil
}

// interruptOnce runs the sweep until its job starts, then cancels the run,
// as Ctrl-C or `sweep cancel` would.
func interruptOnce(t *testing.T, db *store.DB, exec *runnerExecutor, s *scriptedRunner) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, db, "one", exec, Options{MaxAttempts: 2}) }()
	if what := <-s.started; what != "interrupt" {
		t.Fatalf("the attempt to interrupt played %q", what)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("an interrupted run returned %v, want context.Canceled", err)
	}
}

// killOnce leaves the job as an orchestrator killed while running it does:
// started (one more attempt) and running. Call it on a job that is not
// running: a resume would first have counted the earlier kill.
func killOnce(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Update(func(tx *store.Tx) error {
		jobs, err := tx.Jobs("one")
		if err != nil {
			return err
		}
		rec := jobs[0]
		rec.State, rec.Worker = lssr.StateRunning, "pid 1 (killed)"
		rec.Attempts++
		return tx.PutJob("one", rec)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func theJob(t *testing.T, db *store.DB) store.JobRecord {
	t.Helper()
	jobs := jobsOf(t, db, "one")
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	return jobs[0]
}

// TestInterruptionsAreNotFailures: a job interrupted many times, by a killed
// orchestrator and by cancelled runs, and failing once in between, ends
// done with MaxAttempts 2: only its failure counts against the limit.
func TestInterruptionsAreNotFailures(t *testing.T) {
	db, _ := prepared(t, oneJobSpec)
	s := &scriptedRunner{script: []string{"interrupt", "interrupt", "fail", "interrupt"}, started: make(chan string, 16)}
	exec := &runnerExecutor{slots: 1, runner: s}
	killOnce(t, db)
	interruptOnce(t, db, exec, s)
	killOnce(t, db)
	interruptOnce(t, db, exec, s)
	killOnce(t, db)
	// The failure is retried in the same run; the retry is interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, db, "one", exec, Options{MaxAttempts: 2}) }()
	for _, want := range []string{"fail", "interrupt"} {
		if what := <-s.started; what != want {
			t.Fatalf("attempt played %q, want %q", what, want)
		}
	}
	cancel()
	<-done
	if err := Run(context.Background(), db, "one", exec, Options{MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	rec := theJob(t, db)
	// 3 killed + 3 cancelled starts, the failed one, the one that finished.
	if rec.State != lssr.StateDone || rec.Attempts != 8 || rec.Failures != 1 || rec.Interruptions != 6 || rec.Unsplit() != 0 {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted, %d unsplit); want done after 8 (1 failed, 6 interrupted)",
			rec.State, rec.Attempts, rec.Failures, rec.Interruptions, rec.Unsplit())
	}
}

// TestFailuresCountAgainstMaxAttempts: interruptions in between or not, the
// MaxAttempts-th failure fails the job with the failure's error.
func TestFailuresCountAgainstMaxAttempts(t *testing.T) {
	db, _ := prepared(t, oneJobSpec)
	s := &scriptedRunner{script: []string{"interrupt", "fail", "fail", "fail", "fail"}, started: make(chan string, 16)}
	exec := &runnerExecutor{slots: 1, runner: s}
	killOnce(t, db)
	interruptOnce(t, db, exec, s)
	killOnce(t, db)
	err := Run(context.Background(), db, "one", exec, Options{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	rec := theJob(t, db)
	if rec.State != lssr.StateFailed || rec.Attempts != 6 || rec.Failures != 3 || rec.Interruptions != 3 ||
		rec.LastError != "worker lost: error reading from server: EOF" {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted), error %q; want failed after 6 (3 failed, 3 interrupted) with the worker's error",
			rec.State, rec.Attempts, rec.Failures, rec.Interruptions, rec.LastError)
	}
}

// TestHangIsAFailure: an attempt the hang watchdog kills is a failure; two
// of them fail the job at MaxAttempts 2. (Hung attempts end only through
// the watchdog, so how long the machine takes changes nothing.)
func TestHangIsAFailure(t *testing.T) {
	db, _ := prepared(t, oneJobSpec)
	s := &scriptedRunner{script: []string{"hang", "hang"}}
	err := Run(context.Background(), db, "one", &runnerExecutor{slots: 1, runner: s}, Options{MaxAttempts: 2, HangTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	rec := theJob(t, db)
	if rec.State != lssr.StateFailed || rec.Attempts != 2 || rec.Failures != 2 || rec.Interruptions != 0 || !strings.Contains(rec.LastError, ErrHung.Error()) {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted), error %q; want failed after 2 hangs",
			rec.State, rec.Attempts, rec.Failures, rec.Interruptions, rec.LastError)
	}
}

// TestBadResultFailsAtOnce: a result that cannot be stored fails the job at
// its first failure, whatever MaxAttempts says.
func TestBadResultFailsAtOnce(t *testing.T) {
	db, _ := prepared(t, oneJobSpec)
	killOnce(t, db)
	s := &scriptedRunner{script: []string{"bad-result"}}
	if err := Run(context.Background(), db, "one", &runnerExecutor{slots: 1, runner: s}, Options{MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	rec := theJob(t, db)
	if rec.State != lssr.StateFailed || rec.Attempts != 2 || rec.Failures != 1 || rec.Interruptions != 1 || !strings.Contains(rec.LastError, ErrBadResult.Error()) {
		t.Errorf("job: %s after %d attempts (%d failed, %d interrupted), error %q; want failed at once with the reason",
			rec.State, rec.Attempts, rec.Failures, rec.Interruptions, rec.LastError)
	}
}

// TestOldRecordsCountTheirAttemptsAsFailures: a record from before the
// split (attempts only) counts its ended attempts as failures, so a job
// pending after 2 attempts fails at its next failure with MaxAttempts 3,
// as it did before.
func TestOldRecordsCountTheirAttemptsAsFailures(t *testing.T) {
	db, _ := prepared(t, oneJobSpec)
	err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Jobs("one")
		if err != nil {
			return err
		}
		rec[0].Attempts, rec[0].LastError = 2, "interrupted"
		return tx.PutJob("one", rec[0])
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &scriptedRunner{script: []string{"fail"}}
	if err := Run(context.Background(), db, "one", &runnerExecutor{slots: 1, runner: s}, Options{MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	rec := theJob(t, db)
	if rec.State != lssr.StateFailed || rec.Attempts != 3 || rec.Failures != 1 || rec.Unsplit() != 2 || rec.CountedFailures() != 3 {
		t.Errorf("job: %s after %d attempts (%d failed, %d unsplit); want failed after 3 (1 failed, 2 unsplit)",
			rec.State, rec.Attempts, rec.Failures, rec.Unsplit())
	}
}

// labelExecutor names, once a job has run, what ran it (as Slurm's array
// task does), for every job but one.
type labelExecutor struct {
	runnerExecutor
	unlabelled string
}

func (e *labelExecutor) Label(id string) string {
	if id == e.unlabelled {
		return ""
	}
	return "task " + id
}

// TestLabelNamesTheWorker: an executor's Label replaces the slot's name on
// the job's record; "" keeps the slot's name.
func TestLabelNamesTheWorker(t *testing.T) {
	db, spec := prepared(t, testSpec)
	plain := spec.Jobs()[0].ID
	exec := &labelExecutor{runnerExecutor{slots: 1, runner: &scriptedRunner{}}, plain}
	if err := Run(context.Background(), db, spec.Name, exec, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		want := "task " + rec.Job.ID
		if rec.Job.ID == plain {
			want = "test-0"
		}
		if rec.Worker != want {
			t.Errorf("job %s: worker %q, want %q", rec.Job.ID, rec.Worker, want)
		}
	}
}

// badResultRunner answers every job with an unusable result file.
type badResultRunner struct{}

func (badResultRunner) Run(context.Context, lssr.Job, func(lssr.Progress)) (lssr.Result, error) {
	return lssr.Result{}, fmt.Errorf("%w x.json: a metric is not finite", ErrBadResult)
}

// TestBadResultFailsWithoutRetry: a result file that cannot be ingested
// fails its job at once, with the reason, instead of being retried.
func TestBadResultFailsWithoutRetry(t *testing.T) {
	db, spec := prepared(t, testSpec)
	exec := &runnerExecutor{slots: 2, runner: badResultRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{MaxAttempts: 3}); err != nil {
		t.Fatal(err)
	}
	for _, j := range jobsOf(t, db, spec.Name) {
		if j.State != lssr.StateFailed || j.Attempts != 1 || !strings.Contains(j.LastError, "a metric is not finite") {
			t.Errorf("job %s: %s after %d attempts (%q); want failed after 1 with the reason", j.Job.ID, j.State, j.Attempts, j.LastError)
		}
	}
}
