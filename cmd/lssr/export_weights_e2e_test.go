package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// weightsSpec is a tiny sweep of 18 jobs: more IDs than hex digits, so two
// of them share a first digit and that digit is an ambiguous prefix.
func weightsSpec(name string, save bool) string {
	return testutil.Spec{Name: name, N: 256, TestN: 64, Dim: 6, Classes: 3, Hidden: []int{10, 7}, Activation: "relu",
		Epochs: 2, SaveWeights: save, BatchSizes: "[8, 16, 32]", LearningRates: "[0.05, 0.1, 0.2]", Seeds: "[0, 1]", Workers: 2}.YAML()
}

func TestExportWeights(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "w.yaml"), weightsSpec("w", true))
	testutil.WriteFile(t, filepath.Join(dir, "plain.yaml"), weightsSpec("plain", false))
	for _, spec := range []string{"w.yaml", "plain.yaml"} {
		if r := runLSSR(t, dir, "sweep", "run", spec, "--plain"); r.code != 0 {
			t.Fatalf("sweep run %s: exit %d\n%s", spec, r.code, r.stderr)
		}
	}
	jobs := readJobs(t, filepath.Join(dir, "lssr.db"), "w")
	id := jobs[4].Job.ID
	prefix := uniquePrefix(jobs, id)

	r := runLSSR(t, dir, "export", "weights", "w", prefix, "--out", "out.safetensors")
	if r.code != 0 {
		t.Fatalf("export weights: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "out.safetensors") || !strings.Contains(r.stdout, "6 tensors") {
		t.Errorf("stdout %q: want the path and the tensor count", r.stdout)
	}
	f, err := safetensors.Read(filepath.Join(dir, "out.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["lssr.job"] != id || f.Metadata["lssr.dim"] != "6" || f.Metadata["lssr.classes"] != "3" {
		t.Errorf("metadata %v: want job %s, dim 6, classes 3", f.Metadata, id)
	}
	checkMLPWeights(t, f, []int{6, 10, 7, 3})

	// Every bad input exits 2 with one line on stderr and writes nothing.
	firstDigit := ambiguousPrefix(t, jobs)
	testutil.WriteFile(t, filepath.Join(dir, "taken.safetensors"), "keep me")
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"nope", prefix}, "sweep not found"},
		{[]string{"w", "zzzz"}, `sweep w has no job "zzzz"`},
		{[]string{"w", firstDigit}, "is ambiguous"},
		{[]string{"plain", id}, "job " + id + " has no saved weights: set training.save_weights: true in the spec and re-run it"},
		{[]string{"w", id, "--out", "taken.safetensors"}, "exists; pass --force"},
		{[]string{"w", id, "--out", ""}, "--out FILE is required"},
		{[]string{"w"}, "want SWEEP and JOB"},
	} {
		args := append([]string{"export", "weights"}, tc.args...)
		if !strings.Contains(strings.Join(tc.args, " "), "--out") {
			args = append(args, "--out", "new.safetensors")
		}
		before, _ := os.ReadDir(dir)
		r := runLSSR(t, dir, args...)
		if r.code != 2 || strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 || !strings.Contains(r.stderr, tc.frag) {
			t.Errorf("lssr %v: exit %d, stderr %q; want 2 and one line with %q", args, r.code, r.stderr, tc.frag)
		}
		if after, _ := os.ReadDir(dir); len(after) != len(before) {
			t.Errorf("lssr %v wrote a file", args)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "taken.safetensors")); string(got) != "keep me" {
		t.Errorf("an existing --out was changed without --force")
	}
	r = runLSSR(t, dir, "export", "weights", "w", id, "--out", "taken.safetensors", "--force")
	if r.code != 0 {
		t.Fatalf("export weights --force: exit %d: %s", r.code, r.stderr)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "out.safetensors"))
	if got, _ := os.ReadFile(filepath.Join(dir, "taken.safetensors")); string(got) != string(want) {
		t.Errorf("--force did not replace the file with the job's weights")
	}
}

// checkMLPWeights checks that f holds the state_dict of an MLP with these
// layer widths, with finite values that are not all zero.
func checkMLPWeights(t *testing.T, f *safetensors.File, widths []int) {
	t.Helper()
	if len(f.Tensors) != 2*(len(widths)-1) {
		t.Errorf("%d tensors, want %d", len(f.Tensors), 2*(len(widths)-1))
	}
	nonzero := 0
	for l := range len(widths) - 1 {
		for _, want := range []struct {
			name  string
			shape []int
		}{
			{fmt.Sprintf("%d.weight", 2*l), []int{widths[l+1], widths[l]}},
			{fmt.Sprintf("%d.bias", 2*l), []int{widths[l+1]}},
		} {
			tn, ok := f.Get(want.name)
			if !ok || fmt.Sprint(tn.Shape) != fmt.Sprint(want.shape) {
				t.Errorf("%s: present %v, shape %v; want %v", want.name, ok, tn.Shape, want.shape)
				continue
			}
			v, err := tn.Float32s()
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range v {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
					t.Fatalf("%s holds %v", want.name, x)
				}
				if x != 0 {
					nonzero++
				}
			}
		}
	}
	if nonzero == 0 {
		t.Error("every weight is zero")
	}
}

// uniquePrefix returns the shortest prefix of id no other job shares.
func uniquePrefix(jobs []store.JobRecord, id string) string {
	for n := 1; n < len(id); n++ {
		shared := 0
		for _, j := range jobs {
			if strings.HasPrefix(j.Job.ID, id[:n]) {
				shared++
			}
		}
		if shared == 1 {
			return id[:n]
		}
	}
	return id
}

// ambiguousPrefix returns a first hex digit two jobs share.
func ambiguousPrefix(t *testing.T, jobs []store.JobRecord) string {
	t.Helper()
	seen := map[byte]bool{}
	for _, j := range jobs {
		if seen[j.Job.ID[0]] {
			return j.Job.ID[:1]
		}
		seen[j.Job.ID[0]] = true
	}
	t.Fatalf("no two of %d job IDs share a first digit", len(jobs))
	return ""
}
