package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSGDUpdate checks SGDUpdate on every path bit for bit against the
// product and the difference each rounded in float32 (computed here in
// float64 and rounded, which for one operation is the float32 result),
// over lengths around the vector blocks and values with NaNs, infinities,
// signed zeros and products that a fused multiply-add would round
// differently.
func TestSGDUpdate(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		sp := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 3e38}
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 100, 1000} {
			for _, lr := range []float32{0.1, 1, 3e-7, -0.5} {
				p, g := make([]float32, n+1), make([]float32, n)
				for i := range g {
					p[i], g[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
					if r.IntN(10) == 0 {
						g[i] = sp[r.IntN(len(sp))]
					}
				}
				p[n] = 42
				want := make([]float32, n)
				for i := range want {
					prod := float32(float64(lr) * float64(g[i]))
					want[i] = float32(float64(p[i]) - float64(prod))
				}
				SGDUpdate(p, g, lr)
				for i := range want {
					if math.Float32bits(p[i]) != math.Float32bits(want[i]) && !(p[i] != p[i] && want[i] != want[i]) {
						t.Fatalf("n=%d lr=%v: p[%d] = %v, want %v", n, lr, i, p[i], want[i])
					}
				}
				if p[n] != 42 {
					t.Fatalf("n=%d: wrote past g", n)
				}
			}
		}
	})
}
