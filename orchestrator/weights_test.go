package orchestrator

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/lssr/lssr/worker"
)

// weightsSpec keeps weights; η = 1e6 diverges.
var weightsSpec = testutil.Spec{Name: "w", N: 256, TestN: 64, Dim: 8, Classes: 3, Hidden: []int{8}, Activation: "relu",
	Epochs: 2, SaveWeights: true, BatchSizes: "[16]", LearningRates: "[0.05, 0.2, 1e6]", Seeds: "[0]", Workers: 2}

func weightsOf(db *store.DB, sweep, id string) ([]byte, error) {
	var w []byte
	err := db.View(func(tx *store.Tx) (err error) { w, err = tx.Weights(sweep, id); return err })
	return w, err
}

// TestRunStoresWeightsOfDoneJobsOnly: a done job's weights are the
// trainer's bytes, stored apart from its record; a retried job keeps those
// of the attempt that finished; a job that fails or diverges has none, even
// when stale weights were stored for it before.
func TestRunStoresWeightsOfDoneJobsOnly(t *testing.T) {
	db, spec := prepared(t, weightsSpec.YAML())
	jobs := spec.Jobs()
	retried, failed, diverged := jobs[0].ID, jobs[1].ID, jobs[2].ID
	stale := []byte("weights of an earlier run")
	if err := db.Update(func(tx *store.Tx) error {
		for _, j := range jobs {
			if err := tx.PutWeights(spec.Name, j.ID, stale); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	runner := &faultyRunner{next: &worker.TrainerRunner{}, failures: map[string]int{retried: 1, failed: -1}}
	if err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: runner}, Options{MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	states := map[string]lssr.JobState{}
	for _, rec := range jobsOf(t, db, spec.Name) {
		states[rec.Job.ID] = rec.State
		if rec.Result != nil && rec.Result.Weights != nil {
			t.Errorf("job %s: the record's result carries weights", rec.Job.ID)
		}
	}
	if states[retried] != lssr.StateDone || states[failed] != lssr.StateFailed || states[diverged] != lssr.StateDiverged {
		t.Fatalf("states %v; want done, failed, diverged", states)
	}

	want, err := (&worker.TrainerRunner{}).Run(context.Background(), jobs[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := weightsOf(db, spec.Name, retried)
	if err != nil || len(want.Weights) == 0 || !bytes.Equal(got, want.Weights) {
		t.Errorf("done job: %d stored bytes (%v), the trainer gives %d", len(got), err, len(want.Weights))
	}
	for _, id := range []string{failed, diverged} {
		if w, err := weightsOf(db, spec.Name, id); !errors.Is(err, store.ErrNoWeights) {
			t.Errorf("job %s (%s): %q, %v; want ErrNoWeights", id, states[id], w, err)
		}
	}
}

// TestPrepareAppliesSaveWeightsToJobsStillToRun: turning save_weights on in
// an existing sweep reaches its pending jobs, not its finished ones, and
// keeps every ID.
func TestPrepareAppliesSaveWeightsToJobsStillToRun(t *testing.T) {
	off := weightsSpec
	off.SaveWeights = false
	db, spec := prepared(t, off.YAML())
	jobs := spec.Jobs()
	if err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Job(spec.Name, jobs[0].ID)
		if err != nil {
			return err
		}
		rec.State = lssr.StateDone
		return tx.PutJob(spec.Name, rec)
	}); err != nil {
		t.Fatal(err)
	}
	on, err := sweeps.Parse([]byte(weightsSpec.YAML()), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Prepare(db, on, time.Now())
	if err != nil || prep.Added != 0 {
		t.Fatalf("Prepare: %+v, %v; want no job added", prep, err)
	}
	for i, rec := range jobsOf(t, db, spec.Name) {
		if want := i != 0; rec.Job.SaveWeights != want {
			t.Errorf("job %d (%s): SaveWeights %v, want %v", i, rec.State, rec.Job.SaveWeights, want)
		}
	}
}
