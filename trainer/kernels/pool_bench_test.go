package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMaxPool2 times the 2×2 stride-2 max pool of one plane (ns/op is
// per plane) at the CNN's shapes, 28×28 and 14×14, per path: the forward
// pass (MaxPool2Plane), and the backward pass as before MaxPool2Spread
// (scatter: clear the plane, add each gradient at its argmax) and with it
// (plane).
func BenchmarkMaxPool2(b *testing.B) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, n := range []int{28, 14} {
		inH, inW, outH, outW := n, n, n/2, n/2
		x := rndSlice(r, inH*inW)
		g := rndSlice(r, outH*outW)
		y, am := make([]float32, outH*outW), make([]int32, outH*outW)
		dx := make([]float32, inH*inW)
		const base = 1 << 20
		maxPool2PlaneGo(y, am, x, outH, outW, inW, base)
		b.Run(fmt.Sprintf("%dx%d/fwd=plane", n, n), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				for b.Loop() {
					MaxPool2Plane(y, am, x, inH, inW, base)
				}
			})
		})
		b.Run(fmt.Sprintf("%dx%d/spread=scatter", n, n), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				for b.Loop() {
					clear(dx)
					for k, v := range g {
						dx[am[k]-base] += v
					}
				}
			})
		})
		b.Run(fmt.Sprintf("%dx%d/spread=plane", n, n), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				for b.Loop() {
					MaxPool2Spread(dx, g, am, inH, inW, base)
				}
			})
		})
	}
}
