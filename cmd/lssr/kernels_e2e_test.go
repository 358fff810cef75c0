package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/trainer/kernels"
)

// TestKernelPathForcedByEnv: LSSR_KERNELS=purego reaches the worker
// processes, so every job of the sweep records the pure-Go path whatever the
// CPU; a path that cannot be had refuses the command with one line and
// writes nothing.
func TestKernelPathForcedByEnv(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), cfgSpec("forced", 1, "[8, 16]", "[0.1]"))
	env := []string{kernels.EnvVar + "=" + kernels.PathPureGo}
	if r := runWithEnv(t, dir, env, "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d: %s", r.code, r.stderr)
	}
	for _, row := range exportedProvenance(t, dir, "forced", 2) {
		if row.Provenance == nil || row.Provenance.KernelPath != kernels.PathPureGo {
			t.Errorf("%s job ran with %s=%s but records %+v", row.State, kernels.EnvVar, kernels.PathPureGo, row.Provenance)
		}
	}
	if r := runWithEnv(t, dir, env, "version"); !strings.Contains(r.stdout, "kernels: "+kernels.PathPureGo) {
		t.Errorf("version under %s=%s:\n%s", kernels.EnvVar, kernels.PathPureGo, r.stdout)
	}

	fresh := t.TempDir()
	testutil.WriteFile(t, filepath.Join(fresh, "s.yaml"), cfgSpec("bad", 1, "[8]", "[0.1]"))
	r := runWithEnv(t, fresh, []string{kernels.EnvVar + "=avx9000"}, "sweep", "run", "--plain", "s.yaml")
	if r.code != exitBadInput || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, kernels.EnvVar+`="avx9000"`) {
		t.Errorf("unknown kernel path: exit %d, stdout %q, stderr %q; want exit 2 and one line naming %s", r.code, r.stdout, r.stderr, kernels.EnvVar)
	}
	if _, err := os.Stat(filepath.Join(fresh, "lssr.db")); !os.IsNotExist(err) {
		t.Errorf("a refused command wrote a database: %v", err)
	}
}
