package trainer

import (
	"context"
	"github.com/lssr/lssr/dataset"
	"math"
	"math/rand/v2"
)

// hessianVector sets out = H·v, H the Hessian of the mean loss over split
// and v a direction in parameter layout, by Pearlmutter's R-operator
// through the network (hvpChunks): exact up to the rounding of F, also at
// ReLU kinks, where finite differences fail. Sums over examples accumulate
// in float64.
func hessianVector[F float](ctx context.Context, net network[F], split dataset.Split, v []F, out []float64) error {
	chunk := net.hvpChunks(v)
	clear(out)
	err := chunks(ctx, net, split, nil, func(x []F, y []uint8, m int) {
		addTo64(out, chunk(x, y, m))
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

// rDelta writes, for m examples, the R-op of the loss gradient with respect
// to the logits along the direction rz of the logits: rz itself for MSE,
// p⊙(rz − ⟨p, rz⟩) for softmax cross-entropy (the softmax Jacobian times
// rz), with p computed in float64 as in eval.
func (k lossKind) rDelta(logits, rz []float32, classes, m int, out []float32) {
	lossRDelta(k, logits, rz, classes, m, out)
}

// lossRDelta is lossKind.rDelta for either float type.
func lossRDelta[F float](k lossKind, logits, rz []F, classes, m int, out []F) {
	if k == mse {
		copy(out[:m*classes], rz[:m*classes])
		return
	}
	for i := range m {
		z := logits[i*classes : (i+1)*classes]
		d := rz[i*classes : (i+1)*classes]
		o := out[i*classes : (i+1)*classes]
		zmax := float64(z[0])
		for _, v := range z {
			zmax = math.Max(zmax, float64(v))
		}
		var s, dot float64
		for _, v := range z {
			s += math.Exp(float64(v) - zmax)
		}
		for j, v := range z {
			dot += math.Exp(float64(v)-zmax) / s * float64(d[j])
		}
		for j, v := range z {
			p := math.Exp(float64(v)-zmax) / s
			o[j] = F(p * (float64(d[j]) - dot))
		}
	}
}

// newHessianOps returns net's passes over split for the Hessian statistics;
// eigenSeed fixes λ1's random start.
func newHessianOps[F float](net network[F], split dataset.Split, eigenSeed uint64) hessianOps[F] {
	return hessianOps[F]{
		n: float64(split.N), params: len(net.parameters()),
		hvp: func(ctx context.Context, v []F, out []float64) error {
			return hessianVector(ctx, net, split, v, out)
		},
		signedSum: func(ctx context.Context, seed uint64, sum []float64) error {
			return signedGradientSum(ctx, net, split, seed, sum)
		},
		random: func(rng *rand.Rand, v []F) {
			for i := range v {
				v[i] = F(rng.NormFloat64())
			}
			net.zeroPadding(v)
		},
		eigenSeed: eigenSeed,
	}
}

// hessianOps returns the run's passes over split for the Hessian
// statistics; λ1's random start comes from the job's seed.
func (r *run) hessianOps(split dataset.Split) hessianOps[float32] {
	return newHessianOps(r.net, split, r.cfg.seed)
}

// topEigen is hessianOps.topEigen over split.
func (r *run) topEigen(ctx context.Context, split dataset.Split, v0 []float32, eig lanczosSpec) (lanczosResult, []float32, error) {
	return r.hessianOps(split).topEigen(ctx, v0, eig)
}
