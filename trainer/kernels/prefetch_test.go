package kernels

import "testing"

// TestPrefetch checks that Prefetch reads nothing it should not: on every
// path, over lengths that end mid-line and slices that start mid-line, at
// the end of their backing array, it neither faults nor changes a value.
func TestPrefetch(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 15, 16, 17, 100, 4096} {
			buf := make([]float32, n+3)
			for i := range buf {
				buf[i] = float32(i)
			}
			x := buf[3:]
			Prefetch(x)
			for i, v := range buf {
				if v != float32(i) {
					t.Fatalf("n=%d: buf[%d] changed to %v", n, i, v)
				}
			}
		}
	})
}
