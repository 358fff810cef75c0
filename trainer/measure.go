package trainer

import (
	"context"
	"errors"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// evalChunk is how many examples a full pass feeds through the network at a
// time.
const evalChunk = 256

// passStats is what a full pass over a split finds.
type passStats struct {
	loss, acc float64 // mean loss and accuracy
	// With gradients only:
	gradSqNorm float64 // ‖∇L‖², ∇L = mean_i ∇ℓ_i
	trS1       float64 // mean_i ‖∇ℓ_i‖²
}

// pass evaluates the network on every example of split. With withGrad it
// also computes ‖∇L‖² and tr(S_1) (eq. 15, 17), leaving Σ_i ∇ℓ_i in
// r.gradSum; see fullPass.
func (r *run) pass(ctx context.Context, split dataset.Split, withGrad bool) (passStats, error) {
	var sum []float64
	if withGrad {
		sum = r.gradSum
	}
	return fullPass(ctx, r.net, split, sum)
}

// fullPass evaluates net on every example of split, a chunk at a time, in
// eval mode. With gradSum (len(parameters)) it also sets gradSum to
// Σ_i ∇ℓ_i and returns ‖∇L‖² and tr(S_1): each chunk's gradient sum comes
// from one backward pass with unscaled per-example output gradients and is
// accumulated across chunks in float64, and ‖∇ℓ_i‖² from the network's
// exampleSqNorms (for a dense layer the identity ‖∇_W ℓ_i‖² + ‖∇_bias ℓ_i‖²
// = ‖δ_i‖²·(‖a_i‖² + 1), with δ_i the layer's output gradient and a_i its
// input), so no per-example gradient is materialised. It leaves the
// network's gradient vector changed.
func fullPass[F float](ctx context.Context, net network[F], split dataset.Split, gradSum []float64) (passStats, error) {
	var st passStats
	if split.N == 0 {
		return st, nil
	}
	clear(gradSum)
	withGrad := gradSum != nil
	var acc []float64
	if withGrad {
		net.prepareBackward()
		acc = make([]float64, net.chunkSize())
	}
	var lossSum, sqSum float64
	var correct int
	err := chunks(ctx, net, split, nil, func(x []F, y []uint8, m int) {
		l, c := net.evalLoss(x, y, m, withGrad)
		lossSum += l
		correct += c
		if !withGrad {
			return
		}
		addTo64(gradSum, net.paramGrads(x, m))
		net.exampleSqNorms(x, m, acc[:m])
		for _, s := range acc[:m] {
			sqSum += s
		}
	})
	if err != nil {
		return passStats{}, err
	}
	n := float64(split.N)
	st.loss, st.acc = lossSum/n, float64(correct)/n
	if withGrad {
		for _, g := range gradSum {
			st.gradSqNorm += (g / n) * (g / n)
		}
		st.trS1 = sqSum / n
	}
	return st, nil
}

// errDiverged is what measure returns when the loss or the gradient
// statistics are NaN or Inf: the run diverged, which Train reports in the
// Result, not as an error.
var errDiverged = errors.New("trainer: the loss or its gradient is not finite")

// measure takes a Measurement over the whole training subset, or returns
// errDiverged.
func (r *run) measure(ctx context.Context, epoch int, step int64) (*lssr.Measurement, error) {
	st, err := r.pass(ctx, r.data.Train, true)
	if err != nil {
		return nil, err
	}
	if !finite(st.loss) || !finite(st.gradSqNorm) || !finite(st.trS1) {
		return nil, errDiverged
	}
	m := &lssr.Measurement{
		Epoch: epoch, Step: step,
		GradSqNorm: st.gradSqNorm, TrS1: st.trS1,
		TrainLoss: st.loss, TrainAcc: st.acc,
	}
	if st.trS1 > 0 { // ρ is undefined only if every per-example gradient is zero
		m.Rho = lssr.Concentration(st.gradSqNorm, st.trS1)
		m.RhoB = lssr.RhoB(m.Rho, r.data.Train.N, r.cfg.batchSize, r.cfg.sampling)
	}
	return m, nil
}
