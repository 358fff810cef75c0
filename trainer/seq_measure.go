package trainer

// seqNet's side of the network interface for the full passes (measure.go,
// hvp.go, curvature.go, sampled.go), in eval mode; every sum over examples
// is accumulated in float64 by the callers.

func (net *seqNet[F]) parameters() []F { return net.params }
func (net *seqNet[F]) gradients() []F  { return net.grads }
func (net *seqNet[F]) chunkSize() int  { return net.chunk }
func (net *seqNet[F]) inputDim() int   { return net.dim }

func (net *seqNet[F]) evalLoss(x []F, y []uint8, m int, grad bool) (sum float64, correct int) {
	logits := net.forward(x, m, false)
	if !grad {
		return lossEval(net.loss, logits, y, net.classes, m, 1, nil)
	}
	return net.lossGrad(logits, y, m, 1)
}

func (net *seqNet[F]) lossGrads(m int) []F { return net.ds[len(net.layers)-1][:m*net.classes] }

// prepareBackward has nothing to do: the layers read the parameters as
// they are.
func (net *seqNet[F]) prepareBackward() {}

func (net *seqNet[F]) paramGrads(x []F, m int) []F {
	net.backward(x, m, net.grads)
	return net.grads
}

// exampleSqNorms adds up each layer's sqNorms.
func (net *seqNet[F]) exampleSqNorms(x []F, m int, acc []float64) {
	clear(acc[:m])
	for l, layer := range net.layers {
		layer.sqNorms(&net.la, net.layerParams(net.params, l), net.layerInput(x, l, m), net.acts[l], net.ds[l], m, acc)
	}
}

// hvpChunks gives a chunk's H·v by Pearlmutter's R-operator through every
// layer (see the layers' rForward and rBackward, and lossRDelta).
func (net *seqNet[F]) hvpChunks(v []F) func(x []F, y []uint8, m int) []F {
	if net.racts == nil {
		for _, l := range net.layers {
			net.racts = append(net.racts, make([]F, net.rows*l.outLen()))
			net.rds = append(net.rds, make([]F, net.rows*l.outLen()))
		}
		net.hv = make([]F, len(net.params))
	}
	last := len(net.layers) - 1
	return func(x []F, y []uint8, m int) []F {
		logits := net.forward(x, m, false)
		net.lossGrad(logits, y, m, 1)
		net.backward(x, m, nil)
		var rx []F // the input does not move with the parameters
		for l, layer := range net.layers {
			p, vl := net.layerParams(net.params, l), net.layerParams(v, l)
			layer.rForward(&net.la, p, vl, net.layerInput(x, l, m), rx, net.acts[l], m, net.racts[l])
			rx = net.racts[l][:m*layer.outLen()]
		}
		lossRDelta(net.loss, logits, net.racts[last], net.classes, m, net.rds[last])
		for l := last; l >= 0; l-- {
			layer := net.layers[l]
			var rxl, rdx []F
			if l > 0 {
				rxl, rdx = net.racts[l-1], net.rds[l-1]
			}
			p, vl := net.layerParams(net.params, l), net.layerParams(v, l)
			layer.rBackward(&net.la, p, vl, net.layerInput(x, l, m), rxl, net.acts[l], net.racts[l], net.ds[l], net.rds[l], m, net.layerParams(net.hv, l), rdx)
		}
		return net.hv
	}
}

// zeroPadding has nothing to clear: every entry is a parameter.
func (net *seqNet[F]) zeroPadding([]F) {}
