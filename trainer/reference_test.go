package trainer

import (
	"math"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// refNet is a float64 re-implementation of the MLP, written from the
// documented parameter layout only (per layer: weights in×out row-major, then
// the bias), to check the trainer's float32 forward and backward passes.
type refNet struct {
	widths []int
	act    activation
	loss   lossKind
}

// fused is r's network as the fused MLP, for tests that read its layout.
func (r *run) fused() *mlp { return r.net.(*mlp) }

func refOf(net *mlp, loss lossKind) refNet {
	widths := []int{net.layers[0].in}
	for _, ly := range net.layers {
		widths = append(widths, ly.out)
	}
	return refNet{widths: widths, act: net.act, loss: loss}
}

func toFloat64(xs []float32) []float64 {
	out := make([]float64, len(xs))
	for i, v := range xs {
		out[i] = float64(v)
	}
	return out
}

// exampleLoss is ℓ(x, y; θ) in float64.
func (rn refNet) exampleLoss(theta []float64, x []float32, y uint8) float64 {
	a := toFloat64(x)
	off := 0
	for l := 0; l+1 < len(rn.widths); l++ {
		in, out := rn.widths[l], rn.widths[l+1]
		w, b := theta[off:off+in*out], theta[off+in*out:off+in*out+out]
		off += in*out + out
		z := make([]float64, out)
		for j := range z {
			z[j] = b[j]
			for p := 0; p < in; p++ {
				z[j] += a[p] * w[p*out+j]
			}
			if l+2 < len(rn.widths) {
				if rn.act == tanh {
					z[j] = math.Tanh(z[j])
				} else {
					z[j] = math.Max(z[j], 0)
				}
			}
		}
		a = z
	}
	if rn.loss == mse {
		var s float64
		for j, v := range a {
			if j == int(y) {
				v--
			}
			s += 0.5 * v * v
		}
		return s
	}
	var s float64
	for _, v := range a {
		s += math.Exp(v)
	}
	return math.Log(s) - a[y]
}

// exampleGrad is ∇ℓ(x, y; θ) by central finite differences in float64.
func (rn refNet) exampleGrad(theta []float64, x []float32, y uint8) []float64 {
	const h = 1e-5
	g := make([]float64, len(theta))
	t := append([]float64(nil), theta...)
	for k := range t {
		t[k] = theta[k] + h
		up := rn.exampleLoss(t, x, y)
		t[k] = theta[k] - h
		down := rn.exampleLoss(t, x, y)
		t[k] = theta[k]
		g[k] = (up - down) / (2 * h)
	}
	return g
}

// refGradStats materialises every per-example gradient of split and returns
// ‖∇L‖², tr(S_1) and the per-example gradients.
func (rn refNet) refGradStats(theta []float64, split dataset.Split, dim int) (gradSqNorm, trS1 float64, grads [][]float64) {
	mean := make([]float64, len(theta))
	for i := range split.N {
		g := rn.exampleGrad(theta, split.X[i*dim:(i+1)*dim], split.Y[i])
		grads = append(grads, g)
		for k, v := range g {
			mean[k] += v / float64(split.N)
			trS1 += v * v / float64(split.N)
		}
	}
	for _, v := range mean {
		gradSqNorm += v * v
	}
	return gradSqNorm, trS1, grads
}

// smallRun builds a run on a small synthetic set without training it.
func smallRun(t *testing.T, n, b int, hidden []int, act lssr.Activation, loss lssr.Loss, sampling lssr.Sampling) *run {
	t.Helper()
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: n, TestN: 8, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	job := lssr.Job{
		Dataset: lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: n},
		Model:   lssr.ModelSpec{Kind: "mlp", Hidden: hidden, Activation: act},
		Loss:    loss, BatchSize: b, LR: 0.1, Seed: 11,
		Training: lssr.TrainingSpec{Epochs: 1, Sampling: sampling},
	}
	cfg, err := parseJob(job, data)
	if err != nil {
		t.Fatal(err)
	}
	return newRun(cfg, data)
}
