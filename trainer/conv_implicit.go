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
	// With flat (see flatFor), edges holds the slots, along whole planes
	// without zero borders, 16 positions each across rows, and the masks of
	// the lanes whose input lies outside the plane (koff and slots are
	// unused).
	flat  bool
	edges kernels.ConvEdges
	buf   []float32 // one group's input planes, copied example-major when they are not so already
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
	if flatFor(c) {
		prepareFlat(&l.fwdIC, c, rows)
	} else {
		l.fwdIC.build(c.k, c.outC, c.inC, c.outH, c.outW, implicitGroup(c, rows), ex, ch, inRowStride(c))
	}
	l.gradKoff = make([]int32, 0, c.patchLen())
	l.gradRuns = make([]kernels.ConvRun, 0, l.group*c.outH)
	if !l.transposed(new(linalg[F])) {
		return
	}
	tc := l.tconv()
	if flatFor(tc) {
		prepareFlat(&l.tIC, tc, rows)
		return
	}
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
	if !ic.flat && ic.g == g && ic.exStride == exStride && ic.chStride == chStride && ic.rowStride == rowStride && len(ic.koff) == inC*k*k && ic.width == kernels.ConvSlotWidth() {
		return
	}
	ic.flat = false
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
// weights w (outC × patchLen): by convFlat where flatFor(c), else by
// convBordered. Both give the same bits.
func convImplicit[F float](la *linalg[F], c conv2d[F], ic *implicitConv, w, x []F, exStride, chStride, m int, padded *[]F, beta F, y []F, ldy int) {
	if m == 0 {
		return
	}
	if flatFor(c) {
		convFlat(la, c, ic, w, x, exStride, chStride, m, beta, y, ldy)
		return
	}
	convBordered(la, c, ic, w, x, exStride, chStride, m, padded, beta, y, ldy)
}

// convBordered is convImplicit row by row. A group of examples at a time,
// it copies their planes into the zero-bordered planes of *padded when c
// pads, and multiplies the weights (packed once, for all groups) by the
// im2col matrix of those planes as kernels.ConvIndirectW reads it in
// place, a row segment of up to 16 (avx512) or 8 (avx2) positions a slot.
func convBordered[F float](la *linalg[F], c conv2d[F], ic *implicitConv, w, x []F, exStride, chStride, m int, padded *[]F, beta F, y []F, ldy int) {
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

// flatFor reports whether c's implicit GEMMs run along whole planes
// (convFlat) rather than row by row over zero-bordered planes: on the
// avx512 path, where kernels.ConvIndirectEdgesW runs in assembly, for a
// stride-1 convolution that pads and keeps the planes' size, so that an
// output plane and its input plane have the same rows.
func flatFor[F float](c conv2d[F]) bool {
	return c.pad > 0 && c.stride == 1 && c.outH == c.inH && c.outW == c.inW && kernels.ConvEdgesFast()
}

// flatGroup is how many examples of c one group of convFlat takes, of m:
// their input planes fill at most implicitBudget floats.
func flatGroup[F float](c conv2d[F], m int) int {
	return max(1, min(m, implicitBudget/c.inLen()))
}

// convFlat is convImplicit for a convolution flatFor accepts. A group of
// examples at a time, it copies their input planes (unless they already
// lie example-major and contiguous) into ic.buf without borders, so that
// the products read them from cache, and runs kernels.ConvIndirectEdgesW
// with slots of 16 consecutive positions of a plane, across its rows:
// only a plane's last slot has idle lanes (none at 28×28, 4 of 208 at
// 14×14), where row-by-row slots leave 1/8 of the lanes idle at widths 28
// and 14. The masks give the lanes whose input lies outside the plane +0,
// which is what the zero border holds, so the sums are convImplicit's
// bit for bit.
func convFlat[F float](la *linalg[F], c conv2d[F], ic *implicitConv, w, x []F, exStride, chStride, m int, beta F, y []F, ldy int) {
	hw, inLen := c.inH*c.inW, c.inLen()
	inPlace := chStride == hw && exStride == inLen
	gI := flatGroup(c, m)
	if flatHolds(ic, c) && ic.g > gI {
		// A smaller batch (an epoch's last, an evaluation's) runs a prefix
		// of the slots already built instead of building them again.
		gI = ic.g
	}
	buildFlat(ic, c, gI)
	if !inPlace && len(ic.buf) < gI*inLen {
		ic.buf = make([]float32, gI*inLen)
	}
	sp, patch := c.outH*c.outW, c.patchLen()
	ic.w.Pack(c.outC, patch, any(w).([]float32), patch)
	x32 := any(x).([]float32)
	for i0 := 0; i0 < m; i0 += gI {
		g := min(gI, m-i0)
		in := x32[i0*exStride:]
		if !inPlace {
			for e := range g {
				for ch := range c.inC {
					src := in[e*exStride+ch*chStride:]
					copy(ic.buf[e*inLen+ch*hw:e*inLen+(ch+1)*hw], src[:hw])
				}
			}
			in = ic.buf[:g*inLen]
		}
		la.k.ConvIndirectEdgesW(&ic.w, &ic.edges, g*ic.perEx, in, float32(beta), any(y[i0*sp:]).([]float32), ldy)
	}
}

// prepareFlat builds ic for convFlat over batches of rows examples of c
// and sizes its copy buffer, so that a step allocates nothing.
func prepareFlat[F float](ic *implicitConv, c conv2d[F], rows int) {
	g := flatGroup(c, rows)
	buildFlat(ic, c, g)
	if len(ic.buf) < g*c.inLen() {
		ic.buf = make([]float32, g*c.inLen())
	}
}

// buildFlat fills ic for convFlat's groups of g examples of c
// (kernels.ConvEdges.BuildPlanes), unless it already holds them.
func buildFlat[F float](ic *implicitConv, c conv2d[F], g int) {
	if flatHolds(ic, c) && ic.g == g {
		return
	}
	ic.flat, ic.g, ic.exStride, ic.chStride, ic.rowStride, ic.width = true, g, c.inLen(), c.inH*c.inW, c.inW, 16
	ic.perEx = ic.edges.BuildPlanes(c.inC, c.inH, c.inW, c.k, c.pad, g)
}

// flatHolds reports whether ic was built by buildFlat for c's planes (for
// some number of examples, ic.g).
func flatHolds[F float](ic *implicitConv, c conv2d[F]) bool {
	return ic.flat && ic.exStride == c.inLen() && ic.chStride == c.inH*c.inW && ic.rowStride == c.inW
}
