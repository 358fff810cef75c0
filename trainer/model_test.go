package trainer

import (
	"testing"

	"github.com/lssr/lssr"
)

// TestFusedStepEqualsGradientThenUpdate checks that the SGD step fused into
// the backward pass moves every parameter by −η·∇ of the same batch, to
// float32 rounding.
func TestFusedStepEqualsGradientThenUpdate(t *testing.T) {
	for _, act := range []lssr.Activation{"relu", "tanh"} {
		r := smallRun(t, 40, 8, []int{30, 27}, act, "cross-entropy", "without")
		r.cfg.lr = 0.5
		idx := r.perm[:8]
		before := r.fused().logical(r.net.parameters())
		r.gradient(idx)
		grads := r.fused().logical(r.net.gradients())
		r.step(idx)
		after := r.fused().logical(r.net.parameters())
		for i := range before {
			want := before[i] - float32(r.cfg.lr)*grads[i]
			if d := after[i] - want; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%s: parameter %d: fused step gives %v, gradient then update %v", act, i, after[i], want)
			}
		}
	}
}
