package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// damages are the ways a database file gets hurt: an empty file (a crash
// before bbolt wrote its first page), random bytes, a copy cut short, a page
// of garbage over the middle, a file cut after its first page. They take
// the file and its layout: bbolt files end in unused space, so "half" and
// "middle" are of the part in use.
var damages = map[string]func([]byte, testutil.BoltLayout) []byte{
	"empty":     func([]byte, testutil.BoltLayout) []byte { return nil },
	"random":    func(b []byte, _ testutil.BoltLayout) []byte { return testutil.RandomBytes(len(b), 1, 1) },
	"truncated": func(b []byte, l testutil.BoltLayout) []byte { return b[:l.Used/2] },
	// Shorter than the two meta pages.
	"one page": func(b []byte, l testutil.BoltLayout) []byte { return b[:l.PageSize] },
	"garbage page": func(b []byte, l testutil.BoltLayout) []byte {
		out := bytes.Clone(b)
		copy(out[l.MidPage:l.MidPage+l.PageSize], testutil.RandomBytes(int(l.PageSize), 2, 2))
		return out
	},
}

// filledDB writes a database of a few dozen job records.
func filledDB(t *testing.T) ([]byte, testutil.BoltLayout) {
	t.Helper()
	db := openTest(t)
	if err := db.Update(func(tx *Tx) error { return tx.CreateSweep(SweepRecord{Name: "s"}, testJobs(40)) }); err != nil {
		t.Fatal(err)
	}
	db.Close() // the writer holds the file until it closes
	raw, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	return raw, testutil.ReadBoltLayout(t, db.Path())
}

func TestDamagedFileIsReportedAndNotChanged(t *testing.T) {
	good, l := filledDB(t)
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lssr.db")
			bad := damage(good, l)
			testutil.WriteFile(t, path, bad)
			for _, ro := range []bool{true, false} {
				db, err := Open(path, Options{ReadOnly: ro})
				if err == nil {
					db.Close()
					t.Fatalf("read-only %v: Open succeeded", ro)
				}
				var de *DamagedError
				if !errors.As(err, &de) || !errors.Is(err, ErrDamaged) {
					t.Fatalf("read-only %v: %v, want a DamagedError", ro, err)
				}
				msg := err.Error()
				if !strings.HasPrefix(msg, "the database file "+path+" is damaged: ") || !strings.HasSuffix(msg, "; it was not changed") || strings.Contains(msg, "\n") {
					t.Errorf("message %q", msg)
				}
				t.Logf("read-only %v: %v", ro, err)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, bad) {
				t.Error("the damaged file was changed")
			}
		})
	}
}

func TestLockHolderNamesTheWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lssr.db")
	db, err := Open(path, Options{Sweep: "quick start"})
	if err != nil {
		t.Fatal(err)
	}
	if h := LockHolder(path); h.PID != os.Getpid() || h.Sweep != "quick start" {
		t.Errorf("holder %+v, want this process and its sweep", h)
	}
	_, err = Open(path, Options{LockWait: 50 * 1e6})
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.Holder.PID != os.Getpid() {
		t.Fatalf("second writer: %v, want a LockError naming this process", err)
	}
	t.Log(err)
	db.Close()
	if h := LockHolder(path); h != (Holder{}) {
		t.Errorf("holder after Close: %+v", h)
	}
	// A PID left in the file by a process that no longer holds the lock is
	// not trusted.
	os.WriteFile(path+".lock", []byte("1\nother\n"), 0o644)
	if h := LockHolder(path); h != (Holder{}) {
		t.Errorf("holder from a stale file: %+v", h)
	}
}

// TestGuardTurnsFaultsIntoErrors: a read past the end of a mapped file,
// what bbolt does on a file cut short after Open checked it, faults with
// SIGBUS; guard makes it a DamagedError instead of a crash.
func TestGuardTurnsFaultsIntoErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "short")
	testutil.WriteFile(t, path, []byte{1})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(int(f.Fd()), 0, 2*os.Getpagesize(), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	var sink byte
	err = guard(path, func() error { sink = mem[os.Getpagesize()]; return nil })
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("fault: %v, want a DamagedError", err)
	}
	t.Log(err, sink)
	if err := guard(path, func() error { panic("invalid page type") }); !errors.Is(err, ErrDamaged) {
		t.Fatalf("panic: %v, want a DamagedError", err)
	}
}
