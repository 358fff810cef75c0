package store

import "errors"

// Errors returned when opening the file.
var (
	// ErrLocked is returned (inside a LockError naming the holder) when
	// another process holds the writer lock beyond Options.LockWait, or
	// bbolt's lock on the file beyond Options.Timeout.
	ErrLocked = errors.New("database is in use by another lssr process")
	// ErrDamaged is returned (inside a DamagedError saying why) when the
	// file is truncated or corrupted.
	ErrDamaged = errors.New("database file is damaged")
	// ErrNoDatabase is returned when a read-only open finds no file.
	ErrNoDatabase = errors.New("no database")
	// ErrSchema is returned when the file was written by an incompatible
	// version of lssr.
	ErrSchema = errors.New("unsupported schema version")
)

// Errors returned by transactions.
var (
	// ErrSweepNotFound is returned when no sweep has the given name.
	ErrSweepNotFound = errors.New("sweep not found")
	// ErrSweepExists is returned by CreateSweep when the name is taken.
	ErrSweepExists = errors.New("sweep already exists")
	// ErrJobNotFound is returned when a sweep has no job with the given ID.
	ErrJobNotFound = errors.New("job not found")
	// ErrNoWeights is returned by Tx.Weights when a job kept no weights: it
	// did not ask for them (training.save_weights), has not finished, or
	// diverged or stopped early.
	ErrNoWeights = errors.New("no saved weights")
)
