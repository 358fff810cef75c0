package store

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// damages are the ways a database file gets hurt: an empty file (a crash
// before bbolt wrote its first page), random bytes, a copy cut short, a page
// of garbage over the middle, a file cut after its first page. They take the file and its layout (see
// layoutOf): bbolt files end in unused space, so "half" and "middle" are of
// the part in use.
var damages = map[string]func([]byte, layout) []byte{
	"empty":     func([]byte, layout) []byte { return nil },
	"random":    func(b []byte, _ layout) []byte { return randomBytes(len(b), 1) },
	"truncated": func(b []byte, l layout) []byte { return b[:l.used/2] },
	// Shorter than the two meta pages.
	"one page": func(b []byte, l layout) []byte { return b[:l.pageSize] },
	"garbage page": func(b []byte, l layout) []byte {
		out := bytes.Clone(b)
		copy(out[l.midPage:l.midPage+l.pageSize], randomBytes(int(l.pageSize), 2))
		return out
	},
}

// layout is where a bbolt file's data lies.
type layout struct {
	used     int64 // bytes up to the high-water mark
	pageSize int64
	midPage  int64 // offset of a page in use (a leaf or branch): the first from the middle of used on, else the last before it
}

func layoutOf(t *testing.T, path string) layout {
	t.Helper()
	b, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var l layout
	err = b.View(func(tx *bolt.Tx) error {
		l.used, l.pageSize = tx.Size(), int64(b.Info().PageSize)
		// From the middle up, then from the middle down.
		pages := int(l.used / l.pageSize)
		for i := range pages {
			id := pages/2 + i
			if id >= pages {
				id = pages - 1 - i
			}
			if info, err := tx.Page(id); err == nil && info != nil && (info.Type == "leaf" || info.Type == "branch") {
				l.midPage = int64(id) * l.pageSize
				return nil
			}
		}
		return fmt.Errorf("no leaf or branch page in use")
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.Uint32())
	}
	return out
}

// filledDB writes a database of a few dozen job records.
func filledDB(t *testing.T) ([]byte, layout) {
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
	return raw, layoutOf(t, db.Path())
}

func TestDamagedFileIsReportedAndNotChanged(t *testing.T) {
	good, l := filledDB(t)
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "lssr.db")
			bad := damage(good, l)
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
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
	if err := os.WriteFile(path, []byte{1}, 0o644); err != nil {
		t.Fatal(err)
	}
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
