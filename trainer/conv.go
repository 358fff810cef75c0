package trainer

import (
	"fmt"
)

// conv2d is a 2-D convolution (strictly, cross-correlation, as in PyTorch's
// Conv2d) with a square k×k kernel, a stride and zero padding, computed by
// im2col and GEMM one example at a time.
//
// Activations are channel-major per example: an input row is inC·inH·inW
// floats indexed (c, h, w), an output row outC·outH·outW floats indexed
// (o, oh, ow). Weights are outC rows of inC·k·k floats indexed (c, ki, kj)
// — PyTorch's [outC][inC][k][k] layout — and the bias has outC floats.
//
// One example's im2col matrix ("cols") has inC·k·k rows, indexed like a
// weight row, and outH·outW columns, indexed like an output channel:
//
//	cols[(c·k+ki)·k+kj][oh·outW+ow] = x[c][oh·stride−pad+ki][ow·stride−pad+kj]
//
// (zero where the input index falls in the padding), so that one example's
// output is y = W·cols + b, an outC × (outH·outW) product.
type conv2d[F float] struct {
	inC, inH, inW int
	outC, k       int
	stride, pad   int
	outH, outW    int
}

// newConv2D returns the convolution of inC×inH×inW inputs with outC k×k
// filters at the given stride and zero padding. It fails on non-positive
// sizes, a negative padding, or a kernel larger than the padded input.
func newConv2D[F float](inC, inH, inW, outC, k, stride, pad int) (conv2d[F], error) {
	if inC < 1 || inH < 1 || inW < 1 || outC < 1 || k < 1 || stride < 1 || pad < 0 {
		return conv2d[F]{}, fmt.Errorf("conv2d: invalid shape in=%d×%d×%d out=%d k=%d stride=%d pad=%d", inC, inH, inW, outC, k, stride, pad)
	}
	if inH+2*pad < k || inW+2*pad < k {
		return conv2d[F]{}, fmt.Errorf("conv2d: %d×%d kernel larger than the %d×%d input padded by %d", k, k, inH, inW, pad)
	}
	return conv2d[F]{
		inC: inC, inH: inH, inW: inW, outC: outC, k: k, stride: stride, pad: pad,
		outH: (inH+2*pad-k)/stride + 1,
		outW: (inW+2*pad-k)/stride + 1,
	}, nil
}

// inLen is the length of one example's input row.
func (c conv2d[F]) inLen() int { return c.inC * c.inH * c.inW }

// outLen is the length of one example's output row.
func (c conv2d[F]) outLen() int { return c.outC * c.outH * c.outW }

// patchLen is the length of one weight row, inC·k·k: the GEMM's inner
// dimension.
func (c conv2d[F]) patchLen() int { return c.inC * c.k * c.k }

// weightLen is the number of weights, outC·inC·k·k.
func (c conv2d[F]) weightLen() int { return c.outC * c.patchLen() }

// colsLen is the length of the scratch buffer forward and backward need:
// one example's im2col matrix, (inC·k·k) × (outH·outW).
func (c conv2d[F]) colsLen() int { return c.patchLen() * c.outH * c.outW }

// identityCols reports whether im2col is the identity (a 1×1 kernel at
// stride 1 without padding), in which case the input row is used as cols
// directly and no copy is made.
func (c conv2d[F]) identityCols() bool { return c.k == 1 && c.stride == 1 && c.pad == 0 }

// forward computes y = conv(x) + b for m examples: x is m rows of inLen
// floats, y m rows of outLen floats (overwritten), w and b the weights and
// bias, and cols scratch of at least colsLen floats, whose contents on return
// are unspecified. It allocates nothing once ctx has warmed up and panics if
// a slice is too short.
func (c conv2d[F]) forward(la *linalg[F], x []F, m int, w, b []F, y []F, cols []F) {
	inLen, outLen, patch, spatial := c.inLen(), c.outLen(), c.patchLen(), c.outH*c.outW
	checkLen("conv2d.forward", "x", x, m*inLen)
	checkLen("conv2d.forward", "y", y, m*outLen)
	checkLen("conv2d.forward", "w", w, c.weightLen())
	checkLen("conv2d.forward", "b", b, c.outC)
	if !c.identityCols() {
		checkLen("conv2d.forward", "cols", cols, c.colsLen())
	}
	for i := 0; i < m; i++ {
		xi := x[i*inLen : (i+1)*inLen]
		yi := y[i*outLen : (i+1)*outLen]
		ci := xi
		if !c.identityCols() {
			ci = cols[:c.colsLen()]
			c.im2col(xi, ci)
		}
		la.gemm(false, false, c.outC, spatial, patch, 1, w, patch, ci, spatial, 0, yi, spatial)
		for o := 0; o < c.outC; o++ {
			bo := b[o]
			row := yi[o*spatial : (o+1)*spatial]
			for j := range row {
				row[j] += bo
			}
		}
	}
}

// backward computes, for m examples with inputs x and output gradients dy,
// the weight gradient dw = Σ_i dy_i·cols_iᵀ, the bias gradient db (dy summed
// over examples and positions) and, unless dx is nil, the input gradient
// dx_i = col2im(Wᵀ·dy_i). dw, db and dx are overwritten, not added to; the
// sums run over the examples in order, so results are deterministic. cols is
// scratch of at least colsLen floats. It allocates nothing once ctx has
// warmed up and panics if a slice is too short.
func (c conv2d[F]) backward(la *linalg[F], x []F, m int, w []F, dy []F, dw, db, dx []F, cols []F) {
	inLen, outLen, patch, spatial := c.inLen(), c.outLen(), c.patchLen(), c.outH*c.outW
	checkLen("conv2d.backward", "x", x, m*inLen)
	checkLen("conv2d.backward", "dy", dy, m*outLen)
	checkLen("conv2d.backward", "w", w, c.weightLen())
	checkLen("conv2d.backward", "dw", dw, c.weightLen())
	checkLen("conv2d.backward", "db", db, c.outC)
	if dx != nil {
		checkLen("conv2d.backward", "dx", dx, m*inLen)
	}
	// The 1×1 shortcut needs cols only as the dx product's target, and
	// writes that straight into dx.
	if !c.identityCols() {
		checkLen("conv2d.backward", "cols", cols, c.colsLen())
	}
	if m == 0 {
		clear(dw[:c.weightLen()])
	}
	clear(db[:c.outC])
	for i := 0; i < m; i++ {
		xi := x[i*inLen : (i+1)*inLen]
		dyi := dy[i*outLen : (i+1)*outLen]
		ci := xi
		if !c.identityCols() {
			ci = cols[:c.colsLen()]
			c.im2col(xi, ci)
		}
		// beta = 0 on the first example overwrites dw.
		var beta F
		if i > 0 {
			beta = 1
		}
		la.gemm(false, true, c.outC, patch, spatial, 1, dyi, spatial, ci, spatial, beta, dw, patch)
		for o := 0; o < c.outC; o++ {
			var s F
			for _, v := range dyi[o*spatial : (o+1)*spatial] {
				s += v
			}
			db[o] += s
		}
		if dx == nil {
			continue
		}
		dxi := dx[i*inLen : (i+1)*inLen]
		if c.identityCols() {
			la.gemm(true, false, patch, spatial, c.outC, 1, w, patch, dyi, spatial, 0, dxi, spatial)
			continue
		}
		// cols is done with for this example: reuse it for dcols.
		la.gemm(true, false, patch, spatial, c.outC, 1, w, patch, dyi, spatial, 0, ci, spatial)
		c.col2im(ci, dxi)
	}
}

// validRange returns the output positions [lo, hi) of an outN-long output
// axis whose input index o·stride − pad + off lies inside [0, inN).
func validRange(outN, inN, stride, pad, off int) (lo, hi int) {
	// o·stride ≥ pad − off  ⇔  o ≥ ceil((pad−off)/stride)
	if d := pad - off; d > 0 {
		lo = (d + stride - 1) / stride
	}
	// o·stride ≤ inN − 1 + pad − off  ⇔  o ≤ floor((inN−1+pad−off)/stride)
	if d := inN - 1 + pad - off; d < 0 {
		hi = 0
	} else {
		hi = min(d/stride+1, outN)
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col writes one example's im2col matrix (see conv2d) into cols.
func (c conv2d[F]) im2col(x, cols []F) {
	c.im2colAt(x, c.inH*c.inW, cols, c.outH*c.outW)
}

// im2colAt writes one example's im2col matrix into cols with row stride
// ldc (row r at cols[r·ldc:]), reading input channel ch's plane at
// x[ch·chStride:]: one example among the columns of a batch's im2col
// matrix, from either activation layout.
func (c conv2d[F]) im2colAt(x []F, chStride int, cols []F, ldc int) {
	spatial := c.outH * c.outW
	r := 0
	for ch := 0; ch < c.inC; ch++ {
		plane := x[ch*chStride : ch*chStride+c.inH*c.inW]
		for ki := 0; ki < c.k; ki++ {
			hlo, hhi := validRange(c.outH, c.inH, c.stride, c.pad, ki)
			for kj := 0; kj < c.k; kj++ {
				wlo, whi := validRange(c.outW, c.inW, c.stride, c.pad, kj)
				row := cols[r*ldc : r*ldc+spatial]
				r++
				clear(row[:hlo*c.outW])
				clear(row[hhi*c.outW:])
				for oh := hlo; oh < hhi; oh++ {
					dst := row[oh*c.outW : (oh+1)*c.outW]
					src := plane[(oh*c.stride-c.pad+ki)*c.inW:]
					clear(dst[:wlo])
					clear(dst[whi:])
					iw := wlo*c.stride - c.pad + kj
					if c.stride == 1 {
						copy(dst[wlo:whi], src[iw:iw+whi-wlo])
						continue
					}
					for ow := wlo; ow < whi; ow++ {
						dst[ow] = src[iw]
						iw += c.stride
					}
				}
			}
		}
	}
}

// col2im overwrites dx with the adjoint of im2col applied to cols: every
// cols entry is added to the input position it was copied from, and padding
// entries are dropped.
func (c conv2d[F]) col2im(cols, dx []F) {
	c.col2imAt(cols, c.outH*c.outW, dx, c.inH*c.inW)
}

// col2imAt is col2im reading cols with row stride ldc and writing input
// channel ch's plane at dx[ch·chStride:], as im2colAt lays them out.
func (c conv2d[F]) col2imAt(cols []F, ldc int, dx []F, chStride int) {
	spatial := c.outH * c.outW
	r := 0
	for ch := 0; ch < c.inC; ch++ {
		plane := dx[ch*chStride : ch*chStride+c.inH*c.inW]
		clear(plane)
		for ki := 0; ki < c.k; ki++ {
			hlo, hhi := validRange(c.outH, c.inH, c.stride, c.pad, ki)
			for kj := 0; kj < c.k; kj++ {
				wlo, whi := validRange(c.outW, c.inW, c.stride, c.pad, kj)
				row := cols[r*ldc : r*ldc+spatial]
				r++
				for oh := hlo; oh < hhi; oh++ {
					src := row[oh*c.outW : (oh+1)*c.outW]
					dst := plane[(oh*c.stride-c.pad+ki)*c.inW:]
					iw := wlo*c.stride - c.pad + kj
					if c.stride == 1 {
						addTo(dst[iw:iw+whi-wlo], src[wlo:whi])
						continue
					}
					for ow := wlo; ow < whi; ow++ {
						dst[iw] += src[ow]
						iw += c.stride
					}
				}
			}
		}
	}
}

// checkLen panics if s is shorter than need; the layer kernels share it.
func checkLen[T any](fn, name string, s []T, need int) {
	if len(s) < need {
		panic(fmt.Sprintf("trainer: %s: len(%s)=%d < %d", fn, name, len(s), need))
	}
}
