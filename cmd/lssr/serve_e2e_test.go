package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeRefusesANonLoopbackAddressWithoutPublic(t *testing.T) {
	dir := t.TempDir()
	for _, addr := range []string{"0.0.0.0:0", "[::]:0", ":0"} {
		r := runLSSR(t, dir, "--db", "lssr.db", "serve", "--addr", addr)
		if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--public") || r.stdout != "" {
			t.Errorf("serve --addr %s: exit %d, stdout %q, stderr %q; want exit 2 and one line naming --public", addr, r.code, r.stdout, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused serve left %d files", len(entries))
	}
}

// A sweep run started while serve polls another sweep of the same database
// for a watching page gets the writer lock and completes.
func TestSweepRunStartedWhileServeWatchesCompletes(t *testing.T) {
	dir := t.TempDir()
	writeSpec(t, filepath.Join(dir, "a.yaml"), syntheticSpec("a", 2).YAML())
	writeSpec(t, filepath.Join(dir, "b.yaml"), syntheticSpec("b", 2).YAML())
	if r := runLSSR(t, dir, "sweep", "run", "a.yaml"); r.code != 0 {
		t.Fatalf("sweep run a: %d %s", r.code, r.stderr)
	}
	base := startServe(t, dir, "lssr.db")
	resp, err := http.Get(base + "/api/sweeps/a/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() && sc.Text() != "event: state" {
	}
	if sc.Err() != nil {
		t.Fatal(sc.Err())
	}
	// The poller of a now runs; a new writer starts beside it.
	r := runLSSR(t, dir, "sweep", "run", "b.yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "sweep b: 0 pending, 0 running, 9 done") {
		t.Fatalf("sweep run b beside serve: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	list, err := http.Get(base + "/api/sweeps")
	if err != nil {
		t.Fatal(err)
	}
	defer list.Body.Close()
	var got struct {
		Sweeps []struct {
			Name     string `json:"name"`
			Progress struct{ Outcomes, Jobs int }
		}
	}
	if err := json.NewDecoder(list.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got.Sweeps) != 2 || got.Sweeps[1].Name != "b" || got.Sweeps[1].Progress.Outcomes != 9 || got.Sweeps[1].Progress.Jobs != 9 {
		t.Errorf("/api/sweeps after b ran: %+v, want a and b with 9 of 9 finished", got.Sweeps)
	}
}

func writeSpec(t *testing.T, path, yaml string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
}
