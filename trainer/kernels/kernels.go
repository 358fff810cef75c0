// Package kernels holds the dense linear-algebra kernels the trainer runs on:
// Gemm and Axpy on row-major float32 slices. These two functions are the whole
// interface between the trainer and the hardware; everything else in the
// trainer is O(parameters) or O(batch·classes) bookkeeping.
//
// The implementation here is portable Go: loops ordered so the innermost loop
// walks contiguous memory, register blocking over four rows or columns, and
// cache blocking over the shared dimension. A SIMD implementation can replace
// the bodies behind the same signatures (one file per architecture plus a
// build-tagged fallback, as in gonum's internal/asm).
//
// # Determinism
//
// For given shapes and inputs, every function performs the same floating-point
// operations in the same order on every call: results are bit-identical run to
// run on the same binary. No function allocates or keeps state.
package kernels

import "fmt"

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, where
// op(X) is X or Xᵀ as transA and transB say, op(A) is m×k, op(B) is k×n and C
// is m×n. lda, ldb and ldc are the row strides of A, B and C as stored (so A
// is stored m×k with lda ≥ k when transA is false, k×m with lda ≥ m when it is
// true). As in BLAS, beta = 0 overwrites C without reading it, so NaNs in C's
// old contents do not propagate. Gemm panics if a slice is too short for the
// shape and stride given.
//
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * opB(p, j)
//			}
//			c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//		}
//	}
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm: negative shape m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("A", a, ar, ac, lda)
	checkMatrix("B", b, br, bc, ldb)
	checkMatrix("C", c, m, n, ldc)

	if k == 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			scaleRow(beta, c[i*ldc:i*ldc+n])
		}
		return
	}
	switch {
	case !transA && !transB:
		gemmNN(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case transA && !transB:
		gemmTN(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	case !transA && transB:
		gemmNT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	default:
		gemmTT(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// Axpy computes y += alpha·x over the first len(x) elements of y. It panics
// if y is shorter than x.
//
// Reference loop:
//
//	for i, v := range x {
//		y[i] += alpha * v
//	}
func Axpy(alpha float32, x, y []float32) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: Axpy: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	y = y[:len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		ys := y[i : i+4 : i+4]
		ys[0] += alpha * xs[0]
		ys[1] += alpha * xs[1]
		ys[2] += alpha * xs[2]
		ys[3] += alpha * xs[3]
	}
	for ; i < len(x); i++ {
		y[i] += alpha * x[i]
	}
}

func checkMatrix(name string, x []float32, rows, cols, ld int) {
	if ld < max(cols, 1) {
		panic(fmt.Sprintf("kernels: Gemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("kernels: Gemm: len(%s)=%d < %d for %d×%d with stride %d", name, len(x), need, rows, cols, ld))
	}
}

// scaleRow sets row = beta·row, without reading row when beta is 0.
func scaleRow(beta float32, row []float32) {
	switch beta {
	case 1:
	case 0:
		clear(row)
	default:
		for j := range row {
			row[j] *= beta
		}
	}
}
