package trainer

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
)

// quadrantImages returns n 1×8×8 images whose class (0–3) is the brightest
// quadrant, over uniform noise.
func quadrantImages(n int, seed uint64) dataset.Split {
	r := rand.New(rand.NewPCG(seed, 7))
	s := dataset.Split{X: make([]float32, n*64), Y: make([]uint8, n), N: n}
	for i := range n {
		c := r.IntN(4)
		s.Y[i] = uint8(c)
		for p := range 64 {
			v := r.Float32() * 0.5
			if (p/8)/4 == c/2 && (p%8)/4 == c%2 {
				v += 0.5
			}
			s.X[i*64+p] = v
		}
	}
	return s
}

// TestTrainLayeredModels trains the layered models end to end through
// Train: a CNN with and without batch norm, with momentum, and an MLP with
// batch norm, on images whose class is the brightest quadrant. Each must
// learn it (test accuracy well above the 25% of chance) and report finite
// measurements, including the curvature series.
func TestTrainLayeredModels(t *testing.T) {
	data := &dataset.Data{Train: quadrantImages(256, 1), Test: quadrantImages(200, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	for _, tc := range []struct {
		name  string
		model lssr.ModelSpec
		beta1 float64
	}{
		{"cnn", lssr.ModelSpec{Kind: "cnn", Channels: []int{4}, Hidden: []int{16}, Activation: "relu"}, 0},
		{"cnn-bn-avg-momentum", lssr.ModelSpec{Kind: "cnn", Channels: []int{4, 4}, Pool: "avg", BatchNorm: true, Activation: "tanh"}, 0.5},
		{"mlp-bn", lssr.ModelSpec{Kind: "mlp", Hidden: []int{32}, BatchNorm: true, Activation: "relu"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := lssr.Job{
				Model: tc.model, Loss: lssr.LossCrossEntropy, BatchSize: 16, LR: 0.1, Seed: 3,
				Training: lssr.TrainingSpec{Epochs: 8, Sampling: lssr.SamplingWithout, Beta1: tc.beta1,
					MeasureEvery: 4, CurvatureEvery: 4, HessianSubset: 64, CurvatureSamples: 2},
			}
			res, err := Train(context.Background(), job, data, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Diverged || res.TestAcc < 0.6 {
				t.Fatalf("diverged=%v test accuracy %.3f, want ≥ 0.6", res.Diverged, res.TestAcc)
			}
			if res.Series[len(res.Series)-1].TrainLoss >= res.Series[0].TrainLoss {
				t.Errorf("train loss did not fall: %v → %v", res.Series[0].TrainLoss, res.Series[len(res.Series)-1].TrainLoss)
			}
			last := res.Measurements[len(res.Measurements)-1]
			if !(last.Rho > 0 && last.Rho <= 1) || last.Curvature == nil || !(last.Curvature.Lambda1 > 0) || !(last.Curvature.IASFull > 0) {
				t.Errorf("measurement %+v curvature %+v", last, last.Curvature)
			}
			t.Logf("test acc %.3f, ρ %.3g, λ1 %.3g, IAS %.3g", res.TestAcc, last.Rho, last.Curvature.Lambda1, last.Curvature.IASFull)
		})
	}
}

// TestLayeredModelChecks: specs a layered model cannot take are bad input.
func TestLayeredModelChecks(t *testing.T) {
	images := &dataset.Data{Train: quadrantImages(16, 1), Test: quadrantImages(4, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	plain := &dataset.Data{Train: dataset.Split{X: make([]float32, 16*64), Y: make([]uint8, 16), N: 16}, Dim: 64, Classes: 4}
	for _, tc := range []struct {
		name  string
		data  *dataset.Data
		model lssr.ModelSpec
		b     int
	}{
		{"cnn on plain features", plain, lssr.ModelSpec{Kind: "cnn", Channels: []int{2}, Activation: "relu"}, 4},
		{"too many blocks", images, lssr.ModelSpec{Kind: "cnn", Channels: []int{2, 2, 2, 2}, Activation: "relu"}, 4},
		{"no blocks", images, lssr.ModelSpec{Kind: "cnn", Activation: "relu"}, 4},
		{"dense batch norm at b=1", images, lssr.ModelSpec{Kind: "mlp", BatchNorm: true, Hidden: []int{4}, Activation: "relu"}, 1},
	} {
		job := lssr.Job{Model: tc.model, Loss: lssr.LossCrossEntropy, BatchSize: tc.b, LR: 0.1,
			Training: lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout}}
		if _, err := Train(context.Background(), job, tc.data, nil); !errors.Is(err, lssr.ErrBadInput) {
			t.Errorf("%s: err = %v, want bad input", tc.name, err)
		}
	}
}

// TestLayeredWeightsReload: the saved state_dict of a CNN with batch norm
// (parameters and running statistics), loaded into a fresh network,
// reproduces the job's test loss and accuracy bit for bit.
func TestLayeredWeightsReload(t *testing.T) {
	data := &dataset.Data{Train: quadrantImages(64, 1), Test: quadrantImages(50, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	job := lssr.Job{ID: "cnn", Model: lssr.ModelSpec{Kind: "cnn", Channels: []int{3}, Hidden: []int{8}, BatchNorm: true, Activation: "relu"},
		Loss: lssr.LossCrossEntropy, BatchSize: 8, LR: 0.1, SaveWeights: true,
		Training: lssr.TrainingSpec{Epochs: 2, Sampling: lssr.SamplingWithout}}
	res, err := Train(context.Background(), job, data, nil)
	if err != nil || res.Weights == nil {
		t.Fatalf("weights %d bytes, err %v", len(res.Weights), err)
	}
	f, err := safetensors.Decode(res.Weights)
	if err != nil {
		t.Fatal(err)
	}
	if tn, ok := f.Get("1.num_batches_tracked"); !ok || len(tn.Shape) != 0 {
		t.Fatalf("no scalar 1.num_batches_tracked in %d tensors", len(f.Tensors))
	}
	cfg, err := parseJob(job, data)
	if err != nil {
		t.Fatal(err)
	}
	fresh := newRun(cfg, data)
	if err := loadState(fresh.net, f); err != nil {
		t.Fatal(err)
	}
	test, err := fresh.pass(context.Background(), data.Test, false)
	if err != nil {
		t.Fatal(err)
	}
	if test.loss != res.TestLoss || test.acc != res.TestAcc {
		t.Errorf("reloaded: test loss %v acc %v, the job reported %v %v", test.loss, test.acc, res.TestLoss, res.TestAcc)
	}
}

// TestInitialTrainLoss: the Result's initial loss is the loss of the
// freshly initialised network over the training subset, for both model
// paths, and a resumed run keeps the first attempt's.
func TestInitialTrainLoss(t *testing.T) {
	data := &dataset.Data{Train: quadrantImages(64, 1), Test: quadrantImages(16, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	for _, m := range []lssr.ModelSpec{
		{Kind: "mlp", Hidden: []int{8}, Activation: "relu"},
		{Kind: "cnn", Channels: []int{2}, BatchNorm: true, Activation: "tanh"},
	} {
		job := lssr.Job{ID: string(m.Kind), Model: m, Loss: lssr.LossCrossEntropy, BatchSize: 8, LR: 0.1, Seed: 5, CheckpointEvery: 1,
			Training: lssr.TrainingSpec{Epochs: 3, Sampling: lssr.SamplingWithout}}
		var ck []byte
		res, err := Train(context.Background(), job, data, func(p lssr.Progress) {
			if ck == nil {
				ck = p.Checkpoint
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := parseJob(job, data)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := newRun(cfg, data).pass(context.Background(), data.Train, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.InitialTrainLoss != fresh.loss || !(res.InitialTrainLoss > res.TrainLoss) {
			t.Errorf("%s: initial loss %v, the fresh network's %v (final %v)", m.Kind, res.InitialTrainLoss, fresh.loss, res.TrainLoss)
		}
		job.Resume = ck
		resumed, err := Train(context.Background(), job, data, nil)
		if err != nil || resumed.InitialTrainLoss != res.InitialTrainLoss {
			t.Errorf("%s: resumed run's initial loss %v, want %v (%v)", m.Kind, resumed.InitialTrainLoss, res.InitialTrainLoss, err)
		}
	}
}
