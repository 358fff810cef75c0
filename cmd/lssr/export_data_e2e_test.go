package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
)

// TestExportWeightsDataMeasure is the loop a user runs to take a job to
// PyTorch and back: export its weights and its training data, then `lssr
// measure` them. The float64 measurement must reproduce the loss, accuracy
// and ρ the job's own float32 final measurement stored, for a model with
// batch norm (so the running statistics travel too).
func TestExportWeightsDataMeasure(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "bn.yaml"), testutil.Spec{Name: "bn", N: 200, TestN: 50, Dim: 6, Classes: 3,
		Hidden: []int{10}, BatchNorm: true, Activation: "tanh", Epochs: 3, SaveWeights: true,
		BatchSizes: "[16]", LearningRates: "[0.1]", Seeds: "[0]"}.YAML())
	if r := runLSSR(t, dir, "sweep", "run", "bn.yaml", "--plain"); r.code != 0 {
		t.Fatalf("sweep run: exit %d\n%s", r.code, r.stderr)
	}
	job := readJobs(t, filepath.Join(dir, "lssr.db"), "bn")[0]
	if r := runLSSR(t, dir, "export", "weights", "bn", job.Job.ID, "--out", "w.safetensors"); r.code != 0 {
		t.Fatalf("export weights: exit %d: %s", r.code, r.stderr)
	}
	r := runLSSR(t, dir, "export", "data", "bn", "--out", "d.safetensors")
	if r.code != 0 || !strings.Contains(r.stdout, "x [200 6], y [200]") {
		t.Fatalf("export data: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	f, err := safetensors.Read(filepath.Join(dir, "w.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Get("1.running_var"); !ok {
		t.Fatalf("weights lack the batch norm's running statistics")
	}
	// The model comes from the weights' metadata: no model flags.
	r = runLSSR(t, dir, "measure", "--weights", "w.safetensors", "--data", "d.safetensors", "--samples", "1")
	if r.code != 0 {
		t.Fatalf("measure: exit %d: %s", r.code, r.stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatal(err)
	}
	res := job.Result
	for _, c := range []struct {
		key  string
		want float64
	}{{"loss", res.TrainLoss}, {"accuracy", res.TrainAcc}, {"rho", res.Rho}, {"grad_sq_norm", res.GradSqNorm}} {
		got, _ := m[c.key].(float64)
		if e := testutil.RelErr(got, c.want); e > 1e-4 {
			t.Errorf("%s: measure %v, the job stored %v (relative error %.2g)", c.key, got, c.want, e)
		}
	}
	for _, bad := range [][]string{
		{"export", "data", "nosuch", "--out", "x.safetensors"},
		{"export", "data", "bn", "--split", "val", "--out", "x.safetensors"},
		{"export", "data", "bn", "--out", "d.safetensors"}, // exists
		{"export", "data", "bn"},
	} {
		if r := runLSSR(t, dir, bad...); r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("lssr %v: exit %d, stderr %q; want 2 and one line", bad, r.code, r.stderr)
		}
	}
}
