package store

import (
	"encoding/json"
	"errors"
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

// errReadOnly is returned by a write method called in a View.
var errReadOnly = errors.New("store: write in a read-only transaction")

// Tx is a transaction over the store's records. Its read methods go through
// r; its write methods need the bbolt transaction of an Update, tx (nil in a
// View served by another process).
type Tx struct {
	r  reader
	tx *bolt.Tx
}

// newTx wraps a bbolt transaction.
func newTx(tx *bolt.Tx) *Tx { return &Tx{r: boltReader{tx}, tx: tx} }

// sweepPath is the bucket path of a sweep, or of one of its sub-buckets.
func sweepPath(name string, sub ...[]byte) [][]byte {
	return append([][]byte{bucketSweeps, []byte(name)}, sub...)
}

// sweepValue reads key from the sweep's sub-bucket: ErrSweepNotFound when
// the sweep is missing, nil when the sub-bucket (an optional one, such as
// weights) or the key is.
func (t *Tx) sweepValue(sweep string, sub, key []byte) ([]byte, error) {
	v, err := t.r.get(sweepPath(sweep, sub), key)
	if errors.Is(err, errNoBucket) {
		if _, err := t.Sweep(sweep); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return v, err
}

// sweepBucket returns a sweep's bucket for writing.
func (t *Tx) sweepBucket(name string) (*bolt.Bucket, error) {
	if t.tx == nil {
		return nil, errReadOnly
	}
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
	if t.tx == nil {
		return errReadOnly
	}
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
		rec := JobRecord{Job: j, Index: next + added, State: lssr.StatePending}
		if err := putJSON(jb, []byte(j.ID), rec); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// DeleteSweep removes a sweep and everything stored of it: its record, jobs,
// series, weights, checkpoints and retired records.
func (t *Tx) DeleteSweep(name string) error {
	if _, err := t.sweepBucket(name); err != nil {
		return err
	}
	return t.tx.Bucket(bucketSweeps).DeleteBucket([]byte(name))
}

// Sweep reads one sweep's record.
func (t *Tx) Sweep(name string) (SweepRecord, error) {
	var rec SweepRecord
	raw, err := t.r.get(sweepPath(name), keyRecord)
	if errors.Is(err, errNoBucket) || err == nil && raw == nil {
		return rec, fmt.Errorf("%w: %s", ErrSweepNotFound, name)
	}
	if err != nil {
		return rec, err
	}
	return rec, json.Unmarshal(raw, &rec)
}

// Sweeps lists every sweep's record, by name.
func (t *Tx) Sweeps() ([]SweepRecord, error) {
	names, err := t.r.buckets([][]byte{bucketSweeps})
	if err != nil {
		return nil, err
	}
	var out []SweepRecord
	for _, name := range names {
		rec, err := t.Sweep(name)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, nil
}

// Jobs reads every job of a sweep, in expansion order.
func (t *Tx) Jobs(sweep string) ([]JobRecord, error) {
	var out []JobRecord
	err := t.r.each(sweepPath(sweep, bucketJobs), func(k, v []byte) error {
		var rec JobRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("job %s: %w", k, err)
		}
		out = append(out, rec)
		return nil
	})
	if errors.Is(err, errNoBucket) {
		return nil, fmt.Errorf("%w: %s", ErrSweepNotFound, sweep)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, err
}

// Job reads one job.
func (t *Tx) Job(sweep, id string) (JobRecord, error) {
	var rec JobRecord
	v, err := t.sweepValue(sweep, bucketJobs, []byte(id))
	if err != nil {
		return rec, err
	}
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
	v, err := t.sweepValue(sweep, bucketSeries, []byte(id))
	if err != nil || v == nil {
		return s, err
	}
	return s, json.Unmarshal(v, &s)
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}
