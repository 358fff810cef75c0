//go:build amd64 && !purego

package kernels

import "testing"

// BenchmarkPeak measures one core's float32 FMA peak with AVX2: register-only
// FMAs on 12 independent accumulators. The GEMM benchmarks' %peak is against
// the nominal 117 GFLOP/s; this is what the core delivers here and now.
func BenchmarkPeak(b *testing.B) {
	if !haveAsm {
		b.Skip("no AVX2+FMA on this CPU")
	}
	const iters = 1 << 16
	for b.Loop() {
		fmaPeakAVX2(iters)
	}
	reportGFLOPs(b, 192*iters)
}
