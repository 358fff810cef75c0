package trainer

import "github.com/lssr/lssr/trainer/kernels"

// convLayer is a conv2d as a seqLayer: the parameters are the weights
// [outC][inC][k][k] then the bias [outC].
//
// Its output, and its input unless it is the network's first layer, are
// channel-major over the batch: channel ch of example i is the plane at
// (ch·m + i)·H·W of m examples, so that each channel of the whole batch is
// one contiguous row of m·H·W values (see cmPlanes). Every pass is then a
// few large products over the whole batch rather than one small one per
// example: the batch's im2col matrix, patchLen × m·spatial with example i
// in columns i·spatial…, is built a group of examples at a time (groups
// sized to keep the buffer in cache, see convGroupBudget), and
//
//	forward:  Y = W·cols + b           (outC × m·spatial, Y as laid out)
//	weights:  ∂W = Σ_groups ∂Y·colsᵀ
//	input:    ∂x = col2im(Wᵀ·∂Y)
//
// each one product per group. On the assembly paths, at stride 1, no pass
// builds cols: the products read it from the zero-bordered input planes
// where it lies (implicit GEMM, see implicit and conv_implicit.go), in the
// same order, so with the same bits.
type convLayer[F float] struct {
	c           conv2d[F]
	inCM        bool              // the input is channel-major (else example-major, (i, ch, h, w))
	group       int               // examples per im2col group
	cols, rcols []F               // one group's im2col matrices (float32: in panel layout in the forward passes)
	dyp         []F               // float32: one group's ∂Yᵀ in panel layout, B of the weight-gradient product
	gwT         []F               // float32: the weight gradient transposed, patchLen × gwLd (see gwLd)
	padded      []F               // float32: one group's inputs zero-padded (see packedCols)
	tcols       []F               // float32: one group's im2col matrix of ∂Y for tconv, in panel layout
	tpadded     []F               // float32: one group's ∂Y zero-padded for tconv
	wT          []F               // float32: the weights of tconv
	gram        []F               // ghost-norm scratch: two spatial×spatial Gram matrices
	fwdIC, tIC  implicitConv      // the forward's and tconv's implicit GEMMs (see implicit)
	gradKoff    []int32           // weightGradImplicit's patch offsets
	gradRuns    []kernels.ConvRun // and runs of output positions
	scratch     []F               // a parameter gradient nobody reads, or one example's weight gradient
	// norm overrides the choice of per-example norm method in tests:
	// 0 picks the cheaper, +1 forces the ghost norm, −1 materialising.
	norm int
}

// convGroupBudget is the most floats one group's im2col matrix takes: 512
// KiB of float32, half an L2, so the products read it back from cache with
// room left for the other operands and the padded planes (a whole L2's
// worth measured ~10% slower at b = 128, with the im2col writes and GEMM
// reads spilling to L3).
const convGroupBudget = 1 << 17

// newConvLayer returns the layer for up to rows examples, reading its
// input channel-major if inCM and example-major otherwise.
func newConvLayer[F float](c conv2d[F], rows int, inCM bool) *convLayer[F] {
	l := &convLayer[F]{c: c, inCM: inCM}
	per := c.colsLen()
	l.group = max(1, min(rows, convGroupBudget/per))
	if l.direct() {
		l.group = rows
		return l
	}
	n := l.group * per
	var la linalg[F]
	if la.packs() {
		n = max(n, kernels.PackedLen(c.patchLen(), l.group*l.spatial()))
		l.dyp = makeFloats[F](kernels.PackedLen(l.group*l.spatial(), c.outC))
		l.gwT = makeFloats[F](c.patchLen() * l.gwLd())
	}
	l.cols, l.rcols = makeFloats[F](n), makeFloats[F](n)
	// The buffers the passes would otherwise allocate on first use, so that
	// a training step allocates nothing from the first one on.
	if c.stride == 1 && c.pad > 0 {
		l.padded = make([]F, l.group*c.inC*(c.inH+2*c.pad)*(c.inW+2*c.pad)+kernels.ConvSlack())
	}
	if l.implicit(&la) {
		l.prepareImplicit(rows)
	}
	if l.transposed(&la) {
		tc := l.tconv()
		l.tcols = makeFloats[F](kernels.PackedLen(tc.patchLen(), l.group*c.inH*c.inW))
		l.tpadded = make([]F, l.group*tc.inC*(tc.inH+2*tc.pad)*(tc.inW+2*tc.pad)+kernels.ConvSlack())
		l.wT = make([]F, c.weightLen())
	}
	return l
}

// packed reports whether the forward products take the im2col matrix in
// panel layout (see im2colPackedAt) and the weight gradient is computed
// transposed, ∂Wᵀ = cols·∂Yᵀ, so that no pass packs the im2col matrix: cols
// is read in place as A. Only float32 products run so; float64 ones (the
// reference) and 1×1 layers keep the plain products.
func (l *convLayer[F]) packed(la *linalg[F]) bool { return la.packs() && !l.direct() }

// inStrides returns where the input's planes lie for m examples: example
// i's channel ch at i·ex + ch·ch.
func (l *convLayer[F]) inStrides(m int) (ex, ch int) {
	inHW := l.c.inH * l.c.inW
	if l.inCM {
		return inHW, m * inHW
	}
	return l.c.inLen(), inHW
}

// packedColsOf builds the im2col matrix of examples [i0, i0+g) of the m
// rows of x in buf, in panel layout.
func (l *convLayer[F]) packedColsOf(x []F, i0, g, m int, buf []F) []F {
	c := l.c
	inHW := c.inH * c.inW
	off, exStride, chStride := i0*c.inLen(), c.inLen(), inHW
	if l.inCM {
		off, exStride, chStride = i0*inHW, inHW, m*inHW
	}
	packedCols(c, x[off:], exStride, chStride, g, &l.padded, buf)
	return buf
}

// packedCols is im2colPackedAt of c for g examples of x. With stride 1 and
// padding it first copies the inputs into the zero-bordered planes of
// *padded (allocated on first use; the borders stay zero), then im2cols
// those without padding, which needs no per-element edge tests.
func packedCols[F float](c conv2d[F], x []F, exStride, chStride, g int, padded *[]F, buf []F) {
	if c.stride != 1 || c.pad == 0 {
		c.im2colPackedAt(x, exStride, chStride, g, buf)
		return
	}
	pc, p := padInputs(c, x, exStride, chStride, g, padded)
	pc.im2colPackedAt(p, pc.inLen(), pc.inH*pc.inW, g, buf)
}

// padInputs copies g examples' input planes of c into the zero-bordered
// planes of *padded (example-major, allocated on first use; the borders are
// never written, so stay zero) and returns them with the convolution that
// reads them without padding, which has the same im2col matrix.
func padInputs[F float](c conv2d[F], x []F, exStride, chStride, g int, padded *[]F) (conv2d[F], []F) {
	pc := c
	pc.inH, pc.inW, pc.pad = c.inH+2*c.pad, c.inW+2*c.pad, 0
	ph, pw := pc.inH, pc.inW
	// With room after the planes for kernels.ConvIndirect's whole-vector reads.
	if need := g*pc.inLen() + kernels.ConvSlack(); len(*padded) < need {
		*padded = make([]F, need)
	}
	p := *padded
	for i := range g {
		for ch := range c.inC {
			plane := p[(i*c.inC+ch)*ph*pw:]
			src := x[i*exStride+ch*chStride:]
			copyRuns(plane[c.pad*pw+c.pad:], pw, src, c.inW, c.inW, c.inH)
		}
	}
	return pc, p
}

// transposed reports whether the input gradient is computed as the
// convolution of ∂Y with the flipped, transposed kernel (see backward):
// float32 products, channel-major input, stride 1 and pad < k.
func (l *convLayer[F]) transposed(la *linalg[F]) bool {
	return l.packed(la) && l.inCM && l.c.stride == 1 && l.c.pad < l.c.k
}

// tconv is the convolution that maps ∂Y to ∂x at stride 1: outC input
// channels of outH×outW, inC output channels, the same k and padding
// k−1−pad.
func (l *convLayer[F]) tconv() conv2d[F] {
	c := l.c
	t, err := newConv2D[F](c.outC, c.outH, c.outW, c.inC, c.k, 1, c.k-1-c.pad)
	if err != nil || t.outH != c.inH || t.outW != c.inW {
		panic("trainer: convLayer: no transposed convolution")
	}
	return t
}

// flipWeights sets l.wT to the weights of tconv: wT[c][o][a][b] =
// w[o][c][k−1−a][k−1−b].
func (l *convLayer[F]) flipWeights(w []F) {
	c := l.c
	kk := c.k * c.k
	if l.wT == nil {
		l.wT = make([]F, c.weightLen())
	}
	for o := range c.outC {
		for ch := range c.inC {
			src := w[(o*c.inC+ch)*kk : (o*c.inC+ch+1)*kk]
			dst := l.wT[(ch*c.outC+o)*kk : (ch*c.outC+o+1)*kk]
			for t, v := range src {
				dst[kk-1-t] = v
			}
		}
	}
}

// weightGradT accumulates a group's ∂Wᵀ += cols·∂Yᵀ (beta 0 overwrites)
// into l.gwT: with cols as A, read in place, only ∂Y — patchLen/outC times
// smaller — is packed. The sum over positions runs in the same order as
// in ∂Y·colsᵀ, so the result is the same.
func (l *convLayer[F]) weightGradT(la *linalg[F], cols []F, ld int, dy []F, ldy, g int, beta F) {
	sp, outC := l.spatial(), l.c.outC
	la.packB(l.dyp, true, g*sp, outC, dy, ldy)
	ldw := l.gwLd()
	la.gemmPacked(false, l.c.patchLen(), ldw, g*sp, 1, cols, ld, l.dyp, beta, l.gwT, ldw)
}

// gwLd is the width of l.gwT: outC, or a whole panel (NR) when outC is
// narrower. The product then fills the panel's zero padding columns too —
// the kernel computes them anyway — and stores whole tiles straight into
// gwT instead of each through the edge-tile scratch. On the avx512 path
// outC ≤ 16 stays outC wide: its zmm kernel for such products stores
// masked rows, with no scratch. (The values are the same either way.)
func (l *convLayer[F]) gwLd() int {
	if l.c.outC <= 16 && kernels.Path() == kernels.PathAVX512 {
		return l.c.outC
	}
	if l.c.outC < kernels.NR {
		return kernels.NR
	}
	return l.c.outC
}

// untranspose sets (beta 0) or adds to (beta 1) gw the transpose of l.gwT.
func (l *convLayer[F]) untranspose(gw []F, beta F) {
	patch, outC, ldw := l.c.patchLen(), l.c.outC, l.gwLd()
	for o := range outC {
		row := gw[o*patch : (o+1)*patch]
		if beta == 0 {
			for r := range row {
				row[r] = l.gwT[r*ldw+o]
			}
			continue
		}
		for r := range row {
			row[r] += l.gwT[r*ldw+o]
		}
	}
}

func (l *convLayer[F]) outLen() int    { return l.c.outLen() }
func (l *convLayer[F]) numParams() int { return l.c.weightLen() + l.c.outC }
func (l *convLayer[F]) split(p []F) (w, b []F) {
	return p[:l.c.weightLen()], p[l.c.weightLen():l.numParams()]
}

// direct reports whether the channel-major input is its own im2col matrix
// (a 1×1 kernel at stride 1 without padding).
func (l *convLayer[F]) direct() bool { return l.inCM && l.c.identityCols() }

// spatial is the number of output positions per channel and example.
func (l *convLayer[F]) spatial() int { return l.c.outH * l.c.outW }

// groups calls fn for each group of examples [i0, i0+g) of m.
func (l *convLayer[F]) groups(m int, fn func(i0, g int)) {
	for i0 := 0; i0 < m; i0 += l.group {
		fn(i0, min(l.group, m-i0))
	}
}

// colsOf returns the im2col matrix of examples [i0, i0+g) of the m rows of
// x, built in buf, and its row stride.
func (l *convLayer[F]) colsOf(x []F, i0, g, m int, buf []F) ([]F, int) {
	sp := l.spatial()
	if l.direct() {
		return x[i0*sp:], m * sp
	}
	c := l.c
	inHW := c.inH * c.inW
	if c.stride == 1 && c.pad > 0 {
		// As in packedCols: im2col of the zero-bordered planes needs no
		// edge tests, one copy per output row.
		off, exStride, chStride := i0*c.inLen(), c.inLen(), inHW
		if l.inCM {
			off, exStride, chStride = i0*inHW, inHW, m*inHW
		}
		pc, p := padInputs(c, x[off:], exStride, chStride, g, &l.padded)
		pw, phw := pc.inW, pc.inH*pc.inW
		ld := g * sp
		for i := range g {
			r := 0
			for ch := range c.inC {
				plane := p[(i*c.inC+ch)*phw : (i*c.inC+ch+1)*phw]
				for ki := range c.k {
					for kj := range c.k {
						row := buf[r*ld+i*sp : r*ld+(i+1)*sp]
						r++
						copyRuns(row, c.outW, plane[ki*pw+kj:], pw, c.outW, c.outH)
					}
				}
			}
		}
		return buf, ld
	}
	for i := range g {
		off, chStride := (i0+i)*c.inLen(), inHW
		if l.inCM {
			off, chStride = (i0+i)*inHW, m*inHW
		}
		c.im2colAt(x[off:], chStride, buf[i*sp:], g*sp)
	}
	return buf, g * sp
}

// inputGrad turns the gradient of a group's im2col matrix, dcols (row
// stride g·spatial), into the gradient of the examples' input planes in dx.
func (l *convLayer[F]) inputGrad(dcols []F, i0, g, m int, dx []F) {
	sp, inHW := l.spatial(), l.c.inH*l.c.inW
	for i := range g {
		off, chStride := (i0+i)*l.c.inLen(), inHW
		if l.inCM {
			off, chStride = (i0+i)*inHW, m*inHW
		}
		l.c.col2imAt(dcols[i*sp:], g*sp, dx[off:], chStride)
	}
}

// dcolsOf is where a group's im2col gradient goes, and its row stride: the
// input gradient itself for a direct layer, else the cols buffer.
func (l *convLayer[F]) dcolsOf(dx []F, i0, g, m int) ([]F, int) {
	sp := l.spatial()
	if l.direct() {
		return dx[i0*sp:], m * sp
	}
	return l.cols, g * sp
}

func (l *convLayer[F]) forward(la *linalg[F], p, x []F, m int, y []F, _ bool) {
	w, b := l.split(p)
	c, sp := l.c, l.spatial()
	if l.implicit(la) {
		ex, ch := l.inStrides(m)
		convImplicit(la, c, &l.fwdIC, w, x, ex, ch, m, &l.padded, 0, y, m*sp)
		addPlanes(y, b, m*sp)
		return
	}
	packed := l.packed(la)
	l.groups(m, func(i0, g int) {
		if packed {
			cols := l.packedColsOf(x, i0, g, m, l.cols)
			la.gemmPacked(false, c.outC, g*sp, c.patchLen(), 1, w, c.patchLen(), cols, 0, y[i0*sp:], m*sp)
			return
		}
		cols, ld := l.colsOf(x, i0, g, m, l.cols)
		la.gemm(false, false, c.outC, g*sp, c.patchLen(), 1, w, c.patchLen(), cols, ld, 0, y[i0*sp:], m*sp)
	})
	addPlanes(y, b, m*sp)
}

func (l *convLayer[F]) backward(la *linalg[F], p, x, _, dy []F, m int, g, dx []F) {
	w, _ := l.split(p)
	if g == nil {
		g = l.scratchOf(l.numParams()) // only the input gradient is wanted
	}
	gw, gb := l.split(g)
	c, sp, n := l.c, l.spatial(), m*l.spatial()
	patch := c.patchLen()
	if m == 0 {
		clear(gw)
	}
	planeSums(gb, dy, m, sp)
	packed := l.packed(la)
	implicitGrad := l.implicitGrad(la)
	tr := dx != nil && l.transposed(la)
	var tc conv2d[F]
	inHW := c.inH * c.inW
	if tr && l.implicitT(la) {
		// The input gradient in one implicit GEMM over the whole batch (see
		// the loop below for what it computes); the loop then does the
		// weight gradient only.
		tc = l.tconv()
		l.flipWeights(w)
		convImplicit(la, tc, &l.tIC, l.wT, dy, sp, n, m, &l.tpadded, 0, dx, m*inHW)
		dx, tr = nil, false
	}
	if tr {
		tc = l.tconv()
		l.flipWeights(w)
		if need := kernels.PackedLen(tc.patchLen(), l.group*inHW); len(l.tcols) < need {
			l.tcols = makeFloats[F](need)
		}
	}
	l.groups(m, func(i0, gr int) {
		var beta F
		if i0 > 0 {
			beta = 1
		}
		switch {
		case implicitGrad:
			l.weightGradImplicit(la, x, i0, gr, m, dy[i0*sp:], n, beta)
		case packed:
			cols, ld := l.colsOf(x, i0, gr, m, l.cols)
			l.weightGradT(la, cols, ld, dy[i0*sp:], n, gr, beta)
		default:
			cols, ld := l.colsOf(x, i0, gr, m, l.cols)
			la.gemm(false, true, c.outC, patch, gr*sp, 1, dy[i0*sp:], n, cols, ld, beta, gw, patch)
		}
		if dx == nil {
			return
		}
		if tr {
			// ∂x = col2im(Wᵀ·∂Y) is the stride-1 convolution of ∂Y, padded by
			// k−1−pad, with the flipped kernel transposed: an im2col of ∂Y
			// in panel layout and one product writing ∂x in place, instead
			// of packing ∂Y and scattering the product back with col2im.
			tp := tc.patchLen()
			packedCols(tc, dy[i0*sp:], sp, n, gr, &l.tpadded, l.tcols)
			la.gemmPacked(false, c.inC, gr*inHW, tp, 1, l.wT, tp, l.tcols, 0, dx[i0*inHW:], m*inHW)
			return
		}
		dcols, dld := l.dcolsOf(dx, i0, gr, m)
		la.gemm(true, false, patch, gr*sp, c.outC, 1, w, patch, dy[i0*sp:], n, 0, dcols, dld)
		if !l.direct() {
			l.inputGrad(dcols, i0, gr, m, dx)
		}
	})
	if packed && m > 0 {
		l.untranspose(gw, 0)
	}
}

// scratchOf returns the layer's scratch buffer of at least n values.
func (l *convLayer[F]) scratchOf(n int) []F {
	if len(l.scratch) < n {
		l.scratch = make([]F, n)
	}
	return l.scratch[:n]
}

// rForward: R(Y) = W·R(cols) + V·cols + R(b).
func (l *convLayer[F]) rForward(la *linalg[F], p, v, x, rx, _ []F, m int, ry []F) {
	w, _ := l.split(p)
	vw, vb := l.split(v)
	c, sp, patch := l.c, l.spatial(), l.c.patchLen()
	if l.implicit(la) {
		ex, ch := l.inStrides(m)
		convImplicit(la, c, &l.fwdIC, vw, x, ex, ch, m, &l.padded, 0, ry, m*sp)
		if rx != nil {
			convImplicit(la, c, &l.fwdIC, w, rx, ex, ch, m, &l.padded, 1, ry, m*sp)
		}
		addPlanes(ry, vb, m*sp)
		return
	}
	packed := l.packed(la)
	l.groups(m, func(i0, g int) {
		if packed {
			cols := l.packedColsOf(x, i0, g, m, l.cols)
			la.gemmPacked(false, c.outC, g*sp, patch, 1, vw, patch, cols, 0, ry[i0*sp:], m*sp)
			if rx != nil {
				rcols := l.packedColsOf(rx, i0, g, m, l.rcols)
				la.gemmPacked(false, c.outC, g*sp, patch, 1, w, patch, rcols, 1, ry[i0*sp:], m*sp)
			}
			return
		}
		cols, ld := l.colsOf(x, i0, g, m, l.cols)
		la.gemm(false, false, c.outC, g*sp, patch, 1, vw, patch, cols, ld, 0, ry[i0*sp:], m*sp)
		if rx != nil {
			rcols, rld := l.colsOf(rx, i0, g, m, l.rcols)
			la.gemm(false, false, c.outC, g*sp, patch, 1, w, patch, rcols, rld, 1, ry[i0*sp:], m*sp)
		}
	})
	addPlanes(ry, vb, m*sp)
}

// rBackward: R(∂W) = R(∂Y)·colsᵀ + ∂Y·R(cols)ᵀ, R(∂b) = Σ R(∂Y),
// R(∂x) = col2im(Wᵀ·R(∂Y) + Vᵀ·∂Y).
func (l *convLayer[F]) rBackward(la *linalg[F], p, v, x, rx, _, _, dy, rdy []F, m int, hv, rdx []F) {
	w, _ := l.split(p)
	vw, _ := l.split(v)
	hw, hb := l.split(hv)
	c, sp, n, patch := l.c, l.spatial(), m*l.spatial(), l.c.patchLen()
	clear(hw)
	planeSums(hb, rdy, m, sp)
	l.groups(m, func(i0, g int) {
		cols, ld := l.colsOf(x, i0, g, m, l.cols)
		la.gemm(false, true, c.outC, patch, g*sp, 1, rdy[i0*sp:], n, cols, ld, 1, hw, patch)
		if rx != nil {
			rcols, rld := l.colsOf(rx, i0, g, m, l.rcols)
			la.gemm(false, true, c.outC, patch, g*sp, 1, dy[i0*sp:], n, rcols, rld, 1, hw, patch)
		}
		if rdx == nil {
			return
		}
		dcols, dld := l.dcolsOf(rdx, i0, g, m)
		la.gemm(true, false, patch, g*sp, c.outC, 1, w, patch, rdy[i0*sp:], n, 0, dcols, dld)
		la.gemm(true, false, patch, g*sp, c.outC, 1, vw, patch, dy[i0*sp:], n, 1, dcols, dld)
		if !l.direct() {
			l.inputGrad(dcols, i0, g, m, rdx)
		}
	})
}

// planeSums sets dst[o] to the sum of channel o's values of m examples in
// the channel-major dy, summing each example's spatial values in F and
// adding those up in order, as the per-example bias gradients add up.
// Eight (float32: kernels.RowSums) or four (sums4) examples' sums run side
// by side, each still in order.
func planeSums[F float](dst, dy []F, m, spatial int) {
	for o := range dst {
		var acc F
		plane := func(i int) []F { return dy[(o*m+i)*spatial : (o*m+i+1)*spatial] }
		i := 0
		if d32, ok := any(dy).([]float32); ok {
			for ; i+8 <= m; i += 8 {
				var s [8]float32
				kernels.RowSums(&s, d32[(o*m+i)*spatial:(o*m+i+8)*spatial], spatial, spatial)
				for _, v := range s {
					acc += F(v)
				}
			}
		}
		for ; i+4 <= m; i += 4 {
			s0, s1, s2, s3 := sums4[F](plane(i), plane(i+1), plane(i+2), plane(i+3))
			acc += s0
			acc += s1
			acc += s2
			acc += s3
		}
		for ; i < m; i++ {
			var s F
			for _, e := range plane(i) {
				s += e
			}
			acc += s
		}
		dst[o] = acc
	}
}

// sums4 returns the sums, in A and in order, of four slices as long as a:
// four independent chains of additions in one loop, so that the adds'
// latency, not their throughput, no longer bounds the time; each sum is
// the one a loop over its slice alone would give.
func sums4[A, F float](a, b, c, d []F) (sa, sb, sc, sd A) {
	b, c, d = b[:len(a)], c[:len(a)], d[:len(a)]
	for j, v := range a {
		sa += A(v)
		sb += A(b[j])
		sc += A(c[j])
		sd += A(d[j])
	}
	return sa, sb, sc, sd
}

// addPlanes adds b[o] to each of the len(b) planes of spatial values in y.
func addPlanes[F float](y, b []F, spatial int) {
	if y32, ok := any(y).([]float32); ok {
		// float32(float64(v)·1 + float64(b)) is v + b rounded once: float64
		// holds the product exactly and, with more than 2·24+2 bits, makes
		// the double rounding of the sum innocuous; so the vector affine
		// map gives the float32 sums bit for bit.
		for o, bo := range any(b).([]float32) {
			row := y32[o*spatial : (o+1)*spatial]
			kernels.AffineF64(row, row, 1, float64(bo), false)
		}
		return
	}
	for o, bo := range b {
		row := y[o*spatial : (o+1)*spatial]
		for j := range row {
			row[j] += bo
		}
	}
}
