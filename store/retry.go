package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/lssr/lssr"
)

// bucketRetired keeps, under each job's ID, what the job had when Tx.Retry
// queued it again: its record and series as they were. They are out of the
// way of the new attempt (status, export and report read only the jobs and
// series buckets) but not lost. Like the weights bucket it is optional and
// appears with the first retry.
var bucketRetired = []byte("retired")

// Retired is a job's record and series as they were when Tx.Retry queued it
// again; only the latest retry of a job is kept.
type Retired struct {
	Record    JobRecord `json:"record"`
	Series    Series    `json:"series"`
	RetiredAt time.Time `json:"retired_at"`
}

// retryable are the states Tx.Retry accepts: those that end a job without a
// result it could still use.
var retryable = []lssr.JobState{lssr.StateFailed, lssr.StateDiverged, lssr.StateStopped, lssr.StateCancelled}

// Retryable lists the states Tx.Retry accepts, in the order `sweep retry`
// offers them; the caller gets its own copy.
func Retryable() []lssr.JobState { return slices.Clone(retryable) }

// Retry puts every job of the sweep whose state is one of states back to
// pending, as if it had never run: attempts, last error, worker, times,
// checkpoint and result are cleared (a cancelled job keeps its mid-job
// checkpoint, to continue from it). The job's old record and series move to
// the retired bucket and its weights, if any, are dropped, so nothing of the
// old run mixes with the new one. It returns the jobs it changed as they
// were before, so the caller can say what changed. Only failed, diverged,
// stopped and cancelled jobs can be retried.
func (t *Tx) Retry(sweep string, now time.Time, states ...lssr.JobState) ([]JobRecord, error) {
	for _, s := range states {
		if !slices.Contains(retryable, s) {
			return nil, fmt.Errorf("store: cannot retry %s jobs (only failed, diverged, stopped or cancelled ones)", s)
		}
	}
	jobs, err := t.Jobs(sweep)
	if err != nil {
		return nil, err
	}
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return nil, err
	}
	var changed []JobRecord
	for _, rec := range jobs {
		if !slices.Contains(states, rec.State) {
			continue
		}
		id := rec.Job.ID
		series, err := t.Series(sweep, id)
		if err != nil {
			return nil, err
		}
		rb, err := b.CreateBucketIfNotExists(bucketRetired)
		if err != nil {
			return nil, err
		}
		if err := putJSON(rb, []byte(id), Retired{Record: rec, Series: series, RetiredAt: now}); err != nil {
			return nil, err
		}
		if err := b.Bucket(bucketSeries).Delete([]byte(id)); err != nil {
			return nil, err
		}
		if err := t.DeleteWeights(sweep, id); err != nil {
			return nil, err
		}
		fresh := JobRecord{Job: rec.Job, Index: rec.Index, State: lssr.StatePending}
		if rec.Decision != "" {
			// A guided search runs it again rather than deciding anew.
			fresh.Decision = RetriedDecision
		}
		if rec.State == lssr.StateCancelled {
			// Cancelling interrupted it: it continues from its checkpoint.
			fresh.CheckpointEpoch, fresh.CheckpointAt = rec.CheckpointEpoch, rec.CheckpointAt
		} else if err := t.DeleteCheckpoint(sweep, id); err != nil {
			return nil, err
		}
		changed = append(changed, rec)
		if err := t.PutJob(sweep, fresh); err != nil {
			return nil, err
		}
	}
	return changed, nil
}

// RetriedDecision is the decision of a guided search's job that `lssr sweep
// retry` made pending again: the search runs it before planning again.
const RetriedDecision = "retried with 'lssr sweep retry'"

// Retired reads what a job had before its latest retry; ok is false when it
// was never retried.
func (t *Tx) Retired(sweep, id string) (r Retired, ok bool, err error) {
	if _, err := t.Job(sweep, id); err != nil {
		return r, false, err
	}
	v, err := t.sweepValue(sweep, bucketRetired, []byte(id))
	if err != nil || v == nil {
		return r, false, err
	}
	return r, true, json.Unmarshal(v, &r)
}

// Cancel marks every pending job of the sweep cancelled, and every running
// one too: the caller holds the writer lock, so no orchestrator runs it and
// a running record is what a killed process left behind. It returns the
// jobs it changed as they were before, so the caller can say what changed.
func (t *Tx) Cancel(sweep string) ([]JobRecord, error) {
	jobs, err := t.Jobs(sweep)
	if err != nil {
		return nil, err
	}
	var changed []JobRecord
	for _, rec := range jobs {
		if rec.State != lssr.StatePending && rec.State != lssr.StateRunning {
			continue
		}
		changed = append(changed, rec)
		rec.State = lssr.StateCancelled
		if err := t.PutJob(sweep, rec); err != nil {
			return nil, err
		}
	}
	return changed, nil
}
