package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// PATH.lock holds, while a writer has the database, three lines: the
// writer's PID, its sweep, and the address of its read service (see
// serve.go), which it adds once the service listens.

// Holder is the process that holds a database's writer lock, as it wrote
// itself into PATH.lock.
type Holder struct {
	PID   int    // 0 when unknown
	Sweep string // the sweep it works on; empty when it did not say
}

// String names the holder for an error message: "lssr pid 4242 (sweep
// quickstart)", or less when the lock file said less.
func (h Holder) String() string {
	switch {
	case h.PID == 0:
		return "another lssr process"
	case h.Sweep == "":
		return fmt.Sprintf("lssr pid %d", h.PID)
	}
	return fmt.Sprintf("lssr pid %d (sweep %s)", h.PID, h.Sweep)
}

// LockError is the error Open returns when another process holds the
// writer lock; it wraps ErrLocked.
type LockError struct {
	Path   string
	Holder Holder
}

// Error says which database is in use and by whom.
func (e *LockError) Error() string {
	return fmt.Sprintf("%s: database is in use by %s", e.Path, e.Holder)
}

// Unwrap returns ErrLocked, so errors.Is(err, ErrLocked) holds.
func (e *LockError) Unwrap() error { return ErrLocked }

// takeWriterLock takes an exclusive flock on PATH.lock, retrying until
// LockWait, and writes this process's PID and sweep into it for
// `lssr sweep cancel`. The kernel drops the flock when the process dies, so
// a killed orchestrator never leaves a stale lock (only a stale PID, which
// LockHolder does not trust).
func (db *DB) takeWriterLock() error {
	f, err := os.OpenFile(db.path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("open %s.lock: %w", db.path, err)
	}
	deadline := time.Now().Add(db.opts.LockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			f.Close()
			return &LockError{Path: db.path, Holder: LockHolder(db.path)}
		}
		time.Sleep(20 * time.Millisecond)
	}
	db.lock = f
	// Best effort: the PID only helps cancel find the process.
	db.writeLockFile("")
	return nil
}

// writeLockFile writes this writer's PID, sweep and read service address
// into PATH.lock.
//
// It writes over the old content and then cuts the file to the new
// length, never emptying it first: the address only adds a line, so a
// reader of PATH.lock sees this writer's PID and sweep throughout.
func (db *DB) writeLockFile(addr string) error {
	content := []byte(fmt.Sprintf("%d\n%s\n%s\n", os.Getpid(), db.opts.Sweep, addr))
	if _, err := db.lock.WriteAt(content, 0); err != nil {
		return err
	}
	return db.lock.Truncate(int64(len(content)))
}

// publish writes the read service's address into PATH.lock, where readers
// find it.
func (db *DB) publish(addr string) error {
	if err := db.writeLockFile(addr); err != nil {
		return fmt.Errorf("%s.lock: %w", db.path, err)
	}
	return nil
}

// releaseWriterLock empties PATH.lock and drops the flock.
func (db *DB) releaseWriterLock() error {
	db.lock.Truncate(0)
	err := db.lock.Close()
	db.lock = nil
	return err
}

// LockHolder says which process holds the writer lock of the database at
// path. It trusts the PID written in PATH.lock only when the kernel's lock
// table (/proc/locks) shows that process holding the flock on that file, so
// a PID left by a killed process, or not yet replaced by a new holder, is
// never reported. A zero Holder means no lock is held or its holder is
// unknown.
func LockHolder(path string) Holder {
	h, _ := lockFile(path)
	return h
}

// lockFile reads PATH.lock: the holder and its read service's address,
// trusted only while the holder holds the lock (see LockHolder).
func lockFile(path string) (Holder, string) {
	raw, err := os.ReadFile(path + ".lock")
	if err != nil {
		return Holder{}, ""
	}
	lines := strings.Split(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(lines[0]))
	if err != nil || pid <= 0 {
		return Holder{}, ""
	}
	fi, err := os.Stat(path + ".lock")
	if err != nil {
		return Holder{}, ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || len(flockHolders(st.Ino, func(p int) bool { return p == pid })) == 0 {
		return Holder{}, ""
	}
	h := Holder{PID: pid}
	if len(lines) > 1 {
		h.Sweep = strings.TrimSpace(lines[1])
	}
	addr := ""
	if len(lines) > 2 {
		addr = strings.TrimSpace(lines[2])
	}
	return h, addr
}

// writerPresent reports whether a process holds the writer lock of the
// database at path. It reads the kernel's lock table rather than trying the
// lock, so that readers, however many, never delay a writer taking it.
func writerPresent(path string) bool {
	fi, err := os.Stat(path + ".lock")
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && len(flockHolders(st.Ino, func(int) bool { return true })) > 0
}

// readersOf names the processes other than this one that hold a flock on
// the database file: readers reading it directly.
func readersOf(path string) string {
	fi, err := os.Stat(path)
	st, ok := fi.Sys().(*syscall.Stat_t)
	if err != nil || !ok {
		return "another process"
	}
	pids := flockHolders(st.Ino, func(p int) bool { return p != os.Getpid() })
	if len(pids) == 0 {
		return "another process"
	}
	var s []string
	for _, p := range pids {
		s = append(s, strconv.Itoa(p))
	}
	return "pid " + strings.Join(s, ", ")
}

// flockHolders lists the PIDs that /proc/locks shows holding an flock on
// inode and that keep says to keep. Lines read
// "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF".
func flockHolders(inode uint64, keep func(pid int) bool) []int {
	f, err := os.Open("/proc/locks")
	if err != nil {
		return nil
	}
	defer f.Close()
	var pids []int
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		dev := strings.Split(fields[5], ":")
		pid, err := strconv.Atoi(fields[4])
		if err == nil && len(dev) == 3 && dev[2] == strconv.FormatUint(inode, 10) && keep(pid) && !slices.Contains(pids, pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}
