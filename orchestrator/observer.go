package orchestrator

import "github.com/lssr/lssr"

// Observer hears what the orchestrator does, to show progress. Its methods
// are called from several goroutines at once.
type Observer interface {
	// Begin is called once with the sweep's job count and how many of
	// those are already finished.
	Begin(total, finished int)
	// JobStarted is called when an attempt starts on a slot.
	JobStarted(slot int, job lssr.JobStatus)
	// JobProgress is called once per epoch of a running job.
	JobProgress(slot int, job lssr.Job, p lssr.Progress)
	// CheckpointStored is called after a running job's checkpoint has been
	// stored; job's CheckpointEpoch is its epoch. A resume would continue
	// the job from there.
	CheckpointStored(slot int, job lssr.JobStatus)
	// JobEnded is called after an attempt's outcome has been stored.
	JobEnded(slot int, job lssr.JobStatus)
}

// nopObserver hears nothing: the Observer of a Run given none.
type nopObserver struct{}

func (nopObserver) Begin(int, int)                           {}
func (nopObserver) JobStarted(int, lssr.JobStatus)           {}
func (nopObserver) JobProgress(int, lssr.Job, lssr.Progress) {}
func (nopObserver) JobEnded(int, lssr.JobStatus)             {}
func (nopObserver) CheckpointStored(int, lssr.JobStatus)     {}
