package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestDamagedDatabase: status, resume and run on a database file that is
// empty, random bytes, cut to half its used length, or has a page of
// garbage over a page in use in its middle. Each gives one line and exit
// status 1, and leaves the file as it was.
func TestDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "s.yaml"), syntheticSpec("dmg", 2))
	if r := runLSSR(t, dir, "--db", "good.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	good, err := os.ReadFile(filepath.Join(dir, "good.db"))
	if err != nil {
		t.Fatal(err)
	}
	used, pageSize, midPage := bboltLayout(t, filepath.Join(dir, "good.db"))
	damages := map[string][]byte{
		"empty":        {},
		"random":       randomBytes(len(good)),
		"truncated":    good[:used/2],
		"garbage page": bytes.Clone(good),
	}
	copy(damages["garbage page"][midPage:midPage+pageSize], randomBytes(int(pageSize)))
	for name, bad := range damages {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
			if err := os.WriteFile(path, bad, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"sweep", "status", "dmg"}, {"sweep", "resume", "dmg"}, {"sweep", "run", "s.yaml"}} {
				r := runLSSR(t, dir, append([]string{"--db", filepath.Base(path)}, args...)...)
				line := oneStderrLine(t, r)
				t.Logf("%s: exit %d: %s", args[1], r.code, line)
				if r.code != 1 || !strings.HasPrefix(line, "lssr: the database file "+filepath.Base(path)+" is damaged: ") ||
					!strings.HasSuffix(line, "; it was not changed") {
					t.Errorf("%s: exit %d, %q: want 1 and the damaged-file message", args[1], r.code, line)
				}
				if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stdout, "resuming") {
					t.Errorf("%s: a stack trace or a start:\n%s%s", args[1], r.stdout, r.stderr)
				}
				if after, _ := os.ReadFile(path); !bytes.Equal(after, bad) {
					t.Fatalf("%s changed the damaged file", args[1])
				}
			}
		})
	}
}

// bboltLayout returns the bytes a bbolt file uses (to its high-water mark),
// its page size and the offset of a page in use (a leaf or branch), the
// first from the middle of the used bytes on, else the last before it: a
// file ends in unused space, and a page of garbage there or on a free page
// harms nothing.
func bboltLayout(t *testing.T, path string) (used, pageSize, midPage int64) {
	t.Helper()
	b, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		used, pageSize = tx.Size(), int64(b.Info().PageSize)
		// Which pages are in use depends on how the commits fell: look from
		// the middle up, then from the middle down.
		pages := int(used / pageSize)
		for i := range pages {
			id := pages/2 + i
			if id >= pages {
				id = pages - 1 - i
			}
			if info, err := tx.Page(id); err == nil && info != nil && (info.Type == "leaf" || info.Type == "branch") {
				midPage = int64(id) * pageSize
				return nil
			}
		}
		t.Fatal("no leaf or branch page in use")
		return nil
	})
	return used, pageSize, midPage
}

func randomBytes(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.Uint32())
	}
	return out
}
