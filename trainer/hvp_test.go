package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/trainer/kernels"
)

// packedOf maps a vector in the logical order of net.logical to the
// network's parameter layout.
func packedOf(net *mlp, logical []float64) []float32 {
	out := make([]float32, len(net.params))
	off, k := 0, 0
	for _, ly := range net.layers {
		for i := range ly.in {
			for j := range ly.out {
				out[off+kernels.PanelIndex(ly.in, i, j)] = float32(logical[k])
				k++
			}
		}
		wlen := kernels.PackedLen(ly.in, ly.out)
		for j := range ly.out {
			out[off+wlen+j] = float32(logical[k])
			k++
		}
		off += wlen + ly.out
	}
	return out
}

func logical64(net *mlp, v []float64) []float64 {
	f := make([]float32, len(v))
	for i, e := range v {
		f[i] = float32(e)
	}
	l := net.logical(f)
	out := make([]float64, len(l))
	for i, e := range l {
		out[i] = float64(e)
	}
	return out
}

// meanRefGrad is ∇L over the whole training split by the float64 reference.
func meanRefGrad(rn refNet, theta []float64, split dataset.Split, dim int) []float64 {
	g := make([]float64, len(theta))
	for i := range split.N {
		for k, e := range rn.exampleGrad(theta, split.X[i*dim:(i+1)*dim], split.Y[i]) {
			g[k] += e / float64(split.N)
		}
	}
	return g
}

// TestHessianVectorMatchesFiniteDifferences checks the R-op Hv (float32)
// against central differences of the float64 reference gradient on smooth
// tanh models, where finite differences are trustworthy.
func TestHessianVectorMatchesFiniteDifferences(t *testing.T) {
	for _, c := range []struct {
		hidden []int
		loss   lssr.Loss
	}{{[]int{6, 5}, lssr.LossCrossEntropy}, {[]int{6}, lssr.LossMSE}, {nil, lssr.LossCrossEntropy}} {
		t.Run(fmt.Sprintf("%v/%s", c.hidden, c.loss), func(t *testing.T) {
			r := smallRun(t, 20, 4, c.hidden, "tanh", c.loss, lssr.SamplingWithout)
			theta := toFloat64(r.fused().logical(r.net.parameters()))
			rng := rand.New(rand.NewPCG(7, 8))
			v := make([]float64, len(theta))
			for i := range v {
				v[i] = rng.NormFloat64()
			}
			hv := make([]float64, len(r.net.parameters()))
			if err := hessianVector(context.Background(), r.net, r.data.Train, packedOf(r.fused(), v), hv); err != nil {
				t.Fatal(err)
			}
			got := logical64(r.fused(), hv)
			rn := refOf(r.fused(), r.cfg.loss)
			const eps = 1e-4
			plus, minus := make([]float64, len(theta)), make([]float64, len(theta))
			for i := range theta {
				plus[i], minus[i] = theta[i]+eps*v[i], theta[i]-eps*v[i]
			}
			gp := meanRefGrad(rn, plus, r.data.Train, r.data.Dim)
			gm := meanRefGrad(rn, minus, r.data.Train, r.data.Dim)
			var diff, norm float64
			for i := range got {
				want := (gp[i] - gm[i]) / (2 * eps)
				diff += (got[i] - want) * (got[i] - want)
				norm += want * want
			}
			e := math.Sqrt(diff / norm)
			t.Logf("‖Hv − Hv_fd‖/‖Hv_fd‖ = %.2g", e)
			if e > 1e-5 {
				t.Errorf("‖Hv − Hv_fd‖/‖Hv_fd‖ = %.2g, want ≤ 1e-5", e)
			}
		})
	}
}

// TestHessianIsSymmetric checks uᵀHv = vᵀHu on ReLU models, whose kinks make
// finite differences useless but leave the R-op exact.
func TestHessianIsSymmetric(t *testing.T) {
	for _, loss := range []lssr.Loss{lssr.LossCrossEntropy, lssr.LossMSE} {
		r := smallRun(t, 30, 4, []int{12, 9}, "relu", loss, lssr.SamplingWithout)
		rng := rand.New(rand.NewPCG(9, 10))
		u, v := make([]float32, len(r.net.parameters())), make([]float32, len(r.net.parameters()))
		for i := range u {
			u[i], v[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		r.net.zeroPadding(u)
		r.net.zeroPadding(v)
		hu, hv := make([]float64, len(u)), make([]float64, len(v))
		ctx := context.Background()
		if err := hessianVector(ctx, r.net, r.data.Train, u, hu); err != nil {
			t.Fatal(err)
		}
		if err := hessianVector(ctx, r.net, r.data.Train, v, hv); err != nil {
			t.Fatal(err)
		}
		var uHv, vHu, scale float64
		for i := range u {
			uHv += float64(u[i]) * hv[i]
			vHu += float64(v[i]) * hu[i]
			scale += math.Abs(float64(u[i]) * hv[i])
		}
		if math.Abs(uHv-vHu) > 1e-5*scale {
			t.Errorf("%s: uᵀHv = %.8g, vᵀHu = %.8g", loss, uHv, vHu)
		}
	}
}
