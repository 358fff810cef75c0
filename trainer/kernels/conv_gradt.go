package kernels

import (
	"fmt"
	"unsafe"
)

// ConvRun is a run of consecutive columns of an implicit im2col matrix as
// ConvGradT reads it: Len positions from Pos on.
type ConvRun struct{ Pos, Len int32 }

// ConvGradTFits reports whether ConvGradT runs in assembly for products n
// columns wide: on the avx2 path for any n, on the avx512 path for n ≤ 16
// or 24 < n ≤ 64.
func ConvGradTFits(n int) bool {
	if useAsm && !useZmm {
		return n > 0
	}
	return useAsm && n > 0 && n <= 64 && (n <= 16 || n > 24)
}

// ConvGradT computes C = A·Bp + beta·C (C m×n, row stride ldc; beta 0 or
// 1, 0 not reading C) where Bp is a k×n matrix in panel layout (see
// GemmPacked) and A, m×k, is an im2col matrix read where it lies: its
// element (r, p) is x[koff[r] + pos(p)], the positions pos(0…k−1) running
// through runs in order. It is the weight gradient of a convolution,
// transposed: A the im2col matrix of the input planes, Bp the output
// gradient packed transposed.
//
// The sums are GemmPacked's on the same path, bit for bit, with A
// materialised: the same K blocks, each from +0 by fused multiply-adds in
// order, then added to C. ConvGradTFits(n) must hold. It allocates nothing
// once ctx's buffers have grown.
func (ctx *Context) ConvGradT(m, n, k int, koff []int32, x []float32, runs []ConvRun, bp []float32, beta float32, c []float32, ldc int) {
	checkConvGradT(m, n, k, koff, x, runs, bp, beta, c, ldc)
	if m == 0 {
		return
	}
	if k == 0 {
		if beta == 0 {
			for r := range m {
				clear(c[r*ldc : r*ldc+n])
			}
		}
		return
	}
	nv := (n + 15) / 16
	rt := 8
	if nv == 4 {
		rt = 6
	}
	mask := 1<<(n-16*(nv-1)) - 1
	nkb := (k + kcMax - 1) / kcMax
	kcb := (k + nkb - 1) / nkb
	pstride := k * NR * 4
	// With one vector of columns, rows in triples (a 3×3 window's) run 24
	// (or the last 9) at a time in convGradTAVX512T8 (T3), the rest 8 at a
	// time.
	tm := 0
	if useZmm && nv == 1 && inTriples(koff[:m/3*3]) {
		tm = m / 3 * 3
	}
	ri, rOff := 0, 0 // the run and position within it where the block starts
	for pc := 0; pc < k; pc += kcb {
		kc := min(kcb, k-pc)
		// The block's runs: the rest of run ri, whole runs, a part of one.
		blk := ctx.runBuf[:0]
		for left := kc; left > 0; {
			take := min(left, int(runs[ri].Len)-rOff)
			blk = append(blk, ConvRun{runs[ri].Pos + int32(rOff), int32(take)})
			left -= take
			rOff += take
			if rOff == int(runs[ri].Len) {
				ri, rOff = ri+1, 0
			}
		}
		ctx.runBuf = blk
		bt := int(beta)
		if pc > 0 {
			bt = 1
		}
		if !useZmm {
			ctx.convGradTAVX2(m, n, k, pc, koff, x, blk, bp, bt, c, ldc)
			continue
		}
		b := &bp[pc*NR]
		r0 := 0
		for ; r0+24 <= tm; r0 += 24 {
			cp := (*float32)(unsafe.Add(unsafe.Pointer(&c[0]), r0*ldc*4))
			offs := [8]int32{koff[r0], koff[r0+3], koff[r0+6], koff[r0+9], koff[r0+12], koff[r0+15], koff[r0+18], koff[r0+21]}
			convGradTAVX512T8(&x[0], &offs[0], &blk[0], len(blk), b, pstride, cp, ldc, 24, mask, bt)
		}
		for ; tm-r0 >= 6; r0 += 9 {
			// 6 or 9 rows in triples: three triples, the last repeated
			// where there are two (only rows are stored).
			rows := min(9, tm-r0)
			cp := (*float32)(unsafe.Add(unsafe.Pointer(&c[0]), r0*ldc*4))
			offs := [3]int32{koff[r0], koff[r0+3], koff[r0+3*(rows/3-1)]}
			convGradTAVX512T3(&x[0], &offs[0], &blk[0], len(blk), b, pstride, cp, ldc, rows, mask, bt)
		}
		r0 = min(r0, tm)
		for ; r0 < m; r0 += rt {
			rows := min(rt, m-r0)
			var offs [8]int32
			for r := range rt {
				offs[r] = koff[r0+min(r, rows-1)]
			}
			cp := (*float32)(unsafe.Add(unsafe.Pointer(&c[0]), r0*ldc*4))
			convGradTAVX512(nv, &x[0], &offs[0], &blk[0], len(blk), b, pstride, cp, ldc, rows, mask, bt)
		}
	}
}

// inTriples reports whether koff comes in triples of consecutive offsets,
// koff[3t+j] = koff[3t] + j, as the rows of a 3×3 kernel's window do: then
// convGradTAVX512T reads 24 rows with eight pointers.
func inTriples(koff []int32) bool {
	if len(koff)%3 != 0 {
		return false
	}
	for i := 0; i < len(koff); i += 3 {
		if koff[i+1] != koff[i]+1 || koff[i+2] != koff[i]+2 {
			return false
		}
	}
	return true
}

// convGradTAVX2 runs ConvGradT's K block from row pc of Bp on the avx2
// path: 4 rows of C at a time, a panel of 24 columns (up to three ymm
// vectors) at a time.
func (ctx *Context) convGradTAVX2(m, n, k, pc int, koff []int32, x []float32, blk []ConvRun, bp []float32, beta int, c []float32, ldc int) {
	for j0 := 0; j0 < n; j0 += NR {
		nr := min(NR, n-j0)
		nv := (nr + 7) / 8
		mask := 1<<(nr-8*(nv-1)) - 1
		b := &bp[(j0/NR)*k*NR+pc*NR]
		for r0 := 0; r0 < m; r0 += MR {
			rows := min(MR, m-r0)
			var offs [MR]int32
			for r := range MR {
				offs[r] = koff[r0+min(r, rows-1)]
			}
			cp := (*float32)(unsafe.Add(unsafe.Pointer(&c[0]), (r0*ldc+j0)*4))
			convGradTAVX2N(nv, &x[0], &offs[0], &blk[0], len(blk), b, cp, ldc, rows, mask, beta, &laneMasks[0][0])
		}
	}
}

// checkConvGradT panics, naming the argument, unless every element
// ConvGradT would read or write lies inside its slice.
func checkConvGradT(m, n, k int, koff []int32, x []float32, runs []ConvRun, bp []float32, beta float32, c []float32, ldc int) {
	switch {
	case m < 0 || k < 0:
		panic(fmt.Sprintf("kernels: ConvGradT: negative shape m=%d k=%d", m, k))
	case !ConvGradTFits(n):
		panic(fmt.Sprintf("kernels: ConvGradT: n=%d: ConvGradTFits is false", n))
	case beta != 0 && beta != 1:
		panic(fmt.Sprintf("kernels: ConvGradT: beta=%v is neither 0 nor 1", beta))
	case len(koff) < m:
		panic(fmt.Sprintf("kernels: ConvGradT: len(koff)=%d < m=%d", len(koff), m))
	case len(bp) < PackedLen(k, n):
		panic(fmt.Sprintf("kernels: ConvGradT: len(Bp)=%d < %d", len(bp), PackedLen(k, n)))
	}
	if m == 0 {
		return
	}
	checkMatrix("C", c, m, n, ldc)
	total, lo, hi := 0, 0, -1
	for i, r := range runs {
		if r.Len < 0 {
			panic(fmt.Sprintf("kernels: ConvGradT: run %d has length %d", i, r.Len))
		}
		if r.Len == 0 {
			continue
		}
		if hi < lo || int(r.Pos) < lo {
			lo = int(r.Pos)
		}
		hi = max(hi, int(r.Pos+r.Len-1))
		total += int(r.Len)
	}
	if total != k {
		panic(fmt.Sprintf("kernels: ConvGradT: the runs hold %d positions, k=%d", total, k))
	}
	if k == 0 {
		return
	}
	for r, o := range koff[:m] {
		if int(o)+lo < 0 || int(o)+hi >= len(x) {
			panic(fmt.Sprintf("kernels: ConvGradT: row %d reads x[%d…%d], len(x)=%d", r, int(o)+lo, int(o)+hi, len(x)))
		}
	}
}
