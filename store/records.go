package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lssr/lssr"
)

// SweepRecord describes one sweep.
type SweepRecord struct {
	Name    string `json:"name"`
	Source  []byte `json:"source"` // the spec's YAML as last run
	Path    string `json:"path"`   // where the spec was read from
	Workers int    `json:"workers"`
	// RunWorkers is how many jobs the latest run of the sweep ran at once
	// (worker processes, or the Slurm array's throttle), for the ETA; 0 in
	// records written before it was kept.
	RunWorkers int       `json:"run_workers,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Jobs       int       `json:"jobs"`
	// Config is the configuration every job of the sweep shares (all that
	// enters a job's ID but b, η and seed). Sweeps stored before it was kept
	// have none; ConfigGroups finds theirs from their jobs.
	Config *lssr.Config `json:"config,omitempty"`
	// Search is what the sweep's guided search has decided so far; nil for
	// a grid.
	Search *lssr.SearchState `json:"search,omitempty"`
}

// ConfigGroup is one configuration among a sweep's jobs and how many jobs
// have it.
type ConfigGroup struct {
	Config lssr.Config
	Jobs   int
}

// ConfigGroups groups jobs by configuration, in order of first appearance.
// More than one group means the sweep mixes configurations: a sweep stored
// before lssr kept one configuration per sweep, and run again with an edited
// spec.
func ConfigGroups(jobs []JobRecord) []ConfigGroup {
	var groups []ConfigGroup
next:
	for _, j := range jobs {
		c := j.Job.Config()
		for i := range groups {
			if groups[i].Config.Equal(c) {
				groups[i].Jobs++
				continue next
			}
		}
		groups = append(groups, ConfigGroup{Config: c, Jobs: 1})
	}
	return groups
}

// DescribeGroups says how the configurations of several groups differ:
// "training.epochs 5 (40 jobs), training.epochs 6 (4 jobs)".
func DescribeGroups(groups []ConfigGroup) string {
	fields := map[string]bool{}
	var names []string
	for _, g := range groups[1:] {
		for _, c := range groups[0].Config.Diff(g.Config) {
			if !fields[c.Field] {
				fields[c.Field] = true
				names = append(names, c.Field)
			}
		}
	}
	sort.Strings(names)
	var parts []string
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%s (%d jobs)", g.Config.Describe(names), g.Jobs))
	}
	return strings.Join(parts, ", ")
}

// JobRecord is one job's state and, once finished, its final metrics.
type JobRecord struct {
	Job   lssr.Job      `json:"job"`
	Index int           `json:"index"` // position in the sweep's expansion order
	State lssr.JobState `json:"state"`
	// Attempts counts the job's starts: every attempt, however it ended.
	Attempts int `json:"attempts"`
	// Failures counts the attempts that ended through the job or its
	// worker: a worker that crashed, panicked, hung or returned a result
	// that could not be stored. Only these count against --max-attempts.
	Failures int `json:"failures,omitempty"`
	// Interruptions counts the attempts that ended through no fault of the
	// job: the orchestrator was killed (a resume finds the job left
	// running), interrupted (Ctrl-C, SIGTERM) or stopped by `lssr sweep
	// cancel`.
	Interruptions int `json:"interruptions,omitempty"`
	// LastError is the error text of the latest failed attempt.
	LastError string `json:"last_error,omitempty"`
	// Decision says why a guided search ran the job or skipped it (empty
	// in a grid, where every job runs).
	Decision string `json:"decision,omitempty"`
	// Worker names the worker process of the running or last attempt.
	Worker     string    `json:"worker,omitempty"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// CheckpointEpoch and CheckpointAt describe the latest mid-job
	// checkpoint kept for this job (none when zero): the epoch it was taken
	// after and when the orchestrator stored it.
	CheckpointEpoch int       `json:"checkpoint_epoch,omitempty"`
	CheckpointAt    time.Time `json:"checkpoint_at,omitzero"`
	// Result holds the final metrics without the series, set when done,
	// diverged or stopped (State.Outcome).
	Result *lssr.Result `json:"result,omitempty"`
}

// Status is the record as the root package tells it, for those who watch a
// sweep run.
func (j JobRecord) Status() lssr.JobStatus {
	return lssr.JobStatus{Job: j.Job, State: j.State, Attempt: j.Attempts, Worker: j.Worker, Error: j.LastError,
		CheckpointEpoch: j.CheckpointEpoch, Result: j.Result}
}

// Series is a job's per-epoch stats and ρ measurements.
type Series struct {
	Epochs       []lssr.EpochStats  `json:"epochs,omitempty"`
	Measurements []lssr.Measurement `json:"measurements,omitempty"`
}

// Unsplit is how many of the job's ended attempts its record leaves
// unexplained: neither a failure nor an interruption. Records written before
// lssr counted the two apart have only Attempts; their ended attempts are
// all unsplit, and CountedFailures treats them as failures, so such a job
// gets no more tries than it had before. An attempt that has not ended (the
// job runs) or that succeeded (done, diverged, stopped) needs no explanation.
func (j JobRecord) Unsplit() int {
	ended := j.Attempts
	if j.Attempts > 0 && (j.State == lssr.StateRunning || j.State.Outcome()) {
		ended--
	}
	return max(0, ended-j.Failures-j.Interruptions)
}

// CountedFailures is what --max-attempts is checked against: the job's
// failures, and its unsplit attempts (see Unsplit) to be safe.
func (j JobRecord) CountedFailures() int {
	return j.Failures + j.Unsplit()
}
