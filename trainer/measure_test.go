package trainer

import (
	"context"
	"fmt"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

// TestMeasureMatchesMaterialisedGradients checks ‖∇L‖², tr(S_1) and ρ against
// per-example gradients materialised in float64 by finite differences.
func TestMeasureMatchesMaterialisedGradients(t *testing.T) {
	tests := []struct {
		hidden []int
		act    lssr.Activation
		loss   lssr.Loss
	}{
		{[]int{6, 4}, "tanh", lssr.LossCrossEntropy},
		{[]int{6}, "relu", lssr.LossCrossEntropy},
		{[]int{5}, "tanh", lssr.LossMSE},
		{nil, "relu", lssr.LossMSE},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%s/%s", tt.hidden, tt.act, tt.loss), func(t *testing.T) {
			r := smallRun(t, 40, 4, tt.hidden, tt.act, tt.loss, lssr.SamplingWithout)
			// A few steps first, so the measurement is not at the initial point.
			for s := range 5 {
				r.step(r.perm[s*4 : (s+1)*4])
			}
			m, err := r.measure(context.Background(), 1, 5)
			if err != nil || m == nil {
				t.Fatalf("measure: %v, %v", m, err)
			}
			rn := refOf(r.fused(), r.cfg.loss)
			gradSqNorm, trS1, _ := rn.refGradStats(toFloat64(r.fused().logical(r.net.parameters())), r.data.Train, r.data.Dim)
			rho := gradSqNorm / trS1
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"‖∇L‖²", m.GradSqNorm, gradSqNorm},
				{"tr(S_1)", m.TrS1, trS1},
				{"ρ", m.Rho, rho},
				{"ρ_b", m.RhoB, lssr.RhoB(rho, 40, 4, lssr.SamplingWithout)},
			} {
				if e := testutil.RelErr(c.got, c.want); e > 1e-4 {
					t.Errorf("%s = %.8g, reference %.8g (relative error %.2g)", c.name, c.got, c.want, e)
				}
			}
			if !(m.Rho > 0 && m.Rho <= 1) {
				t.Errorf("ρ = %v outside (0, 1]", m.Rho)
			}
		})
	}
}

// TestRhoBMatchesBatchGradients checks eq. 17 against ρ_b measured directly as
// ‖∇L‖² / mean ‖g_ξ‖² over every possible batch: all b-subsets without
// replacement, all ordered b-tuples with replacement.
func TestRhoBMatchesBatchGradients(t *testing.T) {
	const n, b = 8, 3
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		t.Run(string(sampling), func(t *testing.T) {
			r := smallRun(t, n, b, []int{6}, "tanh", lssr.LossCrossEntropy, sampling)
			m, err := r.measure(context.Background(), 0, 0)
			if err != nil || m == nil {
				t.Fatalf("measure: %v, %v", m, err)
			}
			var batches [][]int
			for i := range n * n * n {
				idx := []int{i % n, i / n % n, i / (n * n)}
				if sampling == lssr.SamplingWith || (idx[0] < idx[1] && idx[1] < idx[2]) {
					batches = append(batches, idx)
				}
			}
			var meanSq float64
			for _, idx := range batches {
				r.gradient(idx)
				meanSq += sqNorm(r.net.gradients()) / float64(len(batches))
			}
			measured := m.GradSqNorm / meanSq
			if e := testutil.RelErr(m.RhoB, measured); e > 1e-4 {
				t.Errorf("eq. 17 gives ρ_b = %.8g, %d batches give %.8g (relative error %.2g)", m.RhoB, len(batches), measured, e)
			}
		})
	}
}

// TestRhoBMatchesSampler draws batches with the trainer's own sampler and
// checks the Monte Carlo ρ_b against eq. 17. At b = n/2 the two samplings'
// γ_{n,b} differ by a factor of almost 2, so a mix-up cannot pass.
func TestRhoBMatchesSampler(t *testing.T) {
	const n, b, epochs = 16, 8, 2000
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		t.Run(string(sampling), func(t *testing.T) {
			r := smallRun(t, n, b, []int{6}, "tanh", lssr.LossCrossEntropy, sampling)
			m, err := r.measure(context.Background(), 0, 0)
			if err != nil || m == nil {
				t.Fatalf("measure: %v, %v", m, err)
			}
			var sum float64
			var count int
			for range epochs {
				r.startEpoch()
				for s := range r.stepsPerEpoch() {
					r.gradient(r.batch(s))
					sum += sqNorm(r.net.gradients())
					count++
				}
			}
			measured := m.GradSqNorm / (sum / float64(count))
			if e := testutil.RelErr(m.RhoB, measured); e > 0.03 {
				t.Errorf("eq. 17 gives ρ_b = %.5g, %d sampled batches give %.5g (relative error %.2g)", m.RhoB, count, measured, e)
			}
			other := lssr.SamplingWith
			if sampling == lssr.SamplingWith {
				other = lssr.SamplingWithout
			}
			if wrong := lssr.RhoB(m.Rho, n, b, other); testutil.RelErr(wrong, measured) < 0.1 {
				t.Errorf("the other sampling's ρ_b %.5g is as close to the measured %.5g: the test cannot tell them apart", wrong, measured)
			}
		})
	}
}
