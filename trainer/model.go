package trainer

import (
	"math"
	"math/rand/v2"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/trainer/kernels"
)

// activation is the hidden layers' nonlinearity.
type activation int

const (
	relu activation = iota
	tanh
)

// parseActivation reads a ModelSpec's activation name; both network kinds
// parse it here.
func parseActivation(name lssr.Activation) (activation, error) {
	switch name {
	case lssr.ActivationReLU:
		return relu, nil
	case lssr.ActivationTanh:
		return tanh, nil
	}
	return 0, lssr.BadInput("model.activation: unknown activation %q (want %s)", name, lssr.OneOf(lssr.Activations()))
}

// denseLayer is y = a·W + bias. Its slices are views into the network's flat
// parameter and gradient vectors.
//
// W (in×out) is stored in the kernels' panel layout (kernels.PanelIndex),
// not row-major: it is then the ready-packed B operand of the forward
// product a·W, so no step packs it, and the SGD update is written straight
// into it by the weight-gradient product. Padding columns stay zero.
type denseLayer struct {
	in, out int
	w, b    []float32 // w: kernels.PackedLen(in, out) floats in panel layout; b: out
	gw, gb  []float32 // gradients of w and b, same layouts
	// wT is Wᵀ (out×in) in panel layout, refreshed from w once per step
	// before the input-gradient product that needs it (not for layer 0).
	wT []float32
}

// mlp is a multilayer perceptron: dense layers with the activation between
// them and none after the last (its outputs are the logits), fused for
// speed (see the package doc). It implements network in mlp_net.go.
type mlp struct {
	layers []denseLayer
	act    activation
	loss   lossKind
	// params and grads hold every weight and bias, layer by layer (weights
	// then bias), so the measurement sums them as one vector.
	params, grads []float32
	kern          kernels.Context // packing buffers, reused by every product
	// trainWS holds a training batch, evalWS a chunk of a full pass; hvp
	// the Hessian-vector buffers, made on first use.
	trainWS, evalWS *workspace
	hvp             *hvpState
}

// newMLP builds a dim → hidden... → classes network for the loss, with
// workspaces for batches of up to batch examples, initialised like
// PyTorch's nn.Linear: weights and biases ~ U(−1/√fan_in, 1/√fan_in), drawn
// layer by layer, weights (row-major order of the in×out matrix) before
// biases.
func newMLP(dim int, hidden []int, classes int, act activation, loss lossKind, batch int, r *rand.Rand) *mlp {
	widths := append(append([]int{dim}, hidden...), classes)
	size := 0
	for l := 0; l+1 < len(widths); l++ {
		size += kernels.PackedLen(widths[l], widths[l+1]) + widths[l+1]
	}
	net := &mlp{act: act, loss: loss, params: make([]float32, size), grads: make([]float32, size)}
	off := 0
	for l := 0; l+1 < len(widths); l++ {
		in, out := widths[l], widths[l+1]
		wlen := kernels.PackedLen(in, out)
		ly := denseLayer{
			in: in, out: out,
			w: net.params[off : off+wlen], gw: net.grads[off : off+wlen],
			b: net.params[off+wlen : off+wlen+out], gb: net.grads[off+wlen : off+wlen+out],
		}
		off += wlen + out
		bound := 1 / math.Sqrt(float64(in))
		for i := range in {
			for j := range out {
				ly.w[kernels.PanelIndex(in, i, j)] = float32((2*r.Float64() - 1) * bound)
			}
		}
		for i := range ly.b {
			ly.b[i] = float32((2*r.Float64() - 1) * bound)
		}
		if l > 0 {
			ly.wT = make([]float32, kernels.PackedLen(out, in))
		}
		net.layers = append(net.layers, ly)
	}
	net.trainWS = net.newWorkspace(batch)
	net.evalWS = net.newWorkspace(evalChunk)
	return net
}

// classes is the width of the output layer.
func (net *mlp) classes() int { return net.layers[len(net.layers)-1].out }

// logical returns a copy of v (params or grads) in the plain order: per
// layer the in×out weights row-major, then the bias. Tests compare against
// references in that order.
func (net *mlp) logical(v []float32) []float32 {
	var out []float32
	off := 0
	for _, ly := range net.layers {
		for i := range ly.in {
			for j := range ly.out {
				out = append(out, v[off+kernels.PanelIndex(ly.in, i, j)])
			}
		}
		wlen := kernels.PackedLen(ly.in, ly.out)
		out = append(out, v[off+wlen:off+wlen+ly.out]...)
		off += wlen + ly.out
	}
	return out
}

// workspace holds the activations and output gradients of up to rows
// examples, so training steps and evaluation passes allocate nothing.
type workspace struct {
	rows int
	// outs[l] is layer l's output after its activation (the logits for the
	// last layer); it is layer l+1's input.
	outs [][]float32
	// deltas[l] is the gradient of the loss with respect to layer l's output
	// before its activation.
	deltas [][]float32
	// packedDelta holds a layer's deltas packed as the B operand of the
	// weight-gradient product.
	packedDelta []float32
}

func (net *mlp) newWorkspace(rows int) *workspace {
	ws := &workspace{rows: rows}
	maxPacked := 0
	for _, ly := range net.layers {
		ws.outs = append(ws.outs, make([]float32, rows*ly.out))
		ws.deltas = append(ws.deltas, make([]float32, rows*ly.out))
		maxPacked = max(maxPacked, kernels.PackedLen(rows, ly.out))
	}
	ws.packedDelta = make([]float32, maxPacked)
	return ws
}

// input returns layer l's input for m examples whose features are x.
func (ws *workspace) input(net *mlp, l int, x []float32, m int) []float32 {
	if l == 0 {
		return x[:m*net.layers[0].in]
	}
	return ws.outs[l-1][:m*net.layers[l].in]
}

// forward computes the logits of the m examples in x (m rows of features)
// into ws.outs[last]. Bias and ReLU are applied as the kernel stores each
// tile.
func (net *mlp) forward(ws *workspace, x []float32, m int) []float32 {
	last := len(net.layers) - 1
	for l, ly := range net.layers {
		in := ws.input(net, l, x, m)
		out := ws.outs[l][:m*ly.out]
		epi := kernels.Epilogue{Bias: ly.b}
		if l < last && net.act == relu {
			epi.Act = kernels.ActReLU
		}
		net.kern.GemmPacked(false, m, ly.out, ly.in, 1, in, ly.in, ly.w, 0, out, ly.out, false, epi)
		if l < last && net.act == tanh {
			for i, v := range out {
				out[i] = float32(math.Tanh(float64(v)))
			}
		}
	}
	return ws.outs[last][:m*net.classes()]
}

// transposeWeights sets every layer's wT (all but layer 0's) from its w.
// backward reads wT, so this must run whenever the weights have changed
// since it last ran: before every SGD step, but only once before a full pass,
// whose chunks all see the same weights.
func (net *mlp) transposeWeights() {
	for l := 1; l < len(net.layers); l++ {
		ly := &net.layers[l]
		kernels.TransposePacked(ly.wT, ly.in, ly.out, ly.w)
	}
}

// backward propagates ws.deltas[last] (the loss gradient with respect to the
// logits, set by the loss) through the network for the m examples whose
// features are x. The parameter gradients are sums over the m rows of
// deltas: the loss's scale decides whether that is a mean. It reads each
// layer's Wᵀ from wT, which transposeWeights must have set from the current
// weights.
//
// Without update it writes those gradients to net.grads. With update it adds
// them to the parameters instead: the caller has scaled the loss gradient by
// −η/b, so that sum is the SGD step. Each layer's input gradient is computed
// first, from the weights before the update, and then the weight-gradient
// product adds aᵀδ straight into the packed weights, so no gradient is
// stored and read back.
func (net *mlp) backward(ws *workspace, x []float32, m int, update bool) {
	for l := len(net.layers) - 1; l >= 0; l-- {
		ly := &net.layers[l]
		in := ws.input(net, l, x, m)
		delta := ws.deltas[l][:m*ly.out]
		if l > 0 {
			prev := ws.deltas[l-1][:m*ly.in]
			net.kern.GemmPacked(false, m, ly.in, ly.out, 1, delta, ly.out, ly.wT, 0, prev, ly.in, false, kernels.Epilogue{})
			net.activationGrad(prev, in)
		}
		kernels.PackB(ws.packedDelta, false, m, ly.out, delta, ly.out)
		if !update {
			net.kern.GemmPacked(true, ly.in, ly.out, m, 1, in, ly.in, ws.packedDelta, 0, ly.gw, 0, true, kernels.Epilogue{})
			kernels.ColSums(ly.gb, delta, m, ly.out, ly.out, 0)
			continue
		}
		net.kern.GemmPacked(true, ly.in, ly.out, m, 1, in, ly.in, ws.packedDelta, 1, ly.w, 0, true, kernels.Epilogue{})
		kernels.ColSums(ly.b, delta, m, ly.out, ly.out, 1)
	}
}

// activationGrad multiplies the gradient d with respect to an activation's
// output by its derivative, given the output h.
func (net *mlp) activationGrad(d, h []float32) {
	h = h[:len(d)]
	switch net.act {
	case relu:
		kernels.ReLUGrad(d, h)
	case tanh:
		kernels.TanhGrad(d, h)
	}
}
