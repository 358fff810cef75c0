// Package kernels holds the dense linear-algebra kernels the trainer runs on:
// a BLIS-style float32 GEMM over row-major and panel-packed matrices with a
// fused bias/activation epilogue, and a few vectorised element-wise loops.
// Everything else in the trainer is O(parameters) or O(batch·classes)
// bookkeeping.
//
// # Three paths
//
// On amd64 CPUs with AVX2 and FMA the micro-kernel, the packing and
// transposing loops and the element-wise loops are Go assembly (the
// *_amd64.s files: gemm_tiles_amd64.s holds the micro-kernel); elsewhere, or
// when built with the purego tag, portable Go with the same packing and
// blocking runs instead. Where the CPU also has AVX-512 (F, VL, DQ) and a
// short measurement at start-up finds its zmm FMAs clearly faster than ymm
// ones (full-width 512-bit pipes, as on Zen 5, rather than split ones, as on
// Zen 4), the AVX-512 path replaces the GEMM's micro-kernel with an 8×48 zmm
// one (gemm_tiles_avx512_amd64.s) and the element-wise loops, but for
// SumSquares64, with zmm ones. The choice is made once at start-up
// (Path names it; EnvVar can force one). Every assembly routine ends with
// VZEROUPPER: dirty upper ymm and zmm halves slow Go's scalar float code
// severalfold on AMD Zen (BenchmarkScalarAfterKernel shows by how much).
//
// # Determinism
//
// For given shapes and inputs, every function performs the same
// floating-point operations in the same order on every call: results are
// bit-identical run to run on the same binary and CPU path. The AVX-512 and
// AVX2 paths give bit-identical results to each other: each element is
// computed with the same fused multiply-adds in the same order. (The
// assembly and Go paths round differently, since one fuses multiply-adds,
// so they may differ from each other.) Nothing depends on the contents of a Context or on
// the alignment of the slices passed in.
package kernels

import (
	"fmt"
	"sync"
)

// ctxPool serves the package-level Gemm, which has no Context argument.
var ctxPool = sync.Pool{New: func() any { return new(Context) }}

// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major matrices, where
// op(X) is X or Xᵀ as transA and transB say, op(A) is m×k, op(B) is k×n and C
// is m×n. lda, ldb and ldc are the row strides of A, B and C as stored (so A
// is stored m×k with lda ≥ k when transA is false, k×m with lda ≥ m when it is
// true). As in BLAS, beta = 0 overwrites C without reading it, so NaNs in C's
// old contents do not propagate. Gemm panics if a slice is too short for the
// shape and stride given. It borrows a Context from a pool: code that calls
// it in a loop should keep its own Context and call Context.Gemm.
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
	ctx := ctxPool.Get().(*Context)
	defer ctxPool.Put(ctx)
	ctx.Gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
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
