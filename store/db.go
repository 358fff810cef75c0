package store

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/lssr/lssr"
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
	// Timeout bounds how long a reader waits for access (default 5 s):
	// while a writer starts or stops, its read service may not answer yet.
	Timeout time.Duration
	// LockWait bounds the wait for the writer lock, PATH.lock (default
	// 200 ms). A sweep holds it for hours, so waiting longer only helps
	// against short writers such as `lssr sweep retry`.
	LockWait time.Duration
	// OpenWait bounds how long a writer waits, once it holds the writer
	// lock, for readers in other processes that read the file directly to
	// finish (default 30 s).
	OpenWait time.Duration
	// Sweep names the sweep a writer works on; it goes into PATH.lock next to
	// the PID, so `lssr sweep cancel` knows whom to stop.
	Sweep string
}

// DB is an lssr database. A writer holds the writer lock (the file
// PATH.lock) and one bbolt handle from Open to Close, and serves other
// processes' reads through its read service; a reader opens the file only
// for the length of each View when no writer holds it, and asks the writer
// otherwise (see the package doc).
type DB struct {
	path string
	opts Options
	lock *os.File
	bolt *bolt.DB // the writer's handle; nil for a reader
	srv  *server  // the writer's read service
}

// Open opens (or, unless read-only, creates) the database at path, checks
// that an existing file is intact (see verify: a damaged one gives a
// DamagedError and is not written to) and checks its schema version.
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.LockWait == 0 {
		opts.LockWait = 200 * time.Millisecond
	}
	if opts.OpenWait == 0 {
		opts.OpenWait = 30 * time.Second
	}
	db := &DB{path: path, opts: opts}
	fi, statErr := os.Stat(path)
	if opts.ReadOnly && errors.Is(statErr, os.ErrNotExist) {
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	}
	if statErr == nil && fi.IsDir() {
		return nil, lssr.BadInput("the database path %s is a folder, not a file", path)
	}
	if !opts.ReadOnly {
		if err := db.takeWriterLock(); err != nil {
			return nil, err
		}
	}
	if statErr == nil {
		// A reader skips the check while a writer holds the file: the
		// writer checked it when it opened it.
		err := guard(path, func() error { return verify(path) })
		if errors.Is(err, errBusy) && !opts.ReadOnly {
			// Not an lssr writer: those hold the writer lock first.
			err = &LockError{Path: path, Holder: LockHolder(path)}
		}
		if err != nil && !errors.Is(err, errBusy) {
			db.Close()
			return nil, err
		}
	}
	if !opts.ReadOnly {
		if err := db.openWriter(); err != nil {
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

// openWriter opens the writer's bbolt handle, waiting up to OpenWait for
// direct readers to let go of the file, and starts the read service.
func (db *DB) openWriter() error {
	err := guard(db.path, func() (err error) {
		db.bolt, err = bolt.Open(db.path, 0o644, &bolt.Options{Timeout: db.opts.OpenWait})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%s: %w: it is being read by %s for longer than %v", db.path, ErrLocked, readersOf(db.path), db.opts.OpenWait)
	}
	if err != nil {
		return fmt.Errorf("open %s: %w", db.path, err)
	}
	db.srv, err = serve(db)
	if err != nil {
		return err
	}
	return db.publish(db.srv.addr)
}

func (db *DB) initSchema() error {
	check := func(tx *Tx) error {
		v, err := tx.r.get([][]byte{bucketMeta}, keySchema)
		if errors.Is(err, errNoBucket) {
			if tx.tx != nil && tx.tx.Writable() {
				return nil
			}
			return fmt.Errorf("%s: %w: no schema version (not an lssr database?)", db.path, ErrSchema)
		}
		if err != nil {
			return err
		}
		if n, err := strconv.Atoi(string(v)); err != nil || n != SchemaVersion {
			return fmt.Errorf("%s: %w %q (this lssr reads %d)", db.path, ErrSchema, v, SchemaVersion)
		}
		return nil
	}
	if db.opts.ReadOnly {
		return db.View(check)
	}
	// An existing database is only read here: a command that then refuses
	// its input leaves the file as it was, to the byte.
	fresh := false
	err := db.View(func(tx *Tx) error {
		_, err := tx.r.get([][]byte{bucketMeta}, keySchema)
		fresh = errors.Is(err, errNoBucket)
		if fresh {
			return nil
		}
		return check(tx)
	})
	if err != nil || !fresh {
		return err
	}
	return db.Update(func(tx *Tx) error {
		if err := check(tx); err != nil {
			return err
		}
		meta, err := tx.tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if meta.Get(keySchema) == nil {
			if err := meta.Put(keySchema, []byte(strconv.Itoa(SchemaVersion))); err != nil {
				return err
			}
		}
		_, err = tx.tx.CreateBucketIfNotExists(bucketSweeps)
		return err
	})
}

// Path is the file's path.
func (db *DB) Path() string { return db.path }

// Close stops the read service (letting the reads in progress finish),
// closes the writer's handle and releases the writer lock, if held.
func (db *DB) Close() error {
	var err error
	if db.srv != nil {
		db.srv.stop()
		db.srv = nil
	}
	if db.bolt != nil {
		err = db.bolt.Close()
		db.bolt = nil
	}
	if db.lock != nil {
		if lerr := db.releaseWriterLock(); err == nil {
			err = lerr
		}
	}
	return err
}

// View runs fn in a read-only transaction. In a writer it reads through the
// writer's own handle. In a reader it opens the file for this View alone
// when no writer holds it, and otherwise asks the writer's read service,
// which answers each read from the latest commit (see the package doc);
// it waits up to Options.Timeout for a writer that is starting or stopping.
// fn runs again only when the service it asked stopped before answering
// its first read.
func (db *DB) View(fn func(*Tx) error) error {
	if db.bolt != nil {
		return guard(db.path, func() error {
			return db.bolt.View(func(tx *bolt.Tx) error { return fn(newTx(tx)) })
		})
	}
	deadline := time.Now().Add(db.opts.Timeout)
	for {
		err := db.viewDirect(fn)
		if !errors.Is(err, errBusy) {
			return err
		}
		err = db.viewRemote(fn)
		if !errors.Is(err, errNoService) {
			return err
		}
		if time.Now().After(deadline) {
			return &LockError{Path: db.path, Holder: LockHolder(db.path)}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// viewDirect runs fn on the file opened read-only for this call; errBusy
// when a writer holds the file or its writer lock. A reader leaves the file
// alone as soon as a writer holds the writer lock, so a writer waits only
// for the direct reads already in progress, never for a stream of new ones.
func (db *DB) viewDirect(fn func(*Tx) error) error {
	if writerPresent(db.path) {
		return errBusy
	}
	return guard(db.path, func() error {
		// A timeout this short tries bbolt's shared lock once.
		b, err := bolt.Open(db.path, 0o644, &bolt.Options{Timeout: time.Nanosecond, ReadOnly: true})
		if errors.Is(err, berrors.ErrTimeout) {
			return errBusy
		}
		if err != nil {
			return fmt.Errorf("open %s: %w", db.path, err)
		}
		// Close even when fn panics: bbolt rolls the transaction back first.
		defer b.Close()
		return b.View(func(tx *bolt.Tx) error { return fn(newTx(tx)) })
	})
}

// Update runs fn in a read-write transaction that commits when fn returns
// nil and rolls back otherwise. Only a DB opened for writing may update;
// bbolt runs one Update at a time, the others wait in this process.
func (db *DB) Update(fn func(*Tx) error) error {
	if db.bolt == nil {
		return errors.New("store: update on a read-only database")
	}
	return guard(db.path, func() error {
		return db.bolt.Update(func(tx *bolt.Tx) error { return fn(newTx(tx)) })
	})
}
