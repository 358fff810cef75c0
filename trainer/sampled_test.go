package trainer

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/testutil"
)

// TestSampledRhoBAgreesWithEq17 measures ρ_b by sampling batches and checks
// eq. 17 against it within three standard errors, for b ∈ {1, 8, 64, n/2, n}
// with and without replacement. At b = n without replacement every batch is
// the whole set, so ρ_b is exactly 1.
func TestSampledRhoBAgreesWithEq17(t *testing.T) {
	const n, batches = 160, 400
	for _, tc := range []struct {
		model    string
		sampling lssr.Sampling
	}{{"mlp", lssr.SamplingWithout}, {"mlp", lssr.SamplingWith}, {"cnn-bn", lssr.SamplingWithout}, {"cnn-bn", lssr.SamplingWith}} {
		sampling := tc.sampling
		r := smallRun(t, n, 8, []int{10}, "tanh", lssr.LossCrossEntropy, sampling)
		if tc.model == "cnn-bn" {
			r = cnnRun(t, n, sampling)
		}
		for s := range 4 {
			r.step(r.perm[s*8 : s*8+8])
		}
		m, err := r.measure(context.Background(), 0, 0)
		if err != nil || m == nil {
			t.Fatalf("measure: %v %v", m, err)
		}
		for _, b := range []int{1, 8, 64, n / 2, n} {
			t.Run(fmt.Sprintf("%s/%s/b=%d", tc.model, sampling, b), func(t *testing.T) {
				got, se, err := r.sampledRhoB(context.Background(), r.data.Train, m.GradSqNorm, b, batches, sampling, uint64(b))
				if err != nil {
					t.Fatal(err)
				}
				want := lssr.RhoB(m.Rho, n, b, sampling)
				apart := "every batch is the whole set"
				if se > 0 {
					apart = fmt.Sprintf("%.1f SE apart", math.Abs(got-want)/se)
				}
				t.Logf("ρ = %.4g: eq. 17 ρ_b = %.5f, sampled %.5f ± %.5f (%s)", m.Rho, want, got, se, apart)
				if sampling == lssr.SamplingWithout && b == n {
					if testutil.RelErr(got, 1) > 1e-5 || testutil.RelErr(want, 1) > 1e-12 {
						t.Errorf("b = n without replacement: ρ_b = %v sampled, %v by eq. 17, want 1", got, want)
					}
					return
				}
				if math.Abs(got-want) > 3*se {
					t.Errorf("eq. 17 gives %.5f, sampling %.5f ± %.5f: %.1f standard errors apart", want, got, se, math.Abs(got-want)/se)
				}
			})
		}
	}
}

// cnnRun is a run of a small CNN with batch norm on n quadrant images at
// b = 8 (the seqNet path).
func cnnRun(t *testing.T, n int, sampling lssr.Sampling) *run {
	t.Helper()
	data := &dataset.Data{Train: quadrantImages(n, 5), Test: quadrantImages(8, 6), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	job := lssr.Job{
		Model: lssr.ModelSpec{Kind: "cnn", Channels: []int{3}, Hidden: []int{6}, BatchNorm: true, Activation: "tanh"},
		Loss:  lssr.LossCrossEntropy, BatchSize: 8, LR: 0.1, Seed: 11,
		Training: lssr.TrainingSpec{Epochs: 1, Sampling: sampling},
	}
	cfg, err := parseJob(job, data)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(cfg, data)
}
