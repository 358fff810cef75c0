package kernels

import (
	"fmt"
	"unsafe"
)

// MR×NR is the micro-tile: the register-resident block of C that the
// micro-kernel computes. 4×24 takes 12 ymm accumulators, and each step of k
// loads 3 vectors of B and broadcasts 4 scalars of A for 12 FMAs (7 loads
// per 12 FMAs: the two FMA pipes, not the load ports, are the limit). For
// the trainer's shapes it wastes little: every M that matters (8, 32, 128,
// 512, 784) is a multiple of 4, and N = 512 fills 512/528 ≈ 97% of its
// panels. The classic 6×16 would waste a third of the tiles at M = 8.
//
// The packed-B layout below depends on NR, so the Go and assembly paths share
// these constants.
const (
	MR = 4
	NR = 24
)

// PackedLen is the length of a k×n matrix in packed-B panel layout:
// k·⌈n/NR⌉·NR.
func PackedLen(k, n int) int {
	return k * ((n + NR - 1) / NR) * NR
}

// PanelIndex is the offset of element (r, c) of a matrix with k rows in
// packed-B panel layout: panel c/NR holds columns c/NR·NR … c/NR·NR+NR−1 as a
// k×NR row-major block at offset (c/NR)·k·NR. Columns past n are zero.
func PanelIndex(k, r, c int) int {
	return (c/NR)*k*NR + r*NR + c%NR
}

// MakePacked returns a zeroed slice of PackedLen(k, n) elements whose first
// element is 64-byte aligned, so that no vector load of a panel row crosses a
// cache line. Storing weights in such slices is optional but faster.
func MakePacked(k, n int) []float32 {
	return alignedFloats(PackedLen(k, n))
}

// alignedFloats returns a zeroed slice of n float32 starting on a 64-byte
// boundary.
func alignedFloats(n int) []float32 {
	buf := make([]float32, n+16)
	off := 0
	if r := int(uintptr(unsafe.Pointer(&buf[0])) & 63); r != 0 {
		off = (64 - r) / 4
	}
	return buf[off : off+n : off+n]
}

// PackB stores op(B) (k×n, op(B) = B or Bᵀ as transB says) into dst in panel
// layout, zeroing the padding columns of the last panel. B is row-major with
// stride ldb, stored k×n when transB is false and n×k when it is true.
// len(dst) must be at least PackedLen(k, n).
//
// Reference loop:
//
//	for r := 0; r < k; r++ {
//		for c := 0; c < ⌈n/NR⌉·NR; c++ {
//			dst[PanelIndex(k, r, c)] = opB(r, c) // 0 when c ≥ n
//		}
//	}
func PackB(dst []float32, transB bool, k, n int, b []float32, ldb int) {
	PackBScaled(dst, 1, transB, k, n, b, ldb)
}

// PackBScaled is PackB storing alpha·op(B). Scaling B while it is packed lets
// a product with alpha ≠ 1 run with alpha = 1, which GemmPacked computes
// without packing A when n ≤ NR.
func PackBScaled(dst []float32, alpha float32, transB bool, k, n int, b []float32, ldb int) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: PackB: negative shape k=%d n=%d", k, n))
	}
	if len(dst) < PackedLen(k, n) {
		panic(fmt.Sprintf("kernels: PackB: len(dst)=%d < %d", len(dst), PackedLen(k, n)))
	}
	if transB {
		checkMatrix("B", b, n, k, ldb)
	} else {
		checkMatrix("B", b, k, n, ldb)
	}
	if k == 0 {
		return
	}
	for j0 := 0; j0 < n; j0 += NR {
		nr := min(NR, n-j0)
		panel := dst[(j0/NR)*k*NR : (j0/NR+1)*k*NR]
		if !transB {
			for r := 0; r < k; r++ {
				row := panel[r*NR : r*NR+NR : r*NR+NR]
				src := b[r*ldb+j0 : r*ldb+j0+nr]
				if alpha == 1 {
					copy(row, src)
				} else {
					for c, v := range src {
						row[c] = alpha * v
					}
				}
				clear(row[nr:])
			}
			continue
		}
		// Bᵀ: column c of the panel is row j0+c of B, contiguous along r.
		if nr < NR {
			clear(panel)
		}
		for c := 0; c < nr; c++ {
			src := b[(j0+c)*ldb : (j0+c)*ldb+k]
			col := panel[c:]
			for r, v := range src {
				col[r*NR] = alpha * v
			}
		}
	}
}

// UnpackB copies the k×n matrix src, stored in panel layout, into the
// row-major dst with stride ldd.
//
// Reference loop:
//
//	for r := 0; r < k; r++ {
//		for c := 0; c < n; c++ {
//			dst[r*ldd+c] = src[PanelIndex(k, r, c)]
//		}
//	}
func UnpackB(dst []float32, ldd int, k, n int, src []float32) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: UnpackB: negative shape k=%d n=%d", k, n))
	}
	if len(src) < PackedLen(k, n) {
		panic(fmt.Sprintf("kernels: UnpackB: len(src)=%d < %d", len(src), PackedLen(k, n)))
	}
	checkMatrix("dst", dst, k, n, ldd)
	for j0 := 0; j0 < n; j0 += NR {
		nr := min(NR, n-j0)
		panel := src[(j0/NR)*k*NR : (j0/NR+1)*k*NR]
		for r := 0; r < k; r++ {
			copy(dst[r*ldd+j0:r*ldd+j0+nr], panel[r*NR:r*NR+nr])
		}
	}
}

// TransposePacked stores the transpose of src into dst, both in panel layout:
// src is k×n (panel height k), dst is n×k (panel height n). It lets the
// trainer get Wᵀ for the input-gradient product straight from its packed
// weights, NR×NR block by block, without a row-major detour.
// len(dst) must be at least PackedLen(n, k).
//
// Reference loop:
//
//	for r := 0; r < n; r++ {
//		for c := 0; c < ⌈k/NR⌉·NR; c++ {
//			dst[PanelIndex(n, r, c)] = src[PanelIndex(k, c, r)] // 0 when c ≥ k
//		}
//	}
func TransposePacked(dst []float32, k, n int, src []float32) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: TransposePacked: negative shape k=%d n=%d", k, n))
	}
	if len(src) < PackedLen(k, n) {
		panic(fmt.Sprintf("kernels: TransposePacked: len(src)=%d < %d", len(src), PackedLen(k, n)))
	}
	if len(dst) < PackedLen(n, k) {
		panic(fmt.Sprintf("kernels: TransposePacked: len(dst)=%d < %d", len(dst), PackedLen(n, k)))
	}
	// dst(r, c) = src(c, r): dst panel P (columns c in [P·NR, P·NR+NR)) row r
	// gathers column r of src rows c, which is row c of src panel r/NR.
	for c0 := 0; c0 < k; c0 += NR {
		kr := min(NR, k-c0)
		dpanel := dst[(c0/NR)*n*NR : (c0/NR+1)*n*NR]
		for r0 := 0; r0 < n; r0 += NR {
			nr := min(NR, n-r0)
			spanel := src[(r0/NR)*k*NR : (r0/NR+1)*k*NR]
			if useAsm && kr == NR && nr == NR {
				// Both blocks are contiguous NR×NR: src rows c0… of
				// panel r0/NR, dst rows r0… of panel c0/NR.
				transpose24AVX2(&dpanel[r0*NR], &spanel[c0*NR])
				continue
			}
			for r := 0; r < nr; r++ {
				drow := dpanel[(r0+r)*NR : (r0+r)*NR+NR : (r0+r)*NR+NR]
				for c := 0; c < kr; c++ {
					drow[c] = spanel[(c0+c)*NR+r]
				}
				clear(drow[kr:])
			}
		}
	}
}

// packA stores alpha·op(A)[i0:i0+mc, p0:p0+kc] into dst as ⌈mc/MR⌉ micro-panels
// of kc×MR (row p of a micro-panel holds the MR values of column p0+p), rows
// past mc zero. Scaling by alpha here is free and saves a multiply per
// element of C in the micro-kernel.
func packA(dst []float32, transA bool, a []float32, lda, i0, mc, p0, kc int, alpha float32) {
	for ir := 0; ir < mc; ir += MR {
		mr := min(MR, mc-ir)
		panel := dst[(ir/MR)*kc*MR : (ir/MR+1)*kc*MR]
		i := i0 + ir
		if transA {
			// A stored k×m: the MR values of column p are contiguous.
			if mr == MR && useAsm {
				packA4ColsAVX2(&panel[0], &a[p0*lda+i], lda, kc, alpha)
				continue
			}
			if mr == MR {
				for p := 0; p < kc; p++ {
					src := a[(p0+p)*lda+i : (p0+p)*lda+i+MR : (p0+p)*lda+i+MR]
					d := panel[p*MR : p*MR+MR : p*MR+MR]
					d[0] = alpha * src[0]
					d[1] = alpha * src[1]
					d[2] = alpha * src[2]
					d[3] = alpha * src[3]
				}
				continue
			}
			for p := 0; p < kc; p++ {
				d := panel[p*MR : p*MR+MR : p*MR+MR]
				for r := 0; r < MR; r++ {
					if r < mr {
						d[r] = alpha * a[(p0+p)*lda+i+r]
					} else {
						d[r] = 0
					}
				}
			}
			continue
		}
		// A stored m×k: walk each row contiguously, write with stride MR.
		if mr == MR {
			r0 := a[i*lda+p0 : i*lda+p0+kc]
			r1 := a[(i+1)*lda+p0 : (i+1)*lda+p0+kc]
			r2 := a[(i+2)*lda+p0 : (i+2)*lda+p0+kc]
			r3 := a[(i+3)*lda+p0 : (i+3)*lda+p0+kc]
			start := 0
			if useAsm && kc >= 8 {
				start = kc / 8 * 8
				packA4RowsAVX2(&panel[0], &r0[0], lda, start, alpha)
			}
			for p := start; p < kc; p++ {
				d := panel[p*MR : p*MR+MR : p*MR+MR]
				d[0] = alpha * r0[p]
				d[1] = alpha * r1[p]
				d[2] = alpha * r2[p]
				d[3] = alpha * r3[p]
			}
			continue
		}
		clear(panel)
		for r := 0; r < mr; r++ {
			row := a[(i+r)*lda+p0 : (i+r)*lda+p0+kc]
			for p, v := range row {
				panel[p*MR+r] = alpha * v
			}
		}
	}
}
