package lssr

import "testing"

func TestContentIDIgnoresNonTrainingFields(t *testing.T) {
	j := Job{Sweep: "a", Dataset: DatasetSpec{Name: "mnist", Dir: "/x", N: 10}, BatchSize: 8, LR: 0.1, Seed: 1}
	k := j
	k.Sweep, k.Dataset.Dir, k.ID = "b", "/y", "zzz"
	if j.ContentID() != k.ContentID() {
		t.Fatal("sweep name, dataset dir or ID changed the content ID")
	}
	k.SaveWeights = true
	if j.ContentID() != k.ContentID() {
		t.Fatal("asking for the weights changed the content ID")
	}
	k.LR = 0.2
	if j.ContentID() == k.ContentID() {
		t.Fatal("a different learning rate kept the same ID")
	}
	// The stall rule changes outcomes: set, it is part of the ID (unset,
	// TestContentIDIsStable shows it is not).
	s := j
	s.Training.StopEarly = 0.25
	if j.ContentID() == s.ContentID() {
		t.Fatal("training.stop_early kept the same ID")
	}
}

// TestContentIDIsStable pins the IDs of two jobs that between them set every
// model field, the loss and the sampling. Every stored result is filed
// under such an ID: a change to the JSON of a Job (a renamed field, a
// string that became a number, a new field without omitempty) would orphan
// them all, and fails here first.
func TestContentIDIsStable(t *testing.T) {
	for _, tc := range []struct {
		job  Job
		want string
	}{
		{Job{Dataset: DatasetSpec{Name: DatasetCIFAR10, N: 512, TestN: 100, SubsetSeed: 1},
			Model: ModelSpec{Kind: "cnn", Hidden: []int{32}, Activation: "tanh", Channels: []int{8, 16}, Pool: "avg", BatchNorm: true},
			Loss:  "mse", Training: TrainingSpec{Epochs: 3, Sampling: SamplingWith}, BatchSize: 16, LR: 0.25, Seed: 2},
			"d9125b1ed011d620"},
		{Job{Dataset: DatasetSpec{Name: DatasetMNIST, N: 64}, Model: ModelSpec{Kind: "mlp", Hidden: []int{4}, Activation: "relu"},
			Loss: "cross-entropy", Training: TrainingSpec{Epochs: 1, Sampling: SamplingWithout}, BatchSize: 8, LR: 0.5},
			"4718a86bf6faafc2"},
	} {
		if got := tc.job.ContentID(); got != tc.want {
			t.Errorf("%s %s job: ID %s, want %s", tc.job.Model.Kind, tc.job.Loss, got, tc.want)
		}
	}
}
