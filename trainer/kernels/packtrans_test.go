package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPackBTrans checks PackBTrans on both paths against PackB with transB
// (itself tested against the reference loop), for widths around the panel
// and its 16-lane half, including the padding columns' zeros.
func TestPackBTrans(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(9, 10))
		for _, n := range []int{1, 7, 8, 15, 16, 17, 23, 24, 25, 32, 40, 48, 50, 64} {
			for _, k := range []int{1, 3, 7, 8, 9, 16, 24, 100, 196} {
				t.Run(fmt.Sprintf("k=%d/n=%d", k, n), func(t *testing.T) {
					ldb := k + 5
					b := make([]float32, (n-1)*ldb+k)
					for i := range b {
						b[i] = r.Float32()
					}
					want := make([]float32, PackedLen(k, n))
					PackB(want, true, k, n, b, ldb)
					got := make([]float32, PackedLen(k, n))
					for i := range got {
						got[i] = -1
					}
					PackBTrans(got, k, n, b, ldb)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("dst[%d] = %v, want %v", i, got[i], want[i])
						}
					}
				})
			}
		}
	})
}
