package trainer

import (
	"math"

	"github.com/lssr/lssr"
)

// lossKind is the training objective.
type lossKind int

const (
	crossEntropy lossKind = iota // softmax cross-entropy
	mse                          // 0.5‖f(x) − onehot(y)‖², as in the paper
)

func parseLoss(name lssr.Loss) (lossKind, error) {
	switch name {
	case lssr.LossCrossEntropy:
		return crossEntropy, nil
	case lssr.LossMSE:
		return mse, nil
	}
	return 0, lssr.BadInput("loss: unknown loss %q (want %s)", name, lssr.OneOf(lssr.Losses()))
}

// eval computes the losses of m examples from their logits (m rows of
// classes values) and labels. It returns the sum of the per-example losses
// and how many examples the argmax classifies correctly. When delta is not
// nil it receives scale·∂ℓ_i/∂logits for every example i: scale 1/m gives the
// gradient of the batch mean, scale 1 the per-example gradients. Everything
// per row runs in float64, with a log-sum-exp shifted by the row's maximum.
func (k lossKind) eval(logits []float32, labels []uint8, classes, m int, scale float64, delta []float32) (sum float64, correct int) {
	return lossEval(k, logits, labels, classes, m, scale, delta)
}

// lossEval is lossKind.eval for either float type.
func lossEval[F float](k lossKind, logits []F, labels []uint8, classes, m int, scale float64, delta []F) (sum float64, correct int) {
	for i := range m {
		z := logits[i*classes : (i+1)*classes]
		y := int(labels[i])
		best := 0
		for j, v := range z {
			if v > z[best] {
				best = j
			}
		}
		if best == y {
			correct++
		}
		var d []F
		if delta != nil {
			d = delta[i*classes : (i+1)*classes]
		}
		switch k {
		case crossEntropy:
			zmax := float64(z[best])
			var s float64
			for _, v := range z {
				s += math.Exp(float64(v) - zmax)
			}
			lse := zmax + math.Log(s)
			sum += lse - float64(z[y])
			for j := range d {
				p := math.Exp(float64(z[j])-zmax) / s
				if j == y {
					p--
				}
				d[j] = F(scale * p)
			}
		case mse:
			for j, v := range z {
				r := float64(v)
				if j == y {
					r--
				}
				sum += 0.5 * r * r
				if d != nil {
					d[j] = F(scale * r)
				}
			}
		}
	}
	return sum, correct
}
