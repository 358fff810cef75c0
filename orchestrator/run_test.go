package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lssr/lssr"
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

const testSpec = `name: t
dataset: {name: synthetic, n: 256, test_n: 64, dim: 8, classes: 3}
model: {kind: mlp, hidden: [8], activation: tanh}
training: {epochs: 3, measure_every: 1}
grid: {batch_sizes: [16, 64], learning_rates: [0.05, 0.2], seeds: [0]}
workers: 2
`

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
		if rec.State != store.StateDone || rec.Attempts != 1 || rec.Result == nil {
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
			if rec.State != store.StateDone || rec.Attempts != 2 || rec.LastError != "" {
				t.Errorf("flaky job: %s after %d attempts, error %q; want done after 2", rec.State, rec.Attempts, rec.LastError)
			}
		case broken:
			if rec.State != store.StateFailed || rec.Attempts != 3 || rec.LastError != "injected failure" {
				t.Errorf("broken job: %s after %d attempts, error %q; want failed after 3 with the error", rec.State, rec.Attempts, rec.LastError)
			}
		default:
			if rec.State != store.StateDone || rec.Attempts != 1 {
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
		rec.State, rec.Attempts, rec.Worker = store.StateRunning, 1, "pid 1 (dead)"
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
		if rec.State != store.StateDone || rec.Attempts != want {
			t.Errorf("job %s: %s after %d attempts, want done after %d", rec.Job.ID, rec.State, rec.Attempts, want)
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
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		if rec.State != store.StatePending {
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
		case store.StateDone:
			done++
		case store.StatePending:
			pending++
		}
	}
	if done != 4 || pending != 2 {
		t.Fatalf("after growing: %d done, %d pending; want 4 and 2", done, pending)
	}
}
