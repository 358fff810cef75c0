package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestPoolMax2x2 checks the branch-free 2×2 stride-2 max pool against the
// general loop's rule (the first strict maximum in row order, the first NaN
// if any) bit for bit, on inputs full of ties, signed zeros and NaNs with
// distinct payloads, over odd and even plane sizes and both output layouts.
func TestPoolMax2x2(t *testing.T) {
	nan1, nan2 := math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)
	vals := []float32{-1, 0, float32(math.Copysign(0, -1)), 1, 2, 2, nan1, nan2, -3}
	r := rand.New(rand.NewPCG(8, 9))
	for _, s := range [][4]int{{1, 2, 2, 1}, {2, 5, 7, 3}, {3, 6, 6, 2}, {1, 3, 3, 5}, {2, 28, 28, 2}, {1, 4, 9, 1}} {
		c, h, w, m := s[0], s[1], s[2], s[3]
		for _, flat := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/flat=%v", s, flat), func(t *testing.T) {
				p, err := newPool2D[float32](c, h, w, 2, 2, true)
				if err != nil {
					t.Fatal(err)
				}
				l := newPoolLayer(p, m, flat)
				x := make([]float32, m*p.inLen())
				for i := range x {
					x[i] = vals[r.IntN(len(vals))]
				}
				y := make([]float32, m*p.outLen())
				l.forward(nil, nil, x, m, y, true)
				inHW, outHW := h*w, p.outH*p.outW
				for q := range c * m {
					o := l.outPlane(q, m) * outHW
					for oh := range p.outH {
						for ow := range p.outW {
							top := q*inHW + 2*oh*w + 2*ow
							best, at := x[top], top
							for _, k := range []int{top + 1, top + w, top + w + 1} {
								if v := x[k]; v > best || (v != v && best == best) {
									best, at = v, k
								}
							}
							if math.Float32bits(y[o]) != math.Float32bits(best) || int(l.argmax[o]) != at {
								t.Fatalf("plane %d (%d, %d): got %v at %d, want %v at %d", q, oh, ow, y[o], l.argmax[o], best, at)
							}
							o++
						}
					}
				}
			})
		}
	}
}
