package trainer

import "github.com/lssr/lssr/trainer/kernels"

// implicitBudget is the most floats one group's zero-bordered input planes
// take in an implicit convolution: 256 KiB of float32, a quarter of L2, so
// that each group is padded and then convolved while it is in cache.
const implicitBudget = 1 << 16

// implicitConv holds what kernels.ConvIndirect reads a convolution's input
// by, for groups of up to g examples: each patch element's offset (koff)
// and each output row segment of up to 8 or 16 positions (slots, perEx per
// example, example by example). It depends only on the geometry and the
// input's strides, so it is built once per layer and pass.
type implicitConv struct {
	koff               []int32
	slots              []kernels.ConvSlot
	g, perEx           int
	exStride, chStride int // of the planes the slots read
	rowStride          int
	width              int                 // the slots' width: kernels.ConvSlotWidth
	w                  kernels.ConvWeights // the weights of the last call, packed once for its groups
}

// implicit reports whether the layer's forward products and its input
// gradient run as implicit GEMMs (kernels.ConvIndirect) over the
// zero-bordered input planes instead of products with an im2col matrix:
// where ConvIndirect is fast (the assembly paths), for float32 and stride 1.
// Their sums are bit for bit those of the im2col products.
func (l *convLayer[F]) implicit(la *linalg[F]) bool {
	// Where ConvIndirect reads past a row (avx2), only padded planes,
	// which have room after them, are read so.
	return l.packed(la) && l.c.stride == 1 && kernels.ConvIndirectFast() && (l.c.pad > 0 || kernels.ConvSlack() == 0)
}

// implicitT reports whether the input gradient, the transposed convolution
// tconv, runs as an implicit GEMM too: as implicit, for tconv's padding.
func (l *convLayer[F]) implicitT(la *linalg[F]) bool {
	return l.implicit(la) && (l.c.k-1-l.c.pad > 0 || kernels.ConvSlack() == 0)
}

// implicitGroup is how many examples of c one group of an implicit
// convolution takes, of m.
func implicitGroup[F float](c conv2d[F], m int) int {
	hp, wp := c.inH+2*c.pad, c.inW+2*c.pad
	return max(1, min(m, implicitBudget/(c.inC*hp*wp)))
}

// prepareImplicit builds the layer's implicit GEMMs for batches of rows
// examples and sizes the padded planes they read, so that a training step
// allocates nothing from the first one on.
func (l *convLayer[F]) prepareImplicit(rows int) {
	c := l.c
	ex, ch := l.inStrides(rows)
	if c.pad > 0 {
		ex, ch = paddedLen(c), (c.inH+2*c.pad)*(c.inW+2*c.pad)
		l.padded = growFloats(l.padded, implicitGroup(c, rows)*ex+kernels.ConvSlack())
	}
	l.fwdIC.build(c.k, c.outC, c.inC, c.outH, c.outW, implicitGroup(c, rows), ex, ch, inRowStride(c))
	l.gradKoff = make([]int32, 0, c.patchLen())
	l.gradRuns = make([]kernels.ConvRun, 0, l.group*c.outH)
	if !l.transposed(new(linalg[F])) {
		return
	}
	tc := l.tconv()
	l.tpadded = growFloats(l.tpadded, implicitGroup(tc, rows)*paddedLen(tc)+kernels.ConvSlack())
	l.tIC.build(tc.k, tc.outC, tc.inC, tc.outH, tc.outW, implicitGroup(tc, rows), paddedLen(tc), (tc.inH+2*tc.pad)*(tc.inW+2*tc.pad), inRowStride(tc))
}

// patchOffsets appends to dst each patch element's offset in input planes
// with the given channel and row strides, in im2col's row order.
func patchOffsets(dst []int32, inC, k, chStride, rowStride int) []int32 {
	for ch := range inC {
		for ki := range k {
			for kj := range k {
				dst = append(dst, int32(ch*chStride+ki*rowStride+kj))
			}
		}
	}
	return dst
}

// implicitGrad reports whether the weight gradient runs as
// kernels.ConvGradT, the group's im2col matrix read in place, rather than
// as a product with it (weightGradT): where the forward runs implicitly and
// ConvGradT takes outC columns as wide as l.gwT. The sums are the same.
func (l *convLayer[F]) implicitGrad(la *linalg[F]) bool {
	return l.implicit(la) && kernels.ConvGradTFits(l.c.outC) && l.gwLd() == l.c.outC
}

// weightGradImplicit is weightGradT for examples [i0, i0+g) of the m of
// x, with dy their output gradient (row stride ldy): it pads their input
// planes when the layer pads, packs ∂Yᵀ and lets kernels.ConvGradT read
// the im2col matrix from the planes, run by output row.
func (l *convLayer[F]) weightGradImplicit(la *linalg[F], x []F, i0, g, m int, dy []F, ldy int, beta F) {
	in, ex, ch, row := l.planesOf(x, i0, g, m)
	l.weightGradPlanes(la, in, ex, ch, row, g, dy, ldy, beta)
}

// planesOf returns the input planes of examples [i0, i0+g) of the m of x
// as the implicit products read them, with their example, channel and row
// strides: copied into the zero-bordered planes of l.padded when the
// layer pads, else x itself.
func (l *convLayer[F]) planesOf(x []F, i0, g, m int) (in []F, ex, ch, row int) {
	c := l.c
	ex, ch = l.inStrides(m)
	in, row = x[i0*ex:], c.inW
	if c.pad > 0 {
		_, in = padInputs(c, in, ex, ch, g, &l.padded)
		ex, ch, row = paddedLen(c), (c.inH+2*c.pad)*(c.inW+2*c.pad), inRowStride(c)
	}
	return in, ex, ch, row
}

// weightGradPlanes is weightGradImplicit for g examples whose input planes
// are in (strides ex, ch, row, as planesOf returns them).
func (l *convLayer[F]) weightGradPlanes(la *linalg[F], in []F, ex, ch, row, g int, dy []F, ldy int, beta F) {
	c := l.c
	l.gradKoff = patchOffsets(l.gradKoff[:0], c.inC, c.k, ch, row)
	l.gradRuns = l.gradRuns[:0]
	for e := range g {
		for h := range c.outH {
			l.gradRuns = append(l.gradRuns, kernels.ConvRun{Pos: int32(e*ex + h*row), Len: int32(c.outW)})
		}
	}
	sp := l.spatial()
	la.packB(l.dyp, true, g*sp, c.outC, dy, ldy)
	la.k.ConvGradT(c.patchLen(), c.outC, g*sp, l.gradKoff, any(in).([]float32), l.gradRuns,
		any(l.dyp).([]float32), float32(beta), any(l.gwT).([]float32), l.gwLd())
}

// paddedLen is the length of one example's zero-bordered input planes.
func paddedLen[F float](c conv2d[F]) int { return c.inC * (c.inH + 2*c.pad) * (c.inW + 2*c.pad) }

// inRowStride is the distance between rows of the planes an implicit
// convolution reads: the zero-bordered ones when c pads.
func inRowStride[F float](c conv2d[F]) int { return c.inW + 2*c.pad }

// growFloats returns buf if it holds n values, else a new zeroed slice of n.
func growFloats[F float](buf []F, n int) []F {
	if len(buf) >= n {
		return buf
	}
	return make([]F, n)
}

// build fills ic for c, groups of g examples and input planes with the
// given strides (rowStride between rows of a plane) unless it already
// holds them.
func (ic *implicitConv) build(k, outC, inC, outH, outW, g, exStride, chStride, rowStride int) {
	if ic.g == g && ic.exStride == exStride && ic.chStride == chStride && ic.rowStride == rowStride && len(ic.koff) == inC*k*k && ic.width == kernels.ConvSlotWidth() {
		return
	}
	sw := kernels.ConvSlotWidth()
	ic.g, ic.exStride, ic.chStride, ic.rowStride, ic.width = g, exStride, chStride, rowStride, sw
	ic.koff = patchOffsets(ic.koff[:0], inC, k, chStride, rowStride)
	ic.perEx = outH * ((outW + sw - 1) / sw)
	ic.slots = ic.slots[:0]
	for e := range g {
		for h := range outH {
			for x0 := 0; x0 < outW; x0 += sw {
				ic.slots = append(ic.slots, kernels.ConvSlot{
					In:   int32(e*exStride + h*rowStride + x0),
					Out:  int32((e*outH+h)*outW + x0),
					Mask: 1<<min(sw, outW-x0) - 1,
				})
			}
		}
	}
}

// convImplicit sets (beta 0) or adds to (beta 1) y, channel-major with row
// stride ldy, the stride-1 convolution c (without bias) of the m examples
// of x, example i's channel ch at x[i·exStride + ch·chStride:], with the
// weights w (outC × patchLen). A group of examples at a time, it copies
// their planes into the zero-bordered planes of *padded when c pads, and
// multiplies the weights (packed once, for all groups) by the im2col
// matrix of those planes as kernels.ConvIndirectW reads it in place.
func convImplicit[F float](la *linalg[F], c conv2d[F], ic *implicitConv, w, x []F, exStride, chStride, m int, padded *[]F, beta F, y []F, ldy int) {
	if m == 0 {
		return
	}
	gI := implicitGroup(c, m)
	ex, ch := exStride, chStride
	if c.pad > 0 {
		ex, ch = paddedLen(c), (c.inH+2*c.pad)*(c.inW+2*c.pad)
	}
	ic.build(c.k, c.outC, c.inC, c.outH, c.outW, gI, ex, ch, inRowStride(c))
	sp, patch := c.outH*c.outW, c.patchLen()
	ic.w.Pack(c.outC, patch, any(w).([]float32), patch)
	for i0 := 0; i0 < m; i0 += gI {
		g := min(gI, m-i0)
		in := x[i0*exStride:]
		if c.pad > 0 {
			_, in = padInputs(c, in, exStride, chStride, g, padded)
		}
		la.k.ConvIndirectW(&ic.w, ic.koff, any(in).([]float32),
			ic.slots[:g*ic.perEx], float32(beta), any(y[i0*sp:]).([]float32), ldy)
	}
}
