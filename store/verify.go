package store

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// DamagedError is returned when the database file is truncated or corrupted;
// it wraps ErrDamaged. Nothing was written to the file: Open checks it
// read-only before any write, and never creates a file where one exists.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("the database file %s is damaged: %s; it was not changed", e.Path, e.Reason)
}

func (e *DamagedError) Unwrap() error { return ErrDamaged }

// verify checks an existing database file read-only: that it is not empty
// (bbolt would initialise an empty file as a new database), that bbolt
// accepts its meta pages, that it is as long as its meta page says, and
// bbolt's consistency check (every page reachable once, sane page types and
// keys). The check reads every page; on a 10,000-job sweep it takes about a
// tenth of a second.
func verify(path string, opts Options) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if fi.Size() == 0 {
		return &DamagedError{Path: path, Reason: "it is empty (0 bytes), not a database; remove it to start a new one"}
	}
	b, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: opts.Timeout, ReadOnly: true})
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return &LockError{Path: path, Holder: LockHolder(path)}
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum),
		errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrInvalidMapping):
		return &DamagedError{Path: path, Reason: fmt.Sprintf("%v (not a bbolt file, or its header pages are overwritten)", err)}
	case err != nil:
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) error {
		// Check before touching any page past the end of a truncated file:
		// that would fault (SIGBUS) instead of returning an error.
		if want := tx.Size(); want > fi.Size() {
			return &DamagedError{Path: path, Reason: fmt.Sprintf("it is truncated: %d bytes of the %d its header says it has", fi.Size(), want)}
		}
		for err := range tx.Check() {
			return &DamagedError{Path: path, Reason: "bbolt's consistency check failed: " + oneLine(err.Error())}
		}
		return nil
	})
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

func oneLine(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '\n' || r == '\r' {
			out[i] = ' '
		}
	}
	return string(out)
}
