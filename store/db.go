package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout version this package reads and writes.
const SchemaVersion = 1

var (
	bucketMeta   = []byte("meta")
	bucketSweeps = []byte("sweeps")
	keySchema    = []byte("schema_version")
)

// Options tune Open.
type Options struct {
	// ReadOnly opens the file for reading; it must exist.
	ReadOnly bool
	// Timeout bounds each wait for bbolt's own lock on the file, which a
	// writer holds only while it commits (default 1 s), so a reader never
	// hangs.
	Timeout time.Duration
	// LockWait bounds the wait for the writer lock, PATH.lock (default
	// 200 ms). A sweep holds it for hours, so waiting longer only helps
	// against short writers such as `lssr sweep retry`.
	LockWait time.Duration
	// Sweep names the sweep a writer works on; it goes into PATH.lock next to
	// the PID, so `lssr sweep cancel` knows whom to stop.
	Sweep string
}

// DB is an lssr database. A writer holds the writer lock (the file
// PATH.lock) from Open to Close, so two orchestrators never share a file;
// the bbolt file itself is opened only for the length of each transaction,
// so `lssr sweep status` can read while a sweep runs.
type DB struct {
	path string
	opts Options
	lock *os.File
}

// Open opens (or, unless read-only, creates) the database at path, checks
// that an existing file is intact (see verify: a damaged one gives a
// DamagedError and is not written to) and checks its schema version.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if opts.LockWait == 0 {
		opts.LockWait = 200 * time.Millisecond
	}
	db := &DB{path: path, opts: opts}
	_, statErr := os.Stat(path)
	if opts.ReadOnly && errors.Is(statErr, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	if !opts.ReadOnly {
		if err := db.takeWriterLock(); err != nil {
			return nil, err
		}
	}
	if statErr == nil {
		if err := guard(path, func() error { return verify(path, opts) }); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.initSchema(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) initSchema() error {
	check := func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			if tx.Writable() {
				return nil
			}
			return fmt.Errorf("%s: %w: no schema version (not an lssr database?)", db.path, ErrSchema)
		}
		v := meta.Get(keySchema)
		if n, err := strconv.Atoi(string(v)); err != nil || n != SchemaVersion {
			return fmt.Errorf("%s: %w %q (this lssr reads %d)", db.path, ErrSchema, v, SchemaVersion)
		}
		return nil
	}
	if db.opts.ReadOnly {
		return db.withBolt(true, func(b *bolt.DB) error { return b.View(check) })
	}
	return db.withBolt(false, func(b *bolt.DB) error {
		return b.Update(func(tx *bolt.Tx) error {
			if err := check(tx); err != nil {
				return err
			}
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if meta.Get(keySchema) == nil {
				if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
					return err
				}
			}
			_, err = tx.CreateBucketIfNotExists(bucketSweeps)
			return err
		})
	})
}

// withBolt opens the bbolt file for one use. A panic or fault inside bbolt
// (a file damaged after Open checked it) becomes a DamagedError.
func (db *DB) withBolt(readOnly bool, fn func(*bolt.DB) error) error {
	return guard(db.path, func() error {
		b, err := bolt.Open(db.path, 0o644, &bolt.Options{Timeout: db.opts.Timeout, ReadOnly: readOnly})
		if errors.Is(err, berrors.ErrTimeout) {
			return &LockError{Path: db.path, Holder: LockHolder(db.path)}
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", db.path, err)
		}
		// Close even when fn panics: bbolt rolls the transaction back first.
		closed := false
		defer func() {
			if !closed {
				b.Close()
			}
		}()
		err = fn(b)
		closed = true
		if cerr := b.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }

// Close releases the writer lock, if held.
func (db *DB) Close() error {
	if db.lock == nil {
		return nil
	}
	return db.releaseWriterLock()
}

// View runs fn in a read-only transaction.
func (db *DB) View(fn func(*Tx) error) error {
	return db.withBolt(true, func(b *bolt.DB) error {
		return b.View(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
	})
}

// Update runs fn in a read-write transaction that commits when fn returns
// nil and rolls back otherwise. Only a DB opened for writing may update.
func (db *DB) Update(fn func(*Tx) error) error {
	if db.opts.ReadOnly {
		return errors.New("store: update on a read-only database")
	}
	return db.withBolt(false, func(b *bolt.DB) error {
		return b.Update(func(tx *bolt.Tx) error { return fn(&Tx{tx: tx}) })
	})
}
