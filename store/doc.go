// Package store keeps a sweep's state in one bbolt file: the sweep's spec,
// every job's state, attempts, timings, last error and final metrics, and
// each job's per-epoch series and ρ measurements.
//
// # Basics
//
// Open the file with Open, then read in View and write in Update, as with
// bbolt itself: the closure's Tx commits when it returns nil and rolls back
// when it returns an error. Only the orchestrator, and the short commands
// that change a sweep (retry, cancel, delete), write; every other command
// opens the file read-only. A second writer waits for Options.LockWait and
// then fails with a LockError (ErrLocked) that names the holder: a writer
// writes its PID and sweep into PATH.lock, and LockHolder reads them back,
// trusting them only while /proc/locks shows that process holding the lock.
//
// # Concurrency
//
// bbolt locks its file with flock, per open handle: two handles in one
// process contend as two processes would. So no goroutine may ever wait
// for a lock its own process holds, and readers must never make a running
// sweep fail. The design:
//
//   - A writer opens the bbolt file once, when it has taken the writer
//     lock, and keeps that one handle until Close. All its goroutines share
//     it: bbolt runs one Update at a time and any number of Views beside
//     it, inside the process, without file locks.
//   - While a writer holds the file, other processes cannot open it. The
//     writer serves their reads instead (serve.go): a read service on an
//     abstract unix socket whose address it adds to PATH.lock, for
//     processes of the same user. Each request (a value, a page of about
//     1 MB of a bucket, or the names of a bucket's buckets) is answered in a
//     read transaction of its own that ends before the answer is sent, so a
//     slow, stopped or killed reader holds nothing the writer needs. A View
//     through the service reads each request from the latest commit: one
//     record is always whole, but two reads in one View may see different
//     commits.
//   - With no writer, a reader opens the file read-only for the length of
//     one View. It looks at the kernel's lock table first and leaves the
//     file alone once a writer holds PATH.lock, so a starting writer waits
//     (up to Options.OpenWait) only for the direct reads already under way,
//     never for a stream of new ones; a reader stopped in the middle of one
//     makes the writer fail to start, naming the reader's PID.
//   - A reader waits up to Options.Timeout for a writer that is starting or
//     stopping; a writer lets the reads in progress finish when it closes.
//     If a writer dies in the middle of a View, the View fails with an
//     error that says to run the command again.
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
// A writer's Close waits up to two seconds for readers in the middle of a
// View before it cuts them off.
package store
