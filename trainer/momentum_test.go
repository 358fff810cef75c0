package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

func momentumRun(t *testing.T, beta1, beta2 float64) *run {
	t.Helper()
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 48, TestN: 8, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseJob(lssr.Job{
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{9, 7}, Activation: "tanh"},
		Loss:  lssr.LossCrossEntropy, BatchSize: 8, LR: 0.3, Seed: 5,
		Training: lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout, Beta1: beta1, Beta2: beta2},
	}, data)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(cfg, data)
}

// TestMomentumFollowsEq13 runs steps of generalised momentum and replays them
// by hand from eq. 13–14, using a plain-SGD run on the same data as the
// gradient oracle: δ = β1·δ − η·∇L(θ + β2·δ), θ += δ.
func TestMomentumFollowsEq13(t *testing.T) {
	for _, c := range []struct {
		name         string
		beta1, beta2 float64
	}{{"polyak", 0.9, 0}, {"nesterov", 0.9, 0.9}, {"look-ahead only", 0.5, 0.25}} {
		t.Run(c.name, func(t *testing.T) {
			r := momentumRun(t, c.beta1, c.beta2)
			oracle := momentumRun(t, 0, 0)
			theta := append([]float32(nil), r.net.parameters()...)
			delta := make([]float32, len(theta))
			for s := range 5 {
				idx := r.perm[(s%6)*8 : (s%6)*8+8]
				r.step(idx)
				for i := range theta {
					oracle.net.parameters()[i] = theta[i] + float32(c.beta2)*delta[i]
				}
				oracle.gradient(idx)
				for i, g := range oracle.net.gradients() {
					delta[i] = float32(c.beta1)*delta[i] - float32(0.3)*g
					theta[i] += delta[i]
				}
				var worst float64
				for i := range theta {
					d := math.Abs(float64(r.net.parameters()[i] - theta[i]))
					worst = math.Max(worst, d/(math.Abs(float64(theta[i]))+1e-3))
				}
				if worst > 1e-5 {
					t.Fatalf("step %d: parameters differ from eq. 13 by %.2g relative", s, worst)
				}
			}
		})
	}
}

func TestMomentumOutOfRangeIsBadInput(t *testing.T) {
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 16, TestN: 8, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][2]float64{{1, 0}, {-0.1, 0}, {0.5, 1}, {math.NaN(), 0}} {
		job := lssr.Job{
			Model: lssr.ModelSpec{Kind: "mlp", Activation: "relu"}, Loss: lssr.LossMSE, BatchSize: 4, LR: 0.1,
			Training: lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWith, Beta1: b[0], Beta2: b[1]},
		}
		_, err := Train(context.Background(), job, data, nil)
		if !errors.Is(err, lssr.ErrBadInput) {
			t.Errorf("β = %v: err %v, want a bad-input error", b, err)
		}
	}
}

// TestMomentumTrainsAndIsDeterministic: Nesterov momentum learns the
// synthetic task and gives the same bits twice.
func TestMomentumTrainsAndIsDeterministic(t *testing.T) {
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 512, TestN: 256, SubsetSeed: 1, Dim: 10, Classes: 3, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	job := lssr.Job{
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{16}, Activation: "relu"}, Loss: lssr.LossCrossEntropy,
		BatchSize: 32, LR: 0.02, Seed: 2,
		Training: lssr.TrainingSpec{Epochs: 10, Sampling: lssr.SamplingWithout, Beta1: 0.9, Beta2: 0.9},
	}
	a, err := Train(context.Background(), job, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(context.Background(), job, data, nil)
	a.Seconds, b.Seconds = 0, 0
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("the same momentum job gave different results")
	}
	if a.TestAcc < 0.8 {
		t.Fatalf("test accuracy %.3f with Nesterov momentum, want ≥ 0.8", a.TestAcc)
	}
}
