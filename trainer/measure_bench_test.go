package trainer

import (
	"context"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// w1Run is the reference MLP 784-512-512-10 on n synthetic MNIST-shaped
// examples at batch size b.
func w1Run(b *testing.B, n, batch int) *run {
	b.Helper()
	data, err := Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: n, Dim: 784, Classes: 10, SubsetSeed: 1})
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := parseJob(lssr.Job{
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{512, 512}, Activation: "relu"},
		Loss:  lssr.LossCrossEntropy, BatchSize: batch, LR: 1e-3, Seed: 1,
		Training: lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout},
	}, data)
	if err != nil {
		b.Fatal(err)
	}
	return newRun(cfg, data)
}

// BenchmarkRhoVsEpoch times one ρ measurement over n = 8192 examples of W1
// against one training epoch at b = 128 on the same examples, side by side,
// and reports their ratio (issue target: ≤ 0.8).
func BenchmarkRhoVsEpoch(b *testing.B) {
	r := w1Run(b, 8192, 128)
	ctx := context.Background()
	var rho, epoch time.Duration
	for b.Loop() {
		start := time.Now()
		r.startEpoch()
		for s := range r.stepsPerEpoch() {
			r.step(r.batch(s))
		}
		epoch += time.Since(start)
		start = time.Now()
		if _, err := r.measure(ctx, 1, 0); err != nil {
			b.Fatal(err)
		}
		rho += time.Since(start)
	}
	b.ReportMetric(rho.Seconds()/float64(b.N), "s/rho")
	b.ReportMetric(epoch.Seconds()/float64(b.N), "s/epoch")
	b.ReportMetric(rho.Seconds()/epoch.Seconds(), "rho/epoch")
}

// BenchmarkHVPVsGradient times one exact Hessian-vector product over 2048
// examples of W1 against one full gradient over the same examples, side by
// side, and reports their ratio (issue target: ≤ 3).
func BenchmarkHVPVsGradient(b *testing.B) {
	r := w1Run(b, 2048, 128)
	ctx := context.Background()
	v := append([]float32(nil), r.net.params...)
	hv := make([]float64, len(v))
	var hvp, grad time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := r.pass(ctx, r.data.Train, true); err != nil {
			b.Fatal(err)
		}
		grad += time.Since(start)
		start = time.Now()
		if err := r.hessianVector(ctx, r.data.Train, v, hv); err != nil {
			b.Fatal(err)
		}
		hvp += time.Since(start)
	}
	b.ReportMetric(hvp.Seconds()/grad.Seconds(), "hvp/grad")
}
