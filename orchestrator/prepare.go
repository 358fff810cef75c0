package orchestrator

import (
	"errors"
	"strings"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// Prepared says what Prepare did.
type Prepared struct {
	Created bool // the sweep is new
	Added   int  // jobs added to an existing sweep (a grown grid)
	Total   int  // jobs the spec expands to
	// Outside counts the stored jobs the spec's grid does not have (a
	// shrunk grid): kept, and left out of status, export and report.
	Outside int
}

// Prepare stores a new sweep with its jobs, or brings an existing one up to
// date with its spec: jobs already stored keep their state (so done jobs are
// never run again) and jobs the spec adds are queued. Jobs the spec no longer
// has are kept, so nothing finished is ever lost. training.save_weights,
// checkpoint_every and eval_every, which are outside the job IDs, are
// applied to every stored job that will still run.
//
// A sweep is one configuration: a spec whose configuration (all that enters
// a job's ID but b, η and seed) differs from the stored sweep's is refused
// with a bad-input error naming each changed field, and nothing is written.
// So is a spec for a sweep that an older lssr let mix configurations.
func Prepare(db *store.DB, spec *sweeps.Spec, now time.Time) (Prepared, error) {
	jobs := spec.Jobs()
	cfg := spec.Config()
	out := Prepared{Total: len(jobs)}
	err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Sweep(spec.Name)
		if errors.Is(err, store.ErrSweepNotFound) {
			out.Created = true
			return tx.CreateSweep(store.SweepRecord{
				Name: spec.Name, Source: spec.Source, Path: spec.Path, Workers: spec.Workers,
				Created: now, Updated: now, Jobs: len(jobs), Config: &cfg,
			}, jobs)
		}
		if err != nil {
			return err
		}
		if err := sameConfig(tx, rec, cfg); err != nil {
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
		out.Outside = rec.Jobs - len(jobs)
		rec.Config = &cfg
		return tx.PutSweep(rec)
	})
	return out, err
}

// sameConfig checks that a spec's configuration is the stored sweep's (from
// its record, or for a sweep stored before records kept it, from its jobs).
func sameConfig(tx *store.Tx, rec store.SweepRecord, cfg lssr.Config) error {
	stored := rec.Config
	if stored == nil {
		jobs, err := tx.Jobs(rec.Name)
		if err != nil {
			return err
		}
		switch groups := store.ConfigGroups(jobs); len(groups) {
		case 0:
			return nil
		case 1:
			stored = &groups[0].Config
		default:
			return lssr.BadInput("sweep %s mixes %d configurations, stored by an older lssr: %s; run the spec under another name (--as NAME, or the spec's name:), or delete the sweep ('lssr sweep delete %s')",
				rec.Name, len(groups), store.DescribeGroups(groups), rec.Name)
		}
	}
	changes := stored.Diff(cfg)
	if len(changes) == 0 {
		return nil
	}
	var parts []string
	for _, c := range changes {
		parts = append(parts, c.String())
	}
	return lssr.BadInput("sweep %s exists with another configuration: %s; a sweep is one configuration: run the spec under another name (--as NAME, or the spec's name:), or delete the stored sweep ('lssr sweep delete %s')",
		rec.Name, strings.Join(parts, ", "), rec.Name)
}

// applySaveWeights sets the spec's save_weights, checkpoint_every and
// eval_every on the sweep's stored jobs that have not finished, so turning
// them on and running the spec again applies them to every job still to
// run. A job resumed from a checkpoint keeps the test values its series
// already has.
func applySaveWeights(tx *store.Tx, spec *sweeps.Spec) error {
	stored, err := tx.Jobs(spec.Name)
	if err != nil {
		return err
	}
	for _, rec := range stored {
		if rec.State.Finished() || rec.Job.SaveWeights == spec.Keep.SaveWeights && rec.Job.CheckpointEvery == spec.Keep.CheckpointEvery &&
			rec.Job.Training.EvalEvery == spec.Training.EvalEvery {
			continue
		}
		rec.Job.SaveWeights, rec.Job.CheckpointEvery = spec.Keep.SaveWeights, spec.Keep.CheckpointEvery
		rec.Job.Training.EvalEvery = spec.Training.EvalEvery
		if err := tx.PutJob(spec.Name, rec); err != nil {
			return err
		}
	}
	return nil
}
