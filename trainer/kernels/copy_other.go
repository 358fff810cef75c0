//go:build !amd64 || purego

package kernels

// zmmExtras is false: this build has no assembly.
func zmmExtras() bool { return false }

// avx2Extras is false: this build has no assembly.
func avx2Extras() bool { return false }

func affineF64AVX2(y, x *float32, n int, scale, shift float64, relu int) {
	panic("unreachable")
}

func affine2F64AVX2(y, d, x *float32, n int, a, b, c float64) {
	panic("unreachable")
}

func gradSumsAVX2(d, x *float32, n int, mu float64) (sumD, sumDX float64) {
	panic("unreachable")
}

func copyRunsAVX512(dst *float32, dstStride int, src *float32, srcStride int, n, count int) {
	panic("unreachable")
}

func affineF64AVX512(y, x *float32, n int, scale, shift float64, relu int) {
	panic("unreachable")
}

func affine2F64AVX512(y, d, x *float32, n int, a, b, c float64) {
	panic("unreachable")
}

func packTransAVX512(dst, b *float32, idx *int32, k int, lo, hi uint32) {
	panic("unreachable")
}

func packTrans8AVX512(dst, b *float32, ldb, kb, groups int) {
	panic("unreachable")
}

func gradSumsAVX512(d, x *float32, n int, mu float64) (sumD, sumDX float64) {
	panic("unreachable")
}
