package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAffineF64 checks AffineF64 on both paths bit for bit against the Go
// expression, with and without the ReLU, over lengths around the vector
// width and inputs that include NaNs, infinities, signed zeros and values
// whose result rounds to −0 or overflows float32.
func TestAffineF64(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 3e38, -3e38}
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 1000} {
			for _, relu := range []bool{false, true} {
				for _, ab := range [][2]float64{{1.5, -0.25}, {1e-20, 0}, {-3, 0}, {1e10, 1}} {
					x := make([]float32, n)
					for i := range x {
						if r.IntN(4) == 0 {
							x[i] = specials[r.IntN(len(specials))]
						} else {
							x[i] = float32(r.NormFloat64())
						}
					}
					y := make([]float32, n+1)
					y[n] = 42
					AffineF64(y, x, ab[0], ab[1], relu)
					for j, v := range x {
						want := float32(float64(v)*ab[0] + ab[1])
						if relu {
							want = max(want, 0)
						}
						if math.Float32bits(y[j]) != math.Float32bits(want) {
							t.Fatalf("n=%d relu=%v %v: y[%d] = %v (%#x), want %v (%#x)", n, relu, ab, j, y[j], math.Float32bits(y[j]), want, math.Float32bits(want))
						}
					}
					if y[n] != 42 {
						t.Fatalf("n=%d: wrote past x", n)
					}
				}
			}
		}
	})
}

// TestAffine2F64 checks Affine2F64 on both paths against the float64
// expression, within a float32 rounding, over lengths around the vector
// width, and that it writes nothing past len(d).
func TestAffine2F64(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 1000} {
			d, x := make([]float32, n), make([]float32, n+3)
			for i := range d {
				d[i] = float32(r.NormFloat64())
			}
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			y := make([]float32, n+1)
			y[n] = 42
			const a, b, c = 1.7, -0.3, 0.05
			Affine2F64(y, d, x, a, b, c)
			for j := range d {
				want := a*float64(d[j]) + b*float64(x[j]) + c
				if math.Abs(float64(y[j])-want) > 1e-7*(math.Abs(a*float64(d[j]))+math.Abs(b*float64(x[j]))+c) {
					t.Fatalf("n=%d: y[%d] = %v, want %v", n, j, y[j], want)
				}
			}
			if y[n] != 42 {
				t.Fatalf("n=%d: wrote past d", n)
			}
		}
	})
}

// TestGradSums checks GradSums on both paths against plain float64 sums,
// over lengths around the unrolling.
func TestGradSums(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		for _, n := range []int{0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 1000, 2352} {
			d, x := make([]float32, n), make([]float32, n+2)
			for i := range d {
				d[i] = float32(r.NormFloat64())
			}
			for i := range x {
				x[i] = float32(r.NormFloat64())
			}
			const mu = 0.3
			var ws, wg, scale float64
			for i := range d {
				ws += float64(d[i])
				wg += float64(d[i]) * (float64(x[i]) - mu)
				scale += math.Abs(float64(d[i])) * (1 + math.Abs(float64(x[i])-mu))
			}
			s, g := GradSums(d, x, mu)
			if math.Abs(s-ws) > 1e-14*scale || math.Abs(g-wg) > 1e-14*scale {
				t.Fatalf("n=%d: %v, %v, want %v, %v", n, s, g, ws, wg)
			}
		}
	})
}

// TestAffineSameOnEveryPath: AffineF64, Affine2F64 and GradSums give the
// same bits on every kernel path, so batch norm's numbers do not depend on
// whether the AVX-512 routines ran.
func TestAffineSameOnEveryPath(t *testing.T) {
	type out struct {
		y1, y2 []float32
		s, g   float64
	}
	r := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{1, 7, 8, 15, 16, 17, 47, 48, 100, 2352, -2352} {
		spread := n < 0 // magnitudes over 2^±60: float64 partial sums of d round too
		n = max(n, -n)
		d, x := make([]float32, n), make([]float32, n)
		for i := range d {
			d[i] = float32(r.NormFloat64() * 3)
			if spread {
				d[i] = float32(math.Ldexp(float64(d[i]), r.IntN(121)-60))
			}
			x[i] = float32(r.NormFloat64())
			if i%2 == 1 { // a·d + b·x + c cancels: the rounding of each step shows
				x[i] = float32(-(0.713*float64(d[i]) + 0.0371) / -1.9)
			}
		}
		if n == 16 {
			// Partial sums ±2^60 and 1 in lanes 0, 8, 4, 12: their fold
			// gives 2 only in the documented order (halves first).
			clear(d)
			d[0], d[8], d[4], d[12] = 0x1p60, -0x1p60, 1, 1
		}
		var first *out
		var firstPath string
		for _, p := range paths() {
			restore := usePath(p)
			o := out{y1: make([]float32, n), y2: make([]float32, n)}
			AffineF64(o.y1, x, 1.37, -0.21, true)
			Affine2F64(o.y2, d, x, 0.713, -1.9, 0.0371)
			o.s, o.g = GradSums(d, x, 0.123)
			restore()
			if first == nil {
				first, firstPath = &o, p
				continue
			}
			for j := range n {
				if math.Float32bits(o.y1[j]) != math.Float32bits(first.y1[j]) || math.Float32bits(o.y2[j]) != math.Float32bits(first.y2[j]) {
					t.Fatalf("n=%d: element %d differs between %s and %s", n, j, p, firstPath)
				}
			}
			if math.Float64bits(o.s) != math.Float64bits(first.s) || math.Float64bits(o.g) != math.Float64bits(first.g) {
				t.Fatalf("n=%d: GradSums %v, %v on %s but %v, %v on %s", n, o.s, o.g, p, first.s, first.g, firstPath)
			}
		}
	}
}
