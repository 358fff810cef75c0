//go:build !amd64 || purego

package kernels

func gradSumsReLUAVX512(d, h, x *float32, n int, mu float64) (sumD, sumDX float64) {
	panic("unreachable")
}

func gradSumsReLUAVX2(d, h, x *float32, n int, mu float64) (sumD, sumDX float64) {
	panic("unreachable")
}
