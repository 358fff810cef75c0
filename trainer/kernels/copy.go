package kernels

import "fmt"

// CopyRuns copies count runs of n floats, n ≤ 2·16: run t from
// src[t·srcStride:] to dst[t·dstStride:]. It is the inner loop of an
// im2col into the packed-B panel layout (one short run per input channel),
// where a copy call per run costs more than the copy; the AVX-512 path
// moves each run with two masked vector loads and stores.
func CopyRuns(dst []float32, dstStride int, src []float32, srcStride int, n, count int) {
	if n <= 0 || count <= 0 {
		return
	}
	if n > 32 || dstStride < 0 || srcStride < 0 {
		panic(fmt.Sprintf("kernels: CopyRuns: n=%d > 32 or negative stride (%d, %d)", n, dstStride, srcStride))
	}
	if len(dst) < (count-1)*dstStride+n || len(src) < (count-1)*srcStride+n {
		panic(fmt.Sprintf("kernels: CopyRuns: %d runs of %d need len(dst) ≥ %d, len(src) ≥ %d; have %d, %d",
			count, n, (count-1)*dstStride+n, (count-1)*srcStride+n, len(dst), len(src)))
	}
	if zmmExtras() {
		copyRunsAVX512(&dst[0], dstStride, &src[0], srcStride, n, count)
		return
	}
	copyRunsGo(dst, dstStride, src, srcStride, n, count)
}

func copyRunsGo(dst []float32, dstStride int, src []float32, srcStride int, n, count int) {
	for t := range count {
		copy(dst[t*dstStride:t*dstStride+n], src[t*srcStride:t*srcStride+n])
	}
}
