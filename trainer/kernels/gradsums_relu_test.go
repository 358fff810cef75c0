package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGradSumsReLU checks on every path that GradSumsReLU leaves d and
// returns the sums bit for bit as ReLUGrad then GradSums do, over lengths
// around the blocks of 16 and inputs with NaNs, infinities and signed
// zeros in d, h and x.
func TestGradSumsReLU(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		sp := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1e-38}
		val := func() float32 {
			if r.IntN(8) == 0 {
				return sp[r.IntN(len(sp))]
			}
			return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(6)-3)))
		}
		for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 784, 1000} {
			d, h, x := make([]float32, n), make([]float32, n+1), make([]float32, n+1)
			for i := range d {
				d[i], h[i], x[i] = val(), val(), val()
			}
			mu := r.NormFloat64()
			want := append([]float32(nil), d...)
			ReLUGrad(want, h)
			ws, wg := GradSums(want, x, mu)
			gs, gg := GradSumsReLU(d, h, x, mu)
			if math.Float64bits(gs) != math.Float64bits(ws) || math.Float64bits(gg) != math.Float64bits(wg) {
				t.Errorf("n=%d: sums %v, %v; want %v, %v", n, gs, gg, ws, wg)
			}
			for i := range d {
				if math.Float32bits(d[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: d[%d] = %v, want %v (h %v)", n, i, d[i], want[i], h[i])
				}
			}
		}
	})
}
