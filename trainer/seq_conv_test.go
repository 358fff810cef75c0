package trainer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// TestConvSqNormsBothWays checks both per-example norm methods of a conv
// layer against each example's weight and bias gradient taken one at a
// time by backward, in float64, for shapes where each method is the one
// picked.
func TestConvSqNormsBothWays(t *testing.T) {
	for _, tc := range []struct {
		inC, hw, outC, k, stride, pad int
		ghost                         bool // what the cost rule picks
	}{
		{1, 8, 3, 3, 1, 1, false},
		{16, 2, 32, 3, 1, 1, true},
		{4, 5, 6, 5, 2, 2, false},
	} {
		c, err := newConv2D[float64](tc.inC, tc.hw, tc.hw, tc.outC, tc.k, tc.stride, tc.pad)
		if err != nil {
			t.Fatal(err)
		}
		const m = 3
		l := newConvLayer(c, m, false)
		if l.useGhost() != tc.ghost {
			t.Errorf("%+v: useGhost = %v", tc, !tc.ghost)
		}
		r := rand.New(rand.NewPCG(1, 2))
		fill := func(n int) []float64 {
			v := make([]float64, n)
			for i := range v {
				v[i] = r.NormFloat64()
			}
			return v
		}
		p, x, dy := fill(l.numParams()), fill(m*c.inLen()), fill(m*c.outLen())
		var la linalg[float64]
		g := make([]float64, l.numParams())
		want := make([]float64, m)
		sp := c.outH * c.outW
		for i := range m {
			// Example i's output gradient, out of the channel-major dy.
			dyi := make([]float64, 0, c.outLen())
			for o := range c.outC {
				dyi = append(dyi, dy[(o*m+i)*sp:(o*m+i+1)*sp]...)
			}
			l.backward(&la, p, x[i*c.inLen():(i+1)*c.inLen()], nil, dyi, 1, g, nil)
			want[i] = sumSq64(g)
		}
		for _, norm := range []int{1, -1} {
			l.norm = norm
			got := make([]float64, m)
			l.sqNorms(&la, p, x, nil, dy, m, got)
			for i := range m {
				if e := testutil.RelErr(got[i], want[i]); e > 1e-12 {
					t.Errorf("%+v norm=%d example %d: %v, want %v", tc, norm, i, got[i], want[i])
				}
			}
		}
	}
}

// TestAddBiasSqNormBits checks addBiasSqNorm over float32 ∂Y (eight
// channels at a time in kernels.RowSumsF64, then four, then one) bit for
// bit against one loop per channel, each channel's sum in order in float64
// and the squares added in channel order.
func TestAddBiasSqNormBits(t *testing.T) {
	const m, sp = 3, 49
	r := rand.New(rand.NewPCG(8, 9))
	for _, outC := range []int{1, 4, 7, 8, 19, 32} {
		dy := make([]float32, outC*m*sp)
		for j := range dy {
			dy[j] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(8)-4)))
		}
		dy[r.IntN(len(dy))] = float32(math.Copysign(0, -1))
		for i := range m {
			want := 0.5
			for o := range outC {
				var b float64
				for _, v := range dy[(o*m+i)*sp : (o*m+i+1)*sp] {
					b += float64(v)
				}
				want += b * b
			}
			if got := addBiasSqNorm(0.5, dy, i, m, sp, outC); math.Float64bits(got) != math.Float64bits(want) {
				t.Errorf("outC=%d, example %d: %v, want %v", outC, i, got, want)
			}
		}
	}
}
