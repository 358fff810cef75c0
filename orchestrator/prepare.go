package orchestrator

import (
	"errors"
	"time"

	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// Prepared says what Prepare did.
type Prepared struct {
	Created bool // the sweep is new
	Added   int  // jobs added to an existing sweep (a grown grid)
	Total   int  // jobs the spec expands to
}

// Prepare stores a new sweep with its jobs, or brings an existing one up to
// date with its spec: jobs already stored keep their state (so done jobs are
// never run again) and jobs the spec adds are queued. Jobs the spec no longer
// has are kept, so nothing finished is ever lost. training.save_weights,
// which is outside the job IDs, is applied to every stored job that will
// still run.
func Prepare(db *store.DB, spec *sweeps.Spec, now time.Time) (Prepared, error) {
	jobs := spec.Jobs()
	out := Prepared{Total: len(jobs)}
	err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Sweep(spec.Name)
		if errors.Is(err, store.ErrSweepNotFound) {
			out.Created = true
			return tx.CreateSweep(store.SweepRecord{
				Name: spec.Name, Source: spec.Source, Path: spec.Path, Workers: spec.Workers,
				Created: now, Updated: now, Jobs: len(jobs),
			}, jobs)
		}
		if err != nil {
			return err
		}
		if out.Added, err = tx.AddJobs(spec.Name, jobs); err != nil {
			return err
		}
		if err := applySaveWeights(tx, spec); err != nil {
			return err
		}
		rec.Source, rec.Path, rec.Workers, rec.Updated = spec.Source, spec.Path, spec.Workers, now
		rec.Jobs += out.Added
		return tx.PutSweep(rec)
	})
	return out, err
}

// applySaveWeights sets the spec's save_weights and checkpoint_every on the
// sweep's stored jobs that have not finished, so turning them on and
// running the spec again applies them to every job still to run.
func applySaveWeights(tx *store.Tx, spec *sweeps.Spec) error {
	stored, err := tx.Jobs(spec.Name)
	if err != nil {
		return err
	}
	for _, rec := range stored {
		if rec.State.Finished() || rec.Job.SaveWeights == spec.Keep.SaveWeights && rec.Job.CheckpointEvery == spec.Keep.CheckpointEvery {
			continue
		}
		rec.Job.SaveWeights, rec.Job.CheckpointEvery = spec.Keep.SaveWeights, spec.Keep.CheckpointEvery
		if err := tx.PutJob(spec.Name, rec); err != nil {
			return err
		}
	}
	return nil
}
