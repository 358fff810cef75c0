package trainer

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr/trainer/kernels"
)

// TestIm2colPacked checks im2colPackedAt against the im2col matrix computed
// element by element from its definition, in panel layout, over shapes with
// odd sizes, strides, paddings, groups that end inside a panel and both
// input layouts (example-major and channel-major planes).
func TestIm2colPacked(t *testing.T) {
	shapes := []struct{ inC, h, w, k, stride, pad, g int }{
		{1, 28, 28, 3, 1, 1, 3},
		{16, 14, 14, 3, 1, 1, 2},
		{3, 7, 5, 3, 1, 1, 5},
		{2, 9, 11, 3, 2, 1, 3},
		{2, 6, 6, 5, 1, 2, 1},
		{1, 5, 5, 2, 2, 0, 7},
		{3, 4, 3, 1, 1, 0, 2},
		{2, 3, 3, 3, 1, 0, 9},
		{1, 1, 1, 1, 1, 0, 30},
		{2, 8, 8, 3, 3, 2, 4},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range shapes {
		c, err := newConv2D[float32](s.inC, s.h, s.w, 3, s.k, s.stride, s.pad)
		if err != nil {
			t.Fatal(err)
		}
		for _, cm := range []bool{false, true} {
			t.Run(fmt.Sprintf("%+v/cm=%v", s, cm), func(t *testing.T) {
				m := s.g + 2 // the group is examples 1…g of m
				x := make([]float32, m*c.inLen())
				for i := range x {
					x[i] = float32(r.NormFloat64())
				}
				hw := s.h * s.w
				exStride, chStride := c.inLen(), hw
				if cm {
					exStride, chStride = hw, m*hw
				}
				at := func(i, ch, ih, iw int) float64 {
					if ih < 0 || ih >= s.h || iw < 0 || iw >= s.w {
						return 0
					}
					return float64(x[i*exStride+ch*chStride+ih*s.w+iw])
				}
				sp, patch := c.outH*c.outW, c.patchLen()
				n := s.g * sp
				dst := make([]float32, kernels.PackedLen(patch, n))
				for i := range dst {
					dst[i] = float32(i) // garbage: every element must be written
				}
				c.im2colPackedAt(x[exStride:], exStride, chStride, s.g, dst)
				for row := range patch {
					ch, ki, kj := row/(s.k*s.k), row/s.k%s.k, row%s.k
					for j := range (n + kernels.NR - 1) / kernels.NR * kernels.NR {
						want := 0.0
						if j < n {
							i, pos := 1+j/sp, j%sp
							oh, ow := pos/c.outW, pos%c.outW
							want = at(i, ch, oh*s.stride-s.pad+ki, ow*s.stride-s.pad+kj)
						}
						if got := float64(dst[kernels.PanelIndex(patch, row, j)]); got != want {
							t.Fatalf("(%d, %d) = %v, want %v", row, j, got, want)
						}
					}
				}
			})
		}
	}
}
