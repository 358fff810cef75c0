package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/finite"
	"github.com/lssr/lssr/store"
)

// DefaultMaxAttempts is how many failed attempts fail a job.
const DefaultMaxAttempts = 3

// Options tune Run.
type Options struct {
	// MaxAttempts is how many failed attempts fail a job (default
	// DefaultMaxAttempts). An attempt fails through the job or its worker
	// (a crash, a panic, a hang, a result that cannot be stored); an
	// attempt that Run's caller interrupted (ctx cancelled, or the process
	// killed, which the next Run finds) is no failure and does not count:
	// see store.JobRecord's Failures and Interruptions.
	MaxAttempts int
	// Observer, if set, hears progress.
	Observer Observer
	// Now is the clock (default time.Now); tests may pin it.
	Now func() time.Time
	// HangTimeout, when > 0, kills an attempt that reports no progress for
	// that long (a hung worker) and retries the job on a fresh worker.
	HangTimeout time.Duration
	// Select, if set, says which of the sweep's jobs to run: those of the
	// grid its spec has now (a shrunk grid keeps the others stored, unrun).
	Select func(lssr.Job) bool
	// Guide, if set, runs the selected jobs as a guided search: round by
	// round it says which of them run, and at the end which are skipped.
	// Without one every selected job runs (a grid), skipped ones included.
	Guide Guide
}

// ErrHung is wrapped by the error stored for an attempt that reported no
// progress within Options.HangTimeout.
var ErrHung = errors.New("worker hung")

// Run runs every pending job of the sweep on exec until none is left or ctx
// is cancelled. Jobs that a dead process left running are queued again
// first. On cancellation the jobs in flight return to pending and Run
// returns ctx's error once every outcome is stored.
func Run(ctx context.Context, db *store.DB, sweep string, exec Executor, opts Options) error {
	if opts.MaxAttempts < 1 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	q, total, finished, err := requeue(db, sweep, opts.Select, opts.Guide == nil)
	if err != nil {
		return err
	}
	opts.Observer.Begin(total, finished)
	if opts.Guide != nil {
		return runGuided(ctx, db, sweep, exec, opts, total)
	}
	return runQueue(ctx, db, sweep, exec, opts, q)
}

// runQueue runs the queued jobs (and their retries) on exec's slots until
// the queue is empty, a store write fails or ctx is cancelled.
func runQueue(ctx context.Context, db *store.DB, sweep string, exec Executor, opts Options, queue []string) error {
	r := &runner{db: db, sweep: sweep, exec: exec, opts: opts, queue: queue}
	var wg sync.WaitGroup
	for slot := range exec.Slots() {
		wg.Go(func() { r.slotLoop(ctx, slot) })
	}
	wg.Wait()
	if r.storeErr != nil {
		return r.storeErr
	}
	return ctx.Err()
}

// requeue turns jobs left running into pending ones, counting an
// interruption for each (the process that ran them stopped), and returns
// the pending queue of the selected jobs (all when sel is nil) in expansion
// order, with the counts of selected and finished selected jobs. With
// unskip (a grid), skipped jobs are pending again: a grid runs every cell.
// Skipped jobs do not count as finished.
func requeue(db *store.DB, sweep string, sel func(lssr.Job) bool, unskip bool) (queue []string, total, finished int, err error) {
	err = db.Update(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(sweep)
		if err != nil {
			return err
		}
		for _, rec := range jobs {
			selected := sel == nil || sel(rec.Job)
			if selected {
				total++
			}
			switch {
			case rec.State == lssr.StateSkipped:
				if !unskip || !selected {
					continue
				}
				rec.State, rec.Decision = lssr.StatePending, ""
				if err := tx.PutJob(sweep, rec); err != nil {
					return err
				}
			case rec.State.Finished():
				if selected {
					finished++
				}
				continue
			case rec.State == lssr.StateRunning:
				rec.State = lssr.StatePending
				rec.Interruptions++
				rec.LastError = "interrupted: the process running it stopped"
				if err := tx.PutJob(sweep, rec); err != nil {
					return err
				}
			}
			if selected {
				queue = append(queue, rec.Job.ID)
			}
		}
		return nil
	})
	return queue, total, finished, err
}

type runner struct {
	db    *store.DB
	sweep string
	exec  Executor
	opts  Options

	mu       sync.Mutex
	queue    []string
	storeErr error
}

// next pops the next job ID, or returns false when the queue is empty or a
// store write has failed (nothing more can be recorded).
func (r *runner) next() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queue) == 0 || r.storeErr != nil {
		return "", false
	}
	id := r.queue[0]
	r.queue = r.queue[1:]
	return id, true
}

func (r *runner) push(id string) {
	r.mu.Lock()
	r.queue = append(r.queue, id)
	r.mu.Unlock()
}

func (r *runner) fail(err error) {
	r.mu.Lock()
	if r.storeErr == nil {
		r.storeErr = err
	}
	r.mu.Unlock()
}

func (r *runner) slotLoop(ctx context.Context, slot int) {
	for ctx.Err() == nil {
		id, ok := r.next()
		if !ok {
			return
		}
		if err := r.attempt(ctx, slot, id); err != nil {
			r.fail(fmt.Errorf("store: %w", err))
			return
		}
	}
}

// attempt runs one attempt of a job and stores its outcome.
func (r *runner) attempt(ctx context.Context, slot int, id string) error {
	var rec store.JobRecord
	err := r.db.Update(func(tx *store.Tx) error {
		var err error
		if rec, err = tx.Job(r.sweep, id); err != nil {
			return err
		}
		rec.State = lssr.StateRunning
		rec.Attempts++
		rec.Worker = r.exec.SlotName(slot)
		rec.StartedAt = r.opts.Now()
		rec.FinishedAt = time.Time{}
		return tx.PutJob(r.sweep, rec)
	})
	if err != nil {
		return err
	}
	r.opts.Observer.JobStarted(slot, rec.Status())
	res, runErr := r.run(ctx, slot, &rec)
	if name := r.exec.Label(id); name != "" {
		rec.Worker = name // e.g. the Slurm task that ran it
	}
	var series store.Series
	var weights []byte
	switch {
	case ctx.Err() != nil:
		// Interrupted by the user: not the job's fault, and not finished.
		rec.State = lssr.StatePending
		rec.Interruptions++
		rec.LastError = "interrupted"
	case runErr != nil:
		rec.LastError = runErr.Error()
		rec.State = lssr.StatePending
		rec.Failures++
		// A result file that cannot be ingested would be read again, not
		// retrained: fail the job with the reason.
		if rec.CountedFailures() >= r.opts.MaxAttempts || errors.Is(runErr, ErrBadResult) {
			rec.State = lssr.StateFailed
		}
	default:
		rec.CheckpointEpoch, rec.CheckpointAt = 0, time.Time{}
		rec.State = outcomeState(res)
		series = store.Series{Epochs: res.Series, Measurements: res.Measurements}
		if rec.State == lssr.StateDone {
			weights = res.Weights // a run that ended early keeps none
		}
		res.Series, res.Measurements, res.Weights = nil, nil, nil
		// A diverged run may end with an Inf loss, which JSON cannot
		// hold; its state already says what happened.
		finite.Zero(&res)
		rec.Result = &res
		rec.LastError = ""
	}
	if rec.State == lssr.StateFailed {
		rec.CheckpointEpoch, rec.CheckpointAt = 0, time.Time{}
	}
	rec.FinishedAt = r.opts.Now()
	err = r.db.Update(func(tx *store.Tx) error {
		if err := tx.PutJob(r.sweep, rec); err != nil {
			return err
		}
		// A pending job keeps its checkpoint for the next attempt; a
		// finished one has no more use for it.
		if rec.State != lssr.StatePending {
			if err := tx.DeleteCheckpoint(r.sweep, id); err != nil {
				return err
			}
		}
		// The stored weights always belong to the stored outcome: an
		// attempt that ends without weights drops those of an earlier one.
		if len(weights) > 0 {
			if err := tx.PutWeights(r.sweep, id, weights); err != nil {
				return err
			}
		} else if err := tx.DeleteWeights(r.sweep, id); err != nil {
			return err
		}
		if rec.Result == nil {
			return nil
		}
		finite.Zero(&series)
		return tx.PutSeries(r.sweep, id, series)
	})
	if err != nil {
		return err
	}
	if rec.State == lssr.StatePending && ctx.Err() == nil {
		r.push(id)
	}
	r.opts.Observer.JobEnded(slot, rec.Status())
	return nil
}

// outcomeState is the state a Result leaves its job in: diverged, stopped
// (by the stall rule) or done. The trainer never sets both Diverged and
// Stopped, and a Slurm result file that does is refused (slurm.ReadResult);
// should another executor hand one over, the divergence decides, as it is
// the stronger statement (a NaN or Inf loss) about the run.
func outcomeState(res lssr.Result) lssr.JobState {
	switch {
	case res.Diverged:
		return lssr.StateDiverged
	case res.Stopped != "":
		return lssr.StateStopped
	}
	return lssr.StateDone
}

// run runs one attempt of rec's job on slot, continuing from the job's
// stored checkpoint if it has one. Checkpoints the job sends are stored as
// they come, with rec's CheckpointEpoch and CheckpointAt; if storing one
// fails, the attempt is stopped and the error recorded for Run to return.
// With a HangTimeout, an attempt silent for that long is cancelled (the
// executor then replaces the worker) and fails with an error wrapping
// ErrHung.
func (r *runner) run(ctx context.Context, slot int, rec *store.JobRecord) (lssr.Result, error) {
	job := rec.Job
	err := r.db.View(func(tx *store.Tx) error {
		var err error
		job.Resume, err = tx.Checkpoint(r.sweep, job.ID)
		return err
	})
	if err != nil {
		return lssr.Result{}, err
	}
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	alive := func() {}
	if d := r.opts.HangTimeout; d > 0 {
		watchdog := time.AfterFunc(d, func() {
			cancel(fmt.Errorf("%w: no progress for %v; the worker was killed", ErrHung, d))
		})
		defer watchdog.Stop()
		alive = func() { watchdog.Reset(d) }
	}
	// The executor calls progress in this goroutine, so rec is not shared.
	res, runErr := r.exec.Run(actx, slot, job, func(p lssr.Progress) {
		alive()
		if p.Worker != "" && p.Worker != rec.Worker {
			rec.Worker = p.Worker
			if err := r.db.Update(func(tx *store.Tx) error { return tx.PutJob(r.sweep, *rec) }); err != nil {
				r.fail(fmt.Errorf("store: job %s: %w", rec.Job.ID, err))
				cancel(err)
			}
		}
		stored := false
		if p.Checkpoint != nil {
			if err := r.storeCheckpoint(rec, p); err != nil {
				r.fail(fmt.Errorf("store: checkpoint of job %s: %w", rec.Job.ID, err))
				cancel(err)
			} else {
				stored = true
			}
		}
		p.Checkpoint = nil
		r.opts.Observer.JobProgress(slot, rec.Job, p)
		if stored {
			r.opts.Observer.CheckpointStored(slot, rec.Status())
		}
	})
	if runErr != nil && ctx.Err() == nil && context.Cause(actx) != nil {
		runErr = context.Cause(actx)
	}
	return res, runErr
}

// storeCheckpoint keeps a job's latest checkpoint and notes it on its record.
func (r *runner) storeCheckpoint(rec *store.JobRecord, p lssr.Progress) error {
	rec.CheckpointEpoch, rec.CheckpointAt = p.Epoch, r.opts.Now()
	return r.db.Update(func(tx *store.Tx) error {
		if err := tx.PutCheckpoint(r.sweep, rec.Job.ID, p.Checkpoint); err != nil {
			return err
		}
		return tx.PutJob(r.sweep, *rec)
	})
}
