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
// has are kept, so nothing finished is ever lost.
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
		rec.Source, rec.Path, rec.Workers, rec.Updated = spec.Source, spec.Path, spec.Workers, now
		rec.Jobs += out.Added
		return tx.PutSweep(rec)
	})
	return out, err
}
