package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are planted in the element-wise inputs: NaN, infinities, signed
// zeros, a denormal.
var specials = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 1e-40, -1e-40}

// withSpecials returns a guard-padded slice of n values, some of them
// special when plant is true.
func withSpecials(r *rand.Rand, n, off int, plant bool) ([]float32, func(*testing.T, string)) {
	x, check := padded(r, n, off)
	if plant {
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = specials[r.IntN(len(specials))]
			}
		}
	}
	return x, check
}

// same reports whether got matches want: both NaN, or within tol·(1+|want|).
func same(got, want, tol float64) bool {
	if math.IsNaN(want) || math.IsNaN(got) {
		return math.IsNaN(want) && math.IsNaN(got)
	}
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= tol*(1+math.Abs(want))
}

func TestAxpyPaths(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(41, 42))
		for n := 0; n <= 67; n++ {
			for _, plant := range []bool{false, true} {
				x, checkX := withSpecials(r, n, n%3, plant)
				y, checkY := withSpecials(r, n+2, (n+1)%4, plant)
				want := make([]float64, len(y))
				for i := range y {
					want[i] = float64(y[i])
					if i < n {
						want[i] += -0.75 * float64(x[i])
					}
				}
				Axpy(-0.75, x, y)
				checkX(t, "x")
				checkY(t, "y")
				for i := range y {
					if !same(float64(y[i]), want[i], 1e-6) {
						t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, y[i], want[i])
					}
				}
			}
		}
	})
}

func TestReLUGrad(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(43, 44))
		for n := 0; n <= 67; n++ {
			d, checkD := withSpecials(r, n, n%3, true)
			h, checkH := withSpecials(r, n+1, (n+2)%5, true)
			want := append([]float32(nil), d...)
			for i := range want {
				if !(h[i] > 0) {
					want[i] = 0
				}
			}
			ReLUGrad(d, h)
			checkD(t, "d")
			checkH(t, "h")
			for i := range d {
				if math.Float32bits(d[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d: d[%d] = %v, want %v (h=%v)", n, i, d[i], want[i], h[i])
				}
			}
		}
	})
}

func TestTanhGrad(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(45, 46))
		for n := 0; n <= 67; n++ {
			for _, plant := range []bool{false, true} {
				d, checkD := withSpecials(r, n, n%3, plant)
				h, checkH := withSpecials(r, n, (n+1)%5, plant)
				want := make([]float64, n)
				for i := range want {
					want[i] = float64(d[i]) * (1 - float64(h[i])*float64(h[i]))
				}
				TanhGrad(d, h)
				checkD(t, "d")
				checkH(t, "h")
				for i := range d {
					if !same(float64(d[i]), want[i], 1e-6) {
						t.Fatalf("n=%d: d[%d] = %v, want %v (h=%v)", n, i, d[i], want[i], h[i])
					}
				}
			}
		}
	})
}

func TestSumSquares64(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(47, 48))
		for n := 0; n <= 67; n++ {
			for _, plant := range []bool{false, true} {
				x, checkX := withSpecials(r, n, n%4, plant)
				var want float64
				for _, v := range x {
					want += float64(v) * float64(v)
				}
				got := SumSquares64(x)
				checkX(t, "x")
				if !same(got, want, 1e-14) {
					t.Fatalf("n=%d: got %v, want %v", n, got, want)
				}
				// Bit-identical to the Go path's fixed order.
				if g := sumSquares64Go(x); math.Float64bits(g) != math.Float64bits(got) && !(math.IsNaN(g) && math.IsNaN(got)) {
					t.Fatalf("n=%d: %v differs from the Go order's %v", n, got, g)
				}
			}
		}
	})
}

func TestAddTo64(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(49, 50))
		for n := 0; n <= 67; n++ {
			src, checkSrc := withSpecials(r, n, n%3, true)
			back := make([]float64, n+2*guard)
			for i := range back {
				back[i] = -7.5
			}
			dst := back[guard : guard+n]
			for i := range dst {
				dst[i] = r.Float64()
			}
			want := make([]float64, n)
			for i := range want {
				want[i] = dst[i] + float64(src[i])
			}
			AddTo64(dst, src)
			checkSrc(t, "src")
			for i, v := range back {
				if (i < guard || i >= guard+n) && v != -7.5 {
					t.Fatalf("n=%d: guard %d overwritten", n, i)
				}
			}
			for i := range dst {
				if !same(dst[i], want[i], 0) {
					t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, dst[i], want[i])
				}
			}
		}
	})
}

func TestColSums(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(51, 52))
		for cols := 0; cols <= 67; cols++ {
			for _, rows := range []int{0, 1, 3, 8, 17} {
				for _, beta := range []float32{0, 1, -0.5} {
					plant := cols%5 == 3
					ldx := cols + rows%3
					x, checkX := withSpecials(r, max((rows-1)*ldx+cols, 0), cols%4, plant)
					dst, checkDst := withSpecials(r, cols, (cols+1)%4, plant)
					if beta == 0 {
						for i := range dst {
							dst[i] = float32(math.NaN())
						}
					}
					want := make([]float64, cols)
					for j := range want {
						var s float64
						for i := 0; i < rows; i++ {
							s += float64(x[i*ldx+j])
						}
						if beta != 0 {
							s += float64(beta) * float64(dst[j])
						}
						want[j] = s
					}
					ColSums(dst, x, rows, cols, ldx, beta)
					checkX(t, "x")
					checkDst(t, "dst")
					for j := range dst {
						if !same(float64(dst[j]), want[j], 1e-5) {
							t.Fatalf("rows=%d cols=%d beta=%v: dst[%d] = %v, want %v", rows, cols, beta, j, dst[j], want[j])
						}
					}
				}
			}
		}
	})
}

// TestElementwiseDeterministic: the same call twice gives the same bits.
func TestElementwiseDeterministic(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(53, 54))
		x := rndSlice(r, 1003)
		y := rndSlice(r, 1003)
		if a, b := SumSquares64(x), SumSquares64(x); math.Float64bits(a) != math.Float64bits(b) {
			t.Fatal("SumSquares64 not deterministic")
		}
		y1 := append([]float32(nil), y...)
		y2 := append([]float32(nil), y...)
		Axpy(0.3, x, y1)
		Axpy(0.3, x, y2)
		c1, c2 := make([]float32, 59), make([]float32, 59)
		ColSums(c1, x, 17, 59, 59, 0)
		ColSums(c2, x, 17, 59, 59, 0)
		for i := range y1 {
			if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
				t.Fatal("Axpy not deterministic")
			}
		}
		for i := range c1 {
			if math.Float32bits(c1[i]) != math.Float32bits(c2[i]) {
				t.Fatal("ColSums not deterministic")
			}
		}
	})
}
