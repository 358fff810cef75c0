package orchestrator

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// resultRunner answers every job with one Result.
type resultRunner struct{ res lssr.Result }

func (r resultRunner) Run(context.Context, lssr.Job, func(lssr.Progress)) (lssr.Result, error) {
	return r.res, nil
}

// TestStoppedResultIsAnOutcome: a Result with Stopped leaves its job
// stopped, with the reason and the numbers so far in its record, its
// series stored, no weights (even stale ones) and no checkpoint: an
// outcome, not a failure, which the observer hears with its reason. A
// Result that says both diverged and stopped is a divergence.
func TestStoppedResultIsAnOutcome(t *testing.T) {
	const reason = "stopped early: training loss 2.31 not below its initial 2.30 after epoch 3 of 10 (stop_early 0.25)"
	series := []lssr.EpochStats{{Epoch: 1, TrainLoss: 2.4}, {Epoch: 2, TrainLoss: 2.35}, {Epoch: 3, TrainLoss: 2.31}}
	measurements := []lssr.Measurement{{Epoch: 2, Step: 8, Rho: 0.1, TrainLoss: 2.3}}
	for _, tc := range []struct {
		name string
		res  lssr.Result
		want lssr.JobState
	}{
		{"stopped", lssr.Result{Stopped: reason}, lssr.StateStopped},
		{"diverged and stopped", lssr.Result{Diverged: true, Stopped: reason}, lssr.StateDiverged},
		{"neither", lssr.Result{TestAcc: 0.5}, lssr.StateDone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := prepared(t, oneJobSpec)
			id := theJob(t, db).Job.ID
			if err := db.Update(func(tx *store.Tx) error {
				if err := tx.PutWeights("one", id, []byte("stale")); err != nil {
					return err
				}
				return tx.PutCheckpoint("one", id, []byte("ckpt"))
			}); err != nil {
				t.Fatal(err)
			}
			res := tc.res
			res.InitialTrainLoss, res.Epochs, res.Steps, res.Seconds = 2.3, 3, 12, 0.25
			res.Series, res.Measurements, res.Weights = series, measurements, []byte("weights")
			obs := &recordingObserver{}
			if err := Run(context.Background(), db, "one", &runnerExecutor{slots: 1, runner: resultRunner{res}}, Options{Observer: obs}); err != nil {
				t.Fatal(err)
			}
			rec := theJob(t, db)
			if rec.State != tc.want || rec.Attempts != 1 || rec.Failures != 0 || rec.Unsplit() != 0 || rec.LastError != "" {
				t.Fatalf("job %s after %d attempts (%d failed, %d unsplit, %q); want %s after 1, no failure",
					rec.State, rec.Attempts, rec.Failures, rec.Unsplit(), rec.LastError, tc.want)
			}
			want := res
			want.Series, want.Measurements, want.Weights = nil, nil, nil
			if rec.Result == nil || !reflect.DeepEqual(*rec.Result, want) {
				t.Errorf("stored result %+v, want %+v", rec.Result, want)
			}
			var stored store.Series
			var ckpt []byte
			err := db.View(func(tx *store.Tx) (err error) {
				if stored, err = tx.Series("one", id); err != nil {
					return err
				}
				ckpt, err = tx.Checkpoint("one", id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored.Epochs, series) || !reflect.DeepEqual(stored.Measurements, measurements) {
				t.Errorf("stored series %+v, want the run's", stored)
			}
			if ckpt != nil {
				t.Error("the finished job kept its checkpoint")
			}
			w, err := weightsOf(db, "one", id)
			if tc.want == lssr.StateDone {
				if string(w) != "weights" {
					t.Errorf("done job: weights %q, %v", w, err)
				}
			} else if !errors.Is(err, store.ErrNoWeights) {
				t.Errorf("%s job: weights %q, %v; want none", tc.want, w, err)
			}
			if len(obs.ended) != 1 || obs.ended[0].State != tc.want || obs.ended[0].Result == nil || obs.ended[0].Result.Stopped != res.Stopped {
				t.Errorf("the observer heard %+v", obs.ended)
			}
		})
	}
}
