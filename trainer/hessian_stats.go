package trainer

import (
	"context"
	"math"

	"github.com/lssr/lssr"
)

// hessianOps are the passes the Hessian statistics take over one split of
// n examples, for a network whose parameter vectors are []F. Both network
// kinds provide them: run for the MLP, seqNet for the layer lists.
type hessianOps[F float] struct {
	n      float64 // examples in the split
	params int     // length of a parameter vector
	// hvp sets out = H·v for the mean loss.
	hvp func(ctx context.Context, v []F, out []float64) error
	// signedSum sets sum = Σ_i r_i∇ℓ_i for Rademacher signs from seed.
	signedSum func(ctx context.Context, seed uint64, sum []float64) error
	// start fills v with the fixed random start of the power iteration.
	start func(v []F)
}

// measure fills c's Hessian statistics, given c.gradSqNorm and the split's
// gradient sum Σ_i ∇ℓ_i: ∇LᵀH∇L and IAS at b = n; tr(HS_1) from samples
// Rademacher vectors with signs from seed (with u = (1/n)Σ_i r_i∇ℓ_i and
// independent signs, E[n·uᵀHu] = tr(HS_1), for one backward pass and one
// product per sample); λ1 by power iteration (tolerance 1e-3, at most 100
// products, as PyHessian), warm-started from v0 when not nil. It returns
// the top eigenvector.
func (o hessianOps[F]) measure(ctx context.Context, c *curvature, gradSum []float64, samples int, seed uint64, v0 []F) ([]F, error) {
	g := make([]F, o.params)
	hv := make([]float64, o.params)
	quad := func(sum []float64) (float64, error) { // uᵀHu, u = sum/n
		for i, s := range sum {
			g[i] = F(s / o.n)
		}
		if err := o.hvp(ctx, g, hv); err != nil {
			return 0, err
		}
		var q float64
		for i, e := range hv {
			q += float64(g[i]) * e
		}
		return q, nil
	}
	var err error
	if c.gHg, err = quad(gradSum); err != nil {
		return nil, err
	}
	if c.gradSqNorm > 0 {
		c.iasFull = c.gHg / c.gradSqNorm
	}
	signs := newRand(seed, streamRademacher)
	signed := make([]float64, o.params)
	var sum, sumSq float64
	for range samples {
		if err := o.signedSum(ctx, signs.Uint64(), signed); err != nil {
			return nil, err
		}
		q, err := quad(signed)
		if err != nil {
			return nil, err
		}
		sum += o.n * q
		sumSq += o.n * q * o.n * q
	}
	if samples > 0 {
		c.trHS1, c.trHS1SE = meanStdErr(sum, sumSq, samples)
	}
	lambda, vec, iters, err := o.topEigen(ctx, v0, 1e-3, 100)
	if err != nil {
		return nil, err
	}
	c.lambda1, c.lambdaIter = lambda, iters
	return vec, nil
}

// topEigen estimates λ1, the eigenvalue of largest magnitude of the
// Hessian, by power iteration on exact Hessian-vector products, as
// PyHessian does: it stops when λ changes by less than tol relative, or
// after maxIter products. v0, when not nil, warm-starts the iteration (the
// previous top eigenvector of a series); otherwise o.start gives a fixed
// seeded random direction. It returns λ1, its unit eigenvector and the
// number of products taken.
func (o hessianOps[F]) topEigen(ctx context.Context, v0 []F, tol float64, maxIter int) (lambda float64, vec []F, iters int, err error) {
	v := make([]F, o.params)
	if v0 != nil {
		copy(v, v0)
	} else {
		o.start(v)
	}
	hv := make([]float64, o.params)
	normalize := func(x []float64) bool {
		var s float64
		for _, e := range x {
			s += e * e
		}
		if s == 0 || math.IsNaN(s) || math.IsInf(s, 0) {
			return false
		}
		inv := 1 / math.Sqrt(s)
		for i, e := range x {
			v[i] = F(e * inv)
		}
		return true
	}
	start := make([]float64, o.params)
	for i, e := range v {
		start[i] = float64(e)
	}
	if !normalize(start) {
		return 0, nil, 0, nil
	}
	prev := math.NaN()
	for iters = 1; iters <= maxIter; iters++ {
		if err := o.hvp(ctx, v, hv); err != nil {
			return 0, nil, iters, err
		}
		lambda = 0
		for i, e := range hv {
			lambda += float64(v[i]) * e
		}
		if !normalize(hv) {
			return lambda, v, iters, nil
		}
		if math.Abs(lambda-prev) <= tol*math.Abs(lambda) {
			break
		}
		prev = lambda
	}
	return lambda, v, min(iters, maxIter), nil
}

// atBatch fills the batch-size statistics from the full-batch ones, for
// batches of b of n examples drawn as sampling says, learning rate lr and
// momentum β1, β2: with c_b = γ_{n,b}/b, tr(HS_b) = c_b·tr(HS_1) +
// (1 − c_b)·∇LᵀH∇L and tr(S_b) likewise, IAS_b = tr(HS_b)/tr(S_b), the
// instability ratio tr(HS_b)/tr(S_n) and its threshold 2γ(β1, β2)/η,
// γ = (1+β1)/(1+2β2) (Theorem 2).
func (c *curvature) atBatch(n, b int, sampling lssr.Sampling, lr, beta1, beta2 float64) {
	cb := lssr.GammaNB(n, b, sampling) / float64(b)
	c.trHSb = cb*c.trHS1 + (1-cb)*c.gHg
	c.trSb = cb*c.trS1 + (1-cb)*c.gradSqNorm
	if c.trSb > 0 {
		c.iasB = c.trHSb / c.trSb
	}
	if c.gradSqNorm > 0 {
		c.ratio = c.trHSb / c.gradSqNorm
	}
	c.threshold = 2 * (1 + beta1) / (1 + 2*beta2) / lr
}
