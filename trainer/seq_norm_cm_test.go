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

// TestCMForwardInterleaved checks that the train-mode channel-major batch
// norm, which sums four channels at once, gives bit for bit the outputs
// and statistics of summing one channel at a time, for channel counts
// around the interleaving.
func TestCMForwardInterleaved(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	const hw, m = 7, 5
	for c := 1; c <= 9; c++ {
		bn, err := newBatchNorm[float32](c, hw)
		if err != nil {
			t.Fatal(err)
		}
		l := newBNLayer(bn)
		l.cm, l.relu = true, c%2 == 0
		p := make([]float32, 2*c)
		x := make([]float32, m*c*hw)
		for i := range p {
			p[i] = float32(r.NormFloat64())
		}
		for i := range x {
			x[i] = float32(r.NormFloat64()*3 + 1)
		}
		y := make([]float32, len(x))
		var la linalg[float32]
		l.forward(&la, p, x, m, y, true)
		n := m * hw
		for ch := range c {
			xc := x[ch*n : (ch+1)*n]
			var s float64
			for _, v := range xc {
				s += float64(v)
			}
			mu := s / float64(n)
			var ss float64
			for _, v := range xc {
				d := float64(v) - mu
				ss += d * d
			}
			is := 1 / math.Sqrt(ss/float64(n)+bn.eps)
			if l.mean[ch] != mu || l.invStd[ch] != is {
				t.Fatalf("c=%d ch=%d: stats %v, %v, want %v, %v", c, ch, l.mean[ch], l.invStd[ch], mu, is)
			}
			scale := float64(p[ch]) * is
			shift := float64(p[c+ch]) - mu*scale
			for j, v := range xc {
				want := float32(float64(v)*scale + shift)
				if l.relu {
					want = max(want, 0)
				}
				if got := y[ch*n+j]; math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("c=%d ch=%d j=%d: %v, want %v", c, ch, j, got, want)
				}
			}
		}
	}
}

// TestAddPlanesExact checks that adding the bias planes through the float64
// affine kernel gives the float32 sums bit for bit, on values whose sums
// round (wide exponent gaps, near-ties, signed zeros, infinities).
func TestAddPlanesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 15))
	const sp = 37
	b := []float32{0, float32(math.Copysign(0, -1)), 1, -1e-8, 3.0000002, 1e30, float32(math.Inf(1)), 7e-39}
	y := make([]float32, len(b)*sp)
	for i := range y {
		e := r.IntN(80) - 40
		y[i] = float32(math.Ldexp(r.NormFloat64(), e))
	}
	want := append([]float32(nil), y...)
	for o, bo := range b {
		for j := range sp {
			want[o*sp+j] += bo
		}
	}
	addPlanes(y, b, sp)
	for i := range y {
		if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
			t.Fatalf("y[%d] = %v, want %v", i, y[i], want[i])
		}
	}
}
