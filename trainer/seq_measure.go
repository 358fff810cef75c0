package trainer

import (
	"context"
	"math/rand/v2"

	"github.com/lssr/lssr/dataset"
)

// The full passes of a seqNet, in eval mode. They mirror run's passes for
// the MLP (measure.go, hvp.go, curvature.go): every sum over examples
// accumulates in float64.

// pass evaluates the network on split, net.chunk examples at a time. With
// gradSum (len(params)) it also sets gradSum to Σ_i ∇ℓ_i and returns in
// passStats ‖∇L‖² and tr(S_1), the per-example norms coming from each
// layer's sqNorms.
func (net *seqNet[F]) pass(ctx context.Context, split dataset.Split, gradSum []float64) (passStats, error) {
	var st passStats
	if split.N == 0 {
		return st, nil
	}
	clear(gradSum)
	var lossSum, sqSum float64
	var correct int
	err := net.chunks(ctx, split, func(x []F, y []uint8, m int) {
		l, c := net.lossGrad(net.forward(x, m, false), y, m, 1)
		lossSum += l
		correct += c
		if gradSum == nil {
			return
		}
		net.backward(x, m, net.grads)
		addTo64(gradSum, net.grads)
		acc := net.acc[:m]
		clear(acc)
		for l, layer := range net.layers {
			ly := net.layerInput(x, l, m)
			layer.sqNorms(&net.la, net.layerParams(net.params, l), ly, net.ds[l], m, acc)
		}
		for _, s := range acc {
			sqSum += s
		}
	})
	if err != nil {
		return passStats{}, err
	}
	n := float64(split.N)
	st.loss, st.acc = lossSum/n, float64(correct)/n
	if gradSum != nil {
		for _, g := range gradSum {
			st.gradSqNorm += (g / n) * (g / n)
		}
		st.trS1 = sqSum / n
	}
	return st, nil
}

// chunks calls fn on split's examples, net.chunk at a time, as F features.
func (net *seqNet[F]) chunks(ctx context.Context, split dataset.Split, fn func(x []F, y []uint8, m int)) error {
	for start := 0; start < split.N; start += net.chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := min(net.chunk, split.N-start)
		fn(net.input(split.X[start*net.dim:], m), split.Y[start:start+m], m)
	}
	return nil
}

// hessianVector sets out = H·v, H the Hessian of the mean loss over split
// in eval mode, by Pearlmutter's R-operator through every layer (see the
// layers' rForward and rBackward and lossRDelta).
func (net *seqNet[F]) hessianVector(ctx context.Context, split dataset.Split, v []F, out []float64) error {
	if net.racts == nil {
		for _, l := range net.layers {
			net.racts = append(net.racts, make([]F, net.rows*l.outLen()))
			net.rds = append(net.rds, make([]F, net.rows*l.outLen()))
		}
		net.hv = make([]F, len(net.params))
	}
	clear(out)
	last := len(net.layers) - 1
	err := net.chunks(ctx, split, func(x []F, y []uint8, m int) {
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
		addTo64(out, net.hv)
	})
	if err != nil {
		return err
	}
	inv := 1 / float64(split.N)
	for i := range out {
		out[i] *= inv
	}
	return nil
}

// signedGradientSum sets sum to Σ_i r_i∇ℓ_i over split with signs r_i = ±1
// from the PCG stream of seed, in the order run.signedGradientSum draws
// them.
func (net *seqNet[F]) signedGradientSum(ctx context.Context, split dataset.Split, seed uint64, sum []float64) error {
	signs := newRand(seed, streamRademacher)
	clear(sum)
	top := net.ds[len(net.layers)-1]
	return net.chunks(ctx, split, func(x []F, y []uint8, m int) {
		net.lossGrad(net.forward(x, m, false), y, m, 1)
		for i := range m {
			if signs.Uint64()&1 == 1 {
				row := top[i*net.classes : (i+1)*net.classes]
				for j := range row {
					row[j] = -row[j]
				}
			}
		}
		net.backward(x, m, net.grads)
		addTo64(sum, net.grads)
	})
}

// batchGradientSum sets sum to Σ_{i∈idx} ∇ℓ_i over examples of split.
func (net *seqNet[F]) batchGradientSum(ctx context.Context, split dataset.Split, idx []int, sum []float64) error {
	clear(sum)
	x := make([]float32, net.chunk*net.dim)
	y := make([]uint8, net.chunk)
	for start := 0; start < len(idx); start += net.chunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		m := min(net.chunk, len(idx)-start)
		for j, i := range idx[start : start+m] {
			copy(x[j*net.dim:(j+1)*net.dim], split.X[i*net.dim:(i+1)*net.dim])
			y[j] = split.Y[i]
		}
		in := net.input(x, m)
		net.lossGrad(net.forward(in, m, false), y[:m], m, 1)
		net.backward(in, m, net.grads)
		addTo64(sum, net.grads)
	}
	return nil
}

// hessianOps returns the network's passes over split for the Hessian
// statistics; seed fixes λ1's random start.
func (net *seqNet[F]) hessianOps(split dataset.Split, seed uint64) hessianOps[F] {
	return hessianOps[F]{
		n: float64(split.N), params: len(net.params),
		hvp: func(ctx context.Context, v []F, out []float64) error {
			return net.hessianVector(ctx, split, v, out)
		},
		signedSum: func(ctx context.Context, seed uint64, sum []float64) error {
			return net.signedGradientSum(ctx, split, seed, sum)
		},
		random: func(rng *rand.Rand, v []F) {
			for i := range v {
				v[i] = F(rng.NormFloat64())
			}
		},
		eigenSeed: seed,
	}
}
