package trainer

import "math"

// bnLayer is a batchNorm as a seqLayer: the parameters are γ[c] then β[c],
// and it owns the running statistics and the batch statistics of its last
// train-mode forward pass. Per-example gradients, Hessian-vector products
// and every measurement use eval mode, in which the running statistics are
// constants and the layer is a per-channel affine map; see package doc.
type bnLayer[F float] struct {
	bn              batchNorm[F]
	runMean, runVar []F
	mean, invStd    []float64
	scratch         []F   // a parameter gradient nobody reads
	train           bool  // the mode of the last forward pass
	batches         int64 // train-mode passes, PyTorch's num_batches_tracked
	cm              bool  // channel-major activations (seq_norm_cm.go)
	relu            bool  // a fused ReLU follows (channel-major only)
}

func newBNLayer[F float](bn batchNorm[F]) *bnLayer[F] {
	l := &bnLayer[F]{bn: bn, runMean: make([]F, bn.c), runVar: make([]F, bn.c),
		mean: make([]float64, bn.c), invStd: make([]float64, bn.c)}
	for i := range l.runVar {
		l.runVar[i] = 1
	}
	return l
}

func (l *bnLayer[F]) outLen() int    { return l.bn.rowLen() }
func (l *bnLayer[F]) numParams() int { return 2 * l.bn.c }
func (l *bnLayer[F]) split(p []F) (gamma, beta []F) {
	return p[:l.bn.c], p[l.bn.c : 2*l.bn.c]
}

func (l *bnLayer[F]) forward(_ *linalg[F], p, x []F, m int, y []F, train bool) {
	gamma, beta := l.split(p)
	l.train = train
	if l.cm {
		if train {
			l.batches++
		}
		l.cmForward(p, x, m, y, train)
		return
	}
	if train {
		l.batches++
		l.bn.forwardTrain(x, m, gamma, beta, y, l.mean, l.invStd, l.runMean, l.runVar)
		return
	}
	l.bn.forwardEval(x, m, gamma, beta, l.runMean, l.runVar, y)
}

func (l *bnLayer[F]) backward(_ *linalg[F], p, x, y, dy []F, m int, g, dx []F) {
	gamma, _ := l.split(p)
	if g == nil {
		if l.scratch == nil {
			l.scratch = make([]F, l.numParams())
		}
		g = l.scratch // only the input gradient is wanted
	}
	if l.cm {
		l.cmBackward(p, x, y, dy, m, g, dx)
		return
	}
	dgamma, dbeta := l.split(g)
	if l.train {
		l.bn.backwardTrain(x, dy, m, gamma, l.mean, l.invStd, dgamma, dbeta, dx)
		return
	}
	l.bn.backwardEval(x, dy, m, gamma, l.runMean, l.runVar, dgamma, dbeta, dx)
}

// evalStats returns channel ch's running mean and 1/√(running var + ε).
func (l *bnLayer[F]) evalStats(ch int) (mu, is float64) {
	return float64(l.runMean[ch]), 1 / math.Sqrt(float64(l.runVar[ch])+l.bn.eps)
}

// visit calls fn for each channel ch of each row i with that row's channel
// slices of the given equal-shaped activations.
func (l *bnLayer[F]) visit(m int, fn func(i, ch int, views [][]F), acts ...[]F) {
	hw, row := l.bn.hw, l.bn.rowLen()
	views := make([][]F, len(acts))
	for i := range m {
		for ch := range l.bn.c {
			for k, a := range acts {
				if a != nil {
					views[k] = a[i*row+ch*hw : i*row+(ch+1)*hw]
				}
			}
			fn(i, ch, views)
		}
	}
}

// rForward (eval mode): with x̂ = (x − μ)·is, R(y) = γ·is·R(x) + V_γ·x̂ + V_β.
func (l *bnLayer[F]) rForward(_ *linalg[F], p, v, x, rx, y []F, m int, ry []F) {
	if l.cm {
		l.cmRForward(p, v, x, rx, y, m, ry)
		return
	}
	gamma, _ := l.split(p)
	vg, vb := l.split(v)
	l.visit(m, func(_, ch int, s [][]F) {
		mu, is := l.evalStats(ch)
		for j, xv := range s[0] {
			r := float64(vg[ch])*(float64(xv)-mu)*is + float64(vb[ch])
			if s[1] != nil {
				r += float64(gamma[ch]) * is * float64(s[1][j])
			}
			s[2][j] = F(r)
		}
	}, x, rx, ry)
}

// rBackward (eval mode): R(∂γ) = Σ R(dy)·x̂ + dy·is·R(x), R(∂β) = Σ R(dy),
// R(dx) = (R(dy)·γ + dy·V_γ)·is.
func (l *bnLayer[F]) rBackward(_ *linalg[F], p, v, x, rx, y, _, dy, rdy []F, m int, hv, rdx []F) {
	if l.cm {
		l.cmRBackward(p, v, x, rx, y, dy, rdy, m, hv, rdx)
		return
	}
	gamma, _ := l.split(p)
	vg, _ := l.split(v)
	hg, hb := l.split(hv)
	sg, sb := make([]float64, l.bn.c), make([]float64, l.bn.c)
	l.visit(m, func(_, ch int, s [][]F) {
		mu, is := l.evalStats(ch)
		for j, xv := range s[0] {
			d, rd := float64(s[2][j]), float64(s[3][j])
			sg[ch] += rd * (float64(xv) - mu) * is
			if s[1] != nil {
				sg[ch] += d * is * float64(s[1][j])
			}
			sb[ch] += rd
			if s[4] != nil {
				s[4][j] = F((rd*float64(gamma[ch]) + d*float64(vg[ch])) * is)
			}
		}
	}, x, rx, dy, rdy, rdx)
	for ch := range l.bn.c {
		hg[ch], hb[ch] = F(sg[ch]), F(sb[ch])
	}
}

// sqNorms (eval mode): per row, Σ_ch (Σ dy·x̂)² + (Σ dy)².
func (l *bnLayer[F]) sqNorms(_ *linalg[F], _, x, y, dy []F, m int, acc []float64) {
	if l.cm {
		l.cmSqNorms(x, y, dy, m, acc)
		return
	}
	l.visit(m, func(i, ch int, s [][]F) {
		mu, is := l.evalStats(ch)
		var g, b float64
		for j, xv := range s[0] {
			d := float64(s[1][j])
			g += d * (float64(xv) - mu) * is
			b += d
		}
		acc[i] += g*g + b*b
	}, x, dy)
}
