package trainer

import (
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
)

// seqFixture is a PyTorch fixture (testdata/torch, gen_fixtures.py and
// gen_cnn_fixtures.py) loaded into a seqNet.
type seqFixture[F float] struct {
	net   *seqNet[F]
	split dataset.Split
	f     *safetensors.File
}

// fixtureModel reads the model of a fixture: the CNN generator's "model"
// metadata, or the MLP generator's "widths".
func fixtureModel(t *testing.T, f *safetensors.File) (spec lssr.ModelSpec, loss lssr.Loss, shape [3]int, dim, classes int) {
	t.Helper()
	md := f.Metadata
	loss = lssr.Loss(md["loss"])
	if w, ok := md["widths"]; ok {
		var widths []int
		if err := json.Unmarshal([]byte(w), &widths); err != nil {
			t.Fatal(err)
		}
		spec = lssr.ModelSpec{Kind: "mlp", Hidden: widths[1 : len(widths)-1], Activation: lssr.Activation(md["activation"])}
		return spec, loss, shape, widths[0], widths[len(widths)-1]
	}
	if err := json.Unmarshal([]byte(md["model"]), &spec); err != nil {
		t.Fatal(err)
	}
	var s []int
	if err := json.Unmarshal([]byte(md["shape"]), &s); err != nil || len(s) != 3 {
		t.Fatalf("shape metadata %q: %v", md["shape"], err)
	}
	shape = [3]int{s[0], s[1], s[2]}
	dim, _ = strconv.Atoi(md["dim"])
	classes, _ = strconv.Atoi(md["classes"])
	if spec.Kind == "mlp" {
		spec.Kernel, spec.Pool, shape = 0, "", [3]int{}
	}
	return spec, loss, shape, dim, classes
}

func loadSeqFixture[F float](t *testing.T, path string) seqFixture[F] {
	t.Helper()
	f, err := safetensors.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	spec, lossName, shape, dim, classes := fixtureModel(t, f)
	loss, err := parseLoss(lossName)
	if err != nil {
		t.Fatal(err)
	}
	x, _, y, err := dataset.DecodeXY(f)
	if err != nil {
		t.Fatal(err)
	}
	n := len(y)
	net, err := newSeqNet[F](spec, shape, dim, classes, loss, n, newRand(1, streamInit))
	if err != nil {
		t.Fatal(err)
	}
	if err := loadState(net, f); err != nil {
		t.Fatal(err)
	}
	net.chunk = max(1, n/3) // several chunks, so the float64 sums across them are tested
	return seqFixture[F]{net: net, split: dataset.Split{X: x, Y: y, N: n}, f: f}
}

// vecRelErr is ‖got − want‖/‖want‖.
func vecRelErr[F float](got []F, want []float64) float64 {
	var d, w float64
	for i, e := range want {
		d += (float64(got[i]) - e) * (float64(got[i]) - e)
		w += e * e
	}
	return math.Sqrt(d / w)
}

// fixtureErrors measures a fixture on a seqNet[F] and returns the relative
// error of each quantity against PyTorch's float64 autograd.
func fixtureErrors[F float](t *testing.T, path string) map[string]float64 {
	fx := loadSeqFixture[F](t, path)
	net, f, ctx := fx.net, fx.f, context.Background()
	errs := map[string]float64{}
	gradSum := make([]float64, len(net.params))
	st, err := fullPass(ctx, net, fx.split, gradSum)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Get("expected.loss"); ok { // the MLP generator does not record it
		errs["loss"] = testutil.RelErr(st.loss, fixtureScalar(t, f, "loss"))
	}
	errs["grad_sq_norm"] = testutil.RelErr(st.gradSqNorm, fixtureScalar(t, f, "grad_sq_norm"))
	errs["tr_s1"] = testutil.RelErr(st.trS1, fixtureScalar(t, f, "tr_s1"))

	v := make([]F, len(net.params))
	if err := loadVector(net, f, "v.", v); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(net.params))
	hvWant := make([]F, len(net.params))
	if err := loadVector(net, f, "hv.", hvWant); err != nil {
		t.Fatal(err)
	}
	for i, e := range hvWant {
		want[i] = float64(e)
	}
	hv := make([]float64, len(net.params))
	if err := hessianVector(ctx, net, fx.split, v, hv); err != nil {
		t.Fatal(err)
	}
	errs["hv"] = vecRelErr(hv, want)

	c := curvature{gradSqNorm: st.gradSqNorm, trS1: st.trS1}
	ops := newHessianOps(net, fx.split, 1)
	// λ1 is the algebraically largest eigenvalue, the fixtures' the largest
	// in magnitude: the same here, where it is positive.
	eig := lanczosSpec{topK: 1, tol: 1e-9, maxHVPs: MaxEigenHVPs}
	if _, err := ops.measure(ctx, &c, gradSum, 0, 1, nil, eig); err != nil {
		t.Fatal(err)
	}
	errs["ghg"] = testutil.RelErr(c.gHg, fixtureScalar(t, f, "ghg"))
	errs["lambda1"] = testutil.RelErr(c.lambda1, fixtureScalar(t, f, "lambda1"))

	// Train mode: the gradient of the mean loss with batch statistics, and
	// the running statistics after that one pass.
	if _, ok := f.Get("train_grad." + net.torchLayout()[0].name); ok {
		fx.net.gradient(fx.split.X, fx.split.Y, fx.split.N)
		tg := make([]F, len(net.params))
		if err := loadVector(net, f, "train_grad.", tg); err != nil {
			t.Fatal(err)
		}
		want := make([]float64, len(tg))
		for i, e := range tg {
			want[i] = float64(e)
		}
		errs["train_grad"] = vecRelErr(net.grads, want)
		idx, bns := net.norms()
		for k, bn := range bns {
			for _, s := range []struct {
				name string
				got  []F
			}{{"train_running_mean.", bn.runMean}, {"train_running_var.", bn.runVar}} {
				w, err := tensorValues(f, s.name+strconv.Itoa(idx[k]), []int{bn.bn.c})
				if err != nil {
					t.Fatal(err)
				}
				errs["running_stats"] = max(errs["running_stats"], vecRelErr(s.got, w))
			}
		}
	}
	return errs
}

// TestSeqNetAgainstPyTorch compares the layered networks (CNNs with max
// and average pooling, 3×3 and 5×5 kernels, batch norm; MLPs with and
// without batch norm) with PyTorch's float64 autograd on the same float32
// weights and data: loss, ‖∇L‖², tr(S_1), H·v (double backward), ∇LᵀH∇L,
// λ1 (dense Hessian) in eval mode, and the train-mode gradient and running
// statistics. The float64 path must agree within 1e-4 relative; the float32
// path's worst error is logged and held to 1e-4 as well (see -v).
func TestSeqNetAgainstPyTorch(t *testing.T) {
	paths, err := filepath.Glob("testdata/torch/*.safetensors")
	if err != nil || len(paths) < 10 {
		t.Fatalf("want the 10 PyTorch fixtures in testdata/torch, found %d (%v)", len(paths), err)
	}
	worst := map[string]map[string]float64{"float64": {}, "float32": {}}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for prec, errs := range map[string]map[string]float64{
				"float64": fixtureErrors[float64](t, path),
				"float32": fixtureErrors[float32](t, path),
			} {
				for name, e := range errs {
					if !(e <= 1e-4) {
						t.Errorf("%s %s: relative error %.2g > 1e-4", prec, name, e)
					}
					worst[prec][name] = max(worst[prec][name], e)
				}
			}
		})
	}
	for _, prec := range []string{"float64", "float32"} {
		t.Logf("%s worst relative errors over %d fixtures: %v", prec, len(paths), worst[prec])
	}
}
