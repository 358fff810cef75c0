package trainer

import (
	"context"
	"math"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/trainer/kernels"
)

// sampledRhoB measures ρ_b = ‖∇L‖²/E_ξ[‖g_ξ‖²] directly (eq. 15): batches of
// b examples of split drawn as sampling says (a uniform b-subset without
// replacement, b independent uniform draws with), their mean squared
// gradient norm over the given number of batches, and the standard error of
// ρ_b by the delta method, se(ρ_b) = ρ_b·se(mean)/mean. gradSqNorm is ‖∇L‖²
// over split. Sums accumulate in float64; the batch gradients are formed in
// evalChunk pieces, so b is not limited by the training workspace.
func (r *run) sampledRhoB(ctx context.Context, split Split, gradSqNorm float64, b, batches int, sampling lssr.Sampling, seed uint64) (rhoB, se float64, err error) {
	rng := newRand(seed, streamSampledBatches)
	idx := make([]int, b)
	perm := make([]int, split.N)
	for i := range perm {
		perm[i] = i
	}
	g := make([]float64, len(r.net.params))
	var sum, sumSq float64
	for range batches {
		if sampling == lssr.SamplingWith {
			for j := range idx {
				idx[j] = rng.IntN(split.N)
			}
		} else {
			// The first b of a partial Fisher–Yates shuffle: a uniform b-subset.
			for j := range b {
				k := j + rng.IntN(split.N-j)
				perm[j], perm[k] = perm[k], perm[j]
			}
			copy(idx, perm[:b])
		}
		if err := r.batchGradientSum(ctx, split, idx, g); err != nil {
			return 0, 0, err
		}
		var sq float64
		for _, e := range g {
			sq += (e / float64(b)) * (e / float64(b))
		}
		sum += sq
		sumSq += sq * sq
	}
	k := float64(batches)
	mean := sum / k
	rhoB = gradSqNorm / mean
	if batches > 1 {
		sdMean := math.Sqrt(math.Max(sumSq/k-mean*mean, 0) * k / (k - 1) / k)
		se = rhoB * sdMean / mean
	}
	return rhoB, se, nil
}

// batchGradientSum sets sum to Σ_{i∈idx} ∇ℓ_i over examples of split.
func (r *run) batchGradientSum(ctx context.Context, split Split, idx []int, sum []float64) error {
	net, ws, dim := r.net, r.evalWS, r.data.Dim
	last := len(net.layers) - 1
	classes := net.classes()
	clear(sum)
	x := make([]float32, evalChunk*dim)
	y := make([]uint8, evalChunk)
	for start := 0; start < len(idx); start += evalChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := min(evalChunk, len(idx)-start)
		for j, i := range idx[start : start+m] {
			copy(x[j*dim:(j+1)*dim], split.X[i*dim:(i+1)*dim])
			y[j] = split.Y[i]
		}
		logits := net.forward(ws, x[:m*dim], m)
		r.cfg.loss.eval(logits, y[:m], classes, m, 1, ws.deltas[last])
		net.backward(ws, x[:m*dim], m, false)
		kernels.AddTo64(sum, net.grads)
	}
	return nil
}
