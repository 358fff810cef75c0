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

// TestPoolSpread2x2 checks the float32 2×2 stride-2 max pool's spread
// (kernels.MaxPool2Spread a plane at a time) bit for bit against the loop
// it replaced, clear each plane and add each gradient at its argmax, on
// the kernel path in use (LSSR_KERNELS and -tags purego pick it; the
// kernels' own tests run every path), for odd and even plane sizes and
// both output layouts, with gradients full of NaNs, ±0 and ±Inf, over a
// dx full of garbage.
func TestPoolSpread2x2(t *testing.T) {
	nan1, nan2 := math.Float32frombits(0x7fc00001), math.Float32frombits(0xffc00002)
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	xvals := []float32{-1, 0, negZero, 1, 2, 2, nan1, nan2, -3}
	gvals := []float32{0, negZero, nan1, nan2, inf, -inf, 1, -2.5}
	r := rand.New(rand.NewPCG(10, 11))
	for _, s := range [][4]int{{1, 2, 2, 1}, {2, 5, 7, 3}, {3, 6, 6, 2}, {1, 3, 3, 5}, {2, 28, 28, 2}, {3, 14, 14, 4}, {1, 15, 14, 2}, {1, 4, 9, 1}} {
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
					x[i] = xvals[r.IntN(len(xvals))]
				}
				y := make([]float32, m*p.outLen())
				l.forward(nil, nil, x, m, y, true)
				dy := make([]float32, len(y))
				for i := range dy {
					dy[i] = gvals[r.IntN(len(gvals))]
				}
				// The loop spread ran before MaxPool2Spread.
				want := make([]float32, len(x))
				inHW, outHW := h*w, p.outH*p.outW
				for q := range c * m {
					clear(want[q*inHW : (q+1)*inHW])
					o := l.outPlane(q, m) * outHW
					for k, g := range dy[o : o+outHW] {
						want[l.argmax[o+k]] += g
					}
				}
				dx := make([]float32, len(x))
				for i := range dx {
					dx[i] = math.Float32frombits(0x7fbadbad)
				}
				l.spread(dy, m, dx)
				for i := range dx {
					if math.Float32bits(dx[i]) != math.Float32bits(want[i]) {
						t.Fatalf("dx[%d] = %v (%#x), want %v (%#x)", i, dx[i], math.Float32bits(dx[i]), want[i], math.Float32bits(want[i]))
					}
				}
			})
		}
	}
}
