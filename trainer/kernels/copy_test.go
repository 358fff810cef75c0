package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestCopyRuns checks CopyRuns on both paths against an element loop, over
// every run length, strides shorter than, equal to and longer than a run,
// and that nothing outside the runs is written (sentinels) or read past
// (the source ends right after the last run).
func TestCopyRuns(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for n := 1; n <= 32; n++ {
			for _, s := range [][2]int{{24, 7}, {216, 900}, {n, n}, {33, 40}} {
				for _, count := range []int{1, 2, 5} {
					name := fmt.Sprintf("n=%d/strides=%v/count=%d", n, s, count)
					dstStride, srcStride := max(s[0], n), s[1]
					src := make([]float32, (count-1)*srcStride+n)
					for i := range src {
						src[i] = r.Float32()
					}
					dst := make([]float32, (count-1)*dstStride+n+40)
					for i := range dst {
						dst[i] = -1
					}
					want := append([]float32(nil), dst...)
					for c := range count {
						for i := range n {
							want[c*dstStride+i] = src[c*srcStride+i]
						}
					}
					CopyRuns(dst, dstStride, src, srcStride, n, count)
					for i := range dst {
						if dst[i] != want[i] {
							t.Fatalf("%s: dst[%d] = %v, want %v", name, i, dst[i], want[i])
						}
					}
				}
			}
		}
	})
}
