package kernels

import "fmt"

// PackBTrans is PackB(dst, true, k, n, b, ldb): it stores Bᵀ (k×n, B
// stored n×k with row stride ldb) in panel layout. The AVX-512 path fills
// each panel row with gathers, one column of B (n·… values ldb apart) per
// instruction, where PackB writes a panel column at a time with a scalar
// store every NR floats. ldb·(n−1) must fit an int32 for the gathers' indices
// (else PackB runs).
func PackBTrans(dst []float32, k, n int, b []float32, ldb int) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: PackBTrans: negative shape k=%d n=%d", k, n))
	}
	if len(dst) < PackedLen(k, n) {
		panic(fmt.Sprintf("kernels: PackBTrans: len(dst)=%d < %d", len(dst), PackedLen(k, n)))
	}
	if k == 0 || n == 0 {
		return
	}
	checkMatrix("B", b, n, k, ldb)
	if !(zmmExtras()) || int64(ldb)*int64(n) >= 1<<31 {
		PackB(dst, true, k, n, b, ldb)
		return
	}
	var idx [NR]int32
	for j0 := 0; j0 < n; j0 += NR {
		nr := min(NR, n-j0)
		for c := range nr {
			idx[c] = int32(c * ldb)
		}
		lo := uint32(1)<<min(nr, 16) - 1
		hi := uint32(1)<<max(nr-16, 0) - 1
		packTransAVX512(&dst[(j0/NR)*k*NR], &b[j0*ldb], &idx[0], k, lo, hi)
	}
}
