package store

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Holder is the process that holds a database's writer lock, as it wrote
// itself into PATH.lock.
type Holder struct {
	PID   int    // 0 when unknown
	Sweep string // the sweep it works on; empty when it did not say
}

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

func (e *LockError) Error() string {
	return fmt.Sprintf("%s: database is in use by %s", e.Path, e.Holder)
}

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
	// Best effort: the PID only helps cancel find the process.
	if err := f.Truncate(0); err == nil {
		fmt.Fprintf(f, "%d\n%s\n", os.Getpid(), db.opts.Sweep)
	}
	db.lock = f
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
	raw, err := os.ReadFile(path + ".lock")
	if err != nil {
		return Holder{}
	}
	pidLine, sweep, _ := strings.Cut(string(raw), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(pidLine))
	if err != nil || pid <= 0 {
		return Holder{}
	}
	fi, err := os.Stat(path + ".lock")
	if err != nil {
		return Holder{}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !holdsFlock(pid, st.Ino) {
		return Holder{}
	}
	return Holder{PID: pid, Sweep: strings.TrimSpace(sweep)}
}

// holdsFlock reports whether /proc/locks lists an flock by pid on inode.
// Lines read "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF".
func holdsFlock(pid int, inode uint64) bool {
	f, err := os.Open("/proc/locks")
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" {
			continue
		}
		dev := strings.Split(fields[5], ":")
		if fields[4] == strconv.Itoa(pid) && len(dev) == 3 && dev[2] == strconv.FormatUint(inode, 10) {
			return true
		}
	}
	return false
}
