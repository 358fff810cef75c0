package trainer

import (
	"context"
	"math"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/testutil"
)

// exactCurvature computes, from materialised per-example gradients and exact
// Hessian-vector products, gHg = ∇LᵀH∇L and tr(HS_1) = (1/n)Σ∇ℓ_iᵀH∇ℓ_i,
// plus each ∇ℓ_iᵀH∇ℓ_j for batch sums.
func exactCurvature(t *testing.T, r *run) (gHg, trHS1 float64, cross [][]float64) {
	t.Helper()
	n := r.data.Train.N
	ctx := context.Background()
	grads := make([][]float32, n)
	hgrads := make([][]float64, n)
	for i := range n {
		r.gradient([]int{i})
		grads[i] = append([]float32(nil), r.net.gradients()...)
	}
	for i := range n {
		hgrads[i] = make([]float64, len(r.net.parameters()))
		if err := hessianVector(ctx, r.net, r.data.Train, grads[i], hgrads[i]); err != nil {
			t.Fatal(err)
		}
	}
	cross = make([][]float64, n)
	for i := range n {
		cross[i] = make([]float64, n)
		for j := range n {
			for k, e := range hgrads[j] {
				cross[i][j] += float64(grads[i][k]) * e
			}
		}
	}
	for i := range n {
		trHS1 += cross[i][i] / float64(n)
		for j := range n {
			gHg += cross[i][j] / float64(n*n)
		}
	}
	return gHg, trHS1, cross
}

func TestCurvatureAgainstPerExampleGradients(t *testing.T) {
	for _, act := range []lssr.Activation{"tanh", "relu"} {
		r := smallRun(t, 12, 3, []int{6}, act, lssr.LossCrossEntropy, lssr.SamplingWithout)
		for s := range 3 {
			r.step(r.perm[s*3 : s*3+3])
		}
		gHg, trHS1, _ := exactCurvature(t, r)
		c, _, err := r.measureCurvature(context.Background(), r.data.Train, 400, nil)
		if err != nil {
			t.Fatal(err)
		}
		if e := testutil.RelErr(c.gHg, gHg); e > 1e-4 {
			t.Errorf("%s: ∇LᵀH∇L = %.6g, per-example reference %.6g (relative error %.2g)", act, c.gHg, gHg, e)
		}
		if d := math.Abs(c.trHS1 - trHS1); d > 3*c.trHS1SE+1e-6*math.Abs(trHS1) {
			t.Errorf("%s: tr(HS_1) estimate %.6g ± %.2g, exact %.6g: off by %.1f standard errors", act, c.trHS1, c.trHS1SE, trHS1, d/c.trHS1SE)
		}
		if !(c.trHS1SE > 0) {
			t.Errorf("%s: no standard error for tr(HS_1)", act)
		}
		t.Logf("%s: tr(HS_1) = %.5g ± %.2g (exact %.5g), gHg = %.5g, IAS_full = %.4g, λ1 = %.4g (%d products)",
			act, c.trHS1, c.trHS1SE, trHS1, c.gHg, c.iasFull, c.lambda1, c.lambdaHVPs)
		if c.iasFull > c.lambda1*(1+1e-3) {
			t.Errorf("%s: IAS_full %.5g above λ1 %.5g (eq. 2 says ‖H‖_S ≤ ‖H‖)", act, c.iasFull, c.lambda1)
		}
	}
}

// TestTrHSbDecomposition checks tr(HS_b) = c_b·tr(HS_1) + (1 − c_b)·∇LᵀH∇L,
// c_b = γ_{n,b}/b, against E_ξ[g_ξᵀHg_ξ] over every batch: all b-subsets
// without replacement, all ordered b-tuples with replacement.
func TestTrHSbDecomposition(t *testing.T) {
	const n, b = 8, 3
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		r := smallRun(t, n, b, []int{5}, "tanh", lssr.LossMSE, sampling)
		gHg, trHS1, cross := exactCurvature(t, r)
		var sum float64
		var count int
		for i := range n * n * n {
			idx := []int{i % n, i / n % n, i / (n * n)}
			if sampling == lssr.SamplingWithout && !(idx[0] < idx[1] && idx[1] < idx[2]) {
				continue
			}
			var q float64 // g_ξᵀHg_ξ with g_ξ the mean over the batch
			for _, p := range idx {
				for _, s := range idx {
					q += cross[p][s] / (b * b)
				}
			}
			sum += q
			count++
		}
		cb := lssr.GammaNB(n, b, sampling) / b
		want := cb*trHS1 + (1-cb)*gHg
		if e := testutil.RelErr(sum/float64(count), want); e > 1e-9 {
			t.Errorf("%s: E_ξ[g_ξᵀHg_ξ] = %.10g over %d batches, decomposition gives %.10g", sampling, sum/float64(count), count, want)
		}
	}
}

func TestInstabilityThreshold(t *testing.T) {
	for _, c := range []struct{ beta1, beta2, want float64 }{
		{0, 0, 2 / 0.1},                       // vanilla: 2/η
		{0.9, 0, 2 * 1.9 / 0.1},               // Polyak: γ = 1 + β1
		{0.9, 0.9, 2 * 1.9 / (1.8 + 1) / 0.1}, // Nesterov: γ = (1+β1)/(1+2β1)
	} {
		r := momentumRun(t, c.beta1, c.beta2)
		r.cfg.lr = 0.1
		cv, _, err := r.measureCurvature(context.Background(), r.data.Train, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if testutil.RelErr(cv.threshold, c.want) > 1e-12 {
			t.Errorf("β = (%v, %v): threshold %v, want 2γ/η = %v", c.beta1, c.beta2, cv.threshold, c.want)
		}
	}
}

// TestCurvatureSchedule: a job that asks for curvature every 2 epochs gets
// it at epochs 2 and 4 (the end), on its Hessian subset; a job that does not
// gets none.
func TestCurvatureSchedule(t *testing.T) {
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 256, TestN: 64, SubsetSeed: 1, Dim: 8, Classes: 3, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	job := lssr.Job{
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{12}, Activation: "relu"}, Loss: lssr.LossCrossEntropy,
		BatchSize: 16, LR: 0.05, Seed: 4,
		Training: lssr.TrainingSpec{Epochs: 4, Sampling: lssr.SamplingWithout, CurvatureEvery: 2, HessianSubset: 64, CurvatureSamples: 4},
	}
	res, err := Train(context.Background(), job, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	var epochs []int
	for _, m := range res.Measurements {
		if m.Curvature == nil {
			t.Fatalf("measurement at epoch %d has no curvature", m.Epoch)
		}
		c := m.Curvature
		epochs = append(epochs, m.Epoch)
		if c.Examples != 64 || !(c.Lambda1 > 0) || !(c.GHG > 0) || !(c.TrHS1 > 0) || testutil.RelErr(c.Threshold, 2/0.05) > 1e-12 {
			t.Errorf("epoch %d: implausible curvature %+v", m.Epoch, *c)
		}
		if c.IASFull > c.Lambda1*(1+1e-3) {
			t.Errorf("epoch %d: IAS_full %.4g above λ1 %.4g", m.Epoch, c.IASFull, c.Lambda1)
		}
	}
	if len(epochs) != 2 || epochs[0] != 2 || epochs[1] != 4 {
		t.Fatalf("curvature measured at epochs %v, want [2 4]", epochs)
	}
	job.Training.CurvatureEvery = 0
	plain, err := Train(context.Background(), job, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range plain.Measurements {
		if m.Curvature != nil {
			t.Fatal("a job without curvature_every measured curvature")
		}
	}
}

// TestOneStepLossChangeFollowsEq7: for a small step the loss change of one
// SGD step, averaged over sampled batches, is eq. 7's
// (η²/2)·tr(HS_b) − η·tr(S_n), up to its standard error and O(η³).
func TestOneStepLossChangeFollowsEq7(t *testing.T) {
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		r := smallRun(t, 64, 8, []int{10}, "tanh", lssr.LossCrossEntropy, sampling)
		r.cfg.lr = 0.05
		c, _, err := r.measureCurvature(context.Background(), r.data.Train, 300, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: loss change %.4g ± %.2g, eq. 7 %.4g; sampled ρ_b %.4f ± %.4f, eq. 17 %.4f", sampling,
			c.lossChange, c.lossChangeSE, c.lossChange7, c.sampledRhoB, c.sampledRhoBSE, lssr.RhoB(c.gradSqNorm/c.trS1, 64, 8, sampling))
		if d := math.Abs(c.lossChange - c.lossChange7); d > 3*c.lossChangeSE+0.02*math.Abs(c.lossChange7) {
			t.Errorf("%s: loss change %.5g ± %.2g, eq. 7 predicts %.5g", sampling, c.lossChange, c.lossChangeSE, c.lossChange7)
		}
		if !(c.sampledRhoB > 0 && c.sampledRhoBSE > 0) {
			t.Errorf("%s: no sampled ρ_b (%v ± %v)", sampling, c.sampledRhoB, c.sampledRhoBSE)
		}
	}
}
