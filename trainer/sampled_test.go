package trainer

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/lssr/lssr"
)

// TestSampledRhoBAgreesWithEq17 measures ρ_b by sampling batches and checks
// eq. 17 against it within three standard errors, for b ∈ {1, 8, 64, n/2, n}
// with and without replacement. At b = n without replacement every batch is
// the whole set, so ρ_b is exactly 1.
func TestSampledRhoBAgreesWithEq17(t *testing.T) {
	const n, batches = 160, 400
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		r := smallRun(t, n, 8, []int{10}, "tanh", lssr.LossCrossEntropy, sampling)
		for s := range 4 {
			r.step(r.perm[s*8 : s*8+8])
		}
		m, err := r.measure(context.Background(), 0, 0)
		if err != nil || m == nil {
			t.Fatalf("measure: %v %v", m, err)
		}
		for _, b := range []int{1, 8, 64, n / 2, n} {
			t.Run(fmt.Sprintf("%s/b=%d", sampling, b), func(t *testing.T) {
				got, se, err := r.sampledRhoB(context.Background(), r.data.Train, m.GradSqNorm, b, batches, sampling, uint64(b))
				if err != nil {
					t.Fatal(err)
				}
				want := lssr.RhoB(m.Rho, n, b, sampling)
				t.Logf("ρ = %.4g: eq. 17 ρ_b = %.5f, sampled %.5f ± %.5f (%.1f SE)", m.Rho, want, got, se, math.Abs(got-want)/math.Max(se, 1e-300))
				if sampling == lssr.SamplingWithout && b == n {
					if relErr(got, 1) > 1e-5 || relErr(want, 1) > 1e-12 {
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
