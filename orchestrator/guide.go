package orchestrator

import (
	"context"
	"fmt"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// Guide is a search strategy: it decides, round by round, which of a
// sweep's jobs run (package search's Planner, wired by the CLI). Given the
// same records it must decide the same, so a resumed search makes the same
// choices.
type Guide interface {
	// Plan looks at the selected jobs' records and returns the next round.
	Plan(jobs []store.JobRecord) (Round, error)
}

// Round is one round of a guided search.
type Round struct {
	// Run lists the jobs to run now, each with why; they must be pending
	// or skipped.
	Run []Decision
	// Skip lists, when Done, the jobs left out, each with why.
	Skip []Decision
	// Done ends the search.
	Done bool
	// State is kept on the sweep's record for status and the report.
	State lssr.SearchState
}

// Decision is why a job runs or is skipped (store.JobRecord.Decision).
type Decision struct {
	ID, Why string
}

// RoundObserver is an Observer that also hears each round of a guided
// search: the search's state, the jobs queued in this round, the selected
// jobs that have run so far and the selected jobs in all.
type RoundObserver interface {
	Round(state lssr.SearchState, queued, ran, total int)
}

// runGuided runs a guided search: it asks the guide for a round, records
// the decisions, runs the round's jobs, and repeats until the guide is
// done; it then marks the jobs left out skipped. Cancelled, it returns
// ctx's error with every outcome stored; the next Run resumes the search.
func runGuided(ctx context.Context, db *store.DB, sweep string, exec Executor, opts Options, total int) error {
	// Jobs a round chose that did not finish (an interrupted run) and jobs
	// retried by hand run first, as a grid's would.
	if queue, err := decidedPending(db, sweep, opts.Select); err != nil || len(queue) > 0 {
		if err != nil {
			return err
		}
		if err := runQueue(ctx, db, sweep, exec, opts, queue); err != nil {
			return err
		}
	}
	// Rounds count on from those of earlier runs of the search.
	var first int
	err := db.View(func(tx *store.Tx) error {
		rec, err := tx.Sweep(sweep)
		if err == nil && rec.Search != nil {
			first = rec.Search.Round
		}
		return err
	})
	if err != nil {
		return err
	}
	for round := first + 1; ; round++ {
		plan, ran, err := nextRound(db, sweep, opts)
		if err != nil {
			return err
		}
		plan.State.Round = round
		queue, err := record(db, sweep, plan)
		if err != nil {
			return err
		}
		if ro, ok := opts.Observer.(RoundObserver); ok {
			ro.Round(plan.State, len(queue), ran, total)
		}
		if plan.Done {
			return nil
		}
		if len(queue) == 0 {
			return fmt.Errorf("search: round %d chose %d jobs, none of them pending or skipped", round, len(plan.Run))
		}
		if err := runQueue(ctx, db, sweep, exec, opts, queue); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// nextRound asks the guide for the next round from the selected jobs, and
// counts those that have run.
func nextRound(db *store.DB, sweep string, opts Options) (Round, int, error) {
	var jobs []store.JobRecord
	err := db.View(func(tx *store.Tx) error {
		all, err := tx.Jobs(sweep)
		for _, j := range all {
			if opts.Select == nil || opts.Select(j.Job) {
				jobs = append(jobs, j)
			}
		}
		return err
	})
	if err != nil {
		return Round{}, 0, err
	}
	ran := 0
	for _, j := range jobs {
		if j.State.Ran() {
			ran++
		}
	}
	plan, err := opts.Guide.Plan(jobs)
	return plan, ran, err
}

// record writes a round's decisions and the search's state in one
// transaction and returns the IDs to run, in the round's order. A job to
// run that was skipped is pending again; a job to skip that has run keeps
// its outcome.
func record(db *store.DB, sweep string, plan Round) (queue []string, err error) {
	err = db.Update(func(tx *store.Tx) error {
		for _, d := range plan.Run {
			changed, err := decide(tx, sweep, d, lssr.StatePending)
			if err != nil {
				return err
			}
			if changed {
				queue = append(queue, d.ID)
			}
		}
		if plan.Done {
			for _, d := range plan.Skip {
				if _, err := decide(tx, sweep, d, lssr.StateSkipped); err != nil {
					return err
				}
			}
		}
		rec, err := tx.Sweep(sweep)
		if err != nil {
			return err
		}
		st := plan.State
		rec.Search = &st
		return tx.PutSweep(rec)
	})
	return queue, err
}

// decide puts a pending or skipped job in state with the decision's
// reason; a job that has run keeps its outcome (changed is false).
func decide(tx *store.Tx, sweep string, d Decision, state lssr.JobState) (changed bool, err error) {
	rec, err := tx.Job(sweep, d.ID)
	if err != nil || rec.State != lssr.StatePending && rec.State != lssr.StateSkipped {
		return false, err
	}
	rec.State, rec.Decision = state, d.Why
	return true, tx.PutJob(sweep, rec)
}

// decidedPending lists the selected pending jobs that carry a decision: a
// round chose them, or they were retried.
func decidedPending(db *store.DB, sweep string, sel func(lssr.Job) bool) (queue []string, err error) {
	err = db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(sweep)
		for _, j := range jobs {
			if j.State == lssr.StatePending && j.Decision != "" && (sel == nil || sel(j.Job)) {
				queue = append(queue, j.Job.ID)
			}
		}
		return err
	})
	return queue, err
}
