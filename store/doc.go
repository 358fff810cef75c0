// Package store keeps a sweep's state in one bbolt file: the sweep's spec,
// every job's state, attempts, timings, last error and final metrics, and
// each job's per-epoch series and ρ measurements.
//
// # Basics
//
// Open the file with Open, then read in View and write in Update, as with
// bbolt itself: the closure's Tx commits when it returns nil and rolls back
// when it returns an error. Only the orchestrator writes; every other
// command opens the file read-only. A second writer waits for
// Options.LockWait and then fails with a LockError (ErrLocked) that names
// the holder: a writer writes its PID and sweep into PATH.lock, and
// LockHolder reads them back, trusting them only while /proc/locks shows
// that process holding the lock.
//
// Open checks an existing file read-only before anything else (meta pages,
// length against the high-water mark, bbolt's Tx.Check) and reports a
// truncated or corrupted one with a DamagedError (ErrDamaged). It never
// creates a database where a file exists, so an empty or damaged file is
// never overwritten; a bbolt panic or memory fault on a file damaged later
// also ends as a DamagedError.
//
// Layout (schema version 1):
//
//	meta/schema_version         "1"
//	sweeps/<name>/record        SweepRecord (JSON)
//	sweeps/<name>/jobs/<id>     JobRecord (JSON), small: status reads only these
//	sweeps/<name>/series/<id>   Series (JSON): per-epoch stats and measurements
//	sweeps/<name>/weights/<id>  final weights (safetensors bytes), only for
//	                            done jobs that asked for them
//	sweeps/<name>/retired/<id>  Retired (JSON): a job's record and series as
//	                            they were before Tx.Retry queued it again
//
// The weights and retired buckets came after version 1 was fixed; they are
// optional, so older files need no migration and older lssr builds ignore
// them. The state "cancelled" is newer too: an older build resuming a sweep
// would run cancelled jobs as if they were pending. So are a JobRecord's
// "failures" and "interruptions", which split its "attempts" (every start)
// by how the ended ones ended; they are omitted when zero, so a record
// written before them decodes with both zero, and JobRecord.Unsplit counts
// its ended attempts as unexplained (CountedFailures treats them as
// failures). An older build ignores the two fields, and drops them when it
// rewrites a record.
//
// # Caveats
//
// Records returned by a Tx are decoded copies, and Tx.Weights returns a copy
// of the bytes: they stay valid after the transaction ends, and changing
// them changes nothing in the file until they are written back with PutJob
// or PutWeights.
//
// Each View and Update opens the bbolt file for its own length, so a reader
// waits (up to Options.Timeout) only while a write commits, never for a whole
// sweep; the writer lock on PATH.lock is what keeps a second orchestrator out.
package store
