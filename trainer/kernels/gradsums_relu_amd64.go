//go:build !purego

package kernels

// gradSumsReLUAVX512 is GradSumsReLU for n, a multiple of 16, elements.
//
//go:noescape
func gradSumsReLUAVX512(d, h, x *float32, n int, mu float64) (sumD, sumDX float64)

// gradSumsReLUAVX2 is GradSumsReLU on the avx2 path for n, a multiple of
// 16, elements.
//
//go:noescape
func gradSumsReLUAVX2(d, h, x *float32, n int, mu float64) (sumD, sumDX float64)
