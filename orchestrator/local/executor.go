// Package local runs a sweep's jobs on a pool of worker processes on this
// machine (package worker): the orchestrator's default Executor.
package local

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/go-hclog"
	"github.com/lssr/lssr"
	"github.com/lssr/lssr/worker"
)

// Executor runs jobs on a pool of worker processes on this machine, one
// job per process at a time, each process training on one thread. A process
// that dies is replaced before the slot's next job.
type Executor struct {
	exe    string
	args   []string
	logger hclog.Logger
	procs  []*worker.Process
}

// New starts n worker processes by running exe with args (the lssr
// binary with "worker"). It fails, stopping any it started, if one does not
// come up: a missing binary or a handshake mismatch is reported once, here,
// instead of as a failure of every job.
func New(n int, exe string, args []string, logger hclog.Logger) (*Executor, error) {
	if n < 1 {
		return nil, fmt.Errorf("local executor: need at least one worker, got %d", n)
	}
	if logger == nil {
		logger = hclog.NewNullLogger()
	}
	e := &Executor{exe: exe, args: args, logger: logger, procs: make([]*worker.Process, n)}
	for i := range e.procs {
		p, err := worker.Start(exe, args, logger)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.procs[i] = p
	}
	return e, nil
}

// Slots is the number of worker processes.
func (e *Executor) Slots() int { return len(e.procs) }

// SlotName names the slot's process by its PID.
func (e *Executor) SlotName(slot int) string {
	if p := e.procs[slot]; p != nil {
		return fmt.Sprintf("pid %d", p.PID())
	}
	return fmt.Sprintf("slot %d", slot)
}

// Label is "": SlotName names the process that ran a job, and its
// progress (Worker) names a replacement.
func (e *Executor) Label(string) string { return "" }

// Run runs job on the slot's process, first replacing the process if it has
// exited. Its progress names the process that runs the job (Worker): the
// orchestrator recorded SlotName before a dead process was replaced.
func (e *Executor) Run(ctx context.Context, slot int, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	p := e.procs[slot]
	if p == nil || p.Exited() {
		if p != nil {
			p.Kill()
		}
		var err error
		if p, err = worker.Start(e.exe, e.args, e.logger); err != nil {
			e.procs[slot] = nil
			return lssr.Result{}, err
		}
		e.procs[slot] = p
	}
	if progress != nil {
		name, report := e.SlotName(slot), progress
		progress = func(pr lssr.Progress) {
			pr.Worker = name
			report(pr)
		}
	}
	res, err := p.Run(ctx, job, progress)
	if err != nil && p.Exited() {
		err = fmt.Errorf("worker %s exited: %w", e.SlotName(slot), err)
	}
	if ctx.Err() != nil || errors.Is(err, worker.ErrLost) {
		// A cancelled attempt may have left the worker stuck in the job (a
		// hang does not watch ctx), and a lost one leaves a worker that may
		// be dying but not yet seen to have exited: replace it before the
		// slot's next job.
		p.Kill()
		e.procs[slot] = nil
	}
	return res, err
}

// Close kills every worker process.
func (e *Executor) Close() error {
	for i, p := range e.procs {
		if p != nil {
			p.Kill()
			e.procs[i] = nil
		}
	}
	return nil
}
