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
// Options.Timeout and then fails with ErrLocked.
//
// Layout (schema version 1):
//
//	meta/schema_version         "1"
//	sweeps/<name>/record        SweepRecord (JSON)
//	sweeps/<name>/jobs/<id>     JobRecord (JSON), small: status reads only these
//	sweeps/<name>/series/<id>   Series (JSON): per-epoch stats and measurements
//	sweeps/<name>/weights/<id>  final weights (safetensors bytes), only for
//	                            done jobs that asked for them
//
// The weights bucket came after version 1 was fixed; it is optional, so
// older files need no migration and older lssr builds ignore it.
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
