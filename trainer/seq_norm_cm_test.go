package trainer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestCMGradSums checks the four-way sums of the channel-major batch norm's
// backward against plain sums, over lengths around the unrolling.
func TestCMGradSums(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 101, 784 * 3} {
		x, dy := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], dy[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
		}
		const mu = 0.25
		var ws, wg, scale float64
		for i := range x {
			ws += float64(dy[i])
			wg += float64(dy[i]) * (float64(x[i]) - mu)
			scale += math.Abs(float64(dy[i])) * (1 + math.Abs(float64(x[i])-mu))
		}
		s, g := cmGradSums(x, dy, mu)
		if math.Abs(s-ws) > 1e-14*scale || math.Abs(g-wg) > 1e-14*scale {
			t.Errorf("n=%d: sums %v, %v, want %v, %v", n, s, g, ws, wg)
		}
	}
}
