package lssr

// JobState is a job's place in its life cycle: what the store keeps and
// status, export and the report show. Its values are the strings records
// have always held, so stored bytes do not depend on the type.
type JobState string

// Job states. Done, Diverged and Stopped are final outcomes; Failed is final
// once the job's failures (not its interruptions) reach the orchestrator's
// limit; Cancelled is a job `lssr sweep cancel` took out of its sweep before
// it finished. Failed, Diverged, Stopped and Cancelled jobs run again only
// when retried (`lssr sweep retry`). Skipped is a job a guided search (a
// spec's `search: {strategy: lssr}`) decided not to run; its record says
// why, and the search, or the sweep run as a grid, may still run it.
const (
	StatePending   JobState = "pending"   // not started, or to run again
	StateRunning   JobState = "running"   // an attempt is under way
	StateDone      JobState = "done"      // trained to the end; its result is valid
	StateDiverged  JobState = "diverged"  // a loss became NaN or Inf: an outcome, not a failure
	StateStopped   JobState = "stopped"   // no progress after a fraction of its epochs (training.stop_early): an outcome
	StateFailed    JobState = "failed"    // gave up after its attempts; no result
	StateCancelled JobState = "cancelled" // taken out of its sweep unfinished; no result
	StateSkipped   JobState = "skipped"   // a guided search decided not to run it; no result
)

// JobStates lists every job state, in the order status shows them. It is
// the one list: whatever counts or orders states covers these.
var JobStates = []JobState{StatePending, StateRunning, StateDone, StateDiverged, StateStopped, StateFailed, StateCancelled, StateSkipped}

// Finished reports whether a job in this state is left alone by a run or a
// resume: it runs again only when retried, or, when skipped, when the
// guided search that skipped it decides otherwise or the sweep is run as a
// grid.
func (s JobState) Finished() bool {
	return s.Outcome() || s == StateFailed || s == StateCancelled || s == StateSkipped
}

// Ran reports whether a job in this state has run, to an outcome or not:
// finished, and not skipped by a guided search. It is what a guided
// search counts against the grid's jobs.
func (s JobState) Ran() bool { return s.Finished() && s != StateSkipped }

// Outcome reports whether a job in this state ran to an outcome and has a
// Result: done, diverged or stopped. Failed, cancelled and skipped jobs
// finished without one.
func (s JobState) Outcome() bool {
	return s == StateDone || s == StateDiverged || s == StateStopped
}
