package orchestrator

import (
	"context"
	"errors"

	"github.com/lssr/lssr"
)

// Executor runs jobs somewhere: package orchestrator/local on worker
// processes on this machine, package orchestrator/slurm as array tasks on a
// Slurm cluster. Slots are numbered 0..Slots()-1; the orchestrator runs at
// most one job per slot at a time, so an implementation may keep per-slot
// state without locking.
type Executor interface {
	// Slots is how many jobs can run at once.
	Slots() int
	// Run runs job on slot to its end. A non-nil error is a failed attempt
	// (a diverged or stopped run is a Result, not an error); one wrapping
	// ErrBadResult fails the job at once.
	Run(ctx context.Context, slot int, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error)
	// SlotName names what runs a slot's job, for status (e.g. "pid 4242").
	SlotName(slot int) string
	// Label names what ran job id, once Run has returned, when that is
	// more than SlotName said (e.g. "slurm 4242_3", the array task); ""
	// keeps SlotName's name on the job's record.
	Label(id string) string
	// Close stops everything the executor started.
	Close() error
}

// ErrBadResult is wrapped by an executor's error for an attempt that left a
// result which must not be stored (a Slurm result file that fails
// validation): the job fails with the reason instead of being retried, as
// a retry would read the same result again.
var ErrBadResult = errors.New("bad result file")
