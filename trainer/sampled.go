package trainer

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// sampledRhoB measures ρ_b = ‖∇L‖²/E_ξ[‖g_ξ‖²] directly (eq. 15): batches of
// b examples of split drawn as sampling says (a uniform b-subset without
// replacement, b independent uniform draws with), their mean squared
// gradient norm over the given number of batches, and the standard error of
// ρ_b by the delta method, se(ρ_b) = ρ_b·se(mean)/mean. gradSqNorm is ‖∇L‖²
// over split. Sums accumulate in float64; the batch gradients are formed in
// evalChunk pieces, so b is not limited by the training workspace.
func (r *run) sampledRhoB(ctx context.Context, split dataset.Split, gradSqNorm float64, b, batches int, sampling lssr.Sampling, seed uint64) (rhoB, se float64, err error) {
	draw := newBatchDrawer(split.N, b, sampling, seed)
	g := make([]float64, len(r.net.parameters()))
	var sum, sumSq float64
	for range batches {
		idx := draw.next()
		if err := batchGradientSum(ctx, r.net, split, idx, g); err != nil {
			return 0, 0, err
		}
		var sq float64
		for _, e := range g {
			sq += (e / float64(b)) * (e / float64(b))
		}
		sum += sq
		sumSq += sq * sq
	}
	mean, seMean := meanStdErr(sum, sumSq, batches)
	rhoB = lssr.Concentration(gradSqNorm, mean) // tr(S_b) estimated by the batches
	return rhoB, rhoB * seMean / mean, nil
}

// batchDrawer draws batches of b of n examples: a uniform b-subset without
// replacement (the first b of a partial Fisher–Yates shuffle), b independent
// uniform draws with replacement.
type batchDrawer struct {
	rng       *rand.Rand
	sampling  lssr.Sampling
	idx, perm []int
}

func newBatchDrawer(n, b int, sampling lssr.Sampling, seed uint64) *batchDrawer {
	d := &batchDrawer{rng: newRand(seed, streamSampledBatches), sampling: sampling, idx: make([]int, b), perm: make([]int, n)}
	for i := range d.perm {
		d.perm[i] = i
	}
	return d
}

func (d *batchDrawer) next() []int {
	n := len(d.perm)
	if d.sampling == lssr.SamplingWith {
		for j := range d.idx {
			d.idx[j] = d.rng.IntN(n)
		}
		return d.idx
	}
	for j := range d.idx {
		k := j + d.rng.IntN(n-j)
		d.perm[j], d.perm[k] = d.perm[k], d.perm[j]
	}
	copy(d.idx, d.perm)
	return d.idx
}

// meanStdErr returns the mean of k values from their sum and sum of squares,
// and the standard error of that mean (0 for k < 2).
func meanStdErr(sum, sumSq float64, k int) (mean, se float64) {
	mean = sum / float64(k)
	if k > 1 {
		kf := float64(k)
		se = math.Sqrt(math.Max(sumSq/kf-mean*mean, 0) * kf / (kf - 1) / kf)
	}
	return mean, se
}

// batchGradientSum sets sum to Σ_{i∈idx} ∇ℓ_i over examples of split, in
// eval mode, accumulated in float64.
func batchGradientSum[F float](ctx context.Context, net network[F], split dataset.Split, idx []int, sum []float64) error {
	clear(sum)
	net.prepareBackward()
	return chunks(ctx, net, split, idx, func(x []F, y []uint8, m int) {
		net.evalLoss(x, y, m, true)
		addTo64(sum, net.paramGrads(x, m))
	})
}
