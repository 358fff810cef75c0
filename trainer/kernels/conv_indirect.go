package kernels

import (
	"fmt"
	"math/bits"
	"unsafe"
)

// ConvSlot is one vector of ConvIndirect's output: up to 16 consecutive
// columns of C from Out on (offsets in floats, row 0), read from B at In
// plus each step's offset. Only the columns j whose bit j of Mask is set
// are read and written; a slot with Mask 0 does nothing.
type ConvSlot struct {
	In, Out int32
	Mask    uint32
}

// convChunk is how many tiles (three slots each) ConvIndirect runs against
// every row block and K block before moving on: their B rows, a few output
// rows of each input channel, stay in L1 between row blocks.
const convChunk = 4

// ConvIndirectFast reports whether ConvIndirect runs in assembly (the
// avx512 and avx2 paths). Elsewhere it runs a Go loop, correct but slow:
// callers with a faster way there (im2col and GemmPacked) should take it.
func ConvIndirectFast() bool { return useAsm }

// ConvSlotWidth is the most columns a ConvSlot should hold on the path in
// use: 16 on avx512 (a zmm vector), else 8 (a ymm one).
func ConvSlotWidth() int {
	if useAsm && useZmm {
		return 16
	}
	return 8
}

// ConvSlack is how many floats past a slot's last column ConvIndirect may
// read from B on the path in use: on avx2 it reads whole 8-lane vectors,
// so B needs that much room after the last slot's columns (the values read
// there do not matter); elsewhere 0.
func ConvSlack() int {
	if useAsm && !useZmm {
		return 7
	}
	return 0
}

// laneMasks[n] is the AVX2 lane mask of the first n of 8 lanes.
var laneMasks = func() (t [9][8]int32) {
	for n := range t {
		for j := range n {
			t[n][j] = -1
		}
	}
	return t
}()

// ConvIndirect computes, for each row r < m and each slot s, the columns j
// of s.Mask:
//
//	C[r·ldc + s.Out + j] = Σ_p A[r·lda + p] · B[koff[p] + s.In + j]  (+ C when beta is 1)
//
// the product of A (m×k) with a matrix whose column s.Out+j, row p, is
// B[koff[p] + s.In + j]: an im2col matrix read where it lies (koff holds
// each patch element's offset, a slot one output row segment), so a
// convolution needs no im2col copy. beta must be 0 (C is not read) or 1.
//
// On the assembly paths the sums are GemmPacked's, bit for bit, with that
// matrix packed as B: the same K blocks, each summed from +0 by fused
// multiply-adds in order, then added to C. The Go loop of the other path
// sums in the same order without fusing. ConvIndirect allocates nothing
// once ctx's buffers have grown.
func (ctx *Context) ConvIndirect(m, k int, a []float32, lda int, koff []int32, b []float32, slots []ConvSlot, beta float32, c []float32, ldc int) {
	ctx.convW.Pack(m, k, a, lda)
	ctx.ConvIndirectW(&ctx.convW, koff, b, slots, beta, c, ldc)
}

// ConvWeights is ConvIndirect's A packed for the path in use (in panels of
// the tile's rows on the assembly paths), so that the calls for many
// groups of examples with the same weights, ConvIndirectW, pack it once.
// The zero value is ready to Pack; Pack reuses its buffer.
type ConvWeights struct {
	m, k, mr int
	a        []float32 // A itself, for the Go path
	lda      int
	panels   []float32
}

// Pack sets w to the m×k matrix a (row stride lda), packed: a copy, so
// later changes to a do not reach w until the next Pack.
func (w *ConvWeights) Pack(m, k int, a []float32, lda int) {
	if m < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: ConvIndirect: negative shape m=%d k=%d", m, k))
	}
	w.m, w.k, w.a, w.lda = m, k, a, lda
	if m == 0 || k == 0 || !ConvIndirectFast() {
		return
	}
	checkMatrix("A", a, m, k, lda)
	mr := convRows()
	w.mr = mr
	mp := (m + mr - 1) / mr
	if len(w.panels) < mp*k*mr {
		w.panels = alignedFloats(mp * k * mr)
	}
	ap := w.panels[:mp*k*mr]
	for mb := range mp {
		panel := ap[mb*k*mr : (mb+1)*k*mr]
		for r := range mr {
			row := mb*mr + r
			if row >= m {
				for p := range k {
					panel[p*mr+r] = 0
				}
				continue
			}
			for p, v := range a[row*lda : row*lda+k] {
				panel[p*mr+r] = v
			}
		}
	}
}

// convRows is the rows of a ConvIndirect tile: 4 on avx2, 8 on avx512.
func convRows() int {
	if useZmm {
		return 2 * MR
	}
	return MR
}

// ConvIndirectW is ConvIndirect with A packed in w (see ConvWeights): the
// same results, without packing A again.
func (ctx *Context) ConvIndirectW(w *ConvWeights, koff []int32, b []float32, slots []ConvSlot, beta float32, c []float32, ldc int) {
	m, k := w.m, w.k
	if !checkConvIndirect(m, k, w.a, w.lda, koff, b, slots, beta, c, ldc) {
		return // no row or no lane: nothing to read or write
	}
	if k == 0 {
		clearSlots(m, slots, beta, c, ldc)
		return
	}
	if !ConvIndirectFast() {
		convIndirectGo(m, k, w.a, w.lda, koff, b, slots, beta, c, ldc)
		return
	}
	w.checkPath("ConvIndirectW")
	full := len(slots) / 3 * 3
	if full < len(slots) {
		ctx.slotTail = [3]ConvSlot{}
		copy(ctx.slotTail[:], slots[full:])
	}
	run := func(tiles int, sp *ConvSlot) {
		w.blocks(beta, c, ldc, func(a *float32, pc, kc, rows, bt int, cb *float32) {
			if useZmm {
				convTilesAVX512(tiles, kc, a, &koff[pc], &b[0], sp, cb, ldc, rows, bt)
			} else {
				convTilesAVX2(tiles, kc, a, &koff[pc], &b[0], sp, cb, ldc, rows, bt, &laneMasks[0][0])
			}
		})
	}
	for s0 := 0; s0 < full; s0 += convChunk * 3 {
		run((min(s0+convChunk*3, full)-s0)/3, &slots[s0])
	}
	if full < len(slots) {
		run(1, &ctx.slotTail[0])
	}
}

// checkPath panics unless w was packed on the kernel path in use.
func (w *ConvWeights) checkPath(name string) {
	if w.mr != convRows() {
		panic("kernels: " + name + ": the weights were packed on another kernel path")
	}
}

// blocks calls fn for each block of w's rows (tiles of convRows rows) and
// each K block of it, in order: a is the block's packed micro-panel from
// step pc on, kc its steps, rows the tile's rows of C that exist, bt the
// beta of the kernel call (beta for the first K block, 1 after: the blocks
// add up in C in order) and cb the tile's first row of C.
func (w *ConvWeights) blocks(beta float32, c []float32, ldc int, fn func(a *float32, pc, kc, rows, bt int, cb *float32)) {
	m, k, mr := w.m, w.k, w.mr
	nkb := (k + kcMax - 1) / kcMax
	kcb := (k + nkb - 1) / nkb
	c0 := unsafe.Pointer(&c[0])
	for mb := range (m + mr - 1) / mr {
		rows := min(mr, m-mb*mr)
		cb := (*float32)(unsafe.Add(c0, mb*mr*ldc*4))
		for pc := 0; pc < k; pc += kcb {
			bt := int(beta)
			if pc > 0 {
				bt = 1
			}
			fn(&w.panels[(mb*k+pc)*mr], pc, min(kcb, k-pc), rows, bt, cb)
		}
	}
}

// clearSlots sets to +0 the lanes of the slots in C's m rows when beta is
// 0: a product with no steps.
func clearSlots(m int, slots []ConvSlot, beta float32, c []float32, ldc int) {
	if beta != 0 {
		return
	}
	for r := range m {
		for _, s := range slots {
			forLanes(s.Mask, func(j int) { c[r*ldc+int(s.Out)+j] = 0 })
		}
	}
}

// forLanes calls fn for each set bit j of mask.
func forLanes(mask uint32, fn func(j int)) {
	for mask != 0 {
		j := bits.TrailingZeros32(mask)
		fn(j)
		mask &= mask - 1
	}
}

// checkConvIndirect panics, naming the argument, unless every element
// ConvIndirect would read or write lies inside its slice, and reports
// whether there is any (a row and a slot with a lane).
func checkConvIndirect(m, k int, a []float32, lda int, koff []int32, b []float32, slots []ConvSlot, beta float32, c []float32, ldc int) bool {
	switch {
	case m < 0 || k < 0:
		panic(fmt.Sprintf("kernels: ConvIndirect: negative shape m=%d k=%d", m, k))
	case beta != 0 && beta != 1:
		panic(fmt.Sprintf("kernels: ConvIndirect: beta=%v is neither 0 nor 1", beta))
	case len(koff) < k:
		panic(fmt.Sprintf("kernels: ConvIndirect: len(koff)=%d < k=%d", len(koff), k))
	}
	if m == 0 {
		return false
	}
	checkMatrix("A", a, m, k, lda)
	lo, hi := 0, 0
	for p, o := range koff[:k] {
		if p == 0 || int(o) < lo {
			lo = int(o)
		}
		if p == 0 || int(o) > hi {
			hi = int(o)
		}
	}
	width, slack := ConvSlotWidth(), ConvSlack()
	live := false
	for i, s := range slots {
		if s.Mask == 0 {
			continue
		}
		live = true
		if s.Mask>>width != 0 || slack > 0 && s.Mask&(s.Mask+1) != 0 {
			panic(fmt.Sprintf("kernels: ConvIndirect: slot %d: mask %#x is not %d lanes wide (or, on avx2, not the low ones)", i, s.Mask, width))
		}
		last := 31 - bits.LeadingZeros32(s.Mask)
		first := bits.TrailingZeros32(s.Mask)
		read := max(last, slack)
		if k > 0 && (int(s.In)+lo+first < 0 || int(s.In)+hi+read >= len(b)) {
			panic(fmt.Sprintf("kernels: ConvIndirect: slot %d reads B[%d…%d], len(B)=%d", i, int(s.In)+lo+first, int(s.In)+hi+read, len(b)))
		}
		if end := int(s.Out) + (m-1)*ldc + last; int(s.Out)+first < 0 || end >= len(c) {
			panic(fmt.Sprintf("kernels: ConvIndirect: slot %d writes C[%d…%d], len(C)=%d", i, int(s.Out)+first, end, len(c)))
		}
	}
	return live
}

// convIndirectGo is ConvIndirect in Go, in the same K blocks.
func convIndirectGo(m, k int, a []float32, lda int, koff []int32, b []float32, slots []ConvSlot, beta float32, c []float32, ldc int) {
	nkb := (k + kcMax - 1) / kcMax
	kcb := (k + nkb - 1) / nkb
	for r := range m {
		row := a[r*lda : r*lda+k]
		for _, s := range slots {
			forLanes(s.Mask, func(j int) {
				ci := r*ldc + int(s.Out) + j
				for pc := 0; pc < k; pc += kcb {
					var acc float32
					for p := pc; p < min(pc+kcb, k); p++ {
						acc += row[p] * b[int(koff[p])+int(s.In)+j]
					}
					if pc > 0 || beta != 0 {
						acc += c[ci]
					}
					c[ci] = acc
				}
			})
		}
	}
}
