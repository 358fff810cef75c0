package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2RowGo checks maxPool2RowGo, the reference and fallback of
// MaxPool2Plane, bit for bit against the rule written out per window
// (first strict maximum in row order, first NaN if any), on inputs full of
// ties, signed zeros and NaNs with distinct payloads, for row lengths
// around the 16-output chunks, NaN-free rows too, and that it writes
// nothing past n.
func TestMaxPool2RowGo(t *testing.T) {
	nan1, nan2 := math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 2, 7, 14, 15, 16, 17, 31, 32, 33, 40} {
		for _, withNaN := range []bool{false, true} {
			vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, 2, 2, -3, float32(math.Inf(-1)), float32(math.Inf(1))}
			if withNaN {
				vals = append(vals, nan1, nan2)
			}
			for _, w := range []int{2 * n, 2*n + 1} {
				t.Run(fmt.Sprintf("n=%d/w=%d/nan=%v", n, w, withNaN), func(t *testing.T) {
					x := make([]float32, 2*w)
					for i := range x {
						if r.IntN(2) == 0 {
							x[i] = vals[r.IntN(len(vals))]
						} else {
							x[i] = float32(r.NormFloat64())
						}
					}
					y, am := make([]float32, n+1), make([]int32, n+1)
					y[n], am[n] = 42, 42
					const base = 1000
					maxPool2RowGo(y[:n], am[:n], x[:w], x[w:], w, base)
					for o := range n {
						offs := []int{2 * o, 2*o + 1, w + 2*o, w + 2*o + 1}
						best, at := x[offs[0]], offs[0]
						for _, k := range offs[1:] {
							if v := x[k]; v > best || (v != v && best == best) {
								best, at = v, k
							}
						}
						if math.Float32bits(y[o]) != math.Float32bits(best) || int(am[o]) != base+at {
							t.Fatalf("output %d: %v at %d, want %v at %d", o, y[o], am[o], best, base+at)
						}
					}
					if y[n] != 42 || am[n] != 42 {
						t.Fatal("wrote past n")
					}
				})
			}
		}
	}
}
