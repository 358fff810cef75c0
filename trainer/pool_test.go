package trainer

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refPool is float64 pooling with the first maximum winning ties; it
// returns the outputs and, for max pooling, the winners' input indices.
func refPool(p pool2d[float32], x []float64, m int) ([]float64, []int) {
	y, at := make([]float64, m*p.outLen()), make([]int, m*p.outLen())
	for i := 0; i < m; i++ {
		for ch := 0; ch < p.c; ch++ {
			for oh := 0; oh < p.outH; oh++ {
				for ow := 0; ow < p.outW; ow++ {
					o := i*p.outLen() + (ch*p.outH+oh)*p.outW + ow
					best, bestAt, sum := math.Inf(-1), -1, 0.0
					for ki := 0; ki < p.p; ki++ {
						for kj := 0; kj < p.p; kj++ {
							idx := (ch*p.inH+oh*p.stride+ki)*p.inW + ow*p.stride + kj
							v := x[i*p.inLen()+idx]
							sum += v
							if bestAt < 0 || v > best {
								best, bestAt = v, idx
							}
						}
					}
					if p.max {
						y[o], at[o] = best, bestAt
					} else {
						y[o] = sum / float64(p.p*p.p)
					}
				}
			}
		}
	}
	return y, at
}

type poolCase struct{ c, inH, inW, p, stride, m int }

var poolCases = []poolCase{
	{1, 4, 4, 2, 2, 1},
	{3, 8, 8, 2, 2, 3},
	{2, 7, 9, 2, 2, 3}, // odd sizes drop the last row/column
	{2, 7, 7, 3, 2, 3}, // overlapping windows
	{3, 9, 8, 3, 3, 1},
	{2, 6, 5, 3, 1, 3}, // stride 1, heavy overlap
	{1, 5, 5, 1, 1, 2}, // identity
	{4, 5, 5, 5, 1, 2}, // global pooling
}

func TestPoolAgainstReference(t *testing.T) {
	for _, tc := range poolCases {
		for _, isMax := range []bool{true, false} {
			p, err := newPool2D[float32](tc.c, tc.inH, tc.inW, tc.p, tc.stride, isMax)
			if err != nil {
				t.Fatalf("%+v: %v", tc, err)
			}
			rng := rand.New(rand.NewPCG(uint64(tc.p), uint64(tc.inH)))
			x := layerRandom(rng, tc.m*p.inLen())
			r := layerRandom(rng, tc.m*p.outLen())
			y := make([]float32, tc.m*p.outLen())
			argmax := make([]int32, tc.m*p.outLen())
			dx := layerRandom(rng, tc.m*p.inLen()) // garbage: must be overwritten
			p.forward(x, tc.m, y, argmax)
			p.backward(r, tc.m, argmax, dx)

			x64, r64 := layerTo64(x), layerTo64(r)
			wantY, wantAt := refPool(p, x64, tc.m)
			if e := layerRelErr(y, wantY); !(e <= 1e-6) {
				t.Errorf("%+v max=%v: y relative error %.3g", tc, isMax, e)
			}
			if isMax {
				for o := range wantAt {
					if int(argmax[o]) != wantAt[o] {
						t.Fatalf("%+v: argmax[%d] = %d, want %d", tc, o, argmax[o], wantAt[o])
					}
				}
			}
			// Σ y·r is piecewise linear in x (linear for average pooling,
			// and for max pooling away from ties, which random inputs
			// avoid), so float64 central differences are exact.
			wantDX := make([]float64, len(x64))
			loss := func() float64 {
				yy, _ := refPool(p, x64, tc.m)
				var s float64
				for j, v := range yy {
					s += v * r64[j]
				}
				return s
			}
			const h = 1e-7
			for j := range x64 {
				old := x64[j]
				x64[j] = old + h
				up := loss()
				x64[j] = old - h
				down := loss()
				x64[j] = old
				wantDX[j] = (up - down) / (2 * h)
			}
			if e := layerRelErr(dx, wantDX); !(e <= 1e-5) {
				t.Errorf("%+v max=%v: dx relative error %.3g", tc, isMax, e)
			}
		}
	}
}

// TestMaxPoolTiesAndNaN pins the tie rule: the first maximum in row-major
// window order wins, and so takes the whole gradient; the first NaN beats
// every number.
func TestMaxPoolTiesAndNaN(t *testing.T) {
	p, err := newPool2D[float32](1, 4, 4, 2, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	nan := float32(math.NaN())
	x := []float32{
		1, 1, 0, 3,
		0, 1, 3, 3,
		nan, 5, 2, nan,
		9, nan, 2, 2,
	}
	y := make([]float32, 4)
	argmax := make([]int32, 4)
	p.forward(x, 1, y, argmax)
	wantAt := []int32{0, 3, 8, 11}
	for o := range wantAt {
		if argmax[o] != wantAt[o] {
			t.Errorf("window %d: argmax %d, want %d", o, argmax[o], wantAt[o])
		}
	}
	if y[0] != 1 || y[1] != 3 || !math.IsNaN(float64(y[2])) || !math.IsNaN(float64(y[3])) {
		t.Errorf("y = %v, want [1 3 NaN NaN]", y)
	}
	dx := make([]float32, 16)
	p.backward([]float32{1, 2, 3, 4}, 1, argmax, dx)
	for j, v := range dx {
		want := float32(0)
		for o, a := range wantAt {
			if int(a) == j {
				want = float32(o + 1)
			}
		}
		if v != want {
			t.Errorf("dx[%d] = %v, want %v", j, v, want)
		}
	}
}

func TestPoolIsAllocationFree(t *testing.T) {
	for _, isMax := range []bool{true, false} {
		p, err := newPool2D[float32](8, 16, 16, 2, 2, isMax)
		if err != nil {
			t.Fatal(err)
		}
		const m = 4
		rng := rand.New(rand.NewPCG(1, 2))
		x := layerRandom(rng, m*p.inLen())
		y := make([]float32, m*p.outLen())
		argmax := make([]int32, m*p.outLen())
		dx := make([]float32, m*p.inLen())
		if a := testing.AllocsPerRun(10, func() {
			p.forward(x, m, y, argmax)
			p.backward(y, m, argmax, dx)
		}); a != 0 {
			t.Errorf("max=%v: forward+backward allocate %v times per call", isMax, a)
		}
	}
}

func TestNewPool2DRejectsBadShapes(t *testing.T) {
	for _, tc := range []poolCase{
		{0, 4, 4, 2, 2, 1},
		{1, 4, 4, 0, 2, 1},
		{1, 4, 4, 2, 0, 1},
		{1, 4, 3, 4, 1, 1},
	} {
		if _, err := newPool2D[float32](tc.c, tc.inH, tc.inW, tc.p, tc.stride, true); err == nil {
			t.Errorf("%+v: no error", tc)
		}
	}
}
