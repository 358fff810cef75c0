//go:build amd64 && !purego

package kernels

import "testing"

// BenchmarkPeak measures one core's float32 FMA peak per assembly path:
// register-only FMAs on 12 independent accumulators, ymm (path=avx2) and zmm
// (path=avx512). The other benchmarks' %peak is against PeakGFLOPS of their
// path, measured the same way.
func BenchmarkPeak(b *testing.B) {
	if !haveAsm {
		b.Skip("no AVX2+FMA on this CPU")
	}
	const iters = 1 << 16
	b.Run("path="+PathAVX2, func(b *testing.B) {
		for b.Loop() {
			fmaPeakAVX2(iters)
		}
		reportGFLOPs(b, PathAVX2, 192*iters)
	})
	b.Run("path="+PathAVX512, func(b *testing.B) {
		if !haveZmm {
			b.Skip("no AVX-512 on this CPU")
		}
		for b.Loop() {
			fmaPeakAVX512(iters)
		}
		reportGFLOPs(b, PathAVX512, 384*iters)
	})
}
