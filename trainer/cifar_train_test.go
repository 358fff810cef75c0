package trainer

import (
	"context"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// cifarLike returns n rows shaped like CIFAR-10's (3×32×32 pixels in
// [0, 1], labels 0–9); example g has pixel (c, h, w) = (g+31c+7h+3w mod 256)/255
// and label g mod 10. Package dataset tests the reading of the real files.
func cifarLike(n int) dataset.Split {
	s := dataset.Split{X: make([]float32, 0, n*3072), Y: make([]uint8, n), N: n}
	for g := range n {
		for c := range 3 {
			for h := range 32 {
				for w := range 32 {
					s.X = append(s.X, float32(byte(g+31*c+7*h+3*w))/255)
				}
			}
		}
		s.Y[g] = uint8(g % 10)
	}
	return s
}

func TestTrainOnCIFAR(t *testing.T) {
	data := &dataset.Data{Train: cifarLike(64), Test: cifarLike(40), Dim: 3072, Classes: 10, Shape: [3]int{3, 32, 32}}
	job := lssr.Job{
		Dataset:   lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, N: 64, TestN: 40, SubsetSeed: 1, Balanced: true},
		Model:     lssr.ModelSpec{Kind: "mlp", Hidden: []int{8}, Activation: "relu"},
		Loss:      lssr.LossCrossEntropy,
		Training:  lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout},
		BatchSize: 16, LR: 0.01, Seed: 1,
	}
	res, err := Train(context.Background(), job, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Diverged || res.Epochs != 1 || res.Steps != 4 {
		t.Errorf("diverged=%v epochs=%d steps=%d, want false, 1, 4", res.Diverged, res.Epochs, res.Steps)
	}
}
