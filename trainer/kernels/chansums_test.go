package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// rowsCase fills 8 rows of n values, stride apart, with values of widely
// different magnitudes (so that adding them in another order gives other
// sums), and now and then a special value; the gaps between rows hold
// NaN, which no sum may read.
func rowsCase(r *rand.Rand, stride, n int, specials bool) []float32 {
	x := make([]float32, 7*stride+n)
	for i := range x {
		x[i] = float32(math.NaN())
	}
	sp := []float32{float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), float32(math.NaN()), 3e38}
	for row := range 8 {
		for j := range n {
			v := float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-6)))
			if specials && r.IntN(50) == 0 {
				v = sp[r.IntN(len(sp))]
			}
			x[row*stride+j] = v
		}
	}
	return x
}

// TestRowSums checks RowSumsF64, RowSqDevsF64 and RowSums on every path
// bit for bit against the plain loop over each row alone, from non-zero
// starting sums, over lengths around the block of four, strides with gaps
// between rows, and rows with infinities, NaNs and signed zeros.
func TestRowSums(t *testing.T) {
	cases := []struct{ n, stride int }{
		{0, 0}, {1, 1}, {3, 5}, {4, 4}, {5, 9}, {7, 7}, {8, 8}, {13, 20}, {196, 196}, {784, 800}, {1001, 1001},
	}
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		for _, c := range cases {
			for _, specials := range []bool{false, true} {
				x := rowsCase(r, c.stride, c.n, specials)
				var acc64, want64, sq, wantSq, mu [8]float64
				var acc32, want32 [8]float32
				for row := range 8 {
					acc64[row] = r.NormFloat64()
					acc32[row] = float32(r.NormFloat64())
					sq[row] = r.Float64()
					mu[row] = r.NormFloat64() * 1e-3
					want64[row], want32[row], wantSq[row] = acc64[row], acc32[row], sq[row]
					for _, v := range x[row*c.stride : row*c.stride+c.n] {
						want64[row] += float64(v)
						want32[row] += v
						d := float64(v) - mu[row]
						wantSq[row] += float64(d * d)
					}
				}
				// Batch norm's per-example gradients: x and dy, one mean and
				// inverse deviation for all rows.
				dy := rowsCase(r, c.stride, c.n, specials)
				bnMu, bnIs := r.NormFloat64()*0.1, 1+r.Float64()
				var g, b, wantG, wantB [8]float64
				for row := range 8 {
					g[row], b[row] = r.NormFloat64(), r.NormFloat64()
					wantG[row], wantB[row] = g[row], b[row]
					for j, v := range dy[row*c.stride : row*c.stride+c.n] {
						e := float64(v)
						wantG[row] += float64(float64(e*(float64(x[row*c.stride+j])-bnMu)) * bnIs)
						wantB[row] += e
					}
				}
				RowBNGradF64(&g, &b, x, dy, c.stride, c.n, bnMu, bnIs)
				for row := range 8 {
					if math.Float64bits(g[row]) != math.Float64bits(wantG[row]) || math.Float64bits(b[row]) != math.Float64bits(wantB[row]) {
						t.Errorf("n=%d stride=%d: RowBNGradF64 row %d = %v, %v, want %v, %v", c.n, c.stride, row, g[row], b[row], wantG[row], wantB[row])
					}
				}
				RowSumsF64(&acc64, x, c.stride, c.n)
				RowSums(&acc32, x, c.stride, c.n)
				RowSqDevsF64(&sq, x, c.stride, c.n, &mu)
				for row := range 8 {
					if math.Float64bits(acc64[row]) != math.Float64bits(want64[row]) {
						t.Errorf("n=%d stride=%d: RowSumsF64 row %d = %v, want %v", c.n, c.stride, row, acc64[row], want64[row])
					}
					if math.Float32bits(acc32[row]) != math.Float32bits(want32[row]) {
						t.Errorf("n=%d stride=%d: RowSums row %d = %v, want %v", c.n, c.stride, row, acc32[row], want32[row])
					}
					if math.Float64bits(sq[row]) != math.Float64bits(wantSq[row]) {
						t.Errorf("n=%d stride=%d: RowSqDevsF64 row %d = %v, want %v", c.n, c.stride, row, sq[row], wantSq[row])
					}
				}
			}
		}
	})
}

// TestRowSumsPanics checks that short inputs and strides shorter than the
// rows panic rather than read elsewhere.
func TestRowSumsPanics(t *testing.T) {
	var a [8]float64
	var b [8]float32
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"short x", func() { RowSumsF64(&a, make([]float32, 7*10+9), 10, 10) }},
		{"stride < n", func() { RowSums(&b, make([]float32, 100), 4, 5) }},
		{"negative n", func() { RowSqDevsF64(&a, make([]float32, 100), 4, -1, &a) }},
		{"short dy", func() { RowBNGradF64(&a, &a, make([]float32, 100), make([]float32, 7*10+9), 10, 10, 0, 1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			c.f()
		})
	}
}
