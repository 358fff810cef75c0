package web

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// fixture is a stored 2 × 3 grid with two seeds (12 jobs) in a fresh
// database, its jobs in the spec's expansion order.
type fixture struct {
	path string
	jobs []lssr.Job
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	yaml := testutil.Spec{Name: "demo", N: 512, TestN: 128, Dim: 8, Classes: 4, Hidden: []int{16}, Epochs: 4,
		BatchSizes: "[16, 64]", LearningRates: "{log2_from: -5, log2_to: -3}", Seeds: "[0, 1]", Workers: 2}.YAML()
	spec, err := sweeps.Parse([]byte(yaml), "demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{path: filepath.Join(t.TempDir(), "lssr.db"), jobs: spec.Jobs()}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	f.update(t, func(tx *store.Tx) error {
		return tx.CreateSweep(store.SweepRecord{Name: spec.Name, Source: spec.Source, Path: spec.Path,
			Workers: spec.Workers, Created: now, Updated: now, Jobs: len(f.jobs)}, f.jobs)
	})
	return f
}

// update runs fn in a write of the database, as a sweep run would.
func (f fixture) update(t *testing.T, fn func(*store.Tx) error) {
	t.Helper()
	db, err := store.Open(f.path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// finish stores job i as done with the test accuracy acc after secs
// seconds, with a series of its epochs (the even ones with a test pass) and
// two measurements, the last with curvature.
func (f fixture) finish(t *testing.T, i int, acc, secs float64) {
	t.Helper()
	job := f.jobs[i]
	var series store.Series
	for e := 1; e <= 4; e++ {
		es := lssr.EpochStats{Epoch: e, Step: int64(8 * e), TrainLoss: 1.5 / float64(e), TrainAcc: 0.2 * float64(e)}
		if e%2 == 0 {
			es.Evaluated, es.TestLoss, es.TestAcc = true, 1.6/float64(e), 0.19*float64(e)
		}
		series.Epochs = append(series.Epochs, es)
	}
	series.Measurements = []lssr.Measurement{
		{Epoch: 2, Step: 16, Rho: 0.01, RhoB: 0.1},
		{Epoch: 4, Step: 32, Rho: 0.02, RhoB: 0.2, Curvature: &lssr.Curvature{IASB: 3.5}},
	}
	f.update(t, func(tx *store.Tx) error {
		rec, err := tx.Job("demo", job.ID)
		if err != nil {
			return err
		}
		rec.State, rec.Attempts = lssr.StateDone, rec.Attempts+1
		rec.FinishedAt = time.Date(2026, 11, 30, 12, 0, i, 0, time.UTC)
		rec.Result = &lssr.Result{TestAcc: acc, TrainLoss: 0.3, TrainAcc: 0.9, Epochs: 4, Steps: 32, Seconds: secs,
			InitialTrainLoss: 1.4, Provenance: &lssr.Provenance{Version: "test", KernelPath: "purego", Host: "fixture-host"}}
		if err := tx.PutJob("demo", rec); err != nil {
			return err
		}
		return tx.PutSeries("demo", job.ID, series)
	})
}

// setState stores job i in state s without a result.
func (f fixture) setState(t *testing.T, i int, s lssr.JobState) {
	t.Helper()
	f.update(t, func(tx *store.Tx) error {
		rec, err := tx.Job("demo", f.jobs[i].ID)
		if err != nil {
			return err
		}
		rec.State = s
		return tx.PutJob("demo", rec)
	})
}
