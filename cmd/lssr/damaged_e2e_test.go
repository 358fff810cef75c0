package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// TestDamagedDatabase: status, resume and run on a database file that is
// empty, random bytes, cut to half its used length, or has a page of
// garbage over a page in use in its middle. Each gives one line and exit
// status 1, and leaves the file as it was.
func TestDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), syntheticSpec("dmg", 2).YAML())
	if r := runLSSR(t, dir, "--db", "good.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	good, err := os.ReadFile(filepath.Join(dir, "good.db"))
	if err != nil {
		t.Fatal(err)
	}
	l := testutil.ReadBoltLayout(t, filepath.Join(dir, "good.db"))
	damages := map[string][]byte{
		"empty":        {},
		"random":       testutil.RandomBytes(len(good), 1, 2),
		"truncated":    good[:l.Used/2],
		"garbage page": bytes.Clone(good),
	}
	copy(damages["garbage page"][l.MidPage:l.MidPage+l.PageSize], testutil.RandomBytes(int(l.PageSize), 1, 2))
	for name, bad := range damages {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".db")
			testutil.WriteFile(t, path, bad)
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
