package kernels

import (
	"fmt"
	"math/bits"
)

// ConvEdges tells ConvIndirectEdgesW where its slots read input planes
// that have no zero border: each patch element p belongs to a class
// (its position in the kernel window, say), and each slot has a mask per
// class, the lanes whose input lies inside the plane for the elements of
// that class. A lane outside its mask reads +0, which is what a zero
// border would hold. Without borders a plane's rows follow one another,
// so a slot may run across them: the trainer's slots are 16 consecutive
// positions of a plane, none idle inside it, where row-by-row slots over
// bordered planes leave an eighth of the lanes idle at widths 28 and 14.
// Build it once for many calls with the same steps and slots.
type ConvEdges struct {
	kk       int
	steps    []int32  // per step: koff[p], then 6·class[p] (the byte offset of its masks in a tile)
	tiles    []uint16 // per tile of three slots: per class, the three slots' masks
	slots    []ConvSlot
	lo, hi   []int // per slot: the first and last element of B it reads, relative to B
	live     []bool
	tailMask [3]ConvSlot
}

// Build sets e for the steps koff (each element's offset in B, as in
// ConvIndirect), their classes class[p] < kk, and the slots, whose masks
// by class are masks[s·kk + c] (within the slot's own Mask). Build may be
// called again to reuse e's buffers.
func (e *ConvEdges) Build(koff []int32, class []int32, kk int, slots []ConvSlot, masks []uint16) {
	if len(class) != len(koff) || kk <= 0 || len(masks) < len(slots)*kk {
		panic(fmt.Sprintf("kernels: ConvEdges: %d steps with %d classes of %d, %d slots with %d masks", len(koff), len(class), kk, len(slots), len(masks)))
	}
	k := len(koff)
	e.kk = kk
	e.slots = append(e.slots[:0], slots...)
	e.steps = e.steps[:0]
	lo, hi := make([]int, kk), make([]int, kk)
	seen := make([]bool, kk)
	for p, o := range koff {
		c := int(class[p])
		if c < 0 || c >= kk {
			panic(fmt.Sprintf("kernels: ConvEdges: step %d: class %d not below %d", p, c, kk))
		}
		e.steps = append(e.steps, o, int32(6*c))
		if !seen[c] || int(o) < lo[c] {
			lo[c] = int(o)
		}
		if !seen[c] || int(o) > hi[c] {
			hi[c] = int(o)
		}
		seen[c] = true
	}
	nt := (len(slots) + 2) / 3
	e.tiles = e.tiles[:0]
	for range nt * 3 * kk {
		e.tiles = append(e.tiles, 0)
	}
	e.lo, e.hi, e.live = e.lo[:0], e.hi[:0], e.live[:0]
	for i, s := range slots {
		first, last, live := 0, 0, false
		for c := range kk {
			m := masks[i*kk+c]
			if uint32(m)&^s.Mask != 0 {
				panic(fmt.Sprintf("kernels: ConvEdges: slot %d: class %d's mask %#x is not within the slot's %#x", i, c, m, s.Mask))
			}
			e.tiles[(i/3)*3*kk+3*c+i%3] = m
			if m == 0 || !seen[c] || k == 0 {
				continue
			}
			f := int(s.In) + lo[c] + bits.TrailingZeros16(m)
			l := int(s.In) + hi[c] + 15 - bits.LeadingZeros16(m)
			if !live || f < first {
				first = f
			}
			if !live || l > last {
				last = l
			}
			live = true
		}
		e.lo, e.hi, e.live = append(e.lo, first), append(e.hi, last), append(e.live, live)
	}
}

// BuildPlanes sets e for a stride-1 convolution with a k×k kernel and
// padding pad that keeps h×w planes h×w (2·pad = k − 1), over g examples'
// input planes of inC channels stored without borders, example-major
// (example i's channel ch at (i·inC + ch)·h·w of B): each patch element's
// offset ch·h·w + (ki − pad)·w + kj − pad and class ki·k + kj, and per
// example the slots of 16 consecutive positions of its plane, across the
// rows (fewer at the plane's end), writing C's columns i·h·w + position.
// Each slot's mask for a class holds the lanes whose input lies inside
// the plane. It returns the slots per example: ConvIndirectEdgesW over
// the first n·perEx slots computes the first n examples.
func (e *ConvEdges) BuildPlanes(inC, h, w, k, pad, g int) (perEx int) {
	if inC <= 0 || h <= 0 || w <= 0 || k <= 0 || g <= 0 || 2*pad != k-1 {
		panic(fmt.Sprintf("kernels: ConvEdges.BuildPlanes: inC=%d h=%d w=%d k=%d pad=%d g=%d: want positive sizes and 2·pad = k−1", inC, h, w, k, pad, g))
	}
	const sw = 16
	hw := h * w
	koff := make([]int32, 0, inC*k*k)
	class := make([]int32, 0, inC*k*k)
	for ch := range inC {
		for ki := range k {
			for kj := range k {
				koff = append(koff, int32(ch*hw+(ki-pad)*w+kj-pad))
				class = append(class, int32(ki*k+kj))
			}
		}
	}
	perEx = (hw + sw - 1) / sw
	slots := make([]ConvSlot, 0, g*perEx)
	masks := make([]uint16, 0, g*perEx*k*k)
	for i := range g {
		for p0 := 0; p0 < hw; p0 += sw {
			lanes := min(sw, hw-p0)
			slots = append(slots, ConvSlot{In: int32(i*inC*hw + p0), Out: int32(i*hw + p0), Mask: 1<<lanes - 1})
			for ki := range k {
				for kj := range k {
					var m uint16
					for j := range lanes {
						if r, col := (p0+j)/w+ki-pad, (p0+j)%w+kj-pad; r >= 0 && r < h && col >= 0 && col < w {
							m |= 1 << j
						}
					}
					masks = append(masks, m)
				}
			}
		}
	}
	e.Build(koff, class, k*k, slots, masks)
	return perEx
}

// ConvEdgesFast reports whether ConvIndirectEdgesW runs in assembly (the
// avx512 path); elsewhere it runs a Go loop, and callers should border
// the planes and call ConvIndirect instead.
func ConvEdgesFast() bool { return useAsm && useZmm }

// ConvIndirectEdgesW is ConvIndirectW over the first n slots of e, on
// planes without zero borders (see ConvEdges): each slot's lanes outside
// its class mask read +0 instead of B. The results are ConvIndirect's over
// the same planes with zero borders, bit for bit, on the same path.
func (ctx *Context) ConvIndirectEdgesW(w *ConvWeights, e *ConvEdges, n int, b []float32, beta float32, c []float32, ldc int) {
	m, k := w.m, w.k
	switch {
	case n < 0 || n > len(e.slots):
		panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: %d slots of %d", n, len(e.slots)))
	case len(e.steps) != 2*k:
		panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: %d steps for k=%d", len(e.steps)/2, k))
	case beta != 0 && beta != 1:
		panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: beta=%v is neither 0 nor 1", beta))
	}
	slots := e.slots[:n]
	if m == 0 || n == 0 {
		return
	}
	checkMatrix("A", w.a, m, k, w.lda)
	live := false
	for i, s := range slots {
		if s.Mask == 0 {
			continue
		}
		live = true
		if s.Mask>>16 != 0 {
			panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: slot %d: mask %#x is wider than 16 lanes", i, s.Mask))
		}
		if e.live[i] && (e.lo[i] < 0 || e.hi[i] >= len(b)) {
			panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: slot %d reads B[%d…%d], len(B)=%d", i, e.lo[i], e.hi[i], len(b)))
		}
		first, last := bits.TrailingZeros32(s.Mask), 31-bits.LeadingZeros32(s.Mask)
		if end := int(s.Out) + (m-1)*ldc + last; int(s.Out)+first < 0 || end >= len(c) {
			panic(fmt.Sprintf("kernels: ConvIndirectEdgesW: slot %d writes C[%d…%d], len(C)=%d", i, int(s.Out)+first, end, len(c)))
		}
	}
	if !live {
		return
	}
	if k == 0 {
		clearSlots(m, slots, beta, c, ldc)
		return
	}
	if !ConvEdgesFast() {
		convIndirectEdgesGo(m, k, w.a, w.lda, e, slots, b, beta, c, ldc)
		return
	}
	w.checkPath("ConvIndirectEdgesW")
	kk3 := 3 * e.kk
	full := n / 3 * 3
	tiles := e.tiles
	if full < n {
		// The last, incomplete triple, with the missing slots' masks 0.
		e.tailMask = [3]ConvSlot{}
		copy(e.tailMask[:], slots[full:])
		if len(ctx.edgeTail) < kk3 {
			ctx.edgeTail = make([]uint16, kk3)
		}
		t := ctx.edgeTail[:kk3]
		copy(t, e.tiles[full/3*kk3:full/3*kk3+kk3])
		for cl := range e.kk {
			for s := n - full; s < 3; s++ {
				t[3*cl+s] = 0
			}
		}
		tiles = t
	}
	run := func(ntiles int, sp *ConvSlot, masks *uint16) {
		w.blocks(beta, c, ldc, func(a *float32, pc, kc, rows, bt int, cb *float32) {
			convTilesEdgeAVX512(ntiles, kc, a, &e.steps[2*pc], &b[0], sp, cb, ldc, rows, bt, masks, 2*kk3)
		})
	}
	for s0 := 0; s0 < full; s0 += convChunk * 3 {
		run((min(s0+convChunk*3, full)-s0)/3, &slots[s0], &e.tiles[s0/3*kk3])
	}
	if full < n {
		run(1, &e.tailMask[0], &tiles[0])
	}
}

// convIndirectEdgesGo is ConvIndirectEdgesW in Go: convIndirectGo with
// +0 for the lanes outside a step's class mask.
func convIndirectEdgesGo(m, k int, a []float32, lda int, e *ConvEdges, slots []ConvSlot, b []float32, beta float32, c []float32, ldc int) {
	nkb := (k + kcMax - 1) / kcMax
	kcb := (k + nkb - 1) / nkb
	kk3 := 3 * e.kk
	for r := range m {
		row := a[r*lda : r*lda+k]
		for i, s := range slots {
			forLanes(s.Mask, func(j int) {
				ci := r*ldc + int(s.Out) + j
				for pc := 0; pc < k; pc += kcb {
					var acc float32
					for p := pc; p < min(pc+kcb, k); p++ {
						var v float32
						if e.tiles[i/3*kk3+int(e.steps[2*p+1])/2+i%3]>>j&1 != 0 {
							v = b[int(e.steps[2*p])+int(s.In)+j]
						}
						acc += row[p] * v
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
