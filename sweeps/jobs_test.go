package sweeps

import (
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

func TestJobsOrder(t *testing.T) {
	s, err := Parse([]byte(`
name: order
dataset: {name: mnist, n: 1000}
model: {kind: mlp, hidden: [8]}
training: {epochs: 2}
grid: {batch_sizes: [32, 8, 16], learning_rates: [0.5, 0.25], seeds: [7, 1]}
`), "order.yaml")
	if err != nil {
		t.Fatal(err)
	}
	jobs := s.Jobs()
	if len(jobs) != 3*2*2 {
		t.Fatalf("got %d jobs, want 12", len(jobs))
	}
	i := 0
	ids := map[string]bool{}
	for _, b := range []int{32, 8, 16} {
		for _, lr := range []float64{0.5, 0.25} {
			for _, seed := range []uint64{7, 1} {
				j := jobs[i]
				if j.BatchSize != b || j.LR != lr || j.Seed != seed {
					t.Errorf("job %d = (b %d, η %v, seed %d), want (%d, %v, %d)", i, j.BatchSize, j.LR, j.Seed, b, lr, seed)
				}
				if j.ID != j.ContentID() || j.Sweep != "order" {
					t.Errorf("job %d: ID %q, Sweep %q; want ContentID %q and the sweep name", i, j.ID, j.Sweep, j.ContentID())
				}
				if j.Dataset != s.Dataset || j.Loss != s.Loss || j.Training != s.Training {
					t.Errorf("job %d does not carry the spec's dataset, loss and training", i)
				}
				ids[j.ID] = true
				i++
			}
		}
	}
	if len(ids) != len(jobs) {
		t.Errorf("%d distinct IDs for %d jobs", len(ids), len(jobs))
	}
	jobs[0].Model.Hidden[0] = 99
	if jobs[1].Model.Hidden[0] != 8 || s.Model.Hidden[0] != 8 {
		t.Error("jobs share the model's Hidden slice")
	}
}

// TestJobsOwnTheirSlices edits the slices of one job's model and checks no
// other job, nor the spec, sees it: Hidden and Channels are the slice
// fields a job gets from its spec.
func TestJobsOwnTheirSlices(t *testing.T) {
	s, err := Parse([]byte(`
name: own
dataset: {name: fashion-mnist, n: 1000}
model: {kind: cnn, channels: [4, 8], hidden: [16]}
training: {epochs: 1}
grid: {batch_sizes: [8, 16], learning_rates: [0.1], seeds: [0]}
`), "own.yaml")
	if err != nil {
		t.Fatal(err)
	}
	jobs := s.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("got %d jobs, want 2", len(jobs))
	}
	jobs[0].Model.Channels[0] = 99
	jobs[0].Model.Hidden[0] = 99
	for what, m := range map[string]lssr.ModelSpec{"job 1": jobs[1].Model, "spec": s.Model, "jobs again": s.Jobs()[0].Model} {
		if m.Channels[0] != 4 || m.Channels[1] != 8 {
			t.Errorf("%s: channels %v after editing job 0's, want [4 8]", what, m.Channels)
		}
		if m.Hidden[0] != 16 {
			t.Errorf("%s: hidden %v after editing job 0's, want [16]", what, m.Hidden)
		}
	}
	// An MLP has no channels: the job's stay nil, as the spec's are, so
	// its JSON (and ID) is unchanged.
	mlp, err := Parse([]byte(`
name: mlp
dataset: {name: fashion-mnist, n: 1000}
model: {kind: mlp, hidden: [16]}
training: {epochs: 1}
grid: {batch_sizes: [8], learning_rates: [0.1], seeds: [0]}
`), "mlp.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if j := mlp.Jobs()[0]; j.Model.Channels != nil || mlp.Model.Channels != nil {
		t.Errorf("mlp channels: job %#v, spec %#v; want nil", j.Model.Channels, mlp.Model.Channels)
	}
}

// idBase is the spec the ID stability variants edit.
const idBase = `# base
name: ids
dataset:
  name: fashion-mnist
  dir: /data/a
  n: 512
  test_n: 100
model:
  kind: mlp
  hidden: [16]
  activation: relu
loss: cross-entropy
training:
  epochs: 4
  sampling: without
  measure_every: 2
grid:
  batch_sizes: [8, 16]
  learning_rates: [0.125, 0.25]
  seeds: [0, 1]
workers: 2
`

// edit applies old→new replacements to idBase, failing if one does not
// match, so a variant cannot silently equal the base.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	s := idBase
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("variant: %q not in the base spec", pairs[i])
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

func jobIDs(t *testing.T, yaml string) []string {
	t.Helper()
	s, err := Parse([]byte(yaml), "ids.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, j := range s.Jobs() {
		ids = append(ids, j.ID)
	}
	return ids
}

func TestIDsStable(t *testing.T) {
	base := jobIDs(t, idBase)
	reformatted := `name: ids   # same sweep, written differently
workers: 16
grid: {seeds: [0, 1], learning_rates: {log2_from: -3, log2_to: -2}, batch_sizes: [0x8, 16]}
training: {measure_every: 2, epochs: 4}
loss: "cross-entropy"
model:
    hidden:
        - 16
    kind: 'mlp'
dataset:
    test_n: 100
    n: 512
    name: fashion-mnist
    balanced: true
    subset_seed: 0
`
	variants := map[string]string{
		"comment":        edit(t, "# base", "# edited comment\n# and another"),
		"name":           edit(t, "name: ids", "name: renamed"),
		"workers":        edit(t, "workers: 2", "workers: 7"),
		"workers absent": edit(t, "workers: 2\n", ""),
		"dataset.dir":    edit(t, "dir: /data/a", "dir: /elsewhere"),
		"dir absent":     edit(t, "  dir: /data/a\n", ""),
		"defaults given": edit(t, "  test_n: 100\n", "  test_n: 100\n  balanced: true\n  subset_seed: 0\n"),
		"reformatted":    reformatted,
		"eval_every":     edit(t, "measure_every: 2\n", "measure_every: 2\n  eval_every: 1\n"),
		"eval_every 4":   edit(t, "measure_every: 2\n", "measure_every: 2\n  eval_every: 4\n"),
		"eval_every 0":   edit(t, "measure_every: 2\n", "measure_every: 2\n  eval_every: 0\n"),
	}
	for name, yaml := range variants {
		t.Run(name, func(t *testing.T) {
			got := jobIDs(t, yaml)
			if strings.Join(got, " ") != strings.Join(base, " ") {
				t.Errorf("IDs changed:\n got %v\nwant %v", got, base)
			}
		})
	}
}

func TestIDsChange(t *testing.T) {
	base := jobIDs(t, idBase)
	// Every variant changes what training computes, so no ID may survive.
	variants := map[string]string{
		"epochs":        edit(t, "epochs: 4", "epochs: 5"),
		"n":             edit(t, "n: 512", "n: 513"),
		"test_n":        edit(t, "test_n: 100", "test_n: 101"),
		"dataset":       edit(t, "name: fashion-mnist", "name: mnist"),
		"balanced":      edit(t, "  test_n: 100\n", "  test_n: 100\n  balanced: false\n"),
		"subset_seed":   edit(t, "  test_n: 100\n", "  test_n: 100\n  subset_seed: 1\n"),
		"hidden":        edit(t, "hidden: [16]", "hidden: [16, 16]"),
		"activation":    edit(t, "activation: relu", "activation: tanh"),
		"loss":          edit(t, "loss: cross-entropy", "loss: mse"),
		"sampling":      edit(t, "sampling: without", "sampling: with"),
		"measure_every": edit(t, "measure_every: 2", "measure_every: 1"),
	}
	for name, yaml := range variants {
		t.Run(name, func(t *testing.T) {
			for i, id := range jobIDs(t, yaml) {
				if id == base[i] {
					t.Errorf("job %d kept ID %s", i, id)
				}
			}
		})
	}
}

// TestIDsPerAxis checks that editing one grid value changes exactly the
// jobs that use it.
func TestIDsPerAxis(t *testing.T) {
	base := jobIDs(t, idBase) // b ∈ {8, 16} × η ∈ {1/8, 1/4} × seed ∈ {0, 1}
	cases := []struct {
		name    string
		yaml    string
		changed func(i int) bool // job i = b index·4 + η index·2 + seed index
	}{
		{"b", edit(t, "batch_sizes: [8, 16]", "batch_sizes: [8, 32]"), func(i int) bool { return i/4 == 1 }},
		{"η", edit(t, "learning_rates: [0.125, 0.25]", "learning_rates: [0.125, 0.3]"), func(i int) bool { return i/2%2 == 1 }},
		{"seed", edit(t, "seeds: [0, 1]", "seeds: [0, 2]"), func(i int) bool { return i%2 == 1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for i, id := range jobIDs(t, tc.yaml) {
				if (id != base[i]) != tc.changed(i) {
					t.Errorf("job %d: ID %s vs base %s, want changed = %v", i, id, base[i], tc.changed(i))
				}
			}
		})
	}
}

// TestIDsShipped pins the quickstart's first job ID so that an accidental
// change to parsing or defaults, which would orphan every stored result,
// shows up here.
func TestIDsShipped(t *testing.T) {
	s := mustLoadFile(t, "quickstart.yaml")
	jobs := s.Jobs()
	if len(jobs) != 5*9*2 {
		t.Fatalf("quickstart has %d jobs, want 90", len(jobs))
	}
	first := lssr.Job{
		Dataset:   lssr.DatasetSpec{Name: "fashion-mnist", N: 2048, TestN: 2000, Balanced: true},
		Model:     lssr.ModelSpec{Kind: "mlp", Hidden: []int{128}, Activation: "relu"},
		Loss:      "cross-entropy",
		Training:  lssr.TrainingSpec{Epochs: 10, Sampling: "without", MeasureEvery: 2},
		BatchSize: 8,
		LR:        1.0 / 128,
	}
	if jobs[0].ID != first.ContentID() {
		t.Errorf("first quickstart job ID = %s, want %s", jobs[0].ID, first.ContentID())
	}
}
