package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
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
	// Timeout bounds the wait for another process's lock (default 1 s).
	Timeout time.Duration
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

// Open opens (or, unless read-only, creates) the database at path and checks
// its schema version.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	db := &DB{path: path, opts: opts}
	if opts.ReadOnly {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
		}
	} else if err := db.takeWriterLock(); err != nil {
		return nil, err
	}
	if err := db.initSchema(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// takeWriterLock takes an exclusive flock on PATH.lock, retrying until the
// timeout. The kernel drops it when the process dies, so a killed
// orchestrator never leaves a stale lock.
func (db *DB) takeWriterLock() error {
	f, err := os.OpenFile(db.path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("open %s.lock: %w", db.path, err)
	}
	deadline := time.Now().Add(db.opts.Timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			db.lock = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return fmt.Errorf("%s: %w", db.path, ErrLocked)
		}
		time.Sleep(20 * time.Millisecond)
	}
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

// withBolt opens the bbolt file for one use.
func (db *DB) withBolt(readOnly bool, fn func(*bolt.DB) error) error {
	b, err := bolt.Open(db.path, 0o644, &bolt.Options{Timeout: db.opts.Timeout, ReadOnly: readOnly})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%s: %w", db.path, ErrLocked)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", db.path, err)
	}
	err = fn(b)
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }

// Close releases the writer lock, if held.
func (db *DB) Close() error {
	if db.lock == nil {
		return nil
	}
	err := db.lock.Close()
	db.lock = nil
	return err
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
