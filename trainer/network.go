package trainer

import (
	"context"

	"github.com/lssr/lssr/dataset"
)

// network is what training and every measurement need from a model whose
// parameter vectors are []F. Two kinds implement it: the fused float32 MLP
// (mlp, the fast path for plain MLPs) and the layer lists (seqNet: CNNs,
// and MLPs with batch norm), the latter in float32 to train and in float64
// to measure against references. The training loop, the full passes, the
// Hessian-vector products, the curvature statistics, checkpoints and the
// PyTorch interchange are written once against it (train.go, measure.go,
// hvp.go, curvature.go, sampled.go, checkpoint.go, torch.go).
//
// The methods work on whole batches or chunks of examples, never on single
// elements, so the dynamic calls cost nothing measurable. Passes over a
// split feed it chunkSize examples at a time through chunks, in eval mode
// (batch norm uses its running statistics, so each example's loss depends
// on that example alone).
type network[F float] interface {
	// parameters is the parameter vector, in the network's own layout;
	// gradients is the gradient vector in the same layout, as the last
	// gradient or paramGrads left it.
	parameters() []F
	gradients() []F

	// step takes one SGD step of learning rate lr on the m examples x
	// (rows of float32 features) with labels y in train mode and returns
	// their mean loss and how many are classified right; a NaN or Inf loss
	// leaves the parameters unchanged. gradient sets gradients() to the
	// gradient of that mean loss instead, leaving the parameters alone.
	step(x []float32, y []uint8, m int, lr float64) (loss float64, correct int)
	gradient(x []float32, y []uint8, m int) (loss float64, correct int)

	// chunkSize is how many examples one eval-mode chunk holds, inputDim
	// the features per example, and input returns the first m examples of
	// x as F values (x itself when F is float32).
	chunkSize() int
	inputDim() int
	input(x []float32, m int) []F

	// evalLoss runs m examples in eval mode and returns the sum of their
	// losses and how many are classified right; with grad it leaves each
	// example's own loss gradient with respect to the logits, unscaled, in
	// lossGrads(m), m rows of one per class, for paramGrads.
	evalLoss(x []F, y []uint8, m int, grad bool) (sum float64, correct int)
	lossGrads(m int) []F
	// prepareBackward readies paramGrads for the current weights, which
	// then stay fixed for the rest of the pass: the fused MLP transposes
	// its weights here once rather than in every chunk.
	prepareBackward()
	// paramGrads backpropagates lossGrads through the chunk evalLoss last
	// ran and returns the parameter gradient summed over its m rows: the
	// network's gradient vector, valid until the next call.
	paramGrads(x []F, m int) []F
	// exampleSqNorms sets acc[i] to ‖∇ℓ_i‖² for each of the m rows of the
	// chunk paramGrads last ran on, summed over the layers in order.
	exampleSqNorms(x []F, m int, acc []float64)
	// hvpChunks returns, for the direction v (parameter layout), the
	// function that takes one chunk and returns Σ_i H_i·v over its rows,
	// H_i the Hessian of example i's loss, in parameter layout and valid
	// until the next call. Whatever depends on v alone is prepared once
	// here. Neither the parameters nor v may change while it is in use.
	hvpChunks(v []F) func(x []F, y []uint8, m int) []F
	// zeroPadding clears the entries of v that no parameter owns (the
	// fused MLP's panel padding), so a random direction has none.
	zeroPadding(v []F)

	// torchLayout lists the parameter tensors by PyTorch state_dict name
	// and shape, in the state_dict's order, with their offsets in the
	// concatenation of them (the PyTorch order). toTorch copies v from
	// parameter layout to PyTorch order, fromTorch back.
	torchLayout() []torchParam
	toTorch(dst, v []F)
	fromTorch(dst, t []F)
	// norms returns the batch-norm layers with their module indices, in
	// order: their running statistics are state beside the parameters.
	norms() (idx []int, bns []*bnLayer[F])
}

var (
	_ network[float32] = (*mlp)(nil)
	_ network[float32] = (*seqNet[float32])(nil)
	_ network[float64] = (*seqNet[float64])(nil)
)

// chunks calls fn on the examples idx of split, or on all of them in order
// when idx is nil, net.chunkSize() at a time (features x as F, labels y, m
// of them), and stops with ctx's error once ctx ends. Examples picked by
// idx are gathered into a buffer of one chunk.
func chunks[F float](ctx context.Context, net network[F], split dataset.Split, idx []int, fn func(x []F, y []uint8, m int)) error {
	rows, dim := net.chunkSize(), net.inputDim()
	n := split.N
	var gx []float32
	var gy []uint8
	if idx != nil {
		n = len(idx)
		gx, gy = make([]float32, rows*dim), make([]uint8, rows)
	}
	for start := 0; start < n; start += rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := min(rows, n-start)
		x, y := split.X[start*dim:], split.Y[start:start+m]
		if idx != nil {
			for j, i := range idx[start : start+m] {
				copy(gx[j*dim:(j+1)*dim], split.X[i*dim:(i+1)*dim])
				gy[j] = split.Y[i]
			}
			x, y = gx, gy[:m]
		}
		fn(net.input(x, m), y, m)
	}
	return nil
}
