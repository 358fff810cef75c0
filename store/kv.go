package store

import (
	"bytes"
	"errors"

	bolt "go.etcd.io/bbolt"
)

// errNoBucket is returned by a reader when a bucket on the path is missing.
var errNoBucket = errors.New("no such bucket")

// reader is what Tx's read methods need of a transaction: values and nested
// bucket names, by bucket path from the root. In the process that holds the
// database it is a bbolt transaction (boltReader); in any other process
// while a writer holds the file, it is that writer's read service
// (remoteReader, see serve.go). Tx's read methods are written once, over
// this interface.
type reader interface {
	// get returns the value under key in the bucket at path, nil when the
	// key is missing, and errNoBucket when the bucket is. The value may be
	// valid only until the transaction ends.
	get(path [][]byte, key []byte) ([]byte, error)
	// each calls fn with every key and value (not nested buckets) in the
	// bucket at path, in key order; errNoBucket when the bucket is missing.
	// The slices are valid only during the call.
	each(path [][]byte, fn func(k, v []byte) error) error
	// buckets returns the names of the buckets nested in the bucket at path.
	buckets(path [][]byte) ([]string, error)
}

// boltReader reads through a bbolt transaction.
type boltReader struct{ tx *bolt.Tx }

var _ reader = boltReader{}

// bucket walks path from the root; nil when a bucket on it is missing.
func (r boltReader) bucket(path [][]byte) *bolt.Bucket {
	if len(path) == 0 {
		return nil
	}
	b := r.tx.Bucket(path[0])
	for _, name := range path[1:] {
		if b == nil {
			return nil
		}
		b = b.Bucket(name)
	}
	return b
}

func (r boltReader) get(path [][]byte, key []byte) ([]byte, error) {
	b := r.bucket(path)
	if b == nil {
		return nil, errNoBucket
	}
	return b.Get(key), nil
}

func (r boltReader) each(path [][]byte, fn func(k, v []byte) error) error {
	b := r.bucket(path)
	if b == nil {
		return errNoBucket
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil { // a nested bucket
			return nil
		}
		return fn(k, v)
	})
}

func (r boltReader) buckets(path [][]byte) ([]string, error) {
	b := r.bucket(path)
	if b == nil {
		return nil, errNoBucket
	}
	var names []string
	err := b.ForEachBucket(func(k []byte) error {
		names = append(names, string(k))
		return nil
	})
	return names, err
}

// page copies the pairs of the bucket at path that follow after (all of
// them when after is nil), up to about limit bytes and at least one pair; more
// says whether pairs remain. It serves remote each calls a page at a time,
// so that no read transaction waits on a slow client.
func (r boltReader) page(path [][]byte, after []byte, limit int) (pairs [][2][]byte, more bool, err error) {
	b := r.bucket(path)
	if b == nil {
		return nil, false, errNoBucket
	}
	c := b.Cursor()
	var k, v []byte
	if after == nil {
		k, v = c.First()
	} else if k, v = c.Seek(after); k != nil && bytes.Equal(k, after) {
		k, v = c.Next()
	}
	size := 0
	for ; k != nil; k, v = c.Next() {
		if v == nil {
			continue
		}
		if size >= limit && len(pairs) > 0 {
			return pairs, true, nil
		}
		pairs = append(pairs, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		size += len(k) + len(v)
	}
	return pairs, false, nil
}
