package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Large per-job blobs live in buckets of their own, apart from the job
// records: status and export read every record, and a record carrying
// megabytes would make them slow. Sweeps created before a kind of blob was
// kept have no such bucket until the first job stores one.
var (
	// bucketWeights holds each job's final weights under its ID.
	bucketWeights = []byte("weights")
	// bucketCheckpoints holds each unfinished job's latest checkpoint.
	bucketCheckpoints = []byte("checkpoints")
)

// PutWeights stores a job's final weights (a safetensors file's bytes),
// replacing any it had; the job must exist.
func (t *Tx) PutWeights(sweep, id string, weights []byte) error {
	return t.putBlob(bucketWeights, sweep, id, weights)
}

// DeleteWeights removes a job's weights, if it has any; the job must exist.
func (t *Tx) DeleteWeights(sweep, id string) error {
	return t.deleteBlob(bucketWeights, sweep, id)
}

// Weights returns a copy of a job's final weights, which stays valid after
// the transaction. A job that kept none gives an error wrapping
// ErrNoWeights; an unknown sweep or job, ErrSweepNotFound or
// ErrJobNotFound.
func (t *Tx) Weights(sweep, id string) ([]byte, error) {
	w, err := t.blob(bucketWeights, sweep, id)
	if err == nil && w == nil {
		err = fmt.Errorf("%w: %s/%s", ErrNoWeights, sweep, id)
	}
	return w, err
}

// PutCheckpoint stores a job's latest mid-job checkpoint (a safetensors
// file's bytes), replacing the one before; the job must exist.
func (t *Tx) PutCheckpoint(sweep, id string, ckpt []byte) error {
	return t.putBlob(bucketCheckpoints, sweep, id, ckpt)
}

// DeleteCheckpoint removes a job's checkpoint, if it has one.
func (t *Tx) DeleteCheckpoint(sweep, id string) error {
	return t.deleteBlob(bucketCheckpoints, sweep, id)
}

// Checkpoint returns a copy of a job's latest checkpoint, or nil when it has
// none.
func (t *Tx) Checkpoint(sweep, id string) ([]byte, error) {
	return t.blob(bucketCheckpoints, sweep, id)
}

func (t *Tx) putBlob(bucket []byte, sweep, id string, data []byte) error {
	b, err := t.jobBucket(sweep, id)
	if err != nil {
		return err
	}
	bb, err := b.CreateBucketIfNotExists(bucket)
	if err != nil {
		return err
	}
	return bb.Put([]byte(id), data)
}

func (t *Tx) deleteBlob(bucket []byte, sweep, id string) error {
	b, err := t.jobBucket(sweep, id)
	if err != nil {
		return err
	}
	if bb := b.Bucket(bucket); bb != nil {
		return bb.Delete([]byte(id))
	}
	return nil
}

// blob returns a copy of a job's blob in bucket, nil when there is none.
func (t *Tx) blob(bucket []byte, sweep, id string) ([]byte, error) {
	if _, err := t.Job(sweep, id); err != nil {
		return nil, err
	}
	v, err := t.sweepValue(sweep, bucket, []byte(id))
	return bytes.Clone(v), err
}

// jobBucket returns the sweep's bucket for writing, after checking that it
// has the job.
func (t *Tx) jobBucket(sweep, id string) (*bolt.Bucket, error) {
	b, err := t.sweepBucket(sweep)
	if err != nil {
		return nil, err
	}
	if b.Bucket(bucketJobs).Get([]byte(id)) == nil {
		return nil, fmt.Errorf("%w: %s/%s", ErrJobNotFound, sweep, id)
	}
	return b, nil
}
