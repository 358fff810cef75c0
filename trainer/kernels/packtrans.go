package kernels

import "fmt"

// PackBTrans is PackB(dst, true, k, n, b, ldb): it stores Bᵀ (k×n, B
// stored n×k with row stride ldb) in panel layout. The AVX-512 path
// transposes 8×8 blocks in registers where a panel's columns come in whole
// groups of 8, and fills the other panel rows with gathers, one column of B
// (n·… values ldb apart) per instruction, where PackB writes a panel column
// at a time with a scalar store every NR floats. ldb·(n−1) must fit an int32 for the gathers' indices
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
		panel, src := dst[(j0/NR)*k*NR:], b[j0*ldb:]
		// Columns in whole groups of 8: 8-row blocks by register
		// transposes, several times faster than the gathers, which finish
		// the last k mod 8 rows and take the other widths.
		k0 := 0
		if nr%8 == 0 && k >= 8 {
			k0 = k &^ 7
			packTrans8AVX512(&panel[0], &src[0], ldb, k0/8, nr/8)
			if k0 == k {
				continue
			}
		}
		for c := range nr {
			idx[c] = int32(c * ldb)
		}
		lo := uint32(1)<<min(nr, 16) - 1
		hi := uint32(1)<<max(nr-16, 0) - 1
		packTransAVX512(&panel[k0*NR], &src[k0], &idx[0], k-k0, lo, hi)
	}
}
