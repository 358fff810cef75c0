package trainer

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/testutil"
	"gonum.org/v1/gonum/mat"
)

// explicitHessian builds the p×p Hessian column by column from exact
// Hessian-vector products hv(e_j), and symmetrises it.
func explicitHessian(t *testing.T, p int, hv func(v []float64) ([]float64, error)) *mat.SymDense {
	t.Helper()
	cols := make([][]float64, p)
	for j := range p {
		e := make([]float64, p)
		e[j] = 1
		col, err := hv(e)
		if err != nil {
			t.Fatal(err)
		}
		cols[j] = col
	}
	h := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			h.SetSym(i, j, (cols[i][j]+cols[j][i])/2)
		}
	}
	return h
}

// runHessian is the explicit Hessian of r's mean loss over its training
// split, in the logical parameter order for the fused MLP.
func runHessian(t *testing.T, r *run) *mat.SymDense {
	t.Helper()
	ctx, split := context.Background(), r.data.Train
	if net, ok := r.net.(*seqNet[float32]); ok {
		return seqHessian(t, net, split)
	}
	hv := make([]float64, len(r.net.parameters()))
	return explicitHessian(t, len(r.fused().logical(r.net.parameters())), func(v []float64) ([]float64, error) {
		err := hessianVector(ctx, r.net, split, packedOf(r.fused(), v), hv)
		return logical64(r.fused(), hv), err
	})
}

// seqHessian is the explicit Hessian of a layer list's mean loss over split.
func seqHessian[F float](t *testing.T, net *seqNet[F], split dataset.Split) *mat.SymDense {
	t.Helper()
	vf := make([]F, len(net.params))
	return explicitHessian(t, len(net.params), func(v []float64) ([]float64, error) {
		for i, e := range v {
			vf[i] = F(e)
		}
		hv := make([]float64, len(v))
		return hv, hessianVector(context.Background(), net, split, vf, hv)
	})
}

// denseTop is the k largest eigenvalues of h, largest first, by gonum's
// dense symmetric eigendecomposition.
func denseTop(t *testing.T, h *mat.SymDense, k int) []float64 {
	t.Helper()
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		t.Fatal("eigendecomposition failed")
	}
	v := eig.Values(nil)
	slices.Reverse(v)
	return v[:k]
}

// trainedRun is smallRun moved off its initial point by a few SGD steps.
func trainedRun(t *testing.T, hidden []int, act lssr.Activation, loss lssr.Loss) *run {
	r := smallRun(t, 24, 4, hidden, act, loss, lssr.SamplingWithout)
	for s := range 4 {
		r.step(r.perm[s*4 : s*4+4])
	}
	return r
}

// hessianCase is a network whose Hessian is small enough to build: its
// explicit Hessian, and its Lanczos run.
type hessianCase struct {
	name    string
	explain func(t *testing.T) (*mat.SymDense, func(lanczosSpec) (lanczosResult, error))
}

func runCase(name string, mk func(t *testing.T) *run) hessianCase {
	return hessianCase{name, func(t *testing.T) (*mat.SymDense, func(lanczosSpec) (lanczosResult, error)) {
		r := mk(t)
		return runHessian(t, r), func(s lanczosSpec) (lanczosResult, error) {
			res, _, err := r.topEigen(context.Background(), r.data.Train, nil, s)
			return res, err
		}
	}}
}

func fixtureCase(file string) hessianCase {
	return hessianCase{file + " (float64 layers)", func(t *testing.T) (*mat.SymDense, func(lanczosSpec) (lanczosResult, error)) {
		fx := loadSeqFixture[float64](t, "testdata/torch/"+file+".safetensors")
		return seqHessian(t, fx.net, fx.split), func(s lanczosSpec) (lanczosResult, error) {
			res, _, err := newHessianOps(fx.net, fx.split, 1).topEigen(context.Background(), nil, s)
			return res, err
		}
	}}
}

var hessianCases = []hessianCase{
	runCase("mlp 5-5-3 tanh cross-entropy", func(t *testing.T) *run { return trainedRun(t, []int{5}, "tanh", lssr.LossCrossEntropy) }),
	runCase("mlp 5-8-6-3 relu cross-entropy", func(t *testing.T) *run { return trainedRun(t, []int{8, 6}, "relu", lssr.LossCrossEntropy) }),
	runCase("mlp 5-6-4-3 tanh mse", func(t *testing.T) *run { return trainedRun(t, []int{6, 4}, "tanh", lssr.LossMSE) }),
	runCase("mlp 5-6-3 relu mse", func(t *testing.T) *run { return trainedRun(t, []int{6}, "relu", lssr.LossMSE) }),
	runCase("cnn 3c-6-4 tanh batch norm (float32 layers)", func(t *testing.T) *run {
		r := cnnRun(t, 16, lssr.SamplingWithout)
		for s := range 2 {
			r.step(r.perm[s*8 : s*8+8])
		}
		return r
	}),
	fixtureCase("cnn_relu_ce"),
	fixtureCase("mlp_bn_tanh_mse"),
}

// TestTopEigenMatchesExplicitHessian checks λ1 and the top 3 eigenvalues
// by Lanczos at the default tolerance of lssr measure against a dense
// eigendecomposition of the explicit Hessian built from the same exact
// products: float32 MLPs (tanh and ReLU, cross-entropy and MSE), a float32
// CNN with batch norm, and float64 layer lists. Each must be within 1e-6
// relative.
func TestTopEigenMatchesExplicitHessian(t *testing.T) {
	for _, c := range hessianCases {
		t.Run(c.name, func(t *testing.T) {
			h, top := c.explain(t)
			want := denseTop(t, h, 3)
			for _, k := range []int{1, 3} {
				res, err := top(lanczosSpec{topK: k, tol: DefaultEigenTol, maxHVPs: MaxEigenHVPs})
				if err != nil {
					t.Fatal(err)
				}
				if !res.converged || len(res.values) != k {
					t.Fatalf("top %d: converged %v with %d values", k, res.converged, len(res.values))
				}
				errs := make([]float64, k)
				for i := range k {
					errs[i] = testutil.RelErr(res.values[i], want[i])
					if errs[i] > 1e-6 {
						t.Errorf("top %d: θ_%d = %.10g, explicit Hessian %.10g: relative error %.2g > 1e-6", k, i+1, res.values[i], want[i], errs[i])
					}
				}
				t.Logf("%d parameters, top %d: %.8g (explicit %.8g), relative errors %.2g, bounds %.2g, %d products",
					h.SymmetricDim(), k, res.values, want[:k], errs, res.residuals, res.hvps)
			}
		})
	}
}

// powerIteration is how lssr measured λ1 before the Lanczos method: power
// iteration on exact products from the same seeded start, stopping when the
// Rayleigh quotient changes by less than tol relative (as PyHessian does).
// It finds the eigenvalue of largest magnitude. Kept to compare with.
func powerIteration[F float](t testing.TB, o hessianOps[F], tol float64, maxIter int) (lambda float64, iters int) {
	v := make([]F, o.params)
	o.random(newRand(o.eigenSeed, streamEigen), v)
	x := make([]float64, o.params)
	hv := make([]float64, o.params)
	for i, e := range v {
		x[i] = float64(e)
	}
	prev := math.NaN()
	for iters = 1; iters <= maxIter; iters++ {
		if !normalize(x) {
			break
		}
		for i, e := range x {
			v[i] = F(e)
		}
		if err := o.hvp(context.Background(), v, hv); err != nil {
			t.Fatal(err)
		}
		lambda = 0
		for i, e := range hv {
			lambda += float64(v[i]) * e
		}
		copy(x, hv)
		if math.Abs(lambda-prev) <= tol*math.Abs(lambda) {
			break
		}
		prev = lambda
	}
	return lambda, min(iters, maxIter)
}

// TestLanczosAgainstPowerIteration is the comparison behind the switch to
// Lanczos: on three random MLPs, λ1 by power iteration stopped at a
// relative change of 1e-3 and by Lanczos at a residual bound of 1e-6,
// against the explicit Hessian. Run with -v for the table.
func TestLanczosAgainstPowerIteration(t *testing.T) {
	for _, c := range []struct {
		hidden []int
		act    lssr.Activation
		loss   lssr.Loss
	}{
		{[]int{8}, "tanh", lssr.LossCrossEntropy},
		{[]int{8, 6}, "relu", lssr.LossCrossEntropy},
		{[]int{10}, "relu", lssr.LossMSE},
	} {
		r := trainedRun(t, c.hidden, c.act, c.loss)
		want := denseTop(t, runHessian(t, r), 1)[0]
		ops := r.hessianOps(r.data.Train)
		power, iters := powerIteration(t, ops, 1e-3, 100)
		res, _, err := ops.topEigen(context.Background(), nil, lanczosSpec{topK: 1, tol: 1e-6, maxHVPs: MaxEigenHVPs})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("mlp 5-%v-3 %s %s: λ1 %.8g; power iteration %+.2e relative in %d products; Lanczos %+.2e in %d products (bound %.1g)",
			c.hidden, c.act, c.loss, want, (power-want)/want, iters, (res.values[0]-want)/want, res.hvps, res.residuals[0])
		if e := testutil.RelErr(res.values[0], want); e > 1e-6 {
			t.Errorf("Lanczos λ1 %.10g, explicit %.10g: relative error %.2g", res.values[0], want, e)
		}
	}
}
