package trainer

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// cnnBenchShapes are the CNNs the CNN benchmarks time, by sub-benchmark
// name: MNIST-shaped conv blocks with batch norm and one hidden layer.
var cnnBenchShapes = []struct {
	name             string
	channels, hidden []int
}{
	{"c16-32-bn-h128", []int{16, 32}, []int{128}},
	{"c32-64-bn-h256", []int{32, 64}, []int{256}},
}

// cnnBenchRun is a run of a batch-norm ReLU CNN on n synthetic 1×28×28
// examples of 10 classes at batch size batch.
func cnnBenchRun(b *testing.B, channels, hidden []int, n, batch int) *run {
	b.Helper()
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: n, Dim: 784, Classes: 10, SubsetSeed: 1})
	if err != nil {
		b.Fatal(err)
	}
	data.Shape = [3]int{1, 28, 28}
	cfg, err := parseJob(lssr.Job{
		Model:     lssr.ModelSpec{Kind: "cnn", Channels: channels, Hidden: hidden, BatchNorm: true, Activation: "relu"},
		Loss:      lssr.LossCrossEntropy,
		Training:  lssr.TrainingSpec{Epochs: 1, Sampling: lssr.SamplingWithout},
		BatchSize: batch, LR: 1e-3, Seed: 1,
	}, data)
	if err != nil {
		b.Fatal(err)
	}
	return newRun(cfg, data)
}

// cpuTime is the CPU time the process has used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportSamples reports samples/s by the wall clock and cpu-samples/s by
// the process's CPU time since start, which other processes sharing the
// cores inflate far less: compare that one on a busy machine (with
// GOMAXPROCS=1).
func reportSamples(b *testing.B, samples int, start time.Duration) {
	b.ReportMetric(float64(samples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(samples)*float64(b.N)/cpu.Seconds(), "cpu-samples/s")
	}
}

// BenchmarkTrainStepCNN times one SGD step (gather, forward, loss,
// backward, update) of the CNNs of cnnBenchShapes on MNIST-shaped inputs.
func BenchmarkTrainStepCNN(b *testing.B) {
	for _, s := range cnnBenchShapes {
		for _, batch := range []int{32, 128} {
			b.Run(fmt.Sprintf("cnn=%s/b=%d", s.name, batch), func(b *testing.B) {
				r := cnnBenchRun(b, s.channels, s.hidden, 4*batch, batch)
				r.startEpoch()
				b.ReportAllocs()
				start := cpuTime()
				st := 0
				for b.Loop() {
					r.step(r.batch(st % r.stepsPerEpoch()))
					st++
				}
				reportSamples(b, batch, start)
			})
		}
	}
}

// rhoCNNN is how many examples BenchmarkRhoPassCNN and
// BenchmarkEpochCNN cover.
const rhoCNNN = 512

// BenchmarkRhoPassCNN times one ρ measurement (the full pass with
// per-example gradient norms) over 512 examples of the [16,32]+BN CNN;
// compare it with BenchmarkEpochCNN over the same examples (target: at
// most 1.5 times).
func BenchmarkRhoPassCNN(b *testing.B) {
	r := cnnBenchRun(b, []int{16, 32}, []int{128}, rhoCNNN, 128)
	ctx := context.Background()
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := r.measure(ctx, 1, 0); err != nil {
			b.Fatal(err)
		}
	}
	reportSamples(b, rhoCNNN, start)
}

// BenchmarkEpochCNN times one training epoch at b = 128 over the 512
// examples of BenchmarkRhoPassCNN.
func BenchmarkEpochCNN(b *testing.B) {
	r := cnnBenchRun(b, []int{16, 32}, []int{128}, rhoCNNN, 128)
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		r.startEpoch()
		for s := range r.stepsPerEpoch() {
			r.step(r.batch(s))
		}
	}
	reportSamples(b, rhoCNNN, start)
}
