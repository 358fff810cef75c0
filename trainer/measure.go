package trainer

import (
	"context"
	"errors"

	"github.com/lssr/lssr/trainer/kernels"

	"github.com/lssr/lssr"
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

// chunks calls fn on the examples of split, evalChunk at a time (features
// x, labels y, m of them), and stops with ctx's error once ctx ends.
func chunks(ctx context.Context, split Split, dim int, fn func(x []float32, y []uint8, m int)) error {
	for start := 0; start < split.N; start += evalChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := min(evalChunk, split.N-start)
		fn(split.X[start*dim:(start+m)*dim], split.Y[start:start+m], m)
	}
	return nil
}

// pass evaluates the network on every example of split, evalChunk at a time.
// With withGrad it also computes ‖∇L‖² and tr(S_1) (eq. 15, 17): the chunk's
// gradient sum Σ_i ∇ℓ_i comes from one backward pass with unscaled
// per-example output gradients and is accumulated across chunks in float64;
// ‖∇ℓ_i‖² comes from the dense-layer identity ‖∇_W ℓ_i‖² + ‖∇_bias ℓ_i‖² =
// ‖δ_i‖²·(‖a_i‖² + 1), with δ_i the layer's output gradient and a_i its input,
// so no per-example gradient is materialised. It leaves net.grads changed.
func (r *run) pass(ctx context.Context, split Split, withGrad bool) (passStats, error) {
	var st passStats
	if split.N == 0 {
		return st, nil
	}
	if r.seq != nil {
		var sum []float64
		if withGrad {
			sum = r.gradSum
		}
		return r.seq.pass(ctx, split, sum)
	}
	net, ws, dim := r.net, r.evalWS, r.data.Dim
	last := len(net.layers) - 1
	clear(r.gradSum)
	if withGrad {
		net.transposeWeights() // the weights are the same for every chunk
	}
	var lossSum, sqSum float64
	var correct int
	err := chunks(ctx, split, dim, func(x []float32, y []uint8, m int) {
		logits := net.forward(ws, x, m)
		var delta []float32
		if withGrad {
			delta = ws.deltas[last]
		}
		l, c := r.cfg.loss.eval(logits, y, r.data.Classes, m, 1, delta)
		lossSum += l
		correct += c
		if !withGrad {
			return
		}
		net.backward(ws, x, m, false)
		kernels.AddTo64(r.gradSum, net.grads)
		for i := range m {
			sqSum += perExampleSqNorm(net, ws, x, i)
		}
	})
	if err != nil {
		return passStats{}, err
	}
	n := float64(split.N)
	st.loss, st.acc = lossSum/n, float64(correct)/n
	if withGrad {
		for _, g := range r.gradSum {
			st.gradSqNorm += (g / n) * (g / n)
		}
		st.trS1 = sqSum / n
	}
	return st, nil
}

// perExampleSqNorm is ‖∇ℓ_i‖² for example i of the chunk in ws, summed over
// layers as ‖δ_i‖²·(‖a_i‖² + 1).
func perExampleSqNorm(net *mlp, ws *workspace, x []float32, i int) float64 {
	var total float64
	for l, ly := range net.layers {
		a := ws.input(net, l, x, i+1)[i*ly.in:]
		d := ws.deltas[l][i*ly.out : (i+1)*ly.out]
		total += sqNorm(d) * (sqNorm(a) + 1)
	}
	return total
}

func sqNorm(x []float32) float64 { return kernels.SumSquares64(x) }

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
		m.Rho = st.gradSqNorm / st.trS1
		m.RhoB = lssr.RhoB(m.Rho, r.data.Train.N, r.cfg.batchSize, r.cfg.sampling)
	}
	return m, nil
}
