package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
)

// TestMeasureMatchesPyTorch runs `lssr measure` on the PyTorch fixtures
// (weights and data in one file) and compares its JSON with PyTorch's
// float64 values.
func TestMeasureMatchesPyTorch(t *testing.T) {
	cases := []struct {
		file string
		args []string
	}{
		{"mlp_relu_ce", []string{"--hidden", "7", "--activation", "relu", "--loss", "cross-entropy"}},
		{"mlp_tanh_ce", []string{"--hidden", "5,4", "--activation", "tanh"}},
		{"mlp_relu_mse", []string{"--hidden", "6,6", "--loss", "mse"}},
		{"mlp_bn_relu_ce", []string{"--hidden", "5,4", "--batch-norm"}},
		{"cnn_relu_ce", []string{"--kind", "cnn", "--channels", "3", "--hidden", "5"}},
		{"cnn_tanh_mse_avg", []string{"--kind", "cnn", "--channels", "2,3", "--pool", "avg", "--activation", "tanh", "--loss", "mse"}},
		{"cnn_bn_relu_ce", []string{"--kind", "cnn", "--channels", "3", "--hidden", "4", "--batch-norm", "--precision", "float32"}},
		{"cnn_bn_tanh_mse_k5", []string{"--kind", "cnn", "--channels", "2", "--kernel", "5", "--pool", "avg", "--batch-norm", "--activation", "tanh", "--loss", "mse"}},
	}
	for _, c := range cases {
		path, _ := filepath.Abs(filepath.Join("../../trainer/testdata/torch", c.file+".safetensors"))
		args := append([]string{"measure", "--weights", path, "--data", path, "--batch-size", "4", "--lr", "0.5"}, c.args...)
		r := runLSSR(t, t.TempDir(), args...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", c.file, r.code, r.stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("%s: output is not one JSON object: %v\n%s", c.file, err, r.stdout)
		}
		wantPrec := "float64"
		if strings.Contains(strings.Join(c.args, " "), "float32") {
			wantPrec = "float32"
		}
		if got["precision"] != wantPrec {
			t.Errorf("%s: precision %v, want %s", c.file, got["precision"], wantPrec)
		}
		f, err := safetensors.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		// λ1 runs to a residual bound of 1e-6 by default (power iteration,
		// stopped at a change of 1e-3, was up to 0.4% off here).
		for key, tol := range map[string]float64{"grad_sq_norm": 1e-5, "tr_s1": 1e-5, "ghg": 1e-5, "lambda1": 1e-6} {
			tn, _ := f.Get("expected." + key)
			want, _ := tn.Float64s()
			jsonKey := key
			if key == "ghg" {
				jsonKey = "gHg"
			}
			v, _ := got[jsonKey].(float64)
			if e := testutil.RelErr(v, want[0]); e > tol {
				t.Errorf("%s: %s = %.9g, PyTorch %.9g (relative error %.2g)", c.file, jsonKey, v, want[0], e)
			}
		}
		for _, key := range []string{"rho", "ias_full", "tr_hs1", "tr_hs1_se", "rho_b", "ias_b", "instability_ratio",
			"lambda1_residual", "lambda1_hvps", "lambda1_iterations", "top_eigenvalues", "top_residuals", "tol", "eigen_converged"} {
			if _, ok := got[key]; !ok {
				t.Errorf("%s: output lacks %q", c.file, key)
			}
		}
		if res, _ := got["lambda1_residual"].(float64); !(res <= 1e-6) || got["tol"] != 1e-6 || got["eigen_converged"] != true {
			t.Errorf("%s: lambda1_residual %v, tol %v, eigen_converged %v; want a bound ≤ 1e-6, tol 1e-6, converged",
				c.file, got["lambda1_residual"], got["tol"], got["eigen_converged"])
		}
		if got["lambda1_hvps"] != got["lambda1_iterations"] || !(got["lambda1_hvps"].(float64) >= 2) {
			t.Errorf("%s: lambda1_hvps %v, lambda1_iterations %v", c.file, got["lambda1_hvps"], got["lambda1_iterations"])
		}
	}
}

// TestMeasureTopK asks for the top 3 eigenvalues at a tolerance of 1e-9:
// three values, largest first, the first λ1, each within its bound.
func TestMeasureTopK(t *testing.T) {
	path, _ := filepath.Abs("../../trainer/testdata/torch/cnn_relu_ce.safetensors")
	r := runLSSR(t, t.TempDir(), "measure", "--weights", path, "--data", path, "--kind", "cnn", "--channels", "3", "--hidden", "5",
		"--top-k", "3", "--tol", "1e-9", "--samples", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got struct {
		Lambda1        float64   `json:"lambda1"`
		Residual       float64   `json:"lambda1_residual"`
		Top            []float64 `json:"top_eigenvalues"`
		TopResiduals   []float64 `json:"top_residuals"`
		Tol            float64   `json:"tol"`
		HVPs           int       `json:"lambda1_hvps"`
		EigenConverged bool      `json:"eigen_converged"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	t.Logf("top 3 %v, bounds %.2g, %d products", got.Top, got.TopResiduals, got.HVPs)
	if len(got.Top) != 3 || len(got.TopResiduals) != 3 || got.Tol != 1e-9 || !got.EigenConverged {
		t.Fatalf("top_eigenvalues %v, top_residuals %v, tol %v, converged %v", got.Top, got.TopResiduals, got.Tol, got.EigenConverged)
	}
	if got.Top[0] != got.Lambda1 || got.TopResiduals[0] != got.Residual || !(got.Top[0] >= got.Top[1] && got.Top[1] >= got.Top[2]) {
		t.Errorf("top_eigenvalues %v not largest first from lambda1 %v", got.Top, got.Lambda1)
	}
	for i, res := range got.TopResiduals {
		if !(res <= 1e-9) {
			t.Errorf("θ_%d: residual bound %.2g above --tol", i+1, res)
		}
	}
}

func TestMeasureBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	fixture, _ := filepath.Abs("../../trainer/testdata/torch/mlp_relu_ce.safetensors")
	cnn, _ := filepath.Abs("../../trainer/testdata/torch/cnn_relu_ce.safetensors")
	garbage := filepath.Join(dir, "garbage.safetensors")
	os.WriteFile(garbage, []byte("not a safetensors file at all"), 0o644)
	for _, args := range [][]string{
		{"measure", "--weights", filepath.Join(dir, "missing.safetensors"), "--data", fixture, "--hidden", "7"},
		{"measure", "--weights", garbage, "--data", fixture, "--hidden", "7"},
		{"measure", "--weights", fixture, "--data", garbage, "--hidden", "7"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "8"}, // wrong shape
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7,7"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "x"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--loss", "hinge"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--batch-size", "1000"},
		{"measure", "--data", fixture},
		{"measure", "--weights", fixture, "--data", fixture, "--kind", "resnet"},
		{"measure", "--weights", fixture, "--data", fixture, "--kind", "cnn", "--channels", "3"}, // x is [n, d]
		{"measure", "--weights", cnn, "--data", cnn, "--kind", "cnn", "--channels", "3", "--hidden", "5", "--kernel", "4"},
		{"measure", "--weights", cnn, "--data", cnn, "--kind", "cnn", "--channels", "3", "--hidden", "5", "--batch-norm"}, // no running stats
		{"measure", "--weights", cnn, "--data", cnn, "--kind", "cnn", "--channels", "3", "--hidden", "5", "--precision", "float16"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--tol", "0"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--tol", "1"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--tol", "-1e-6"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--tol", "NaN"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--top-k", "0"},
		{"measure", "--weights", fixture, "--data", fixture, "--hidden", "7", "--top-k", "100000"}, // more than the parameters
	} {
		r := runLSSR(t, dir, args...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || r.stdout != "" {
			t.Errorf("lssr %v: exit %d, stderr %q, stdout %q; want exit 2, one line and no output", args[1:], r.code, r.stderr, r.stdout)
		}
		for _, flag := range []string{"tol", "top-k"} {
			if slices.Contains(args, "--"+flag) && !strings.Contains(r.stderr, flag) {
				t.Errorf("lssr %v: stderr %q does not name %s", args[1:], r.stderr, flag)
			}
		}
	}
}

// TestMeasureNamesTheChoices: a word that a choice flag does not take is bad
// input, and the message names the words it does take.
func TestMeasureNamesTheChoices(t *testing.T) {
	dir := t.TempDir()
	fixture, _ := filepath.Abs("../../trainer/testdata/torch/mlp_relu_ce.safetensors")
	for _, tc := range []struct{ flag, value, want string }{
		{"--kind", "resnet", "--kind: want mlp or cnn, got \"resnet\""},
		{"--pool", "min", "--pool: want max or avg, got \"min\""},
	} {
		r := runLSSR(t, dir, "measure", "--weights", fixture, "--data", fixture, "--hidden", "7", tc.flag, tc.value)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("lssr measure %s %s: exit %d, stderr %q; want exit 2 and %q", tc.flag, tc.value, r.code, r.stderr, tc.want)
		}
	}
}
