package trainer

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/lssr/lssr/trainer/kernels"
)

// float is the element type of the layer-list networks: float32 to train,
// float64 to measure against references (see seqNet).
type float interface{ float32 | float64 }

// linalg runs the matrix products of the layers in F: float32 products on
// the project's SIMD kernels, float64 ones on gonum's BLAS. It holds the
// kernels' packing buffers, so one linalg serves one goroutine.
type linalg[F float] struct{ k kernels.Context }

// gemm sets c = alpha·op(a)·op(b) + beta·c for row-major matrices, op
// transposing when asked: c is m×n, op(a) m×k, op(b) k×n.
func (la *linalg[F]) gemm(transA, transB bool, m, n, k int, alpha F, a []F, lda int, b []F, ldb int, beta F, c []F, ldc int) {
	switch a := any(a).(type) {
	case []float32:
		la.k.Gemm(transA, transB, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		if m == 0 || n == 0 {
			return
		}
		gonum.Implementation{}.Dgemm(blasTrans(transA), blasTrans(transB), m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// packs reports whether F's products run on the kernels, which take B
// packed (float32): the conv layers then build their im2col matrices in the
// panel layout and call gemmPacked and packB.
func (la *linalg[F]) packs() bool {
	var z F
	_, ok := any(z).(float32)
	return ok
}

// gemmPacked sets c = alpha·op(a)·Bp + beta·c, Bp the k×n matrix in the
// kernels' panel layout (see kernels.Context.GemmPacked). float32 only.
func (la *linalg[F]) gemmPacked(transA bool, m, n, k int, alpha F, a []F, lda int, bp []F, beta F, c []F, ldc int) {
	la.k.GemmPacked(transA, m, n, k, float32(alpha), any(a).([]float32), lda, any(bp).([]float32), float32(beta), any(c).([]float32), ldc, false, kernels.Epilogue{})
}

// packB stores op(b) (k×n) into dst in the kernels' panel layout (see
// kernels.PackB). float32 only.
func (la *linalg[F]) packB(dst []F, transB bool, k, n int, b []F, ldb int) {
	if transB {
		kernels.PackBTrans(any(dst).([]float32), k, n, any(b).([]float32), ldb)
		return
	}
	kernels.PackB(any(dst).([]float32), transB, k, n, any(b).([]float32), ldb)
}

// makeFloats returns n zeros, 64-byte aligned for float32 (the kernels'
// panels load faster so).
func makeFloats[F float](n int) []F {
	var z F
	if _, ok := any(z).(float32); ok {
		return any(kernels.MakePacked(1, n)[:n]).([]F)
	}
	return make([]F, n)
}

func blasTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// sumSq64 is Σ x_i² accumulated in float64.
func sumSq64[F float](x []F) float64 {
	if x32, ok := any(x).([]float32); ok {
		return kernels.SumSquares64(x32)
	}
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

// addTo adds src to dst element by element.
func addTo[F float](dst, src []F) {
	if s32, ok := any(src).([]float32); ok {
		kernels.Axpy(1, s32, any(dst).([]float32))
		return
	}
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += v
	}
}

// addTo64 adds src to dst element by element, in float64.
func addTo64[F float](dst []float64, src []F) {
	if s32, ok := any(src).([]float32); ok {
		kernels.AddTo64(dst, s32)
		return
	}
	for i, v := range src {
		dst[i] += float64(v)
	}
}
