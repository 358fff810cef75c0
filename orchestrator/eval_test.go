package orchestrator

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/lssr/lssr/worker"
)

// evalSpec evaluates the test set every other epoch.
var evalSpec = testutil.Spec{Name: "ev", N: 256, TestN: 64, Dim: 8, Classes: 3, Hidden: []int{8}, Activation: "relu",
	Epochs: 3, EvalEvery: 2, BatchSizes: "[16, 32]", LearningRates: "[0.1]", Seeds: "[0]", Workers: 2}

// TestPrepareAppliesEvalEveryToJobsStillToRun: eval_every, outside the job
// IDs and the sweep's configuration, can be turned on for a stored sweep:
// Prepare refuses nothing, keeps every ID, and sets it on the jobs still to
// run, not on finished ones.
func TestPrepareAppliesEvalEveryToJobsStillToRun(t *testing.T) {
	off := evalSpec
	off.EvalEvery = 0
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
	on, err := sweeps.Parse([]byte(evalSpec.YAML()), "ev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prep, err := Prepare(db, on, time.Now())
	if err != nil || prep.Added != 0 {
		t.Fatalf("Prepare: %+v, %v; want no job added", prep, err)
	}
	for i, rec := range jobsOf(t, db, spec.Name) {
		if rec.Job.ID != jobs[i].ID {
			t.Errorf("job %d: ID %s, want %s", i, rec.Job.ID, jobs[i].ID)
		}
		want := 2
		if i == 0 {
			want = 0
		}
		if rec.Job.Training.EvalEvery != want {
			t.Errorf("job %d (%s): eval_every %d, want %d", i, rec.State, rec.Job.Training.EvalEvery, want)
		}
	}
}

// TestRunStoresEvalSeries: the series the store keeps for a sweep with
// eval_every carry the test values, as the trainer computes them for the
// job run directly.
func TestRunStoresEvalSeries(t *testing.T) {
	db, spec := prepared(t, evalSpec.YAML())
	if err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, rec := range jobsOf(t, db, spec.Name) {
		want, err := (&worker.TrainerRunner{}).Run(context.Background(), rec.Job, nil)
		if err != nil {
			t.Fatal(err)
		}
		var series store.Series
		if err := db.View(func(tx *store.Tx) (err error) { series, err = tx.Series(spec.Name, rec.Job.ID); return err }); err != nil {
			t.Fatal(err)
		}
		var evaluated []int
		for _, s := range series.Epochs {
			if s.Evaluated {
				evaluated = append(evaluated, s.Epoch)
			}
		}
		if !reflect.DeepEqual(evaluated, []int{2, 3}) || !reflect.DeepEqual(series.Epochs, want.Series) {
			t.Errorf("job %s: evaluated epochs %v (want 2 and 3), stored %+v, trainer %+v", rec.Job.ID, evaluated, series.Epochs, want.Series)
		}
	}
}
