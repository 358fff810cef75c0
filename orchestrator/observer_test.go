package orchestrator

import (
	"context"
	"sync"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/worker"
)

// recordingObserver keeps what Run tells its observer.
type recordingObserver struct {
	mu              sync.Mutex
	total, finished int
	started, ended  []lssr.JobStatus
	epochs          int
}

func (o *recordingObserver) Begin(total, finished int) { o.total, o.finished = total, finished }
func (o *recordingObserver) JobStarted(_ int, st lssr.JobStatus) {
	o.mu.Lock()
	o.started = append(o.started, st)
	o.mu.Unlock()
}
func (o *recordingObserver) JobProgress(int, lssr.Job, lssr.Progress) {
	o.mu.Lock()
	o.epochs++
	o.mu.Unlock()
}
func (o *recordingObserver) CheckpointStored(int, lssr.JobStatus) {}
func (o *recordingObserver) JobEnded(_ int, st lssr.JobStatus) {
	o.mu.Lock()
	o.ended = append(o.ended, st)
	o.mu.Unlock()
}

// TestObserverHearsEachAttempt: the observer is told each attempt's start
// and end in root terms, with the state, attempt, worker, error and result
// the store holds at that moment.
func TestObserverHearsEachAttempt(t *testing.T) {
	db, spec := prepared(t, testSpec)
	flaky := spec.Jobs()[0].ID
	runner := &faultyRunner{next: &worker.TrainerRunner{}, failures: map[string]int{flaky: 1}}
	obs := &recordingObserver{}
	err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 1, runner: runner}, Options{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	jobs := len(spec.Jobs())
	if obs.total != jobs || obs.finished != 0 || len(obs.started) != jobs+1 || len(obs.ended) != jobs+1 {
		t.Fatalf("Begin(%d, %d), %d starts, %d ends; want Begin(%d, 0) and %d of each",
			obs.total, obs.finished, len(obs.started), len(obs.ended), jobs, jobs+1)
	}
	if want := jobs * 3; obs.epochs != want { // testSpec trains 3 epochs
		t.Errorf("%d epochs heard, want %d", obs.epochs, want)
	}
	attempts := map[string]int{}
	for i, st := range obs.ended {
		start := obs.started[i] // one slot: each start is followed by its end
		attempts[st.Job.ID]++
		if start.Job.ID != st.Job.ID || start.State != lssr.StateRunning || start.Attempt != attempts[st.Job.ID] || start.Worker != "test-0" {
			t.Errorf("start %d: %s %s attempt %d on %q; want job %s running, attempt %d on test-0",
				i, start.Job.ID, start.State, start.Attempt, start.Worker, st.Job.ID, attempts[st.Job.ID])
		}
		switch {
		case st.Job.ID == flaky && st.Attempt == 1:
			if st.State != lssr.StatePending || st.Error != "injected failure" || st.Result != nil {
				t.Errorf("failed attempt: %s, error %q, result %v; want pending with the error", st.State, st.Error, st.Result)
			}
		default:
			if st.State != lssr.StateDone || st.Error != "" || st.Result == nil || st.Result.Epochs != 3 || st.Worker != "test-0" {
				t.Errorf("job %s attempt %d: %s, error %q, result %v, worker %q; want done with a result",
					st.Job.ID, st.Attempt, st.State, st.Error, st.Result, st.Worker)
			}
		}
	}
	if attempts[flaky] != 2 {
		t.Errorf("flaky job ended %d attempts, want 2", attempts[flaky])
	}
}
