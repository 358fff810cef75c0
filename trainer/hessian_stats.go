package trainer

import (
	"context"
	"math/rand/v2"

	"github.com/lssr/lssr"
)

// hessianOps are the passes the Hessian statistics take over one split of
// n examples, for a network whose parameter vectors are []F; newHessianOps
// makes them for any network.
type hessianOps[F float] struct {
	n      float64 // examples in the split
	params int     // length of a parameter vector
	// hvp sets out = H·v for the mean loss.
	hvp func(ctx context.Context, v []F, out []float64) error
	// signedSum sets sum = Σ_i r_i∇ℓ_i for Rademacher signs from seed.
	signedSum func(ctx context.Context, seed uint64, sum []float64) error
	// random fills v with a random direction from rng: normal entries, and
	// zeros where no parameter lives. The Lanczos run for λ1 starts from
	// one of the stream streamEigen of eigenSeed, and takes the next ones
	// when its Krylov space runs out.
	random    func(rng *rand.Rand, v []F)
	eigenSeed uint64
}

// trainingEigen is how closely λ1 is measured during training: a relative
// residual bound of 1e-4 (λ1 within 0.01 %), at most 100 Hessian-vector
// products. A curvature measurement then costs a few products more than
// one for tr(HS_1) per Rademacher sample.
var trainingEigen = lanczosSpec{topK: 1, tol: 1e-4, maxHVPs: 100}

// measure fills c's Hessian statistics, given c.gradSqNorm and the split's
// gradient sum Σ_i ∇ℓ_i: ∇LᵀH∇L and IAS at b = n; tr(HS_1) from samples
// Rademacher vectors with signs from seed (with u = (1/n)Σ_i r_i∇ℓ_i and
// independent signs, E[n·uᵀHu] = tr(HS_1), for one backward pass and one
// product per sample); λ1 and the top eigenvalues eig asks for, by
// topEigen, warm-started from v0 when not nil. It returns the top
// eigenvector.
func (o hessianOps[F]) measure(ctx context.Context, c *curvature, gradSum []float64, samples int, seed uint64, v0 []F, eig lanczosSpec) ([]F, error) {
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
		c.iasFull = lssr.IAS(c.gHg, c.gradSqNorm)
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
	res, vec, err := o.topEigen(ctx, v0, eig)
	if err != nil {
		return nil, err
	}
	c.setEigen(res)
	return vec, nil
}

// topEigen computes the eig.topK algebraically largest eigenvalues of the
// Hessian by the Lanczos method on exact Hessian-vector products (lanczos):
// λ1 is the top one, max_v vᵀHv/vᵀv, which is what bounds the
// interaction-aware sharpness (eq. 2) and meets 2/η at the edge of
// stability. (Power iteration, which lssr used before, finds the eigenvalue
// of largest magnitude instead: the same one unless the most negative
// eigenvalue is the larger in magnitude.) v0, when not nil, starts the run
// (the previous top eigenvector of a series); otherwise a seeded random
// direction does. It returns the run's result and its top eigenvector in F.
func (o hessianOps[F]) topEigen(ctx context.Context, v0 []F, eig lanczosSpec) (lanczosResult, []F, error) {
	scratch := make([]F, o.params)
	apply := func(ctx context.Context, v, out []float64) error {
		for i, e := range v {
			scratch[i] = F(e)
		}
		return o.hvp(ctx, scratch, out)
	}
	rng := newRand(o.eigenSeed, streamEigen)
	fresh := func(v []float64) {
		o.random(rng, scratch)
		for i, e := range scratch {
			v[i] = float64(e)
		}
	}
	var start []float64
	if v0 != nil {
		start = make([]float64, len(v0))
		for i, e := range v0 {
			start[i] = float64(e)
		}
	}
	res, err := lanczos(ctx, o.params, apply, start, fresh, eig)
	if err != nil || res.vector == nil {
		return res, nil, err
	}
	vec := make([]F, o.params)
	for i, e := range res.vector {
		vec[i] = F(e)
	}
	return res, vec, nil
}

// atBatch fills the batch-size statistics from the full-batch ones, for
// batches of b of n examples drawn as sampling says, learning rate lr and
// momentum β1, β2: with c_b = γ_{n,b}/b, tr(HS_b) = c_b·tr(HS_1) +
// (1 − c_b)·∇LᵀH∇L and tr(S_b) likewise, IAS_b = tr(HS_b)/tr(S_b), the
// instability ratio tr(HS_b)/tr(S_n) and its threshold 2γ(β1, β2)/η,
// γ = (1+β1)/(1+2β2) (Theorem 2).
func (c *curvature) atBatch(n, b int, sampling lssr.Sampling, lr, beta1, beta2 float64) {
	cb := lssr.BatchWeight(n, float64(b), sampling)
	c.trHSb = lssr.TraceSb(cb, c.trHS1, c.gHg)
	c.trSb = lssr.TraceSb(cb, c.trS1, c.gradSqNorm)
	if c.trSb > 0 {
		c.iasB = lssr.IAS(c.trHSb, c.trSb)
	}
	if c.gradSqNorm > 0 {
		c.ratio = lssr.InstabilityRatio(c.trHSb, c.gradSqNorm)
	}
	c.threshold = lssr.InstabilityThreshold(lr, beta1, beta2)
}
