package trainer

import (
	"math"

	"github.com/lssr/lssr/trainer/kernels"
)

// Batch norm on channel-major activations (the conv stack's layout, see
// convLayer): channel ch of m examples is the one contiguous run
// x[ch·m·hw : (ch+1)·m·hw], in the same order as the example-major loops
// visit it, so the statistics and sums are the same numbers. With relu the
// layer's output is max(BN(x), 0), the ReLU that follows it fused into the
// same pass: y is then that output, and dy its gradient, which the
// backward methods mask in place where the ReLU is off (so that it becomes
// the gradient before the ReLU: masking again changes nothing).

// cmChannel returns channel ch's run of the m examples of x.
func (l *bnLayer[F]) cmChannel(x []F, m, ch int) []F {
	n := m * l.bn.hw
	return x[ch*n : (ch+1)*n]
}

// maskReLU zeroes dy where y is not positive (NaN included), in place.
func maskReLU[F float](dy, y []F) {
	if d32, ok := any(dy).([]float32); ok {
		kernels.ReLUGrad(d32, any(y).([]float32))
		return
	}
	y = y[:len(dy)]
	for j, v := range y {
		if !(v > 0) {
			dy[j] = 0
		}
	}
}

// cmGrad returns channel ch's run of dy, masked by the fused ReLU.
func (l *bnLayer[F]) cmGrad(y, dy []F, m, ch int) []F {
	dyc := l.cmChannel(dy, m, ch)
	if l.relu {
		maskReLU(dyc, l.cmChannel(y, m, ch))
	}
	return dyc
}

// cmAffine writes y = x·scale + shift (then the fused ReLU) for one
// channel, computed in float64 and rounded once.
func (l *bnLayer[F]) cmAffine(x, y []F, scale, shift float64) {
	if x32, ok := any(x).([]float32); ok {
		kernels.AffineF64(any(y).([]float32), x32, scale, shift, l.relu)
		return
	}
	y = y[:len(x)]
	if l.relu {
		for j, v := range x {
			y[j] = max(F(float64(v)*scale+shift), 0)
		}
		return
	}
	for j, v := range x {
		y[j] = F(float64(v)*scale + shift)
	}
}

func (l *bnLayer[F]) cmForward(p, x []F, m int, y []F, train bool) {
	gamma, beta := l.split(p)
	bn := l.bn
	n := m * bn.hw
	if train && n < 2 {
		l.bn.forwardTrain(x, m, gamma, beta, y, l.mean, l.invStd, l.runMean, l.runVar) // panics
	}
	if !train {
		for ch := range bn.c {
			mu, is := l.evalStats(ch)
			scale := float64(gamma[ch]) * is
			l.cmAffine(l.cmChannel(x, m, ch), l.cmChannel(y, m, ch), scale, float64(beta[ch])-mu*scale)
		}
		return
	}
	for ch0 := 0; ch0 < bn.c; {
		if x32, ok := any(x).([]float32); ok && ch0+8 <= bn.c {
			l.cmForward8(gamma, beta, x32, y, m, ch0)
			ch0 += 8
			continue
		}
		l.cmForward4(gamma, beta, x, y, m, ch0)
		ch0 += 4
	}
}

// cmForward8 is cmForward in train mode for the float32 channels
// ch0…ch0+7: each channel's sums run in order as in cmForward4, eight
// channels side by side in the vector kernels (kernels.RowSumsF64,
// kernels.RowSqDevsF64), so the statistics are the same bits.
func (l *bnLayer[F]) cmForward8(gamma, beta []F, x []float32, y []F, m, ch0 int) {
	n := m * l.bn.hw
	var s, mus, q [8]float64
	xs := x[ch0*n : (ch0+8)*n]
	kernels.RowSumsF64(&s, xs, n, n)
	for k, v := range s {
		mus[k] = v / float64(n)
	}
	kernels.RowSqDevsF64(&q, xs, n, n, &mus)
	for k := range 8 {
		l.cmNormalise(gamma, beta, any(x).([]F), y, m, ch0+k, mus[k], q[k])
	}
}

// cmForward4 is cmForward in train mode for channels ch0…ch0+3 (those
// below c): each channel's sums run in order, as one would alone, but
// four channels' sums are interleaved in one loop, so that four
// independent chains of additions run at once; results are those of one
// channel at a time.
func (l *bnLayer[F]) cmForward4(gamma, beta, x, y []F, m, ch0 int) {
	bn := l.bn
	n := m * bn.hw
	var xs [4][]F
	for k := range 4 {
		xs[k] = l.cmChannel(x, m, min(ch0+k, bn.c-1))[:n]
	}
	x0 := xs[0]
	x1, x2, x3 := xs[1][:len(x0)], xs[2][:len(x0)], xs[3][:len(x0)]
	var s0, s1, s2, s3 float64
	for j, v := range x0 {
		s0 += float64(v)
		s1 += float64(x1[j])
		s2 += float64(x2[j])
		s3 += float64(x3[j])
	}
	mus := [4]float64{s0 / float64(n), s1 / float64(n), s2 / float64(n), s3 / float64(n)}
	var q0, q1, q2, q3 float64
	for j, v := range x0 {
		d0 := float64(v) - mus[0]
		q0 += float64(d0 * d0) // no fused multiply-add, as RowSqDevsF64
		d1 := float64(x1[j]) - mus[1]
		q1 += float64(d1 * d1) // no fused multiply-add, as RowSqDevsF64
		d2 := float64(x2[j]) - mus[2]
		q2 += float64(d2 * d2) // no fused multiply-add, as RowSqDevsF64
		d3 := float64(x3[j]) - mus[3]
		q3 += float64(d3 * d3) // no fused multiply-add, as RowSqDevsF64
	}
	sss := [4]float64{q0, q1, q2, q3}
	for k := range min(4, bn.c-ch0) {
		l.cmNormalise(gamma, beta, x, y, m, ch0+k, mus[k], sss[k])
	}
}

// cmNormalise finishes channel ch's train-mode forward pass from its batch
// mean mu and sum of squared deviations ss: it keeps the statistics,
// writes the normalised (and fused ReLU) output and updates the running
// statistics.
func (l *bnLayer[F]) cmNormalise(gamma, beta, x, y []F, m, ch int, mu, ss float64) {
	bn := l.bn
	n := m * bn.hw
	variance := ss / float64(n)
	is := 1 / math.Sqrt(variance+bn.eps)
	l.mean[ch], l.invStd[ch] = mu, is
	scale := float64(gamma[ch]) * is
	l.cmAffine(l.cmChannel(x, m, ch), l.cmChannel(y, m, ch), scale, float64(beta[ch])-mu*scale)
	unbiased := variance * float64(n) / float64(n-1)
	l.runMean[ch] = F((1-bn.momentum)*float64(l.runMean[ch]) + bn.momentum*mu)
	l.runVar[ch] = F((1-bn.momentum)*float64(l.runVar[ch]) + bn.momentum*unbiased)
}

// cmStats returns channel ch's μ and 1/√(σ² + ε) of the last forward pass:
// the batch's in train mode, the running ones in eval mode.
func (l *bnLayer[F]) cmStats(ch int) (mu, is float64) {
	if l.train {
		return l.mean[ch], l.invStd[ch]
	}
	return l.evalStats(ch)
}

func (l *bnLayer[F]) cmBackward(p, x, y, dy []F, m int, g, dx []F) {
	gamma, _ := l.split(p)
	dgamma, dbeta := l.split(g)
	n := float64(m * l.bn.hw)
	for ch := range l.bn.c {
		mu, is := l.cmStats(ch)
		xc, dyc, sumDy, sumDyXc := l.cmGradAndSums(x, y, dy, m, ch, mu)
		sumDyXhat := sumDyXc * is
		dgamma[ch], dbeta[ch] = F(sumDyXhat), F(sumDy)
		if dx == nil {
			continue
		}
		dxc := l.cmChannel(dx, m, ch)
		scale := float64(gamma[ch]) * is
		if !l.train {
			if d32, ok := any(dyc).([]float32); ok {
				// d·scale + (−0) is d·scale, −0 included, rounded as
				// float64 then float32 as in the loop below.
				kernels.AffineF64(any(dxc).([]float32), d32, scale, math.Copysign(0, -1), false)
				continue
			}
			for j, d := range dyc {
				dxc[j] = F(float64(d) * scale)
			}
			continue
		}
		meanDy, c1 := sumDy/n, sumDyXhat/n*is
		if d32, ok := any(dyc).([]float32); ok {
			// scale·(d − meanDy − (x−μ)·c1) as one affine map of d and x.
			kernels.Affine2F64(any(dxc).([]float32), d32, any(xc).([]float32), scale, -scale*c1, scale*(c1*mu-meanDy))
			continue
		}
		xc, dxc = xc[:len(dyc)], dxc[:len(dyc)]
		for j, d := range dyc {
			dxc[j] = F(scale * (float64(d) - meanDy - (float64(xc[j])-mu)*c1))
		}
	}
}

// cmGradAndSums returns channel ch's runs of x and of dy, the latter
// masked by the fused ReLU (as cmGrad), and the sums of cmGradSums over
// them; for float32 with the ReLU, the mask and the sums are one pass over
// dy (kernels.GradSumsReLU), with the same results.
func (l *bnLayer[F]) cmGradAndSums(x, y, dy []F, m, ch int, mu float64) (xc, dyc []F, sumDy, sumDyXc float64) {
	xc = l.cmChannel(x, m, ch)
	if d32, ok := any(l.cmChannel(dy, m, ch)).([]float32); ok && l.relu {
		sumDy, sumDyXc = kernels.GradSumsReLU(d32, any(l.cmChannel(y, m, ch)).([]float32), any(xc).([]float32), mu)
		return xc, l.cmChannel(dy, m, ch), sumDy, sumDyXc
	}
	dyc = l.cmGrad(y, dy, m, ch)
	sumDy, sumDyXc = cmGradSums(xc, dyc, mu)
	return xc, dyc, sumDy, sumDyXc
}

// cmGradSums returns Σ dy and Σ dy·(x − μ) over a channel in float64,
// each in interleaved partial sums (float32: kernels.GradSums): one running
// sum is a chain of dependent additions, which the CPU's add latency, not
// its throughput, would limit.
func cmGradSums[F float](x, dy []F, mu float64) (sumDy, sumDyXc float64) {
	if d32, ok := any(dy).([]float32); ok {
		return kernels.GradSums(d32, any(x).([]float32), mu)
	}
	x = x[:len(dy)]
	var s0, s1, s2, s3, g0, g1, g2, g3 float64
	j := 0
	for ; j+4 <= len(dy); j += 4 {
		d, xs := dy[j:j+4:j+4], x[j:j+4:j+4]
		d0, d1, d2, d3 := float64(d[0]), float64(d[1]), float64(d[2]), float64(d[3])
		s0 += d0
		s1 += d1
		s2 += d2
		s3 += d3
		g0 += d0 * (float64(xs[0]) - mu)
		g1 += d1 * (float64(xs[1]) - mu)
		g2 += d2 * (float64(xs[2]) - mu)
		g3 += d3 * (float64(xs[3]) - mu)
	}
	for ; j < len(dy); j++ {
		d := float64(dy[j])
		s0 += d
		g0 += d * (float64(x[j]) - mu)
	}
	return (s0 + s1) + (s2 + s3), (g0 + g1) + (g2 + g3)
}

// cmRForward (eval mode): with x̂ = (x − μ)·is, R(z) = γ·is·R(x) + V_γ·x̂ +
// V_β, and R(y) = R(z) where the fused ReLU passes.
func (l *bnLayer[F]) cmRForward(p, v, x, rx, y []F, m int, ry []F) {
	gamma, _ := l.split(p)
	vg, vb := l.split(v)
	for ch := range l.bn.c {
		mu, is := l.evalStats(ch)
		xc, yc, ryc := l.cmChannel(x, m, ch), l.cmChannel(y, m, ch), l.cmChannel(ry, m, ch)
		var rxc []F
		if rx != nil {
			rxc = l.cmChannel(rx, m, ch)
		}
		for j, xv := range xc {
			r := float64(vg[ch])*(float64(xv)-mu)*is + float64(vb[ch])
			if rxc != nil {
				r += float64(gamma[ch]) * is * float64(rxc[j])
			}
			ryc[j] = F(r)
		}
		if l.relu {
			maskReLU(ryc, yc)
		}
	}
}

// cmRBackward (eval mode): with ∂z, R(∂z) the gradients before the fused
// ReLU (masked; its second derivative is 0), R(∂γ) = Σ R(∂z)·x̂ + ∂z·is·R(x),
// R(∂β) = Σ R(∂z), R(∂x) = (R(∂z)·γ + ∂z·V_γ)·is.
func (l *bnLayer[F]) cmRBackward(p, v, x, rx, y, dy, rdy []F, m int, hv, rdx []F) {
	gamma, _ := l.split(p)
	vg, _ := l.split(v)
	hg, hb := l.split(hv)
	for ch := range l.bn.c {
		mu, is := l.evalStats(ch)
		xc := l.cmChannel(x, m, ch)
		dyc, rdyc := l.cmGrad(y, dy, m, ch), l.cmGrad(y, rdy, m, ch)
		var rxc, rdxc []F
		if rx != nil {
			rxc = l.cmChannel(rx, m, ch)
		}
		if rdx != nil {
			rdxc = l.cmChannel(rdx, m, ch)
		}
		var sg, sb float64
		for j, xv := range xc {
			d, rd := float64(dyc[j]), float64(rdyc[j])
			sg += rd * (float64(xv) - mu) * is
			if rxc != nil {
				sg += d * is * float64(rxc[j])
			}
			sb += rd
			if rdxc != nil {
				rdxc[j] = F((rd*float64(gamma[ch]) + d*float64(vg[ch])) * is)
			}
		}
		hg[ch], hb[ch] = F(sg), F(sb)
	}
}

// cmSqNorms (eval mode): per example, Σ_ch (Σ ∂z·x̂)² + (Σ ∂z)². Four
// examples' sums run interleaved, each in order as alone (see sums4).
func (l *bnLayer[F]) cmSqNorms(x, y, dy []F, m int, acc []float64) {
	hw := l.bn.hw
	for ch := range l.bn.c {
		mu, is := l.evalStats(ch)
		xc, dyc := l.cmChannel(x, m, ch), l.cmGrad(y, dy, m, ch)
		i := 0
		if x32, ok := any(xc).([]float32); ok {
			// Eight examples' planes side by side, each summed in order
			// as below (kernels.RowBNGradF64): the same bits.
			d32 := any(dyc).([]float32)
			for ; i+8 <= m; i += 8 {
				var g, b [8]float64
				kernels.RowBNGradF64(&g, &b, x32[i*hw:], d32[i*hw:], hw, hw, mu, is)
				for k := range 8 {
					acc[i+k] += g[k]*g[k] + b[k]*b[k]
				}
			}
		}
		for ; i+4 <= m; i += 4 {
			var g, b [4]float64
			x0, x1, x2, x3 := xc[i*hw:(i+1)*hw], xc[(i+1)*hw:(i+2)*hw], xc[(i+2)*hw:(i+3)*hw], xc[(i+3)*hw:(i+4)*hw]
			d0, d1, d2, d3 := dyc[i*hw:(i+1)*hw], dyc[(i+1)*hw:(i+2)*hw], dyc[(i+2)*hw:(i+3)*hw], dyc[(i+3)*hw:(i+4)*hw]
			for j := range hw {
				e0, e1, e2, e3 := float64(d0[j]), float64(d1[j]), float64(d2[j]), float64(d3[j])
				g[0] += e0 * (float64(x0[j]) - mu) * is
				g[1] += e1 * (float64(x1[j]) - mu) * is
				g[2] += e2 * (float64(x2[j]) - mu) * is
				g[3] += e3 * (float64(x3[j]) - mu) * is
				b[0] += e0
				b[1] += e1
				b[2] += e2
				b[3] += e3
			}
			for k := range 4 {
				acc[i+k] += g[k]*g[k] + b[k]*b[k]
			}
		}
		for ; i < m; i++ {
			var g, b float64
			for j := i * hw; j < (i+1)*hw; j++ {
				d := float64(dyc[j])
				g += d * (float64(xc[j]) - mu) * is
				b += d
			}
			acc[i] += g*g + b*b
		}
	}
}
