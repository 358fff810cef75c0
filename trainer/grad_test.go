package trainer

import (
	"fmt"
	"math"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

// TestGradientMatchesFiniteDifferences checks backprop (float32) against
// central finite differences of an independent float64 forward pass, on a
// smooth tanh model, for both losses.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	tests := []struct {
		hidden []int
		loss   lssr.Loss
	}{
		{[]int{7, 6}, lssr.LossCrossEntropy},
		{[]int{7, 6}, lssr.LossMSE},
		{nil, lssr.LossCrossEntropy},
		{[]int{4}, lssr.LossMSE},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("hidden=%v/%s", tt.hidden, tt.loss), func(t *testing.T) {
			r := smallRun(t, 12, 5, tt.hidden, "tanh", tt.loss, lssr.SamplingWithout)
			idx := []int{3, 0, 7, 11, 5}
			loss, _ := r.gradient(idx)

			rn := refOf(r.fused(), r.cfg.loss)
			theta := toFloat64(r.fused().logical(r.net.parameters()))
			grads := r.fused().logical(r.net.gradients())
			var refLoss float64
			refGrad := make([]float64, len(theta))
			dim := r.data.Dim
			for _, i := range idx {
				x, y := r.data.Train.X[i*dim:(i+1)*dim], r.data.Train.Y[i]
				refLoss += rn.exampleLoss(theta, x, y) / float64(len(idx))
				for k, g := range rn.exampleGrad(theta, x, y) {
					refGrad[k] += g / float64(len(idx))
				}
			}
			if e := testutil.RelErr(loss, refLoss); e > 1e-5 {
				t.Errorf("loss = %v, reference %v (relative error %.2g)", loss, refLoss, e)
			}
			var diff, norm, maxAbs float64
			for k, g := range refGrad {
				d := float64(grads[k]) - g
				diff += d * d
				norm += g * g
				maxAbs = math.Max(maxAbs, math.Abs(g))
			}
			if e := math.Sqrt(diff / norm); e > 1e-4 {
				t.Errorf("‖g − g_ref‖/‖g_ref‖ = %.2g, want ≤ 1e-4", e)
			}
			for k, g := range refGrad {
				if d := math.Abs(float64(grads[k]) - g); d > 1e-4*maxAbs+1e-7 {
					t.Errorf("grad[%d] = %v, reference %v", k, grads[k], g)
				}
			}
		})
	}
}
