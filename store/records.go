package store

import (
	"time"

	"github.com/lssr/lssr"
)

// State is a job's place in its life cycle.
type State string

// Job states. Done and Diverged are final outcomes; Failed is final once the
// attempts are used up; Cancelled is a job `lssr sweep cancel` took out of
// its sweep before it finished. Failed, Diverged and Cancelled jobs run again
// only through Tx.Retry.
const (
	StatePending   State = "pending"
	StateRunning   State = "running"
	StateDone      State = "done"
	StateFailed    State = "failed"
	StateDiverged  State = "diverged"
	StateCancelled State = "cancelled"
)

// States lists every state in display order.
var States = []State{StatePending, StateRunning, StateDone, StateDiverged, StateFailed, StateCancelled}

// Finished reports whether a job in this state is left alone by a run or a
// resume: it runs again only after Tx.Retry.
func (s State) Finished() bool {
	return s == StateDone || s == StateDiverged || s == StateFailed || s == StateCancelled
}

// SweepRecord describes one sweep.
type SweepRecord struct {
	Name    string    `json:"name"`
	Source  []byte    `json:"source"` // the spec's YAML as last run
	Path    string    `json:"path"`   // where the spec was read from
	Workers int       `json:"workers"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Jobs    int       `json:"jobs"`
}

// JobRecord is one job's state and, once finished, its final metrics.
type JobRecord struct {
	Job      lssr.Job `json:"job"`
	Index    int      `json:"index"` // position in the sweep's expansion order
	State    State    `json:"state"`
	Attempts int      `json:"attempts"`
	// LastError is the error text of the latest failed attempt.
	LastError string `json:"last_error,omitempty"`
	// Worker names the worker process of the running or last attempt.
	Worker     string    `json:"worker,omitempty"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// CheckpointEpoch and CheckpointAt describe the latest mid-job
	// checkpoint kept for this job (none when zero): the epoch it was taken
	// after and when the orchestrator stored it.
	CheckpointEpoch int       `json:"checkpoint_epoch,omitempty"`
	CheckpointAt    time.Time `json:"checkpoint_at,omitzero"`
	// Result holds the final metrics without the series, set when done or
	// diverged.
	Result *lssr.Result `json:"result,omitempty"`
}

// Series is a job's per-epoch stats and ρ measurements.
type Series struct {
	Epochs       []lssr.EpochStats  `json:"epochs,omitempty"`
	Measurements []lssr.Measurement `json:"measurements,omitempty"`
}
