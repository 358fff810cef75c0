package report

import (
	"math"
	"testing"

	"github.com/lssr/lssr"
)

// TestRhoBAtReadsN checks how the report reads n around eq. 17 (tested in
// package lssr): b > n without replacement is the whole set, and an unknown
// n (≤ 0) is infinite.
func TestRhoBAtReadsN(t *testing.T) {
	for _, tc := range []struct {
		name string
		rho  float64
		n    int
		b    float64
		s    lssr.Sampling
		want float64
	}{
		{"b > n without replacement: the whole set", 0.01, 100, 400, lssr.SamplingWithout, 1},
		// c = 1/400: 1/(0.25 + 0.9975)
		{"b > n with replacement: b draws", 0.01, 100, 400, lssr.SamplingWith, 1 / 1.2475},
		{"n unknown: γ = 1", 0.1, 0, 4, lssr.SamplingWithout, 1 / 3.25},
		{"n unknown, negative: γ = 1", 0.1, -1, 4, lssr.SamplingWithout, 1 / 3.25},
		{"n known: γ = 0.75", 0.1, 9, 3, lssr.SamplingWithout, 1 / 3.25},
	} {
		if got := rhoBAt(tc.rho, tc.n, tc.b, tc.s); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: rhoBAt(%v, %d, %v, %s) = %v, want %v", tc.name, tc.rho, tc.n, tc.b, tc.s, got, tc.want)
		}
	}
}

func ridgeOf(pts ...[2]float64) []RidgePoint {
	r := make([]RidgePoint, len(pts))
	for i, p := range pts {
		r[i] = RidgePoint{B: int(p[0]), LR: p[1]}
	}
	return r
}

// Hand-computed least squares in log2 η.
func TestFitsClosedForm(t *testing.T) {
	tests := []struct {
		name                string
		fit                 Fit
		wantLog2C, wantRMSE float64
	}{
		// log2 b − log2 η = 6, 7 → log2 C = 6.5; residuals ±0.5.
		{"LSR", FitLSR(ridgeOf([2]float64{8, 0.125}, [2]float64{32, 0.25})), 6.5, 0.5},
		// ½log2 b − log2 η = 4.5, 4.5 → exact.
		{"SRSR", FitSRSR(ridgeOf([2]float64{8, 0.125}, [2]float64{32, 0.25})), 4.5, 0},
		// with replacement, ρ = ½: ρ_1 = ½, ρ_2 = 1/(½/½ + ½) = ⅔.
		// η = ρ_b/4 at both → C = 4 exactly.
		{"LSSR exact", FitLSSR(ridgeOf([2]float64{1, 0.5 / 4}, [2]float64{2, (2.0 / 3) / 4}), 10, lssr.SamplingWith, 0.5), 2, 0},
		// log2(ρ_b/η) = 2 and 4 → log2 C = 3, residuals ±1.
		{"LSSR residual", FitLSSR(ridgeOf([2]float64{1, 0.5 / 4}, [2]float64{2, (2.0 / 3) / 16}), 10, lssr.SamplingWith, 0.5), 3, 1},
		// without replacement, n = 9, b = 3: γ = ¾, ρ_3 = 1/3.25 (ρ = 0.1); b = 9: ρ_9 = 1.
		// log2(ρ_b/η): log2(1/3.25)+3, 0+3 → mean 3 − ½log2 3.25; residuals ±½log2 3.25.
		{"LSSR without replacement", FitLSSR(ridgeOf([2]float64{3, 0.125}, [2]float64{9, 0.125}), 9, lssr.SamplingWithout, 0.1),
			3 - 0.5*math.Log2(3.25), 0.5 * math.Log2(3.25)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !tc.fit.OK() {
				t.Fatalf("fit not OK: %+v", tc.fit)
			}
			if got := math.Log2(tc.fit.C); math.Abs(got-tc.wantLog2C) > 1e-12 {
				t.Errorf("log2 C = %v, want %v", got, tc.wantLog2C)
			}
			if math.Abs(tc.fit.RMSE-tc.wantRMSE) > 1e-12 {
				t.Errorf("RMSE = %v, want %v", tc.fit.RMSE, tc.wantRMSE)
			}
			if tc.fit.Params != 1 || tc.fit.Points != 2 {
				t.Errorf("params %d points %d, want 1 and 2", tc.fit.Params, tc.fit.Points)
			}
		})
	}
}

func TestFitsNeedTwoPoints(t *testing.T) {
	one := ridgeOf([2]float64{8, 0.1})
	for _, f := range []Fit{FitLSR(one), FitSRSR(one), FitLSSR(one, 100, lssr.SamplingWith, 0.1),
		FitLSSRFreeRho(one, 100, lssr.SamplingWith), FitLSR(nil)} {
		if f.OK() || !math.IsNaN(f.RMSE) {
			t.Errorf("%s with %d point(s) = %+v, want NaN", f.Rule, f.Points, f)
		}
	}
	two := ridgeOf([2]float64{8, 0.1}, [2]float64{16, 0.2})
	for _, rho := range []float64{0, -1, math.NaN(), math.Inf(1), 2} {
		if f := FitLSSR(two, 100, lssr.SamplingWith, rho); f.OK() {
			t.Errorf("FitLSSR with ρ=%v is OK: %+v", rho, f)
		}
	}
}

func TestLog2EtaInvertsTheFit(t *testing.T) {
	f := Fit{Rule: RuleLSSR, C: 8, Rho: 1.0 / 128}
	for _, b := range []int{8, 100, 4096} {
		want := math.Log2(lssr.RhoB(f.Rho, 8192, b, lssr.SamplingWithout) / f.C)
		if got := f.Log2Eta(math.Log2(float64(b)), 8192, lssr.SamplingWithout); math.Abs(got-want) > 1e-9 {
			t.Errorf("LSSR b=%d: %v, want %v", b, got, want)
		}
	}
	if got := (Fit{Rule: RuleLSR, C: 4}).Log2Eta(5, 0, ""); got != 3 {
		t.Errorf("LSR: %v, want 3", got)
	}
	if got := (Fit{Rule: RuleSRSR, C: 4}).Log2Eta(6, 0, ""); got != 1 {
		t.Errorf("SRSR: %v, want 1", got)
	}
}

// The fits recover the ρ and C a synthetic heatmap was generated with.
func TestFitsRecoverSyntheticLSSR(t *testing.T) {
	tests := []struct {
		name     string
		rho, c   float64
		n        int
		sampling lssr.Sampling
	}{
		{"paper-like n=8k ρ=2^-7", math.Exp2(-7), 8, 8192, lssr.SamplingWithout},
		{"with replacement ρ=2^-5", math.Exp2(-5), 2, 4096, lssr.SamplingWith},
		{"small ρ=2^-10 n=4096", math.Exp2(-10), 1.5, 4096, lssr.SamplingWithout},
		{"ρ=2^-8.5 C=2^4.3", math.Exp2(-8.5), math.Exp2(4.3), 16384, lssr.SamplingWith},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := synthSweep{bs: octaves(8, 4096), log2EtaLo: -12, log2EtaHi: 2, log2EtaStep: 0.25,
				seeds: 2, peak: lssrPeak(tc.rho, tc.c, tc.n, tc.sampling)}
			ridge := Ridge(sw.runs())
			if len(ridge) != len(sw.bs) {
				t.Fatalf("ridge has %d points, want %d", len(ridge), len(sw.bs))
			}
			for _, p := range ridge { // the peak lies inside the η range
				if d := math.Abs(math.Log2(p.LR) - sw.peak(p.B)); d > 0.125+1e-9 {
					t.Fatalf("b=%d: ridge log2 η %v is %v from the peak", p.B, math.Log2(p.LR), d)
				}
			}
			free := FitLSSRFreeRho(ridge, tc.n, tc.sampling)
			if d := math.Abs(math.Log2(free.Rho) - math.Log2(tc.rho)); d > 0.3 {
				t.Errorf("free ρ = 2^%.2f, want 2^%.2f", math.Log2(free.Rho), math.Log2(tc.rho))
			}
			if d := math.Abs(math.Log2(free.C) - math.Log2(tc.c)); d > 0.3 {
				t.Errorf("free C = 2^%.2f, want 2^%.2f", math.Log2(free.C), math.Log2(tc.c))
			}
			if free.Params != 2 || free.RMSE > 0.15 {
				t.Errorf("free fit %+v: want 2 params and RMSE ≤ 0.15 (grid quantisation)", free)
			}
			lssrFit := FitLSSR(ridge, tc.n, tc.sampling, tc.rho)
			if d := math.Abs(math.Log2(lssrFit.C) - math.Log2(tc.c)); d > 0.1 {
				t.Errorf("LSSR at the true ρ: C = 2^%.2f, want 2^%.2f", math.Log2(lssrFit.C), math.Log2(tc.c))
			}
			lsr, srsr := FitLSR(ridge), FitSRSR(ridge)
			if !(lssrFit.RMSE < lsr.RMSE && lssrFit.RMSE < srsr.RMSE) {
				t.Errorf("LSSR RMSE %.3f does not beat LSR %.3f and SRSR %.3f", lssrFit.RMSE, lsr.RMSE, srsr.RMSE)
			}
			if best, _ := Best(lssrFit, lsr, srsr); best.Rule != RuleLSSR {
				t.Errorf("best = %s, want LSSR", best.Rule)
			}
		})
	}
}

func TestLSRRidgeIsFittedBestByLSR(t *testing.T) {
	const log2C = 13
	sw := synthSweep{bs: octaves(8, 4096), log2EtaLo: -12, log2EtaHi: 2, log2EtaStep: 0.25, seeds: 1,
		peak: func(b int) float64 { return math.Log2(float64(b)) - log2C }}
	ridge := Ridge(sw.runs())
	lsr := FitLSR(ridge)
	if lsr.RMSE > 1e-12 || math.Abs(math.Log2(lsr.C)-log2C) > 1e-12 {
		t.Errorf("LSR fit %+v, want C = 2^13, RMSE 0", lsr)
	}
	best, ok := Best(FitLSSR(ridge, 8192, lssr.SamplingWithout, math.Exp2(-7)), lsr, FitSRSR(ridge))
	if !ok || best.Rule != RuleLSR {
		t.Errorf("best = %+v, want LSR", best)
	}
}

func TestBestSkipsUnfittedAndKeepsFirstOnTie(t *testing.T) {
	nan := Fit{Rule: "nan", C: math.NaN(), RMSE: math.NaN()}
	a := Fit{Rule: "a", C: 1, RMSE: 0.5}
	b := Fit{Rule: "b", C: 1, RMSE: 0.5}
	c := Fit{Rule: "c", C: 1, RMSE: 0.7}
	if got, _ := Best(nan, c, a, b); got.Rule != "a" {
		t.Errorf("best = %s, want a", got.Rule)
	}
	if _, ok := Best(nan); ok {
		t.Error("Best of only unfitted fits reports a fit")
	}
}

func TestGoldenMin(t *testing.T) {
	x := goldenMin(func(x float64) float64 { return (x - 1.234) * (x - 1.234) }, 0, 3)
	if math.Abs(x-1.234) > 1e-6 {
		t.Errorf("goldenMin = %v, want 1.234", x)
	}
}
