package testutil

import (
	"fmt"
	"strings"
)

// Spec is a sweep spec of one shape: an MLP on the synthetic Gaussian
// mixture, trained over a grid. The tests set the values they need and
// write Spec.YAML to a file or parse it. A zero optional field is left out
// of the YAML, so the spec's default applies.
type Spec struct {
	Name string

	// dataset: {name: synthetic, …}
	N, Dim, Classes int
	TestN           int // optional

	// model: {kind: mlp, …}
	Hidden     []int  // always written; nil is "[]", a linear model
	BatchNorm  bool   // optional
	Activation string // optional

	// training: {…}
	Epochs          int
	MeasureEvery    int     // optional
	EvalEvery       int     // optional
	CheckpointEvery int     // optional
	SaveWeights     bool    // optional
	StopEarly       float64 // optional

	// grid: values as YAML, a list ("[8, 16]") or a range ("{log2_from:
	// -4, log2_to: -2}").
	BatchSizes, LearningRates string
	Seeds                     string // optional

	Workers int // optional
}

// YAML returns the spec as YAML: name, dataset, model and training on a
// line each, so the grid starts on line 5, then batch_sizes,
// learning_rates and seeds on lines of their own, then workers.
func (s Spec) YAML() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\n", s.Name)
	fmt.Fprintf(&b, "dataset: {name: synthetic, n: %d", s.N)
	if s.TestN != 0 {
		fmt.Fprintf(&b, ", test_n: %d", s.TestN)
	}
	fmt.Fprintf(&b, ", dim: %d, classes: %d}\n", s.Dim, s.Classes)
	hidden := make([]string, len(s.Hidden))
	for i, h := range s.Hidden {
		hidden[i] = fmt.Sprint(h)
	}
	fmt.Fprintf(&b, "model: {kind: mlp, hidden: [%s]", strings.Join(hidden, ", "))
	if s.BatchNorm {
		b.WriteString(", batch_norm: true")
	}
	if s.Activation != "" {
		fmt.Fprintf(&b, ", activation: %s", s.Activation)
	}
	fmt.Fprintf(&b, "}\ntraining: {epochs: %d", s.Epochs)
	if s.MeasureEvery != 0 {
		fmt.Fprintf(&b, ", measure_every: %d", s.MeasureEvery)
	}
	if s.EvalEvery != 0 {
		fmt.Fprintf(&b, ", eval_every: %d", s.EvalEvery)
	}
	if s.CheckpointEvery != 0 {
		fmt.Fprintf(&b, ", checkpoint_every: %d", s.CheckpointEvery)
	}
	if s.StopEarly != 0 {
		fmt.Fprintf(&b, ", stop_early: %g", s.StopEarly)
	}
	if s.SaveWeights {
		b.WriteString(", save_weights: true")
	}
	fmt.Fprintf(&b, "}\ngrid:\n  batch_sizes: %s\n  learning_rates: %s\n", s.BatchSizes, s.LearningRates)
	if s.Seeds != "" {
		fmt.Fprintf(&b, "  seeds: %s\n", s.Seeds)
	}
	if s.Workers != 0 {
		fmt.Fprintf(&b, "workers: %d\n", s.Workers)
	}
	return b.String()
}
