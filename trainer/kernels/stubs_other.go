//go:build !amd64 || purego

package kernels

// Without the assembly kernels the Go path always runs; the functions below
// only satisfy the compiler and are never called.

var (
	useAsm   = false
	haveAsm  = false
	useZmm   = false
	haveZmm  = false
	zmmRatio = 0.0
)

// setPath switches the kernels to path p: only PathPureGo exists here.
func setPath(p string) {
	if p != PathPureGo {
		panic("kernels: no assembly path in this build")
	}
}

// Path names the kernel path in use: always PathPureGo in this build (see
// the amd64 Path for the other).
func Path() string { return PathPureGo }

// PeakGFLOPS measures one core's float32 FMA peak on kernel path p, in
// GFLOP/s; this build has no assembly, so it always returns 0 (see the amd64
// PeakGFLOPS).
func PeakGFLOPS(p string) float64 { return 0 }

func axpyAVX2(alpha float32, x, y *float32, n int)                   { panic("unreachable") }
func reluGradAVX2(d, h *float32, n int)                              { panic("unreachable") }
func tanhGradAVX2(d, h *float32, n int)                              { panic("unreachable") }
func sumSquares64AVX2(x *float32, n int) float64                     { panic("unreachable") }
func addTo64AVX2(dst *float64, src *float32, n int)                  { panic("unreachable") }
func colSumsAVX2(beta float32, dst, x *float32, rows, cols, ldx int) { panic("unreachable") }

func gemmTilesAVX512(tiles, k int, a, b0, b1, c0, c1 *float32, ldc int, beta float32, bias *float32, act, nr1, aStep, aPair, aTile int) {
	panic("unreachable")
}

func gemmStridedAVX512(tiles, k int, a *float32, rs, ks int, b, c *float32, ldc int, beta float32, bias *float32, act, nr int) {
	panic("unreachable")
}

func axpyAVX512(alpha float32, x, y *float32, n int)                   { panic("unreachable") }
func reluGradAVX512(d, h *float32, n int)                              { panic("unreachable") }
func tanhGradAVX512(d, h *float32, n int)                              { panic("unreachable") }
func addTo64AVX512(dst *float64, src *float32, n int)                  { panic("unreachable") }
func colSumsAVX512(beta float32, dst, x *float32, rows, cols, ldx int) { panic("unreachable") }

func transpose24AVX2(dst, src *float32) { panic("unreachable") }

func packA4RowsAVX2(dst, a *float32, lda, kc int, alpha float32) { panic("kernels: no assembly") }
func packA4ColsAVX2(dst, a *float32, lda, kc int, alpha float32) { panic("kernels: no assembly") }
