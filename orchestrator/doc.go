// Package orchestrator runs a sweep: it queues the pending jobs of a sweep
// stored in the store, hands them to an Executor, writes each outcome in its
// own transaction as it arrives, retries failed attempts up to a limit, and
// on cancellation returns the jobs in flight to pending.
//
// Resume is the same call: done, diverged, stopped, failed and cancelled
// jobs are never run again (lssr.JobState.Finished; store.Tx.Retry brings them back);
// jobs that a dead process left marked running are queued again.
// The orchestrator is the only writer of the store.
//
// Where jobs run is the Executor's business, and each executor is a package
// of its own: orchestrator/local (worker processes on this machine) and
// orchestrator/slurm (array tasks on a cluster). The orchestrator knows
// only the interface; cmd/lssr picks the executor.
package orchestrator
