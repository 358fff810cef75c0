package store

import (
	"reflect"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// setStates stores the sweep "s" with one job per state given, each with a
// series, and returns the jobs' IDs in order.
func setStates(t *testing.T, db *DB, states ...lssr.JobState) []string {
	t.Helper()
	jobs := testJobs(len(states))
	var ids []string
	err := db.Update(func(tx *Tx) error {
		if err := tx.CreateSweep(SweepRecord{Name: "s"}, jobs); err != nil {
			return err
		}
		for i, j := range jobs {
			rec, _ := tx.Job("s", j.ID)
			rec.State, rec.Attempts, rec.LastError, rec.Worker = states[i], 3, "boom", "pid 7"
			rec.StartedAt, rec.FinishedAt = time.Unix(10, 0).UTC(), time.Unix(20, 0).UTC()
			rec.CheckpointEpoch, rec.CheckpointAt = 4, time.Unix(15, 0).UTC()
			switch states[i] {
			case lssr.StateDiverged:
				rec.Result = &lssr.Result{Diverged: true, Epochs: 2}
			case lssr.StateStopped:
				rec.Result = &lssr.Result{Stopped: "stopped early: …", Epochs: 2}
			}
			if err := tx.PutJob("s", rec); err != nil {
				return err
			}
			if err := tx.PutSeries("s", j.ID, Series{Epochs: []lssr.EpochStats{{Epoch: 1, TrainLoss: float64(i)}}}); err != nil {
				return err
			}
			ids = append(ids, j.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRetryResetsJobsAndRetiresTheirSeries(t *testing.T) {
	db := openTest(t)
	ids := setStates(t, db, lssr.StateDone, lssr.StateFailed, lssr.StateDiverged, lssr.StateCancelled, lssr.StatePending, lssr.StateStopped)
	now := time.Unix(99, 0).UTC()
	var changed []JobRecord
	err := db.Update(func(tx *Tx) (err error) {
		changed, err = tx.Retry("s", now, lssr.StateFailed, lssr.StateDiverged, lssr.StateStopped)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 3 || changed[0].Job.ID != ids[1] || changed[0].State != lssr.StateFailed ||
		changed[1].Job.ID != ids[2] || changed[1].State != lssr.StateDiverged ||
		changed[2].Job.ID != ids[5] || changed[2].State != lssr.StateStopped || changed[2].Result == nil {
		t.Fatalf("changed %+v, want the failed, the diverged and the stopped job as they were", changed)
	}
	db.View(func(tx *Tx) error {
		jobs, _ := tx.Jobs("s")
		wantStates := []lssr.JobState{lssr.StateDone, lssr.StatePending, lssr.StatePending, lssr.StateCancelled, lssr.StatePending, lssr.StatePending}
		for i, j := range jobs {
			if j.State != wantStates[i] {
				t.Errorf("job %d: %s, want %s", i, j.State, wantStates[i])
			}
		}
		for _, i := range []int{1, 2, 5} {
			j := jobs[i]
			fresh := JobRecord{Job: j.Job, Index: i, State: lssr.StatePending}
			if !reflect.DeepEqual(j, fresh) {
				t.Errorf("retried job %d = %+v, want a fresh pending record", i, j)
			}
			if s, _ := tx.Series("s", ids[i]); len(s.Epochs) != 0 {
				t.Errorf("retried job %d still has its series in the series bucket", i)
			}
			r, ok, err := tx.Retired("s", ids[i])
			if err != nil || !ok || r.Record.Attempts != 3 || r.Record.LastError != "boom" ||
				len(r.Series.Epochs) != 1 || r.Series.Epochs[0].TrainLoss != float64(i) || !r.RetiredAt.Equal(now) {
				t.Errorf("retired job %d = %+v, %v, %v", i, r, ok, err)
			}
		}
		if _, ok, _ := tx.Retired("s", ids[0]); ok {
			t.Error("a job never retried has a retired entry")
		}
		if s, _ := tx.Series("s", ids[0]); len(s.Epochs) != 1 {
			t.Error("the done job lost its series")
		}
		return nil
	})
	err = db.Update(func(tx *Tx) error { _, err := tx.Retry("s", now, lssr.StateDone); return err })
	if err == nil {
		t.Error("retry of done jobs succeeded")
	}
}

func TestCancelMarksPendingAndStaleRunningJobs(t *testing.T) {
	db := openTest(t)
	ids := setStates(t, db, lssr.StatePending, lssr.StateRunning, lssr.StateDone, lssr.StateFailed, lssr.StatePending)
	var changed []JobRecord
	if err := db.Update(func(tx *Tx) (err error) { changed, err = tx.Cancel("s"); return err }); err != nil {
		t.Fatal(err)
	}
	if len(changed) != 3 || changed[0].State != lssr.StatePending || changed[1].State != lssr.StateRunning || changed[2].Job.ID != ids[4] {
		t.Fatalf("changed %+v, want the two pending jobs and the running one, as they were", changed)
	}
	db.View(func(tx *Tx) error {
		jobs, _ := tx.Jobs("s")
		want := []lssr.JobState{lssr.StateCancelled, lssr.StateCancelled, lssr.StateDone, lssr.StateFailed, lssr.StateCancelled}
		for i, j := range jobs {
			if j.State != want[i] {
				t.Errorf("job %d: %s, want %s", i, j.State, want[i])
			}
		}
		return nil
	})
	// Cancelled jobs come back with retry.
	err := db.Update(func(tx *Tx) error {
		changed, err := tx.Retry("s", time.Now(), lssr.StateCancelled)
		if len(changed) != 3 {
			t.Errorf("retry --cancelled changed %d jobs, want 3", len(changed))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !lssr.StateCancelled.Finished() {
		t.Error("a cancelled job would run on resume")
	}
}
