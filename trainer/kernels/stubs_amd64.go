//go:build !purego

package kernels

import (
	"time"

	"golang.org/x/sys/cpu"
)

// useAsm selects the assembly kernels; it is set once, at start-up, from the
// CPU's features (tests flip it to run the Go path too).
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// haveAsm reports whether this build and CPU can run the assembly kernels.
var haveAsm = useAsm

// haveZmm reports whether the CPU and OS can run the AVX-512 kernels, which
// use AVX-512F with VL (zmm16–31 in 256-bit form) and DQ (32×8 inserts and
// extracts). The OS must save the zmm state; x/sys/cpu checks that.
var haveZmm = haveAsm && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ

// zmmRatio is the measured ratio of zmm to ymm register-only FMA throughput
// (flops per second) on this core at start-up, 0 without AVX-512.
var zmmRatio = measureZmmRatio()

// useZmm selects the AVX-512 kernels within the assembly path (only read
// when useAsm is set): where the CPU has them and zmm FMAs clearly win.
var useZmm = haveZmm && zmmRatio >= zmmMinRatio

// Path names the kernel path in use: PathAVX512 when the CPU has AVX-512 and
// its zmm FMAs measured clearly faster than ymm ones at start-up, else
// PathAVX2 when it has AVX2 and FMA, else PathPureGo. Results of the Go and
// assembly paths may differ in the last bits (the assembly fuses
// multiply-adds), so a job's provenance records it; the two assembly paths
// give bit-identical results.
func Path() string {
	switch {
	case useAsm && useZmm:
		return PathAVX512
	case useAsm:
		return PathAVX2
	}
	return PathPureGo
}

// setPath switches the kernels to path p, which this build and CPU must have.
func setPath(p string) {
	useAsm = p != PathPureGo
	useZmm = p == PathAVX512
	kernel = kernelGo
	if useAsm {
		kernel = gemmKernelAVX2
	}
}

func init() {
	if haveAsm {
		stridedKernel = gemmKernelStridedAVX2
		tilesKernel = gemmTilesAVX2
		narrowKernel = gemmTilesNarrowAVX2
	}
	setPath(Path())
}

// measureZmmRatio times fmaPeakAVX512 against fmaPeakAVX2 in 24 alternating
// rounds of ~5 µs each and returns the ratio of their flop rates, each the
// best of its rounds (so that a round stretched by a preemption or by
// another process on the core does not count). A first zmm run of ~40 µs
// lets a core that powers up its upper lanes on demand do so. It takes
// 0.2–0.4 ms on Zen 5 (ratio 1.99–2.00 there), and returns 0 where there is
// no AVX-512.
func measureZmmRatio() float64 {
	if !haveZmm {
		return 0
	}
	const iters = 2048 // ~10 µs of ymm FMAs at 4 GHz
	fmaPeakAVX512(8 * iters)
	bestY, bestZ := time.Duration(1<<62), time.Duration(1<<62)
	for range 24 {
		t0 := time.Now()
		fmaPeakAVX2(iters)
		t1 := time.Now()
		fmaPeakAVX512(iters)
		t2 := time.Now()
		bestY = min(bestY, t1.Sub(t0))
		bestZ = min(bestZ, t2.Sub(t1))
	}
	if bestZ <= 0 || bestY <= 0 {
		return 0
	}
	// A zmm iteration does twice the flops of a ymm one.
	return 2 * float64(bestY) / float64(bestZ)
}

// PeakGFLOPS measures one core's float32 FMA peak on kernel path p, in
// GFLOP/s: register-only FMAs on independent accumulators, ymm for
// PathAVX2 and zmm for PathAVX512, best of rounds over about 20 ms, so that
// other code can quote its speed as a fraction of what the core delivers
// here and now. It returns 0 for PathPureGo and for a path this build or CPU
// cannot run.
func PeakGFLOPS(p string) float64 {
	var run func(int)
	var flops float64 // per iteration
	switch {
	case p == PathAVX2 && haveAsm:
		run, flops = fmaPeakAVX2, 192
	case p == PathAVX512 && haveZmm:
		run, flops = fmaPeakAVX512, 384
	default:
		return 0
	}
	const iters = 1 << 14
	run(iters)
	best := time.Duration(1 << 62)
	for start := time.Now(); time.Since(start) < 20*time.Millisecond; {
		t0 := time.Now()
		run(iters)
		best = min(best, time.Since(t0))
	}
	return flops * iters / best.Seconds() / 1e9
}

// gemmKernelAVX2 is the MR×NR micro-kernel (see microKernel): one tile of
// gemmTilesAVX2, for edge tiles and tests.
func gemmKernelAVX2(k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int) {
	gemmTilesAVX2(1, k, a, b, c, ldc, beta, bias, act)
}

// The zmm element-wise loops (elementwise_avx512_amd64.s): the same
// operations per element as their AVX2 namesakes, bit-identical results.

//go:noescape
func axpyAVX512(alpha float32, x, y *float32, n int)

//go:noescape
func reluGradAVX512(d, h *float32, n int)

//go:noescape
func tanhGradAVX512(d, h *float32, n int)

//go:noescape
func addTo64AVX512(dst *float64, src *float32, n int)

//go:noescape
func colSumsAVX512(beta float32, dst, x *float32, rows, cols, ldx int)

//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

//go:noescape
func reluGradAVX2(d, h *float32, n int)

//go:noescape
func tanhGradAVX2(d, h *float32, n int)

//go:noescape
func sumSquares64AVX2(x *float32, n int) float64

//go:noescape
func addTo64AVX2(dst *float64, src *float32, n int)

//go:noescape
func colSumsAVX2(beta float32, dst, x *float32, rows, cols, ldx int)

// transpose24AVX2 transposes a contiguous NR×NR block: dst[c*NR+r] = src[r*NR+c].
//
//go:noescape
func transpose24AVX2(dst, src *float32)

// gemmKernelStridedAVX2 is gemmKernelAVX2 with A read in place: A(r, p) at
// a + r·rs + p·ks bytes (see gemm_strided_amd64.s).
//
//go:noescape
func gemmKernelStridedAVX2(k int, a *float32, rs, ks int, b, c *float32, ldc int, beta float32, bias *float32, act int)

// gemmTilesAVX2 is the 4×24 micro-kernel run over tiles consecutive packed A
// micro-panels against one B micro-panel, C moving MR rows per tile (see
// gemm_tiles_amd64.s).
//
//go:noescape
func gemmTilesAVX2(tiles, k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int)

// packA4RowsAVX2 packs four rows of A, kc (a multiple of 8) columns:
// dst[p*4+r] = alpha·a[r*lda+p].
//
//go:noescape
func packA4RowsAVX2(dst, a *float32, lda, kc int, alpha float32)

// packA4ColsAVX2 packs four columns of stored Aᵀ: dst[p*4+r] = alpha·a[p*lda+r].
//
//go:noescape
func packA4ColsAVX2(dst, a *float32, lda, kc int, alpha float32)

// gemmTilesNarrowAVX2 is gemmTilesAVX2 for a last B panel of nr ≤ 8 real
// columns: a 4×8 tile with masked C and bias access (see gemm_narrow_amd64.s).
//
//go:noescape
func gemmTilesNarrowAVX2(tiles, k int, a, b, c *float32, ldc int, beta float32, bias *float32, act, nr int)

// fmaPeakAVX2 runs iters × 12 register-only FMAs (192 flops each): the
// measured one-core peak of BenchmarkPeak.
//
//go:noescape
func fmaPeakAVX2(iters int)

// fmaPeakAVX512 is fmaPeakAVX2 with zmm registers: iters × 12 FMAs of 384
// flops each.
//
//go:noescape
func fmaPeakAVX512(iters int)

// gemmTilesAVX512 is the 8×48 zmm micro-kernel run over tiles groups of 8
// rows of A (pairs of packed A micro-panels, or Aᵀ read in place: aStep,
// aPair and aTile give the layout) against the two B micro-panels b0 and
// b1, C moving 8 rows per tile; c0 and c1 point at C's columns of the two
// panels, and only the first nr1 columns of panel 1 are stored (see
// gemm_tiles_avx512_amd64.s). Its results are bit-identical to two
// gemmTilesAVX2 calls per panel.
//
//go:noescape
func gemmTilesAVX512(tiles, k int, a, b0, b1, c0, c1 *float32, ldc int, beta float32, bias *float32, act, nr1, aStep, aPair, aTile int)

// gemmStridedAVX512 is the zmm kernel for products of at most 16 columns
// (nr ≤ 16): tiles groups of 16 rows of A read in place (A(r, p) at
// a + r·rs + p·ks bytes) against one B micro-panel, storing the nr columns
// of C with the epilogue of storeRow (see gemm_strided_avx512_amd64.s). Its
// results are bit-identical to the AVX2 path's for those tiles
// (gemmKernelStridedAVX2 into the edge tile, then storeEdge).
//
//go:noescape
func gemmStridedAVX512(tiles, k int, a *float32, rs, ks int, b, c *float32, ldc int, beta float32, bias *float32, act, nr int)

// dirtyUpperZmm sets Z0..Z3 and returns without VZEROUPPER; it exists only
// for BenchmarkScalarAfterKernel, to show what a kernel missing VZEROUPPER
// would cost the scalar code after it.
func dirtyUpperZmm()

// cleanUpperZmm is dirtyUpperZmm ending with VZEROUPPER, the benchmark's
// control.
func cleanUpperZmm()
