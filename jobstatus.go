package lssr

// JobStatus is where one job of a running sweep stands: what the
// orchestrator tells its observer (the progress output) when an attempt
// starts or ends, or a checkpoint is kept.
type JobStatus struct {
	Job   Job // the job: its ID, b, η, seed and epochs
	State JobState
	// Attempt counts the job's attempts so far, the current or last one
	// included.
	Attempt int
	// Worker names what runs or ran the attempt: "pid 4242",
	// "slurm 4242_3".
	Worker string
	// Error is the error of the latest attempt that failed or was
	// interrupted; "" once the job has a result.
	Error string
	// CheckpointEpoch is the epoch of the job's latest kept checkpoint,
	// where a resume would continue; 0 when it has none.
	CheckpointEpoch int
	// Result is the job's final metrics, without its series, once it is
	// done or diverged; nil before.
	Result *Result
}
