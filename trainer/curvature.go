package trainer

import (
	"context"
	"slices"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/trainer/kernels"
)

// curvature is what the Hessian H of the mean loss says about the gradient
// distribution (paper eq. 2, 7, 10, 16), measured over one split.
type curvature struct {
	gradSqNorm float64 // ‖∇L‖² = tr(S_n)
	trS1       float64 // tr(S_1) = mean_i ‖∇ℓ_i‖²
	gHg        float64 // ∇Lᵀ H ∇L
	iasFull    float64 // ∇LᵀH∇L / ‖∇L‖², the interaction-aware sharpness at b = n
	trHS1      float64 // tr(H S_1), Rademacher estimate
	trHS1SE    float64 // its standard error over the samples
	// At the job's batch size b, with c_b = γ_{n,b}/b:
	trHSb     float64 // c_b·tr(HS_1) + (1 − c_b)·∇LᵀH∇L
	trSb      float64 // c_b·tr(S_1) + (1 − c_b)·‖∇L‖²
	iasB      float64 // tr(HS_b)/tr(S_b), eq. 2
	ratio     float64 // tr(HS_b)/tr(S_n), unstable above 2γ(β1, β2)/η (eq. 10)
	threshold float64 // 2γ(β1, β2)/η, γ = (1+β1)/(1+2β2) (Theorem 2)
	// The algebraically largest eigenvalues of H by Lanczos (topEigen),
	// largest first, with their relative residual bounds; λ1 and its bound
	// are the first.
	lambda1, lambda1Residual float64
	topEigen, topResiduals   []float64
	lambdaHVPs               int  // Hessian-vector products the Lanczos run took
	eigenConverged           bool // every bound met the tolerance, or the Krylov space ran out
	// ρ_b sampled directly at the job's b, and one SGD step's loss change
	// over sampled batches against eq. 7 (zero when b exceeds the split
	// without replacement).
	sampledRhoB, sampledRhoBSE            float64
	lossChange, lossChangeSE, lossChange7 float64
}

// setEigen records a Lanczos run's top eigenvalues.
func (c *curvature) setEigen(res lanczosResult) {
	c.topEigen, c.topResiduals = res.values, res.residuals
	c.lambdaHVPs, c.eigenConverged = res.hvps, res.converged
	if len(res.values) > 0 {
		c.lambda1, c.lambda1Residual = res.values[0], res.residuals[0]
	}
}

// measureCurvature measures the curvature over split. samples Rademacher
// vectors estimate tr(HS_1) = (1/n)Σ_i ∇ℓ_iᵀH∇ℓ_i: with u = (1/n)Σ_i r_i∇ℓ_i
// and independent signs r_i, E[n·uᵀHu] = tr(HS_1), for one backward pass
// and one Hessian-vector product per sample. λ1 is measured as
// trainingEigen says; v0 warm-starts its Lanczos run (nil for a fixed
// random start), and the top eigenvector is returned for the next call of
// a series.
func (r *run) measureCurvature(ctx context.Context, split dataset.Split, samples int, v0 []float32) (curvature, []float32, error) {
	var c curvature
	st, err := r.pass(ctx, split, true)
	if err != nil {
		return c, nil, err
	}
	c.gradSqNorm, c.trS1 = st.gradSqNorm, st.trS1
	vec, err := r.hessianOps(split).measure(ctx, &c, r.gradSum, samples, r.cfg.seed, v0, trainingEigen)
	if err != nil {
		return c, nil, err
	}
	c.atBatch(split.N, r.cfg.batchSize, r.cfg.sampling, r.cfg.lr, r.cfg.beta1, r.cfg.beta2)

	b := r.cfg.batchSize
	if samples > 0 && (b <= split.N || r.cfg.sampling == lssr.SamplingWith) {
		seed := r.cfg.seed ^ uint64(samples)
		if c.sampledRhoB, c.sampledRhoBSE, err = r.sampledRhoB(ctx, split, c.gradSqNorm, b, samples, r.cfg.sampling, seed); err != nil {
			return c, nil, err
		}
		if c.lossChange, c.lossChangeSE, err = r.oneStepLossChange(ctx, split, st.loss, samples, seed); err != nil {
			return c, nil, err
		}
		eta := r.cfg.lr
		c.lossChange7 = lssr.ExpectedLossChange(eta, c.trHSb, c.gradSqNorm) // eq. 7
	}

	return c, vec, nil
}

// signedGradientSum sets sum to Σ_i r_i∇ℓ_i over split, in float64, with
// signs r_i = ±1 drawn from a PCG stream of seed, one per example in order:
// each example's loss gradient is multiplied by its sign before the
// backward pass.
func signedGradientSum[F float](ctx context.Context, net network[F], split dataset.Split, seed uint64, sum []float64) error {
	signs := newRand(seed, streamRademacher)
	clear(sum)
	net.prepareBackward()
	return chunks(ctx, net, split, nil, func(x []F, y []uint8, m int) {
		net.evalLoss(x, y, m, true)
		delta := net.lossGrads(m)
		classes := len(delta) / m
		for i := range m {
			if signs.Uint64()&1 == 1 {
				row := delta[i*classes : (i+1)*classes]
				for j := range row {
					row[j] = -row[j]
				}
			}
		}
		addTo64(sum, net.paramGrads(x, m))
	})
}

// defaultCurvatureSamples is how many Rademacher vectors estimate tr(HS_1)
// when the job does not say.
const defaultCurvatureSamples = 10

// curvatureAt measures the curvature on the job's Hessian subset, warm-
// starting λ1 from the previous measurement of the series.
func (r *run) curvatureAt(ctx context.Context, job lssr.Job) (*lssr.Curvature, error) {
	if r.hessian == nil {
		r.hessian = hessianSubset(r.data.Train, r.data.Dim, r.cfg.hessianSubset, job.Dataset.SubsetSeed)
	}
	c, vec, err := r.measureCurvature(ctx, *r.hessian, r.cfg.curvatureSamples, r.eigVec)
	if err != nil {
		return nil, err
	}
	r.eigVec = vec
	return &lssr.Curvature{
		Examples: r.hessian.N, GradSqNorm: c.gradSqNorm, GHG: c.gHg, IASFull: c.iasFull,
		TrHS1: c.trHS1, TrHS1SE: c.trHS1SE, IASB: c.iasB, Ratio: c.ratio, Threshold: c.threshold,
		Lambda1: c.lambda1, Lambda1Its: c.lambdaHVPs,
		SampledRhoB: c.sampledRhoB, SampledRhoBSE: c.sampledRhoBSE,
		LossChange: c.lossChange, LossChangeSE: c.lossChangeSE, LossChangeEq7: c.lossChange7,
	}, nil
}

// hessianSubset picks m examples of split (all when m is 0 or at least
// split.N) by a seeded draw, the same for every job of a sweep with the same
// subset seed, in their order in split.
func hessianSubset(split dataset.Split, dim, m int, seed uint64) *dataset.Split {
	if m <= 0 || m >= split.N {
		return &split
	}
	pick := newRand(seed, streamHessian).Perm(split.N)[:m]
	slices.Sort(pick)
	sub := &dataset.Split{X: make([]float32, 0, m*dim), Y: make([]uint8, 0, m), N: m}
	for _, i := range pick {
		sub.X = append(sub.X, split.X[i*dim:(i+1)*dim]...)
		sub.Y = append(sub.Y, split.Y[i])
	}
	return sub
}

// oneStepLossChange is the mean over sampled batches ξ of the job's b of
// L(θ − η·g_ξ) − L(θ) on split, with its standard error: what one plain SGD
// step does to the loss from here, to set against eq. 7. θ is restored from
// a copy after each trial step.
func (r *run) oneStepLossChange(ctx context.Context, split dataset.Split, loss0 float64, samples int, seed uint64) (mean, se float64, err error) {
	params := r.net.parameters()
	saved := append([]float32(nil), params...)
	g := make([]float64, len(params))
	step := make([]float32, len(params))
	draw := newBatchDrawer(split.N, r.cfg.batchSize, r.cfg.sampling, seed^0x6c6f7373)
	var sum, sumSq float64
	for range samples {
		idx := draw.next()
		if err := batchGradientSum(ctx, r.net, split, idx, g); err != nil {
			return 0, 0, err
		}
		scale := -r.cfg.lr / float64(len(idx))
		for i, e := range g {
			step[i] = float32(scale * e)
		}
		kernels.Axpy(1, step, params)
		st, err := r.pass(ctx, split, false)
		copy(params, saved)
		if err != nil {
			return 0, 0, err
		}
		d := st.loss - loss0
		sum += d
		sumSq += d * d
	}
	mean, se = meanStdErr(sum, sumSq, samples)
	return mean, se, nil
}
