package trainer

import (
	"math"
	"math/rand/v2"

	"github.com/lssr/lssr/trainer/kernels"
)

// activation is the hidden layers' nonlinearity.
type activation int

const (
	relu activation = iota
	tanh
)

// denseLayer is y = a·W + bias. Its slices are views into the network's flat
// parameter and gradient vectors.
type denseLayer struct {
	in, out int
	w, b    []float32 // w is in×out row-major: w[p*out+j] joins input p to unit j
	gw, gb  []float32 // gradients of w and b, same layout
}

// mlp is a multilayer perceptron: dense layers with the activation between
// them and none after the last (its outputs are the logits).
type mlp struct {
	layers []denseLayer
	act    activation
	// params and grads hold every weight and bias, layer by layer (weights
	// then bias), so an SGD step is one Axpy.
	params, grads []float32
}

// newMLP builds a dim → hidden... → classes network initialised like
// PyTorch's nn.Linear: weights and biases ~ U(−1/√fan_in, 1/√fan_in), drawn
// layer by layer, weights (row-major in our layout) before biases.
func newMLP(dim int, hidden []int, classes int, act activation, r *rand.Rand) *mlp {
	widths := append(append([]int{dim}, hidden...), classes)
	size := 0
	for l := 0; l+1 < len(widths); l++ {
		size += widths[l]*widths[l+1] + widths[l+1]
	}
	net := &mlp{act: act, params: make([]float32, size), grads: make([]float32, size)}
	off := 0
	for l := 0; l+1 < len(widths); l++ {
		in, out := widths[l], widths[l+1]
		ly := denseLayer{
			in: in, out: out,
			w: net.params[off : off+in*out], gw: net.grads[off : off+in*out],
			b: net.params[off+in*out : off+in*out+out], gb: net.grads[off+in*out : off+in*out+out],
		}
		off += in*out + out
		bound := 1 / math.Sqrt(float64(in))
		for i := range ly.w {
			ly.w[i] = float32((2*r.Float64() - 1) * bound)
		}
		for i := range ly.b {
			ly.b[i] = float32((2*r.Float64() - 1) * bound)
		}
		net.layers = append(net.layers, ly)
	}
	return net
}

// classes is the width of the output layer.
func (net *mlp) classes() int { return net.layers[len(net.layers)-1].out }

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
}

func (net *mlp) newWorkspace(rows int) *workspace {
	ws := &workspace{rows: rows}
	for _, ly := range net.layers {
		ws.outs = append(ws.outs, make([]float32, rows*ly.out))
		ws.deltas = append(ws.deltas, make([]float32, rows*ly.out))
	}
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
// into ws.outs[last].
func (net *mlp) forward(ws *workspace, x []float32, m int) []float32 {
	last := len(net.layers) - 1
	for l, ly := range net.layers {
		in := ws.input(net, l, x, m)
		out := ws.outs[l][:m*ly.out]
		for i := range m {
			copy(out[i*ly.out:(i+1)*ly.out], ly.b)
		}
		kernels.Gemm(false, false, m, ly.out, ly.in, 1, in, ly.in, ly.w, ly.out, 1, out, ly.out)
		if l < last {
			net.activate(out)
		}
	}
	return ws.outs[last][:m*net.classes()]
}

func (net *mlp) activate(z []float32) {
	switch net.act {
	case relu:
		for i, v := range z {
			if v <= 0 { // NaN stays NaN, so divergence shows in the loss
				z[i] = 0
			}
		}
	case tanh:
		for i, v := range z {
			z[i] = float32(math.Tanh(float64(v)))
		}
	}
}

// backward turns ws.deltas[last] (the loss gradient with respect to the
// logits, set by the loss) into the parameter gradients net.grads, for the m
// examples whose features are x. The gradients are sums over the m rows of
// deltas: the loss's scale decides whether that is a mean.
func (net *mlp) backward(ws *workspace, x []float32, m int) {
	for l := len(net.layers) - 1; l >= 0; l-- {
		ly := net.layers[l]
		in := ws.input(net, l, x, m)
		delta := ws.deltas[l][:m*ly.out]
		kernels.Gemm(true, false, ly.in, ly.out, m, 1, in, ly.in, delta, ly.out, 0, ly.gw, ly.out)
		clear(ly.gb)
		for i := range m {
			kernels.Axpy(1, delta[i*ly.out:(i+1)*ly.out], ly.gb)
		}
		if l == 0 {
			break
		}
		prev := ws.deltas[l-1][:m*ly.in]
		kernels.Gemm(false, true, m, ly.in, ly.out, 1, delta, ly.out, ly.w, ly.out, 0, prev, ly.in)
		net.activationGrad(prev, in)
	}
}

// activationGrad multiplies the gradient d with respect to an activation's
// output by its derivative, given the output h.
func (net *mlp) activationGrad(d, h []float32) {
	h = h[:len(d)]
	switch net.act {
	case relu:
		for i, v := range h {
			if !(v > 0) {
				d[i] = 0
			}
		}
	case tanh:
		for i, v := range h {
			d[i] *= 1 - v*v
		}
	}
}
