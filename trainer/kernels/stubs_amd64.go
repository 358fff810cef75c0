//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// useAsm selects the assembly kernels; it is set once, at start-up, from the
// CPU's features (tests flip it to run the Go path too).
var useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// haveAsm reports whether this build and CPU can run the assembly kernels.
var haveAsm = useAsm

// Path names the kernel path in use: PathAVX2 when the CPU has AVX2 and FMA,
// else PathPureGo. Results of the two paths may differ in the last bits (the
// assembly fuses multiply-adds), so a job's provenance records it.
func Path() string {
	if useAsm {
		return PathAVX2
	}
	return PathPureGo
}

func init() {
	if useAsm {
		kernel = gemmKernelAVX2
		stridedKernel = gemmKernelStridedAVX2
		tilesKernel = gemmTilesAVX2
		narrowKernel = gemmTilesNarrowAVX2
	}
}

// gemmKernelAVX2 is the MR×NR micro-kernel (see microKernel): one tile of
// gemmTilesAVX2, for edge tiles and tests.
func gemmKernelAVX2(k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int) {
	gemmTilesAVX2(1, k, a, b, c, ldc, beta, bias, act)
}

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
