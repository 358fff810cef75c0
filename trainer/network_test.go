package trainer

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/testutil"
)

// TestNetworkKindsAgree: a plain MLP built both as the fused mlp and as a
// seqNet[float32] layer list, the latter's initial weights copied into the
// former through its PyTorch state_dict, gives the same loss, gradients and
// Hessian-vector product to float32 rounding. The two keep their
// parameters in different layouts (panels against PyTorch's), so vectors
// are compared tensor by tensor through their state_dict names. 300
// examples make two evaluation chunks.
func TestNetworkKindsAgree(t *testing.T) {
	const dim, classes, n, tol = 12, 4, 300, 1e-5
	hidden := []int{7, 5}
	rng := rand.New(rand.NewPCG(4, 2))
	split := dataset.Split{X: make([]float32, n*dim), Y: make([]uint8, n), N: n}
	for i := range split.X {
		split.X[i] = float32(rng.NormFloat64())
	}
	for i := range split.Y {
		split.Y[i] = uint8(rng.IntN(classes))
	}
	for _, act := range lssr.Activations() {
		for _, lossName := range lssr.Losses() {
			t.Run(string(act)+"/"+string(lossName), func(t *testing.T) {
				ctx := context.Background()
				loss, err := parseLoss(lossName)
				if err != nil {
					t.Fatal(err)
				}
				a, err := parseActivation(act)
				if err != nil {
					t.Fatal(err)
				}
				layered, err := newSeqNet[float32](lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: hidden, Activation: act}, [3]int{}, dim, classes, loss, n, newRand(1, streamInit))
				if err != nil {
					t.Fatal(err)
				}
				fused := newMLP(dim, hidden, classes, a, loss, n, newRand(2, streamInit))
				if err := loadState(fused, testutil.SafetensorsRoundTrip(t, stateTensors[float32](layered, layered.params, "", true))); err != nil {
					t.Fatal(err)
				}
				nets := []network[float32]{fused, layered}

				// A full pass in eval mode: the loss, ‖∇L‖², tr(S_1) and
				// Σ_i ∇ℓ_i.
				var st [2]passStats
				var sums [2][]float32
				for k, net := range nets {
					gradSum := make([]float64, len(net.parameters()))
					if st[k], err = fullPass(ctx, net, split, gradSum); err != nil {
						t.Fatal(err)
					}
					sums[k] = toFloat32(gradSum)
				}
				for _, q := range []struct {
					name     string
					got, ref float64
				}{{"loss", st[0].loss, st[1].loss}, {"‖∇L‖²", st[0].gradSqNorm, st[1].gradSqNorm}, {"tr(S_1)", st[0].trS1, st[1].trS1}} {
					if e := testutil.RelErr(q.got, q.ref); !(e <= tol) {
						t.Errorf("%s: mlp %.9g, seqNet %.9g: relative error %.2g > %.0g", q.name, q.got, q.ref, e, tol)
					}
				}
				if st[0].acc != st[1].acc {
					t.Errorf("accuracy: mlp %v, seqNet %v", st[0].acc, st[1].acc)
				}
				compareTensors(t, "Σ∇ℓ_i", fused, sums[0], layered, sums[1], tol)

				// H·v along a random direction given in PyTorch order.
				layout := layered.torchLayout()
				dir := make([]float32, torchLen(layout))
				for i := range dir {
					dir[i] = float32(rng.NormFloat64())
				}
				var hv [2][]float32
				for k, net := range nets {
					v := make([]float32, len(net.parameters()))
					net.fromTorch(v, dir)
					out := make([]float64, len(v))
					if err := hessianVector(ctx, net, split, v, out); err != nil {
						t.Fatal(err)
					}
					hv[k] = toFloat32(out)
				}
				compareTensors(t, "H·v", fused, hv[0], layered, hv[1], tol)

				// The mean loss's gradient in train mode, then one SGD step,
				// which the fused MLP adds into its weights in the backward
				// pass.
				var losses [2]float64
				for k, net := range nets {
					losses[k], _ = net.gradient(split.X, split.Y, n)
				}
				if e := testutil.RelErr(losses[0], losses[1]); !(e <= tol) {
					t.Errorf("train loss: mlp %.9g, seqNet %.9g: relative error %.2g", losses[0], losses[1], e)
				}
				compareTensors(t, "∇L (train)", fused, fused.gradients(), layered, layered.gradients(), tol)
				for _, net := range nets {
					net.step(split.X, split.Y, n, 0.5)
				}
				compareTensors(t, "θ after a step", fused, fused.parameters(), layered, layered.parameters(), tol)
			})
		}
	}
}

// compareTensors checks that the vectors a (in net1's layout) and b (in
// net2's) name the same state_dict tensors and agree in every element to
// tol relative to the larger of that element's magnitude and the root mean
// square of its tensor, so that float32 cancellation in an element near
// zero is not taken for a disagreement.
func compareTensors(t *testing.T, what string, net1 network[float32], a []float32, net2 network[float32], b []float32, tol float64) {
	t.Helper()
	ta, tb := stateTensors(net1, a, "", false), stateTensors(net2, b, "", false)
	if len(ta) != len(tb) {
		t.Fatalf("%s: %d tensors against %d", what, len(ta), len(tb))
	}
	f := testutil.SafetensorsRoundTrip(t, tb)
	var worst float64
	for _, x := range ta {
		y, ok := f.Get(x.Name)
		if !ok || fmt.Sprint(x.Shape) != fmt.Sprint(y.Shape) {
			t.Fatalf("%s: %s %v has no counterpart of that shape", what, x.Name, x.Shape)
		}
		xs, err := x.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		ys, err := y.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		rms := math.Sqrt(sqNorm(ys) / float64(len(ys)))
		for i := range xs {
			e := math.Abs(float64(xs[i])-float64(ys[i])) / math.Max(math.Abs(float64(ys[i])), rms)
			if !(e <= tol) {
				t.Errorf("%s: %s[%d] = %.9g (mlp), %.9g (seqNet): relative error %.2g > %.0g", what, x.Name, i, xs[i], ys[i], e, tol)
				return
			}
			worst = max(worst, e)
		}
	}
	t.Logf("%-15s worst relative error %.2g", what, worst)
}
