package store

import (
	"bytes"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketWeights holds each job's final weights under its ID, apart from the
// job records: status and export read every record, and a record carrying
// megabytes of weights would make them slow. Sweeps created before weights
// were kept have no such bucket until the first job saves some.
var bucketWeights = []byte("weights")

// PutWeights stores a job's final weights (a safetensors file's bytes),
// replacing any it had; the job must exist.
func (t *Tx) PutWeights(sweep, id string, weights []byte) error {
	b, err := t.jobBucket(sweep, id)
	if err != nil {
		return err
	}
	wb, err := b.CreateBucketIfNotExists(bucketWeights)
	if err != nil {
		return err
	}
	return wb.Put([]byte(id), weights)
}

// DeleteWeights removes a job's weights, if it has any; the job must exist.
func (t *Tx) DeleteWeights(sweep, id string) error {
	b, err := t.jobBucket(sweep, id)
	if err != nil {
		return err
	}
	if wb := b.Bucket(bucketWeights); wb != nil {
		return wb.Delete([]byte(id))
	}
	return nil
}

// Weights returns a copy of a job's final weights, which stays valid after
// the transaction. A job that kept none gives an error wrapping
// ErrNoWeights; an unknown sweep or job, ErrSweepNotFound or
// ErrJobNotFound.
func (t *Tx) Weights(sweep, id string) ([]byte, error) {
	b, err := t.jobBucket(sweep, id)
	if err != nil {
		return nil, err
	}
	var w []byte
	if wb := b.Bucket(bucketWeights); wb != nil {
		w = wb.Get([]byte(id))
	}
	if w == nil {
		return nil, fmt.Errorf("%w: %s/%s", ErrNoWeights, sweep, id)
	}
	return bytes.Clone(w), nil
}

// jobBucket returns the sweep's bucket after checking that it has the job.
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
