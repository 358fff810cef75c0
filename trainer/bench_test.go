package trainer

import (
	"fmt"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// BenchmarkTrainStep times one SGD step (gather, forward, loss, backward,
// update) of MNIST-shaped MLPs, the reference being 784-512-512-10.
func BenchmarkTrainStep(b *testing.B) {
	for _, hidden := range [][]int{{512, 512}, {128}} {
		for _, batch := range []int{8, 32, 128, 512} {
			b.Run(fmt.Sprintf("mlp=784-%v-10/b=%d", hidden, batch), func(b *testing.B) {
				data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 4 * batch, Dim: 784, Classes: 10, SubsetSeed: 1})
				if err != nil {
					b.Fatal(err)
				}
				cfg, err := parseJob(lssr.Job{
					Model:     lssr.ModelSpec{Kind: "mlp", Hidden: hidden, Activation: "relu"},
					Loss:      lssr.LossCrossEntropy,
					Training:  lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout},
					BatchSize: batch, LR: 1e-3, Seed: 1,
				}, data)
				if err != nil {
					b.Fatal(err)
				}
				r := newRun(cfg, data)
				r.startEpoch()
				b.ReportAllocs()
				s := 0
				for b.Loop() {
					r.step(r.batch(s % r.stepsPerEpoch()))
					s++
				}
				b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
