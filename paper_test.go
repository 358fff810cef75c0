package lssr

import (
	"fmt"
	"math"
	"testing"
)

func TestGammaNB(t *testing.T) {
	for _, tc := range []struct {
		n    int
		b    float64
		s    Sampling
		want float64
	}{
		{9, 3, SamplingWithout, 0.75}, // (9−3)/8
		{1000, 1, SamplingWithout, 1}, // γ_{n,1} = 1
		{1000, 1000, SamplingWithout, 0},
		{11, 2.5, SamplingWithout, 0.85},         // (11−2.5)/10, between grid points
		{100, 400, SamplingWithout, -300.0 / 99}, // no such batch: the formula as written
		{1, 1, SamplingWithout, 0},
		{9, 3, SamplingWith, 1},
		{9, 400, SamplingWith, 1},
	} {
		if got := GammaNB(tc.n, tc.b, tc.s); math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("GammaNB(%d, %v, %s) = %v, want %v", tc.n, tc.b, tc.s, got, tc.want)
		}
	}
}

func TestRhoBAt(t *testing.T) {
	for _, tc := range []struct {
		rho  float64
		n    int
		b    float64
		s    Sampling
		want float64
	}{
		{0.01, 1000, 1, SamplingWithout, 0.01},    // ρ_1 = ρ
		{0.01, 1000, 1000, SamplingWithout, 1},    // ρ_n = 1
		{0.2, 50, 1, SamplingWith, 0.2},           // ρ_1 = ρ with replacement too
		{0.1, 50, 4, SamplingWith, 1 / 3.25},      // c = 1/4: 1/(2.5 + 0.75)
		{0.1, 9, 3, SamplingWithout, 1 / 3.25},    // γ = 0.75, c = 0.25
		{0.1, 50, 2.5, SamplingWith, 1 / 4.6},     // c = 0.4: 1/(4 + 0.6), = bρ/(1 + (b−1)ρ)
		{0.1, 11, 2.5, SamplingWithout, 1 / 4.06}, // γ = 0.85, c = 0.34: 1/(3.4 + 0.66)
	} {
		if got := RhoBAt(tc.rho, tc.n, tc.b, tc.s); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("RhoBAt(%v, %d, %v, %s) = %v, want %v", tc.rho, tc.n, tc.b, tc.s, got, tc.want)
		}
		if b := int(tc.b); float64(b) == tc.b {
			if got := RhoB(tc.rho, tc.n, b, tc.s); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("RhoB(%v, %d, %d, %s) = %v, want %v", tc.rho, tc.n, b, tc.s, got, tc.want)
			}
		}
	}
}

// TestIntegerBatchSizesKeepTheirArithmetic checks that at integer b the
// real-valued eq. 1 and 17 give, to the bit, the integer formulas that
// measured every stored ρ_b: γ = float64(n−b)/float64(n−1), then
// c = γ/float64(b) and 1/(c/ρ + 1 − c).
func TestIntegerBatchSizesKeepTheirArithmetic(t *testing.T) {
	for _, n := range []int{2, 3, 7, 64, 1000, 4096, 50000} {
		for _, b := range []int{1, 2, 3, 5, 7, 8, 63, 64, 100, 999, 1000, 4095, 4096, 50000} {
			gamma := float64(n-b) / float64(n-1)
			if got := GammaNB(n, float64(b), SamplingWithout); got != gamma {
				t.Errorf("GammaNB(%d, %d) = %v, integer formula %v", n, b, got, gamma)
			}
			for _, rho := range []float64{1e-4, 0.0123, 1.0 / 3, 1} {
				c := gamma / float64(b)
				want := 1 / (c/rho + 1 - c)
				if got := RhoB(rho, n, b, SamplingWithout); got != want {
					t.Errorf("RhoB(%v, %d, %d) = %v, integer formula %v", rho, n, b, got, want)
				}
				c = 1 / float64(b)
				want = 1 / (c/rho + 1 - c)
				if got := RhoB(rho, n, b, SamplingWith); got != want {
					t.Errorf("RhoB(%v, %d, %d, with) = %v, integer formula %v", rho, n, b, got, want)
				}
			}
		}
	}
}

// perExample are the gradients ∇ℓ_i of a made-up set of n = 5 examples in
// three parameters, and hessian a symmetric matrix to stand for H.
var (
	perExample = [][]float64{{1, 0.5, -2}, {0.25, -1, 3}, {-1.5, 2, 0.5}, {2, 1, 1}, {0, -0.75, -1.25}}
	hessian    = [][]float64{{2, 0.5, -1}, {0.5, 1, 0.25}, {-1, 0.25, 3}}
)

// batches calls visit with every batch of b of the n examples, each as
// likely as sampling makes it: every b-subset without replacement, every
// ordered b-tuple with replacement.
func batches(n, b int, s Sampling, visit func(idx []int)) {
	idx := make([]int, b)
	var rec func(pos, from int)
	rec = func(pos, from int) {
		if pos == b {
			visit(idx)
			return
		}
		for i := range n {
			if s == SamplingWithout && i < from {
				continue
			}
			idx[pos] = i
			rec(pos+1, i+1)
		}
	}
	rec(0, 0)
}

func quadForm(a [][]float64, u []float64) float64 {
	var q float64
	for i := range u {
		for j := range u {
			q += u[i] * a[i][j] * u[j]
		}
	}
	return q
}

func meanOf(idx []int) []float64 {
	m := make([]float64, len(perExample[0]))
	for _, i := range idx {
		for k, g := range perExample[i] {
			m[k] += g / float64(len(idx))
		}
	}
	return m
}

// TestBatchMomentsAgainstEveryBatch checks S_b = c_b·S_1 + (1 − c_b)·S_n
// (TraceSb with BatchWeight) and eq. 17 against their definitions, by
// averaging over every batch of a small set: tr(S_b) = E_ξ‖g_ξ‖²,
// tr(HS_b) = E_ξ[g_ξᵀHg_ξ] and ρ_b = ‖∇L‖²/E_ξ‖g_ξ‖² (eq. 15).
func TestBatchMomentsAgainstEveryBatch(t *testing.T) {
	n := len(perExample)
	identity := [][]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	grad := meanOf(all)
	for _, s := range []Sampling{SamplingWithout, SamplingWith} {
		for b := 1; b <= n; b++ {
			t.Run(fmt.Sprintf("%s b=%d", s, b), func(t *testing.T) {
				var sumS, sumHS float64
				count := 0
				batches(n, b, s, func(idx []int) {
					g := meanOf(idx)
					sumS += quadForm(identity, g)
					sumHS += quadForm(hessian, g)
					count++
				})
				var trS1, trHS1 float64
				for _, g := range perExample {
					trS1 += quadForm(identity, g) / float64(n)
					trHS1 += quadForm(hessian, g) / float64(n)
				}
				trSn, trHSn := quadForm(identity, grad), quadForm(hessian, grad)
				cb := BatchWeight(n, float64(b), s)
				for _, c := range []struct {
					what      string
					got, want float64
				}{
					{"tr(S_b)", TraceSb(cb, trS1, trSn), sumS / float64(count)},
					{"tr(HS_b)", TraceSb(cb, trHS1, trHSn), sumHS / float64(count)},
					{"ρ_b", RhoB(Concentration(trSn, trS1), n, b, s), trSn / (sumS / float64(count))},
					{"direct ρ_b", Concentration(trSn, TraceSb(cb, trS1, trSn)), trSn / (sumS / float64(count))},
					{"IAS_b", IAS(TraceSb(cb, trHS1, trHSn), TraceSb(cb, trS1, trSn)), sumHS / sumS},
					{"instability ratio", InstabilityRatio(TraceSb(cb, trHS1, trHSn), trSn), sumHS / float64(count) / trSn},
				} {
					if math.Abs(c.got-c.want) > 1e-12*math.Abs(c.want) {
						t.Errorf("%s = %.15g, mean over %d batches %.15g", c.what, c.got, count, c.want)
					}
				}
			})
		}
	}
}

func TestInstabilityThreshold(t *testing.T) {
	for _, tc := range []struct {
		name              string
		eta, beta1, beta2 float64
		want              float64
	}{
		{"plain SGD: 2/η", 0.1, 0, 0, 20},
		{"Polyak: γ = 1 + β1", 0.1, 0.9, 0, 2 * 1.9 / 0.1},
		{"Nesterov: γ = (1+β1)/(1+2β1)", 0.1, 0.9, 0.9, 2 * 1.9 / 2.8 / 0.1},
		{"β2 alone lowers it", 0.5, 0, 0.5, 2},
	} {
		if got := InstabilityThreshold(tc.eta, tc.beta1, tc.beta2); math.Abs(got-tc.want) > 1e-12*tc.want {
			t.Errorf("%s: InstabilityThreshold(%v, %v, %v) = %v, want %v", tc.name, tc.eta, tc.beta1, tc.beta2, got, tc.want)
		}
	}
}

func TestExpectedLossChange(t *testing.T) {
	for _, tc := range []struct {
		name             string
		eta, trHSb, trSn float64
		want             float64
	}{
		// (η²/2)·tr(S_n)·(tr(HS_b)/tr(S_n) − 2/η) = 0.125·3·(10/3 − 4)
		{"stable: the loss falls", 0.5, 10, 3, -0.25},
		{"on the edge, tr(HS_b)/tr(S_n) = 2/η", 0.25, 24, 3, 0},
		{"unstable: the loss rises", 1, 8, 2, 2}, // 0.5·2·(4 − 2)
		{"no curvature: gradient descent", 0.1, 0, 5, -0.5},
	} {
		if got := ExpectedLossChange(tc.eta, tc.trHSb, tc.trSn); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: ExpectedLossChange(%v, %v, %v) = %v, want %v", tc.name, tc.eta, tc.trHSb, tc.trSn, got, tc.want)
		}
	}
}
