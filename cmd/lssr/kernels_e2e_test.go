package main

import (
	"encoding/json"
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

// TestAssemblyPathsGiveTheSameNumbers: a CNN with batch norm trained and
// measured (ρ, curvature) with LSSR_KERNELS=avx512 and with avx2 exports the
// same numbers bit for bit, the kernel path in provenance aside; so sweeps
// that mix AVX-512 and AVX2 machines pool exact seeds.
func TestAssemblyPathsGiveTheSameNumbers(t *testing.T) {
	if kernels.PeakGFLOPS(kernels.PathAVX512) == 0 {
		t.Skip("no AVX-512 on this CPU")
	}
	spec := `name: paths
dataset: {name: mnist, n: 96, test_n: 64}
model: {kind: cnn, channels: [4, 8], batch_norm: true, hidden: [16]}
loss: cross-entropy
training: {epochs: 2, sampling: without, measure_every: 1, curvature_every: 2}
grid: {batch_sizes: [16, 32], learning_rates: [0.1], seeds: [0]}
workers: 1
`
	var exports [2][]map[string]any
	for i, p := range []string{kernels.PathAVX512, kernels.PathAVX2} {
		dir := t.TempDir()
		testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec)
		env := []string{kernels.EnvVar + "=" + p}
		if r := runWithEnv(t, dir, env, "sweep", "run", "--plain", "s.yaml"); r.code != 0 {
			t.Fatalf("run on %s: exit %d: %s", p, r.code, r.stderr)
		}
		r := runWithEnv(t, dir, env, "sweep", "export", "paths", "--format", "json")
		if err := json.Unmarshal([]byte(r.stdout), &exports[i]); err != nil || len(exports[i]) != 2 {
			t.Fatalf("export on %s: %v: %s", p, err, r.stdout)
		}
		for _, row := range exports[i] {
			if prov, _ := row["provenance"].(map[string]any); prov["kernel_path"] != p {
				t.Errorf("job on %s records kernel path %v", p, prov["kernel_path"])
			}
			if row["state"] != "done" || row["rho"] == nil {
				t.Errorf("job on %s: state %v, rho %v", p, row["state"], row["rho"])
			}
			delete(row, "provenance")
			delete(row, "seconds")
		}
	}
	a, _ := json.Marshal(exports[0])
	b, _ := json.Marshal(exports[1])
	if string(a) != string(b) {
		t.Errorf("avx512 and avx2 exports differ:\n%s\n%s", a, b)
	}
}
