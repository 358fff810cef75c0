package sweeps

import (
	"bytes"
	"math"
	"os"
	"reflect"
	"runtime"
	"testing"

	"github.com/lssr/lssr"
)

func TestParseGood(t *testing.T) {
	numCPU := min(runtime.NumCPU(), MaxWorkers)
	cases := []struct {
		name string
		yaml string
		want Spec
	}{
		{
			name: "minimal, defaults applied",
			yaml: `
name: tiny
dataset: {name: mnist, n: 100}
model: {kind: mlp, hidden: []}
training: {epochs: 1}
grid: {batch_sizes: [1, 100], learning_rates: [0.5]}
`,
			want: Spec{
				Name:     "tiny",
				Dataset:  lssr.DatasetSpec{Name: "mnist", N: 100, TestN: 10000, Balanced: true},
				Model:    lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{}, Activation: lssr.ActivationReLU},
				Loss:     lssr.LossCrossEntropy,
				Training: lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout},
				Grid:     Grid{BatchSizes: []int{1, 100}, LearningRates: []float64{0.5}, Seeds: []uint64{0}},
				Workers:  numCPU,
				Search:   Search{Strategy: lssr.StrategyGrid},
			},
		},
		{
			name: "everything given",
			yaml: `
name: All_of-it.2
dataset:
  name: fashion-mnist
  dir: /data/fm
  n: 60000
  test_n: 1
  balanced: false
  subset_seed: 18446744073709551615
model:
  kind: mlp
  hidden: [3, 2]
  activation: tanh
loss: mse
training:
  epochs: 7
  sampling: with
  measure_every: 7
  eval_every: 3
grid:
  batch_sizes: [64, 8]          # order kept
  learning_rates: [1e-3, 0x1, 2.5]
  seeds: [3, 0, 9]
workers: 1024
`,
			want: Spec{
				Name: "All_of-it.2",
				Dataset: lssr.DatasetSpec{Name: "fashion-mnist", Dir: "/data/fm", N: 60000, TestN: 1,
					Balanced: false, SubsetSeed: math.MaxUint64},
				Model:    lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{3, 2}, Activation: lssr.ActivationTanh},
				Loss:     lssr.LossMSE,
				Training: lssr.TrainingSpec{Epochs: 7, Sampling: lssr.SamplingWith, MeasureEvery: 7, EvalEvery: 3},
				Grid:     Grid{BatchSizes: []int{64, 8}, LearningRates: []float64{0.001, 1, 2.5}, Seeds: []uint64{3, 0, 9}},
				Workers:  1024,
				Search:   Search{Strategy: lssr.StrategyGrid},
			},
		},
		{
			name: "synthetic",
			yaml: `
name: gauss
dataset: {name: synthetic, n: 500, dim: 20, classes: 4}
model: {kind: mlp, hidden: [16]}
training: {epochs: 3, measure_every: 0, eval_every: 0}
grid:
  batch_sizes: {log2_from: 0, log2_to: 2}
  learning_rates: {log2_from: -2, log2_to: -1, log2_step: 0.5}
  seeds: [1]
workers: 2
`,
			want: Spec{
				Name:     "gauss",
				Dataset:  lssr.DatasetSpec{Name: "synthetic", N: 500, TestN: 1000, Balanced: true, Dim: 20, Classes: 4},
				Model:    lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{16}, Activation: lssr.ActivationReLU},
				Loss:     lssr.LossCrossEntropy,
				Training: lssr.TrainingSpec{Epochs: 3, Sampling: lssr.SamplingWithout},
				Grid: Grid{
					BatchSizes:    []int{1, 2, 4},
					LearningRates: []float64{0.25, math.Exp2(-1.5), 0.5},
					Seeds:         []uint64{1},
				},
				Workers: 2,
				Search:  Search{Strategy: lssr.StrategyGrid},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.yaml), "good.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if got.Path != "good.yaml" || string(got.Source) != tc.yaml {
				t.Errorf("Path, Source = %q, %q; want the name and YAML as given", got.Path, got.Source)
			}
			assertSpec(t, got, tc.want)
		})
	}
}

// assertSpec compares the decoded fields of a spec, leaving out Source and
// Path (checked on their own) and unexported bookkeeping.
func assertSpec(t *testing.T, got *Spec, want Spec) {
	t.Helper()
	g := *got
	g.Source, g.Path, g.lines = nil, "", nil
	want.Source, want.Path, want.lines = nil, "", nil
	if !reflect.DeepEqual(g, want) {
		t.Errorf("spec\n got %+v\nwant %+v", g, want)
	}
}

func TestParseShipped(t *testing.T) {
	cases := []struct {
		file string
		want Spec
	}{
		{"quickstart.yaml", Spec{
			Name:     "quickstart",
			Dataset:  lssr.DatasetSpec{Name: "fashion-mnist", N: 2048, TestN: 2000, Balanced: true},
			Model:    lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{128}, Activation: lssr.ActivationReLU},
			Loss:     lssr.LossCrossEntropy,
			Training: lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, MeasureEvery: 2},
			Grid: Grid{
				BatchSizes:    []int{8, 16, 32, 64, 128},
				LearningRates: []float64{1.0 / 128, 1.0 / 64, 1.0 / 32, 1.0 / 16, 1.0 / 8, 1.0 / 4, 1.0 / 2, 1, 2},
				Seeds:         []uint64{0, 1},
			},
			Workers: min(runtime.NumCPU(), MaxWorkers),
			Search:  Search{Strategy: lssr.StrategyGrid},
		}},
		{"fashion-mnist-8k.yaml", Spec{
			Name:     "fashion-mnist-8k",
			Dataset:  lssr.DatasetSpec{Name: "fashion-mnist", N: 8192, TestN: 10000, Balanced: true},
			Model:    lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{512, 512}, Activation: lssr.ActivationReLU},
			Loss:     lssr.LossCrossEntropy,
			Training: lssr.TrainingSpec{Epochs: 200, Sampling: lssr.SamplingWithout, MeasureEvery: 10},
			Grid: Grid{
				BatchSizes:    []int{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096},
				LearningRates: exp2Range(-10, 0.5, 21),
				Seeds:         []uint64{0},
			},
			Workers: min(runtime.NumCPU(), MaxWorkers),
			Search:  Search{Strategy: lssr.StrategyGrid},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(data, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Source, data) {
				t.Error("Source differs from the file")
			}
			assertSpec(t, got, tc.want)
		})
	}
}

// exp2Range is 2^(from + i·step) for i < count.
func exp2Range(from, step float64, count int) []float64 {
	vs := make([]float64, count)
	for i := range vs {
		vs[i] = math.Exp2(from + float64(i)*step)
	}
	return vs
}

// TestParseNoAliasing checks Parse copies its input: the caller may reuse
// the buffer.
func TestParseNoAliasing(t *testing.T) {
	data, err := os.ReadFile("quickstart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data, "q.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data[0] = 'X'
	if s.Source[0] == 'X' {
		t.Error("Spec.Source shares the caller's buffer")
	}
}

func TestParseMomentumAndCurvature(t *testing.T) {
	const base = "name: m\ndataset: {name: synthetic, n: 256, dim: 4, classes: 3}\nmodel: {kind: mlp, hidden: [8]}\n" +
		"grid: {batch_sizes: [8], learning_rates: [0.1]}\n"
	tests := []struct {
		training string
		want     lssr.TrainingSpec
	}{
		{"training: {epochs: 10}", lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout}},
		{"training: {epochs: 10, momentum: 0.9}", lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, Beta1: 0.9}},
		{"training: {epochs: 10, momentum: 0.9, nesterov: true}", lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, Beta1: 0.9, Beta2: 0.9}},
		{"training: {epochs: 10, momentum: 0.5, nesterov: false}", lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, Beta1: 0.5}},
		{"training: {epochs: 10, curvature_every: 5, hessian_subset: 128, curvature_samples: 20}",
			lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, CurvatureEvery: 5, HessianSubset: 128, CurvatureSamples: 20}},
	}
	for _, tc := range tests {
		s, err := Parse([]byte(base+tc.training+"\n"), "m.yaml")
		if err != nil {
			t.Fatalf("%s: %v", tc.training, err)
		}
		if !reflect.DeepEqual(s.Training, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.training, s.Training, tc.want)
		}
	}
	// Without momentum or curvature the job IDs are those of a spec that
	// never heard of them.
	plain, _ := Parse([]byte(base+"training: {epochs: 10}\n"), "m.yaml")
	zero, _ := Parse([]byte(base+"training: {epochs: 10, momentum: 0, nesterov: false}\n"), "m.yaml")
	if plain.Jobs()[0].ID != zero.Jobs()[0].ID {
		t.Error("momentum: 0 changed the job ID")
	}
}

func TestParseStopEarly(t *testing.T) {
	const base = "name: s\ndataset: {name: synthetic, n: 256, dim: 4, classes: 3}\nmodel: {kind: mlp, hidden: [8]}\n" +
		"grid: {batch_sizes: [8, 16], learning_rates: [0.1]}\n"
	off, err := Parse([]byte(base+"training: {epochs: 8}\n"), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if off.Training.StopEarly != 0 {
		t.Fatalf("without the field: stop_early %v, want 0 (off)", off.Training.StopEarly)
	}
	for _, tc := range []struct {
		value string
		want  float64
	}{
		{"0.25", 0.25},
		{"1", 1}, // an integer is a number too
		{"1.0", 1},
		{"1e-3", 0.001},
	} {
		on, err := Parse([]byte(base+"training: {epochs: 8, stop_early: "+tc.value+"}\n"), "s.yaml")
		if err != nil {
			t.Errorf("stop_early: %s: %v", tc.value, err)
			continue
		}
		for i, j := range on.Jobs() {
			if j.Training.StopEarly != tc.want {
				t.Errorf("stop_early: %s: job %d has %v, want %v", tc.value, i, j.Training.StopEarly, tc.want)
			}
			// It changes outcomes, so it changes every ID.
			if j.ID == off.Jobs()[i].ID {
				t.Errorf("stop_early: %s: job %d kept the ID %s of the spec without it", tc.value, i, j.ID)
			}
		}
	}
}

func TestParseSaveWeights(t *testing.T) {
	const base = "name: w\ndataset: {name: synthetic, n: 256, dim: 4, classes: 3}\nmodel: {kind: mlp, hidden: [8]}\n" +
		"grid: {batch_sizes: [8, 16], learning_rates: [0.1]}\n"
	off, err := Parse([]byte(base+"training: {epochs: 2}\n"), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	on, err := Parse([]byte(base+"training: {epochs: 2, save_weights: true}\n"), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if off.Keep.SaveWeights || !on.Keep.SaveWeights {
		t.Fatalf("SaveWeights: %v without the field, %v with true", off.Keep.SaveWeights, on.Keep.SaveWeights)
	}
	offJobs, onJobs := off.Jobs(), on.Jobs()
	for i := range onJobs {
		if offJobs[i].SaveWeights || !onJobs[i].SaveWeights {
			t.Errorf("job %d: SaveWeights %v, %v; want false, true", i, offJobs[i].SaveWeights, onJobs[i].SaveWeights)
		}
		// Keeping the weights changes nothing about training: same IDs.
		if offJobs[i].ID != onJobs[i].ID {
			t.Errorf("job %d: save_weights changed the ID %s to %s", i, offJobs[i].ID, onJobs[i].ID)
		}
	}
}
