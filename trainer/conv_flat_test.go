package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr/trainer/kernels"
)

// TestConvFlatSameBitsAsBordered checks that convFlat, whose slots run
// along whole planes without borders, gives bit for bit what convBordered
// gives row by row over zero-bordered planes: for 3×3 and 5×5 kernels,
// planes from 1×9 to 28×28 (whose slots cross rows, or hold a whole small
// plane, or a window larger than the plane), K over one and several
// blocks, several groups of examples, input read in place (example-major)
// or copied (channel-major), beta 0 and 1, smaller batches after a larger
// one, and NaN, ±Inf and −0 among the inputs, which the masked lanes must
// treat as the border's +0 does.
func TestConvFlatSameBitsAsBordered(t *testing.T) {
	if !kernels.ConvEdgesFast() {
		t.Skipf("convFlat runs only where ConvIndirectEdgesW is in assembly (avx512); this path is %s", kernels.Path())
	}
	for _, s := range []struct{ inC, h, w, outC, k, pad, m int }{
		{1, 28, 28, 16, 3, 1, 3},
		{16, 28, 28, 16, 3, 1, 7}, // two groups of examples
		{16, 14, 14, 32, 3, 1, 4},
		{32, 7, 7, 10, 3, 1, 3},
		{64, 7, 7, 8, 3, 1, 2}, // K = 576: several K blocks
		{3, 5, 5, 5, 5, 2, 3},
		{4, 3, 3, 9, 5, 2, 2}, // the window is larger than the plane
		{2, 1, 9, 3, 3, 1, 3},
		{2, 9, 1, 3, 3, 1, 3},
		{5, 6, 6, 17, 3, 1, 5},
		{1, 4, 4, 1, 3, 1, 1},
	} {
		for _, cm := range []bool{false, true} {
			for _, beta := range []float32{0, 1} {
				t.Run(fmt.Sprintf("%+v/cm=%v/beta=%v", s, cm, beta), func(t *testing.T) {
					flatCase(t, s.inC, s.h, s.w, s.outC, s.k, s.pad, s.m, cm, beta)
				})
			}
		}
	}
}

func flatCase(t *testing.T, inC, h, w, outC, k, pad, m int, cm bool, beta float32) {
	c, err := newConv2D[float32](inC, h, w, outC, k, 1, pad)
	if err != nil {
		t.Fatal(err)
	}
	if !flatFor(c) {
		t.Fatalf("flatFor(%+v) is false", c)
	}
	r := rand.New(rand.NewPCG(uint64(inC*1000+h*10+w), uint64(k)))
	hw := h * w
	x := make([]float32, m*c.inLen())
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	for i, v := range specials {
		x[r.IntN(len(x))] = v
		if i == 3 {
			x[0] = v // a corner, read by lanes whose neighbours are masked
		}
	}
	wts := make([]float32, outC*c.patchLen())
	for i := range wts {
		wts[i] = float32(r.NormFloat64())
	}
	wts[r.IntN(len(wts))] = float32(math.Copysign(0, -1))
	ex, ch := c.inLen(), hw
	if cm {
		ex, ch = hw, m*hw
	}
	// x holds the examples in the layout (ex, ch) says.
	ldy := m * hw
	y0 := make([]float32, outC*ldy)
	for i := range y0 {
		y0[i] = float32(r.NormFloat64())
	}
	want, got := append([]float32(nil), y0...), append([]float32(nil), y0...)
	var la linalg[float32]
	var icB, icF implicitConv
	var padded []float32
	convBordered(&la, c, &icB, wts, x, ex, ch, m, &padded, beta, want, ldy)
	convFlat(&la, c, &icF, wts, x, ex, ch, m, beta, got, ldy)
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			o, rest := i/ldy, i%ldy
			t.Fatalf("y[channel %d, example %d, position %d] = %v (%#x), bordered %v (%#x)",
				o, rest/hw, rest%hw, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	// Again with the same ic, for the whole batch and for smaller ones (an
	// epoch's last batch), which run a prefix of the slots already built.
	for _, m2 := range []int{m, max(1, m-1), 1} {
		convFlat(&la, c, &icF, wts, x, ex, ch, m2, 0, got, ldy)
		convBordered(&la, c, &icB, wts, x, ex, ch, m2, &padded, 0, want, ldy)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("again with %d examples: y[%d] = %v, bordered %v", m2, i, got[i], want[i])
			}
		}
	}
}
