package kernels

import "fmt"

// GradSumsReLU is ReLUGrad(d, h) followed by GradSums(d, x, mu), in one
// pass over d on the assembly paths: d is zeroed where 0 < h is false (h
// not positive, or NaN), and the sums are those of the masked d, bit for
// bit as the two calls give them. Batch norm's backward with its fused
// ReLU runs it, so that it reads and writes the gradient once.
func GradSumsReLU(d, h, x []float32, mu float64) (sumD, sumDX float64) {
	if len(h) < len(d) || len(x) < len(d) {
		panic(fmt.Sprintf("kernels: GradSumsReLU: len(h)=%d, len(x)=%d < len(d)=%d", len(h), len(x), len(d)))
	}
	n := len(d) &^ 15
	if n > 0 {
		switch {
		case zmmExtras():
			sumD, sumDX = gradSumsReLUAVX512(&d[0], &h[0], &x[0], n, mu)
		case avx2Extras():
			sumD, sumDX = gradSumsReLUAVX2(&d[0], &h[0], &x[0], n, mu)
		default:
			reluGradGo(d[:n], h[:n])
			sumD, sumDX = gradSums16Go(d[:n], x[:n], mu)
		}
	}
	reluGradGo(d[n:], h[n:len(d)])
	s, g := gradSumsGo(d[n:], x[n:len(d)], mu)
	return sumD + s, sumDX + g
}
