package store

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/lssr/lssr"
	bolt "go.etcd.io/bbolt"
)

var (
	keyRecord    = []byte("record")
	bucketJobs   = []byte("jobs")
	bucketSeries = []byte("series")
)

// Tx is a transaction over the store's records.
type Tx struct {
	tx *bolt.Tx
}

func (t *Tx) sweepBucket(name string) (*bolt.Bucket, error) {
	sweeps := t.tx.Bucket(bucketSweeps)
	if sweeps == nil {
		return nil, fmt.Errorf("%w: %s", ErrSweepNotFound, name)
	}
	b := sweeps.Bucket([]byte(name))
	if b == nil {
		return nil, fmt.Errorf("%w: %s", ErrSweepNotFound, name)
	}
	return b, nil
}

// CreateSweep stores a new sweep with its jobs, all pending, indexed in the
// order given.
func (t *Tx) CreateSweep(rec SweepRecord, jobs []lssr.Job) error {
	sweeps := t.tx.Bucket(bucketSweeps)
	if sweeps.Bucket([]byte(rec.Name)) != nil {
		return fmt.Errorf("%w: %s", ErrSweepExists, rec.Name)
	}
	b, err := sweeps.CreateBucket([]byte(rec.Name))
	if err != nil {
		return err
	}
	if _, err := b.CreateBucket(bucketJobs); err != nil {
		return err
	}
	if _, err := b.CreateBucket(bucketSeries); err != nil {
		return err
	}
	if err := t.PutSweep(rec); err != nil {
		return err
	}
	_, err = t.AddJobs(rec.Name, jobs)
	return err
}

// PutSweep writes a sweep's record; the sweep must exist.
func (t *Tx) PutSweep(rec SweepRecord) error {
	b, err := t.sweepBucket(rec.Name)
	if err != nil {
		return err
	}
	return putJSON(b, keyRecord, rec)
}

// AddJobs adds the jobs the sweep does not have yet, as pending, after the
// existing ones, and returns how many it added.
func (t *Tx) AddJobs(sweep string, jobs []lssr.Job) (int, error) {
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return 0, err
	}
	jb := b.Bucket(bucketJobs)
	next := jb.Stats().KeyN
	added := 0
	for _, j := range jobs {
		if jb.Get([]byte(j.ID)) != nil {
			continue
		}
		rec := JobRecord{Job: j, Index: next + added, State: StatePending}
		if err := putJSON(jb, []byte(j.ID), rec); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// Sweep reads one sweep's record.
func (t *Tx) Sweep(name string) (SweepRecord, error) {
	var rec SweepRecord
	b, err := t.sweepBucket(name)
	if err != nil {
		return rec, err
	}
	err = getJSON(b, keyRecord, &rec)
	return rec, err
}

// Sweeps lists every sweep's record, by name.
func (t *Tx) Sweeps() ([]SweepRecord, error) {
	var out []SweepRecord
	err := t.tx.Bucket(bucketSweeps).ForEachBucket(func(k []byte) error {
		rec, err := t.Sweep(string(k))
		out = append(out, rec)
		return err
	})
	return out, err
}

// Jobs reads every job of a sweep, in expansion order.
func (t *Tx) Jobs(sweep string) ([]JobRecord, error) {
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return nil, err
	}
	var out []JobRecord
	err = b.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
		var rec JobRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("job %s: %w", k, err)
		}
		out = append(out, rec)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, err
}

// Job reads one job.
func (t *Tx) Job(sweep, id string) (JobRecord, error) {
	var rec JobRecord
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return rec, err
	}
	v := b.Bucket(bucketJobs).Get([]byte(id))
	if v == nil {
		return rec, fmt.Errorf("%w: %s/%s", ErrJobNotFound, sweep, id)
	}
	return rec, json.Unmarshal(v, &rec)
}

// PutJob writes a job's record; the job must exist.
func (t *Tx) PutJob(sweep string, rec JobRecord) error {
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return err
	}
	jb := b.Bucket(bucketJobs)
	if jb.Get([]byte(rec.Job.ID)) == nil {
		return fmt.Errorf("%w: %s/%s", ErrJobNotFound, sweep, rec.Job.ID)
	}
	return putJSON(jb, []byte(rec.Job.ID), rec)
}

// PutSeries writes a job's series.
func (t *Tx) PutSeries(sweep, id string, s Series) error {
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return err
	}
	return putJSON(b.Bucket(bucketSeries), []byte(id), s)
}

// Series reads a job's series; a job without one gives an empty Series.
func (t *Tx) Series(sweep, id string) (Series, error) {
	var s Series
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return s, err
	}
	sb := b.Bucket(bucketSeries)
	if sb.Get([]byte(id)) == nil {
		return s, nil
	}
	return s, getJSON(sb, []byte(id), &s)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

func getJSON(b *bolt.Bucket, key []byte, v any) error {
	raw := b.Get(key)
	if raw == nil {
		return fmt.Errorf("missing key %q", key)
	}
	return json.Unmarshal(raw, v)
}
