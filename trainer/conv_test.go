package trainer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// layerRandom returns n floats uniform in [−1, 1).
func layerRandom(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = 2*rng.Float32() - 1
	}
	return s
}

// layerTo64 widens a float32 slice.
func layerTo64(s []float32) []float64 {
	d := make([]float64, len(s))
	for i, v := range s {
		d[i] = float64(v)
	}
	return d
}

// layerRelErr is the largest absolute difference between got and want
// relative to want's largest magnitude: an element-wise relative error would
// blow up on entries that cancel to near zero.
func layerRelErr(got []float32, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var diff, scale float64
	for i, w := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-w))
		scale = math.Max(scale, math.Abs(w))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

// refConv is the direct float64 convolution y = conv(x) + b.
func refConv(c conv2d[float32], x []float64, m int, w, b []float64) []float64 {
	y := make([]float64, m*c.outLen())
	for i := 0; i < m; i++ {
		for o := 0; o < c.outC; o++ {
			for oh := 0; oh < c.outH; oh++ {
				for ow := 0; ow < c.outW; ow++ {
					s := b[o]
					for ch := 0; ch < c.inC; ch++ {
						for ki := 0; ki < c.k; ki++ {
							for kj := 0; kj < c.k; kj++ {
								ih, iw := oh*c.stride-c.pad+ki, ow*c.stride-c.pad+kj
								if ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW {
									continue
								}
								s += w[((o*c.inC+ch)*c.k+ki)*c.k+kj] * x[i*c.inLen()+(ch*c.inH+ih)*c.inW+iw]
							}
						}
					}
					y[i*c.outLen()+(o*c.outH+oh)*c.outW+ow] = s
				}
			}
		}
	}
	return y
}

// refConvGrad is the hand-derived float64 gradient of Σ y·dy: every term
// w·x of refConv sends dy·x to w and dy·w to x.
func refConvGrad(c conv2d[float32], x []float64, m int, w, dy []float64) (dw, db, dx []float64) {
	dw, db, dx = make([]float64, len(w)), make([]float64, c.outC), make([]float64, len(x))
	for i := 0; i < m; i++ {
		for o := 0; o < c.outC; o++ {
			for oh := 0; oh < c.outH; oh++ {
				for ow := 0; ow < c.outW; ow++ {
					g := dy[i*c.outLen()+(o*c.outH+oh)*c.outW+ow]
					db[o] += g
					for ch := 0; ch < c.inC; ch++ {
						for ki := 0; ki < c.k; ki++ {
							for kj := 0; kj < c.k; kj++ {
								ih, iw := oh*c.stride-c.pad+ki, ow*c.stride-c.pad+kj
								if ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW {
									continue
								}
								wi := ((o*c.inC+ch)*c.k+ki)*c.k + kj
								xi := i*c.inLen() + (ch*c.inH+ih)*c.inW + iw
								dw[wi] += g * x[xi]
								dx[xi] += g * w[wi]
							}
						}
					}
				}
			}
		}
	}
	return dw, db, dx
}

type convCase struct{ inC, inH, inW, outC, k, stride, pad, m int }

var convCases = []convCase{
	{1, 5, 5, 1, 1, 1, 0, 1},
	{3, 7, 5, 4, 1, 1, 0, 3},  // 1×1 shortcut
	{2, 6, 6, 3, 1, 2, 0, 3},  // 1×1 at stride 2
	{2, 5, 7, 3, 1, 1, 1, 1},  // 1×1 with padding
	{1, 5, 5, 2, 3, 1, 0, 1},  // valid 3×3
	{3, 7, 9, 4, 3, 1, 1, 3},  // same 3×3
	{3, 9, 7, 5, 3, 2, 1, 3},  // strided 3×3
	{2, 8, 8, 3, 3, 2, 0, 1},  // even size, strided, unpadded
	{2, 7, 7, 3, 3, 1, 2, 3},  // padding larger than the halo
	{3, 11, 9, 2, 5, 1, 2, 3}, // same 5×5
	{2, 9, 11, 3, 5, 2, 0, 1}, // strided valid 5×5
	{1, 3, 3, 2, 5, 2, 1, 3},  // kernel larger than the input
	{16, 8, 8, 32, 3, 1, 1, 3},
}

func TestConvAgainstDirectLoops(t *testing.T) {
	var ctx linalg[float32]
	for _, tc := range convCases {
		c, err := newConv2D[float32](tc.inC, tc.inH, tc.inW, tc.outC, tc.k, tc.stride, tc.pad)
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		rng := rand.New(rand.NewPCG(uint64(tc.k), uint64(tc.inC*100+tc.inH)))
		x := layerRandom(rng, tc.m*c.inLen())
		w := layerRandom(rng, c.weightLen())
		b := layerRandom(rng, c.outC)
		dy := layerRandom(rng, tc.m*c.outLen())
		// Guard floats past each output's end catch writes out of bounds.
		const guard = 7
		y := make([]float32, tc.m*c.outLen()+guard)
		dw := make([]float32, c.weightLen()+guard)
		db := make([]float32, c.outC+guard)
		dx := make([]float32, tc.m*c.inLen()+guard)
		for _, s := range [][]float32{y, dw, db, dx} {
			for j := range s {
				s[j] = float32(math.NaN()) // overwritten, never read
			}
		}
		cols := make([]float32, c.colsLen())

		c.forward(&ctx, x, tc.m, w, b, y[:len(y)-guard], cols)
		c.backward(&ctx, x, tc.m, w, dy, dw[:len(dw)-guard], db[:len(db)-guard], dx[:len(dx)-guard], cols)

		x64, w64, dy64 := layerTo64(x), layerTo64(w), layerTo64(dy)
		wantY := refConv(c, x64, tc.m, w64, layerTo64(b))
		wantDW, wantDB, wantDX := refConvGrad(c, x64, tc.m, w64, dy64)
		for _, chk := range []struct {
			name string
			got  []float32
			want []float64
		}{{"y", y, wantY}, {"dw", dw, wantDW}, {"db", db, wantDB}, {"dx", dx, wantDX}} {
			n := len(chk.want)
			if e := layerRelErr(chk.got[:n], chk.want); !(e <= 1e-5) {
				t.Errorf("%+v: %s relative error %.3g > 1e-5", tc, chk.name, e)
			}
			for j, v := range chk.got[n:] {
				if !math.IsNaN(float64(v)) {
					t.Errorf("%+v: %s: wrote guard float %d", tc, chk.name, j)
				}
			}
		}

		// dx = nil skips the input gradient and leaves the others alone.
		dw2, db2 := make([]float32, c.weightLen()), make([]float32, c.outC)
		c.backward(&ctx, x, tc.m, w, dy, dw2, db2, nil, cols)
		for j := range dw2 {
			if dw2[j] != dw[j] {
				t.Fatalf("%+v: dw with dx=nil differs at %d", tc, j)
			}
		}
		for j := range db2 {
			if db2[j] != db[j] {
				t.Fatalf("%+v: db with dx=nil differs at %d", tc, j)
			}
		}
	}
}

// TestConvReferenceGradientByFiniteDifferences checks the hand-derived
// reference gradient itself: the loss Σ y·r is linear in each of x, w and b,
// so float64 central differences are exact up to rounding.
func TestConvReferenceGradientByFiniteDifferences(t *testing.T) {
	for _, tc := range []convCase{{2, 5, 6, 3, 3, 2, 1, 2}, {1, 4, 4, 2, 5, 1, 2, 1}} {
		c, err := newConv2D[float32](tc.inC, tc.inH, tc.inW, tc.outC, tc.k, tc.stride, tc.pad)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(3, 4))
		x := layerTo64(layerRandom(rng, tc.m*c.inLen()))
		w := layerTo64(layerRandom(rng, c.weightLen()))
		b := layerTo64(layerRandom(rng, c.outC))
		r := layerTo64(layerRandom(rng, tc.m*c.outLen()))
		loss := func() float64 {
			var s float64
			for j, v := range refConv(c, x, tc.m, w, b) {
				s += v * r[j]
			}
			return s
		}
		dw, db, dx := refConvGrad(c, x, tc.m, w, r)
		const h = 1e-3
		for _, p := range []struct {
			name       string
			param, grd []float64
		}{{"w", w, dw}, {"b", b, db}, {"x", x, dx}} {
			for j := range p.param {
				old := p.param[j]
				p.param[j] = old + h
				up := loss()
				p.param[j] = old - h
				down := loss()
				p.param[j] = old
				if fd := (up - down) / (2 * h); math.Abs(fd-p.grd[j]) > 1e-9*math.Max(1, math.Abs(fd)) {
					t.Fatalf("%+v: d%s[%d]: finite difference %.12g, reference %.12g", tc, p.name, j, fd, p.grd[j])
				}
			}
		}
	}
}

func TestConvIsDeterministicAndAllocationFree(t *testing.T) {
	var ctx linalg[float32]
	c, err := newConv2D[float32](3, 9, 9, 8, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	const m = 4
	rng := rand.New(rand.NewPCG(5, 6))
	x := layerRandom(rng, m*c.inLen())
	w := layerRandom(rng, c.weightLen())
	b := layerRandom(rng, c.outC)
	dy := layerRandom(rng, m*c.outLen())
	y := make([]float32, m*c.outLen())
	dw, db, dx := make([]float32, c.weightLen()), make([]float32, c.outC), make([]float32, m*c.inLen())
	cols := make([]float32, c.colsLen())
	step := func() {
		c.forward(&ctx, x, m, w, b, y, cols)
		c.backward(&ctx, x, m, w, dy, dw, db, dx, cols)
	}
	step()
	first := [][]float32{append([]float32(nil), y...), append([]float32(nil), dw...), append([]float32(nil), db...), append([]float32(nil), dx...)}
	if a := testing.AllocsPerRun(10, step); a != 0 {
		t.Errorf("forward+backward allocate %v times per call", a)
	}
	for k, s := range [][]float32{y, dw, db, dx} {
		for j := range s {
			if math.Float32bits(s[j]) != math.Float32bits(first[k][j]) {
				t.Fatalf("output %d differs at %d between calls", k, j)
			}
		}
	}
}

func TestNewConv2DRejectsBadShapes(t *testing.T) {
	for _, tc := range []convCase{
		{0, 5, 5, 1, 3, 1, 0, 1},
		{1, 5, 5, 0, 3, 1, 0, 1},
		{1, 5, 5, 1, 0, 1, 0, 1},
		{1, 5, 5, 1, 3, 0, 0, 1},
		{1, 5, 5, 1, 3, 1, -1, 1},
		{1, 2, 5, 1, 3, 1, 0, 1},
	} {
		if _, err := newConv2D[float32](tc.inC, tc.inH, tc.inW, tc.outC, tc.k, tc.stride, tc.pad); err == nil {
			t.Errorf("%+v: no error", tc)
		}
	}
	c, err := newConv2D[float32](3, 32, 32, 16, 3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.outH != 16 || c.outW != 16 {
		t.Errorf("32×32 at stride 2, pad 1: output %d×%d, want 16×16", c.outH, c.outW)
	}
}
