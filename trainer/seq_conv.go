package trainer

// convLayer is a conv2d as a seqLayer: the parameters are the weights
// [outC][inC][k][k] then the bias [outC], and it owns its im2col scratch.
type convLayer[F float] struct {
	c           conv2d[F]
	cols, rcols []F
	gram        []F // ghost-norm scratch: two spatial×spatial Gram matrices
	scratch     []F // a parameter gradient nobody reads, or one example's weight gradient
	// norm overrides the choice of per-example norm method in tests:
	// 0 picks the cheaper, +1 forces the ghost norm, −1 materialising.
	norm int
}

func newConvLayer[F float](c conv2d[F]) *convLayer[F] {
	return &convLayer[F]{c: c, cols: make([]F, c.colsLen()), rcols: make([]F, c.colsLen())}
}

func (l *convLayer[F]) outLen() int    { return l.c.outLen() }
func (l *convLayer[F]) numParams() int { return l.c.weightLen() + l.c.outC }
func (l *convLayer[F]) split(p []F) (w, b []F) {
	return p[:l.c.weightLen()], p[l.c.weightLen():l.numParams()]
}

func (l *convLayer[F]) forward(la *linalg[F], p, x []F, m int, y []F, _ bool) {
	w, b := l.split(p)
	l.c.forward(la, x, m, w, b, y, l.cols)
}

func (l *convLayer[F]) backward(la *linalg[F], p, x, _, dy []F, m int, g, dx []F) {
	w, _ := l.split(p)
	if g == nil {
		g = l.scratchOf(l.numParams()) // only the input gradient is wanted
	}
	gw, gb := l.split(g)
	l.c.backward(la, x, m, w, dy, gw, gb, dx, l.cols)
}

// scratchOf returns the layer's scratch buffer of at least n values.
func (l *convLayer[F]) scratchOf(n int) []F {
	if len(l.scratch) < n {
		l.scratch = make([]F, n)
	}
	return l.scratch[:n]
}

// colsOf returns example i's im2col matrix of x in buf.
func (l *convLayer[F]) colsOf(x []F, i int, buf []F) []F {
	xi := x[i*l.c.inLen() : (i+1)*l.c.inLen()]
	if l.c.identityCols() {
		return xi
	}
	l.c.im2col(xi, buf)
	return buf
}

// rForward: R(y_i) = W·R(cols_i) + V·cols_i + R(b) per example.
func (l *convLayer[F]) rForward(la *linalg[F], p, v, x, rx, _ []F, m int, ry []F) {
	w, _ := l.split(p)
	vw, vb := l.split(v)
	c := l.c
	patch, spatial := c.patchLen(), c.outH*c.outW
	for i := range m {
		yi := ry[i*c.outLen() : (i+1)*c.outLen()]
		la.gemm(false, false, c.outC, spatial, patch, 1, vw, patch, l.colsOf(x, i, l.cols), spatial, 0, yi, spatial)
		if rx != nil {
			la.gemm(false, false, c.outC, spatial, patch, 1, w, patch, l.colsOf(rx, i, l.rcols), spatial, 1, yi, spatial)
		}
		addPlanes(yi, vb, spatial)
	}
}

// rBackward: R(∂W) = Σ_i R(dy_i)·cols_iᵀ + dy_i·R(cols_i)ᵀ,
// R(∂b) = Σ R(dy), R(dx_i) = col2im(Wᵀ·R(dy_i) + Vᵀ·dy_i).
func (l *convLayer[F]) rBackward(la *linalg[F], p, v, x, rx, _, _, dy, rdy []F, m int, hv, rdx []F) {
	w, _ := l.split(p)
	vw, _ := l.split(v)
	hw, hb := l.split(hv)
	c := l.c
	patch, spatial, outLen, inLen := c.patchLen(), c.outH*c.outW, c.outLen(), c.inLen()
	clear(hw)
	clear(hb)
	for i := range m {
		dyi, rdyi := dy[i*outLen:(i+1)*outLen], rdy[i*outLen:(i+1)*outLen]
		la.gemm(false, true, c.outC, patch, spatial, 1, rdyi, spatial, l.colsOf(x, i, l.cols), spatial, 1, hw, patch)
		if rx != nil {
			la.gemm(false, true, c.outC, patch, spatial, 1, dyi, spatial, l.colsOf(rx, i, l.rcols), spatial, 1, hw, patch)
		}
		for o := range c.outC {
			var s float64
			for _, e := range rdyi[o*spatial : (o+1)*spatial] {
				s += float64(e)
			}
			hb[o] += F(s)
		}
		if rdx == nil {
			continue
		}
		dcols := l.cols
		if c.identityCols() {
			dcols = rdx[i*inLen : (i+1)*inLen]
		}
		la.gemm(true, false, patch, spatial, c.outC, 1, w, patch, rdyi, spatial, 0, dcols, spatial)
		la.gemm(true, false, patch, spatial, c.outC, 1, vw, patch, dyi, spatial, 1, dcols, spatial)
		if !c.identityCols() {
			c.col2im(dcols, rdx[i*inLen:(i+1)*inLen])
		}
	}
}

// sqNorms computes each example's ‖∂W‖² = ‖dy_i·cols_iᵀ‖² either by
// materialising that outC × inC·k·k matrix or by the ghost norm
// ⟨cols_iᵀcols_i, dy_iᵀdy_i⟩ of two spatial×spatial Gram matrices,
// whichever takes fewer multiplications for the layer's shape, plus
// ‖∂b‖² = Σ_o (Σ_s dy_i[o][s])².
func (l *convLayer[F]) sqNorms(la *linalg[F], _, x, dy []F, m int, acc []float64) {
	c := l.c
	patch, spatial, outLen := c.patchLen(), c.outH*c.outW, c.outLen()
	ghost := l.useGhost()
	var mat []F
	if ghost {
		if l.gram == nil {
			l.gram = make([]F, 2*spatial*spatial)
		}
	} else {
		mat = l.scratchOf(c.outC * patch)
	}
	for i := range m {
		dyi := dy[i*outLen : (i+1)*outLen]
		ci := l.colsOf(x, i, l.cols)
		var s float64
		if ghost {
			a, b := l.gram[:spatial*spatial], l.gram[spatial*spatial:]
			la.gemm(true, false, spatial, spatial, patch, 1, ci, spatial, ci, spatial, 0, a, spatial)
			la.gemm(true, false, spatial, spatial, c.outC, 1, dyi, spatial, dyi, spatial, 0, b, spatial)
			for j, e := range a {
				s += float64(e) * float64(b[j])
			}
		} else {
			la.gemm(false, true, c.outC, patch, spatial, 1, dyi, spatial, ci, spatial, 0, mat, patch)
			s = sumSq64(mat)
		}
		for o := range c.outC {
			var bs float64
			for _, e := range dyi[o*spatial : (o+1)*spatial] {
				bs += float64(e)
			}
			s += bs * bs
		}
		acc[i] += s
	}
}

// useGhost reports whether the ghost norm, about spatial²·(inC·k·k + outC)
// multiplications per example, is cheaper than materialising the weight
// gradient, outC·inC·k·k·spatial.
func (l *convLayer[F]) useGhost() bool {
	if l.norm != 0 {
		return l.norm > 0
	}
	c := l.c
	spatial := c.outH * c.outW
	return spatial*(c.patchLen()+c.outC) < c.outC*c.patchLen()
}

// addPlanes adds b[o] to each of the len(b) planes of spatial values in y.
func addPlanes[F float](y, b []F, spatial int) {
	for o, bo := range b {
		row := y[o*spatial : (o+1)*spatial]
		for j := range row {
			row[j] += bo
		}
	}
}
