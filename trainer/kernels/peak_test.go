//go:build amd64 && !purego

package kernels

import "testing"

// BenchmarkPeak measures one core's float32 FMA peak per assembly path:
// register-only FMAs on 12 independent accumulators, ymm (path=avx2) and zmm
// (path=avx512). The other benchmarks' %peak is against PeakGFLOPS of their
// path, measured the same way but as the best of short rounds, so a
// contended run shows here as %peak well under 100 and cpu% under 100.
func BenchmarkPeak(b *testing.B) {
	if !haveAsm {
		b.Skip("no AVX2+FMA on this CPU")
	}
	const iters = 1 << 16
	benchPaths(b, func(b *testing.B, p string) {
		run, flops := fmaPeakAVX2, 192
		if p == PathAVX512 {
			run, flops = fmaPeakAVX512, 384
		}
		for b.Loop() {
			run(iters)
		}
		reportGFLOPs(b, p, float64(flops*iters))
	})
}
