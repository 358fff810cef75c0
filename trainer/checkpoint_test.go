package trainer

import (
	"context"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// TestResumeIsBitIdentical trains jobs uninterrupted with a checkpoint after
// every epoch, then resumes each from every one of its checkpoints: each
// resumed run must end with exactly the uninterrupted Result (Seconds and
// ResumedFrom aside), series, measurements, curvature and weights included.
// The jobs cover both model paths, momentum, batch norm's running
// statistics, sampling with replacement and λ1's warm start.
func TestResumeIsBitIdentical(t *testing.T) {
	images := &dataset.Data{Train: quadrantImages(96, 1), Test: quadrantImages(40, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	plain, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 120, TestN: 30, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	curv := lssr.TrainingSpec{Epochs: 5, MeasureEvery: 2, CurvatureEvery: 2, HessianSubset: 32, CurvatureSamples: 2}
	for _, tc := range []struct {
		name string
		data *dataset.Data
		job  lssr.Job
	}{
		{"mlp", plain, lssr.Job{Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{8}, Activation: "relu"}, BatchSize: 16, LR: 0.1,
			Training: withSampling(curv, lssr.SamplingWithout)}},
		{"mlp-nesterov-with-replacement", plain, lssr.Job{Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{8, 6}, Activation: "tanh"}, BatchSize: 8, LR: 0.05,
			Training: withMomentum(withSampling(curv, lssr.SamplingWith), 0.9, 0.9)}},
		{"cnn-bn", images, lssr.Job{Model: lssr.ModelSpec{Kind: "cnn", Channels: []int{3}, Hidden: []int{6}, BatchNorm: true, Activation: "relu"}, BatchSize: 8, LR: 0.1,
			Training: withMomentum(withSampling(curv, lssr.SamplingWithout), 0.5, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := tc.job
			job.ID, job.Loss, job.Seed, job.SaveWeights, job.CheckpointEvery = tc.name, lssr.LossCrossEntropy, 7, true, 1
			var ckpts [][]byte
			want, err := Train(context.Background(), job, tc.data, func(p lssr.Progress) {
				if p.Checkpoint != nil {
					ckpts = append(ckpts, p.Checkpoint)
				}
			})
			if err != nil || want.Diverged {
				t.Fatalf("uninterrupted: %v diverged=%v", err, want.Diverged)
			}
			if len(ckpts) != job.Training.Epochs-1 {
				t.Fatalf("%d checkpoints, want one after each of the first %d epochs", len(ckpts), job.Training.Epochs-1)
			}
			want.Seconds = 0
			for k, ck := range ckpts {
				resumed := job
				resumed.Resume = ck
				got, err := Train(context.Background(), resumed, tc.data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.ResumedFrom != k+1 {
					t.Errorf("checkpoint %d: resumed from epoch %d", k+1, got.ResumedFrom)
				}
				got.Seconds, got.ResumedFrom = 0, 0
				if !reflect.DeepEqual(got, want) {
					t.Errorf("resumed after epoch %d: the Result differs from the uninterrupted run's\ngot  %+v\nwant %+v", k+1, got, want)
				}
			}
		})
	}
}

// TestResumeRejectsForeignCheckpoint: a checkpoint of another job, or
// damaged bytes, make Train start afresh (and still finish right).
func TestResumeRejectsForeignCheckpoint(t *testing.T) {
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 64, TestN: 16, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	job := lssr.Job{ID: "a", Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{6}, Activation: "relu"}, Loss: lssr.LossCrossEntropy,
		BatchSize: 8, LR: 0.1, CheckpointEvery: 1, Training: lssr.TrainingSpec{Epochs: 3, Sampling: lssr.SamplingWithout}}
	var ck []byte
	want, err := Train(context.Background(), job, data, func(p lssr.Progress) {
		if ck == nil {
			ck = p.Checkpoint
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	other := job
	other.ID = "b"
	for name, raw := range map[string][]byte{"another job's": ck, "truncated": ck[:len(ck)/2], "garbage": []byte("not a checkpoint")} {
		j := other
		if name != "another job's" {
			j = job
		}
		j.Resume = raw
		got, err := Train(context.Background(), j, data, nil)
		if err != nil {
			t.Fatalf("%s checkpoint: %v", name, err)
		}
		if got.ResumedFrom != 0 || got.TestLoss != want.TestLoss {
			t.Errorf("%s checkpoint: resumed from %d, test loss %v (fresh run: %v)", name, got.ResumedFrom, got.TestLoss, want.TestLoss)
		}
	}
}

func withSampling(t lssr.TrainingSpec, s lssr.Sampling) lssr.TrainingSpec {
	t.Sampling = s
	return t
}

func withMomentum(t lssr.TrainingSpec, beta1, beta2 float64) lssr.TrainingSpec {
	t.Beta1, t.Beta2 = beta1, beta2
	return t
}
