package trainer

import (
	"fmt"
	"math"
)

// batchNorm is batch normalisation (Ioffe & Szegedy 2015) per channel, with
// PyTorch's BatchNorm1d/2d conventions. Activations are m example rows of
// c·hw floats, channel-major: channel ch of example i is the hw floats at
// i·c·hw + ch·hw. Each channel's statistics pool its hw spatial positions
// over all m examples, N = m·hw values; for dense activations c is the
// number of features and hw = 1.
//
// Train mode normalises with the batch mean and biased variance,
//
//	y = γ·(x − μ)/√(σ² + ε) + β,
//
// and moves the running statistics towards the batch's as PyTorch does with
// momentum 0.1, the variance's being the unbiased N/(N−1)·σ². Eval mode
// normalises with the running statistics instead. Statistics and gradient
// sums are accumulated in float64, over examples and positions in order, so
// results are deterministic.
type batchNorm[F float] struct {
	c, hw    int
	eps      float64 // added to the variance: 1e-5, PyTorch's default
	momentum float64 // weight of the batch statistic in the running one: 0.1
}

// newBatchNorm returns batch normalisation of c channels of hw positions each
// with PyTorch's default ε and momentum.
func newBatchNorm[F float](c, hw int) (batchNorm[F], error) {
	if c < 1 || hw < 1 {
		return batchNorm[F]{}, fmt.Errorf("batchNorm: invalid shape c=%d hw=%d", c, hw)
	}
	return batchNorm[F]{c: c, hw: hw, eps: 1e-5, momentum: 0.1}, nil
}

// rowLen is the length of one example's row, c·hw.
func (bn batchNorm[F]) rowLen() int { return bn.c * bn.hw }

// channelStats returns channel ch's mean and biased variance over m
// examples, by two passes in float64 so that a large mean does not cancel
// the variance away.
func (bn batchNorm[F]) channelStats(x []F, m, ch int) (mean, variance float64) {
	row, n := bn.rowLen(), float64(m*bn.hw)
	var s float64
	for i := 0; i < m; i++ {
		for _, v := range x[i*row+ch*bn.hw : i*row+(ch+1)*bn.hw] {
			s += float64(v)
		}
	}
	mean = s / n
	var ss float64
	for i := 0; i < m; i++ {
		for _, v := range x[i*row+ch*bn.hw : i*row+(ch+1)*bn.hw] {
			d := float64(v) - mean
			ss += d * d
		}
	}
	return mean, ss / n
}

// affine writes y = x·scale + shift for channel ch of m examples, computed in
// float64 and rounded once.
func (bn batchNorm[F]) affine(x []F, m, ch int, scale, shift float64, y []F) {
	row := bn.rowLen()
	for i := 0; i < m; i++ {
		lo, hi := i*row+ch*bn.hw, i*row+(ch+1)*bn.hw
		yc := y[lo:hi]
		for j, v := range x[lo:hi] {
			yc[j] = F(float64(v)*scale + shift)
		}
	}
}

// forwardTrain normalises m examples x with their batch statistics into y
// (overwritten; it may be x itself, but backwardTrain needs the input) and
// updates runMean and runVar in place:
//
//	running_mean = (1 − momentum)·running_mean + momentum·μ
//	running_var  = (1 − momentum)·running_var  + momentum·σ²·N/(N−1)
//
// mean and invStd (c floats each) receive each channel's μ and 1/√(σ² + ε),
// which backwardTrain takes. It allocates nothing and panics if a slice is
// too short or N = m·hw < 2, for which the unbiased variance is undefined
// (PyTorch raises an error too).
func (bn batchNorm[F]) forwardTrain(x []F, m int, gamma, beta []F, y []F, mean, invStd []float64, runMean, runVar []F) {
	bn.check("batchNorm.forwardTrain", x, m, gamma, y)
	checkLen("batchNorm.forwardTrain", "beta", beta, bn.c)
	checkLen("batchNorm.forwardTrain", "runMean", runMean, bn.c)
	checkLen("batchNorm.forwardTrain", "runVar", runVar, bn.c)
	if len(mean) < bn.c || len(invStd) < bn.c {
		panic(fmt.Sprintf("trainer: batchNorm.forwardTrain: len(mean)=%d, len(invStd)=%d < %d", len(mean), len(invStd), bn.c))
	}
	n := m * bn.hw
	if n < 2 {
		panic(fmt.Sprintf("trainer: batchNorm.forwardTrain: %d value(s) per channel; train mode needs at least 2", n))
	}
	for ch := 0; ch < bn.c; ch++ {
		mu, variance := bn.channelStats(x, m, ch)
		is := 1 / math.Sqrt(variance+bn.eps)
		mean[ch], invStd[ch] = mu, is
		scale := float64(gamma[ch]) * is
		bn.affine(x, m, ch, scale, float64(beta[ch])-mu*scale, y)
		unbiased := variance * float64(n) / float64(n-1)
		runMean[ch] = F((1-bn.momentum)*float64(runMean[ch]) + bn.momentum*mu)
		runVar[ch] = F((1-bn.momentum)*float64(runVar[ch]) + bn.momentum*unbiased)
	}
}

// forwardEval normalises m examples x with the running statistics into y
// (overwritten; it may be x itself). It allocates nothing and panics if a
// slice is too short.
func (bn batchNorm[F]) forwardEval(x []F, m int, gamma, beta, runMean, runVar []F, y []F) {
	bn.check("batchNorm.forwardEval", x, m, gamma, y)
	checkLen("batchNorm.forwardEval", "beta", beta, bn.c)
	checkLen("batchNorm.forwardEval", "runMean", runMean, bn.c)
	checkLen("batchNorm.forwardEval", "runVar", runVar, bn.c)
	for ch := 0; ch < bn.c; ch++ {
		scale := float64(gamma[ch]) / math.Sqrt(float64(runVar[ch])+bn.eps)
		bn.affine(x, m, ch, scale, float64(beta[ch])-float64(runMean[ch])*scale, y)
	}
}

// backwardTrain computes the gradients of a train-mode forward pass given
// its input x, output gradient dy, and the mean and invStd it saved. With
// x̂ = (x − μ)·invStd, the sums running over a channel's N values:
//
//	dβ = Σ dy,  dγ = Σ dy·x̂,  dx = γ·invStd·(dy − dβ/N − x̂·dγ/N)
//
// (the batch statistics' dependence on x gives the last two terms). dgamma,
// dbeta and, unless it is nil, dx are overwritten; dx may be dy itself. It
// allocates nothing and panics if a slice is too short.
func (bn batchNorm[F]) backwardTrain(x, dy []F, m int, gamma []F, mean, invStd []float64, dgamma, dbeta, dx []F) {
	bn.checkBackward("batchNorm.backwardTrain", x, dy, m, gamma, dgamma, dbeta, dx)
	if len(mean) < bn.c || len(invStd) < bn.c {
		panic(fmt.Sprintf("trainer: batchNorm.backwardTrain: len(mean)=%d, len(invStd)=%d < %d", len(mean), len(invStd), bn.c))
	}
	row, n := bn.rowLen(), float64(m*bn.hw)
	for ch := 0; ch < bn.c; ch++ {
		mu, is := mean[ch], invStd[ch]
		sumDy, sumDyXhat := bn.gradSums(x, dy, m, ch, mu, is)
		dgamma[ch], dbeta[ch] = F(sumDyXhat), F(sumDy)
		if dx == nil {
			continue
		}
		scale := float64(gamma[ch]) * is
		meanDy, meanDyXhat := sumDy/n, sumDyXhat/n
		for i := 0; i < m; i++ {
			lo, hi := i*row+ch*bn.hw, i*row+(ch+1)*bn.hw
			xc, dxc := x[lo:hi], dx[lo:hi]
			for j, g := range dy[lo:hi] {
				xhat := (float64(xc[j]) - mu) * is
				dxc[j] = F(scale * (float64(g) - meanDy - xhat*meanDyXhat))
			}
		}
	}
}

// backwardEval computes the gradients of an eval-mode forward pass, in which
// the running statistics are constants: with x̂ = (x − running_mean)/√(running_var + ε),
//
//	dβ = Σ dy,  dγ = Σ dy·x̂,  dx = dy·γ/√(running_var + ε).
//
// dgamma, dbeta and, unless it is nil, dx are overwritten; dx may be dy
// itself. It allocates nothing and panics if a slice is too short.
func (bn batchNorm[F]) backwardEval(x, dy []F, m int, gamma, runMean, runVar []F, dgamma, dbeta, dx []F) {
	bn.checkBackward("batchNorm.backwardEval", x, dy, m, gamma, dgamma, dbeta, dx)
	checkLen("batchNorm.backwardEval", "runMean", runMean, bn.c)
	checkLen("batchNorm.backwardEval", "runVar", runVar, bn.c)
	for ch := 0; ch < bn.c; ch++ {
		mu, is := float64(runMean[ch]), 1/math.Sqrt(float64(runVar[ch])+bn.eps)
		sumDy, sumDyXhat := bn.gradSums(x, dy, m, ch, mu, is)
		dgamma[ch], dbeta[ch] = F(sumDyXhat), F(sumDy)
		if dx == nil {
			continue
		}
		bn.affine(dy, m, ch, float64(gamma[ch])*is, 0, dx)
	}
}

// gradSums returns Σ dy and Σ dy·x̂ over channel ch, x̂ = (x − mu)·invStd.
func (bn batchNorm[F]) gradSums(x, dy []F, m, ch int, mu, invStd float64) (sumDy, sumDyXhat float64) {
	row := bn.rowLen()
	for i := 0; i < m; i++ {
		lo, hi := i*row+ch*bn.hw, i*row+(ch+1)*bn.hw
		xc := x[lo:hi]
		for j, g := range dy[lo:hi] {
			sumDy += float64(g)
			sumDyXhat += float64(g) * (float64(xc[j]) - mu) * invStd
		}
	}
	return sumDy, sumDyXhat
}

// check panics if a forward pass's slices are too short for m examples.
func (bn batchNorm[F]) check(fn string, x []F, m int, gamma, y []F) {
	checkLen(fn, "x", x, m*bn.rowLen())
	checkLen(fn, "y", y, m*bn.rowLen())
	checkLen(fn, "gamma", gamma, bn.c)
}

// checkBackward panics if a backward pass's slices are too short for m
// examples; dx may be nil.
func (bn batchNorm[F]) checkBackward(fn string, x, dy []F, m int, gamma, dgamma, dbeta, dx []F) {
	checkLen(fn, "x", x, m*bn.rowLen())
	checkLen(fn, "dy", dy, m*bn.rowLen())
	checkLen(fn, "gamma", gamma, bn.c)
	checkLen(fn, "dgamma", dgamma, bn.c)
	checkLen(fn, "dbeta", dbeta, bn.c)
	if dx != nil {
		checkLen(fn, "dx", dx, m*bn.rowLen())
	}
}
