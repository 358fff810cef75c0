package trainer

import "github.com/lssr/lssr/trainer/kernels"

// The fused MLP's side of the network interface: thin wrappers around its
// forward and backward passes, on trainWS for training batches and on
// evalWS for the chunks of a full pass.

func (net *mlp) parameters() []float32 { return net.params }
func (net *mlp) gradients() []float32  { return net.grads }

// step fuses the SGD update into the backward pass: the loss gradient is
// scaled by −η/m instead of 1/m, and since backprop is linear in it, every
// layer's δ then is −η times its gradient, which the weight-gradient
// product adds straight into the weights.
func (net *mlp) step(x []float32, y []uint8, m int, lr float64) (loss float64, correct int) {
	loss, correct = net.trainLoss(x, y, m, -lr/float64(m))
	if finite(loss) {
		net.transposeWeights()
		net.backward(net.trainWS, x, m, true)
	}
	return loss, correct
}

func (net *mlp) gradient(x []float32, y []uint8, m int) (loss float64, correct int) {
	loss, correct = net.trainLoss(x, y, m, 1/float64(m))
	net.transposeWeights()
	net.backward(net.trainWS, x, m, false)
	return loss, correct
}

// trainLoss runs a training batch forward and through the loss, leaving
// scale times the gradient of the summed loss with respect to the logits
// in trainWS, and returns the mean loss and how many are classified right.
func (net *mlp) trainLoss(x []float32, y []uint8, m int, scale float64) (loss float64, correct int) {
	logits := net.forward(net.trainWS, x, m)
	last := len(net.layers) - 1
	sum, correct := net.loss.eval(logits, y, net.classes(), m, scale, net.trainWS.deltas[last])
	return sum / float64(m), correct
}

func (net *mlp) chunkSize() int                              { return evalChunk }
func (net *mlp) inputDim() int                               { return net.layers[0].in }
func (net *mlp) input(x []float32, m int) []float32          { return x[:m*net.inputDim()] }
func (net *mlp) norms() (idx []int, bns []*bnLayer[float32]) { return nil, nil }

func (net *mlp) evalLoss(x []float32, y []uint8, m int, grad bool) (sum float64, correct int) {
	logits := net.forward(net.evalWS, x, m)
	var delta []float32
	if grad {
		delta = net.lossGrads(m)
	}
	return net.loss.eval(logits, y, net.classes(), m, 1, delta)
}

func (net *mlp) lossGrads(m int) []float32 {
	return net.evalWS.deltas[len(net.layers)-1][:m*net.classes()]
}

// prepareBackward sets the transposed weights backward reads.
func (net *mlp) prepareBackward() { net.transposeWeights() }

func (net *mlp) paramGrads(x []float32, m int) []float32 {
	net.backward(net.evalWS, x, m, false)
	return net.grads
}

func (net *mlp) exampleSqNorms(x []float32, m int, acc []float64) {
	for i := range m {
		acc[i] = perExampleSqNorm(net, net.evalWS, x, i)
	}
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
