package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/lssr/lssr/internal/text"
)

// DamagedError is returned when the database file is truncated or corrupted;
// it wraps ErrDamaged. Nothing was written to the file: Open checks it
// read-only before any write, and never creates a file where one exists.
type DamagedError struct {
	Path   string
	Reason string
}

// Error names the file and what is wrong with it, and says it is unchanged.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("the database file %s is damaged: %s; it was not changed", e.Path, e.Reason)
}

// Unwrap makes every DamagedError match ErrDamaged.
func (e *DamagedError) Unwrap() error { return ErrDamaged }

// verify checks an existing database file read-only: that it is not empty
// (bbolt would initialise an empty file as a new database), that bbolt
// accepts its meta pages, that it is as long as its meta page says, and
// bbolt's consistency check (every page reachable once, sane page types and
// keys). The check reads every page; on a 10,000-job sweep it took 7 ms
// (records only, 16 MB) to 160 ms (with 200-epoch series, 180 MB).
//
// It returns errBusy when a writer holds the file.
func verify(path string) error {
	size, err := lockedSize(path)
	if err != nil {
		return err
	}
	if size == 0 {
		return &DamagedError{Path: path, Reason: "it is empty (0 bytes), not a database; remove it to start a new one"}
	}
	b, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: time.Nanosecond, ReadOnly: true})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return errBusy
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return &DamagedError{Path: path, Reason: fmt.Sprintf("%v (not a bbolt file, or its header pages are overwritten)", err)}
	case errors.As(err, new(*fs.PathError)):
		return fmt.Errorf("open %s: %w", path, err) // the file system's error, not the file's
	case err != nil:
		// bbolt's other refusals are about the content, e.g. "file size
		// too small" for a file shorter than its two meta pages.
		return &DamagedError{Path: path, Reason: err.Error()}
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) error {
		// Check before touching any page past the end of a truncated file:
		// that would fault (SIGBUS) instead of returning an error. Stat
		// again now that bbolt's shared lock keeps writers out: a commit
		// since the first stat may have grown the file.
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if want := tx.Size(); want > fi.Size() {
			return &DamagedError{Path: path, Reason: fmt.Sprintf("it is truncated: %d bytes of the %d its header says it has", fi.Size(), want)}
		}
		for err := range tx.Check() {
			return &DamagedError{Path: path, Reason: "bbolt's consistency check failed: " + text.OneLine(err.Error())}
		}
		return nil
	})
}

// lockedSize returns the file's size under a shared flock, the lock bbolt
// takes: a writer creating the file holds it exclusively until its first
// pages are written, so an empty file seen here is not one being created.
// It returns errBusy when a writer holds the lock.
func lockedSize(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return 0, errBusy
		}
		return 0, fmt.Errorf("lock %s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// guard runs fn, turning a panic or a memory fault inside bbolt (which
// trusts the file's pages) into a DamagedError, so a damaged file ends the
// command with a message, not a stack trace.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Reason: fmt.Sprintf("reading it failed: %v", r)}
		}
	}()
	return fn()
}
