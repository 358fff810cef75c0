//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// haveBMI2 reports whether the CPU has BMI2, whose mask arithmetic the
// routines below use besides AVX-512.
var haveBMI2 = cpu.X86.HasBMI2

// zmmExtras reports whether the AVX-512 routines below run: on the avx512
// path (which LSSR_KERNELS and tests switch) and with BMI2. Elsewhere their
// Go loops run, with the same results bit for bit.
func zmmExtras() bool { return useAsm && useZmm && haveBMI2 }

// avx2Extras reports whether the AVX2 versions of the routines below run:
// on the avx2 path (the avx512 path runs theirs, see zmmExtras).
func avx2Extras() bool { return useAsm && !useZmm }

// affineF64AVX2 is AffineF64 on the avx2 path for n, a multiple of 4,
// elements; relu is 0 or 1.
//
//go:noescape
func affineF64AVX2(y, x *float32, n int, scale, shift float64, relu int)

// affine2F64AVX2 is Affine2F64 on the avx2 path for n, a multiple of 4,
// elements.
//
//go:noescape
func affine2F64AVX2(y, d, x *float32, n int, a, b, c float64)

// gradSumsAVX2 is GradSums on the avx2 path for n, a multiple of 16,
// elements.
//
//go:noescape
func gradSumsAVX2(d, x *float32, n int, mu float64) (sumD, sumDX float64)

// copyRunsAVX512 is CopyRuns for arguments it has checked.
//
//go:noescape
func copyRunsAVX512(dst *float32, dstStride int, src *float32, srcStride int, n, count int)

// affineF64AVX512 is AffineF64 for n, a multiple of 8, elements; relu is
// 0 or 1.
//
//go:noescape
func affineF64AVX512(y, x *float32, n int, scale, shift float64, relu int)

// affine2F64AVX512 is Affine2F64 for n, a multiple of 8, elements.
//
//go:noescape
func affine2F64AVX512(y, d, x *float32, n int, a, b, c float64)

// packTransAVX512 fills k rows of one panel: row p gets b[idx[c] + p] in
// column c where bit c of the masks lo (columns 0…15) and hi (16…23) is
// set, zero elsewhere.
//
//go:noescape
func packTransAVX512(dst, b *float32, idx *int32, k int, lo, hi uint32)

// packTrans8AVX512 fills kb blocks of 8 rows of one panel whose columns
// are groups (1…3) of 8 rows of b (stride ldb), zeroing the other columns.
//
//go:noescape
func packTrans8AVX512(dst, b *float32, ldb, kb, groups int)

// gradSumsAVX512 is GradSums for n, a multiple of 16, elements.
//
//go:noescape
func gradSumsAVX512(d, x *float32, n int, mu float64) (sumD, sumDX float64)
