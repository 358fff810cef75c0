package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/trainer/kernels"
)

// TestProvenanceKeptShownAndExported: every finished job records what
// computed it; show summarises it, export --format json prints it per job.
func TestProvenanceKeptShownAndExported(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), cfgSpec("prov", 1, "[8, 16]", "[0.1]"))
	if r := runLSSR(t, dir, "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	host, _ := os.Hostname()
	for _, row := range exportedProvenance(t, dir, "prov", 2) {
		p := row.Provenance
		if p == nil || p.Host != host || p.KernelPath != kernels.Path() || p.GoVersion != runtime.Version() || p.CPU == "" || p.Commit == "" || p.Version == "" {
			t.Errorf("%s job's provenance %+v, want this host %q, kernels %q, %s", row.State, p, host, kernels.Path(), runtime.Version())
		}
	}
	r := runLSSR(t, dir, "sweep", "show", "prov")
	for _, want := range []string{"kernels: " + kernels.Path() + " (2)", "host:    " + host + " (2)", runtime.Version()} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := runLSSR(t, dir, "sweep", "status", "prov"); strings.Contains(r.stdout, "kernel paths") {
		t.Errorf("status warns of kernel paths for a sweep run on one:\n%s", r.stdout)
	}

	// Jobs that finished on two kernel paths: status warns.
	path := filepath.Join(dir, "lssr.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *store.Tx) error {
		jobs, err := tx.Jobs("prov")
		if err != nil {
			return err
		}
		jobs[1].Result.Provenance.KernelPath = "purego"
		return tx.PutJob("prov", jobs[1])
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	r = runLSSR(t, dir, "sweep", "status", "prov")
	if !strings.Contains(r.stdout, "warning: the finished jobs ran on 2 kernel paths") || !strings.Contains(r.stdout, "purego (1)") {
		t.Errorf("status of a sweep on two kernel paths:\n%s", r.stdout)
	}
}

// provenanceRow is what the provenance tests read of a job in `sweep
// export --format json`.
type provenanceRow struct {
	State      string           `json:"state"`
	Provenance *lssr.Provenance `json:"provenance"`
}

// exportedProvenance exports sweep from the database in dir as JSON and
// returns its rows, failing the test unless there are n of them.
func exportedProvenance(t *testing.T, dir, sweep string, n int) []provenanceRow {
	t.Helper()
	r := runLSSR(t, dir, "sweep", "export", sweep, "--format", "json")
	var rows []provenanceRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != n {
		t.Fatalf("export %s: %v, %d rows, want %d: %s", sweep, err, len(rows), n, r.stdout)
	}
	return rows
}
