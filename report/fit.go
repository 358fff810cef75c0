package report

import (
	"math"

	"github.com/lssr/lssr"
)

// Search range and resolution of log2 ρ for FitLSSRFreeRho.
const (
	freeRhoLog2Min  = -24.0
	freeRhoLog2Max  = 0.0
	freeRhoGridStep = 0.05
)

// FitLSSR fits ρ_b/η = C (eq. 17) with ρ given: log2 η_b = log2 ρ_b − log2 C,
// so log2 C = mean(log2 ρ_b − log2 η*_b). n and sampling enter ρ_b through
// γ_{n,b} (eq. 1).
func FitLSSR(ridge []RidgePoint, n int, sampling lssr.Sampling, rho float64) Fit {
	f := Fit{Rule: RuleLSSR, Rho: rho, Params: 1, Points: len(ridge)}
	if len(ridge) < MinRidgePoints || !validRho(rho) || rho > 1 {
		f.C, f.RMSE = math.NaN(), math.NaN()
		return f
	}
	f.C, f.RMSE = fitOffset(ridge, func(b int) float64 {
		return math.Log2(rhoBAt(rho, n, float64(b), sampling))
	})
	return f
}

// FitLSSRFreeRho fits ρ_b/η = C with ρ free too: it minimises the RMSE over
// log2 ρ in [−24, 0] (a dense grid, then golden-section refinement), with C
// in closed form at each ρ. When every b is far below 1/ρ the RMSE is flat in
// ρ (LSSR is LSR there) and the ρ found is arbitrary along that flat valley.
func FitLSSRFreeRho(ridge []RidgePoint, n int, sampling lssr.Sampling) Fit {
	f := Fit{Rule: RuleLSSRFree, Params: 2, Points: len(ridge)}
	if len(ridge) < MinRidgePoints {
		f.C, f.RMSE, f.Rho = math.NaN(), math.NaN(), math.NaN()
		return f
	}
	rmseAt := func(log2Rho float64) float64 {
		return FitLSSR(ridge, n, sampling, math.Exp2(log2Rho)).RMSE
	}
	bestX, bestY := freeRhoLog2Min, math.Inf(1)
	for x := freeRhoLog2Min; x <= freeRhoLog2Max+1e-9; x += freeRhoGridStep {
		if y := rmseAt(x); y < bestY {
			bestX, bestY = x, y
		}
	}
	x := goldenMin(rmseAt, math.Max(freeRhoLog2Min, bestX-freeRhoGridStep),
		math.Min(freeRhoLog2Max, bestX+freeRhoGridStep))
	if rmseAt(x) > bestY {
		x = bestX
	}
	lf := FitLSSR(ridge, n, sampling, math.Exp2(x))
	f.C, f.Rho, f.RMSE = lf.C, lf.Rho, lf.RMSE
	return f
}

// FitLSR fits b/η = C: log2 C = mean(log2 b − log2 η*_b).
func FitLSR(ridge []RidgePoint) Fit {
	f := Fit{Rule: RuleLSR, Params: 1, Points: len(ridge)}
	if len(ridge) < MinRidgePoints {
		f.C, f.RMSE = math.NaN(), math.NaN()
		return f
	}
	f.C, f.RMSE = fitOffset(ridge, func(b int) float64 { return math.Log2(float64(b)) })
	return f
}

// FitSRSR fits √b/η = C: log2 C = mean(½·log2 b − log2 η*_b).
func FitSRSR(ridge []RidgePoint) Fit {
	f := Fit{Rule: RuleSRSR, Params: 1, Points: len(ridge)}
	if len(ridge) < MinRidgePoints {
		f.C, f.RMSE = math.NaN(), math.NaN()
		return f
	}
	f.C, f.RMSE = fitOffset(ridge, func(b int) float64 { return 0.5 * math.Log2(float64(b)) })
	return f
}

// Best returns the fit with the lowest finite RMSE; the first wins a tie.
// Callers pass the one-parameter fits: comparing fits with different numbers
// of parameters by RMSE alone favours the larger model.
func Best(fits ...Fit) (Fit, bool) {
	var best Fit
	found := false
	for _, f := range fits {
		if !f.OK() {
			continue
		}
		if !found || f.RMSE < best.RMSE {
			best, found = f, true
		}
	}
	return best, found
}

// OK reports whether the fit has a finite C and RMSE.
func (f Fit) OK() bool { return isFinite(f.C) && isFinite(f.RMSE) && f.C > 0 }

// Log2Eta is the rule's best log2 η at a (possibly fractional) batch size
// 2^log2B. n and sampling matter for the LSSR rules only.
func (f Fit) Log2Eta(log2B float64, n int, sampling lssr.Sampling) float64 {
	var log2Ratio float64 // log2 of the rule's numerator: ρ_b, b or √b
	switch f.Rule {
	case RuleLSSR, RuleLSSRFree:
		log2Ratio = math.Log2(rhoBAt(f.Rho, n, math.Exp2(log2B), sampling))
	case RuleLSR:
		log2Ratio = log2B
	case RuleSRSR:
		log2Ratio = 0.5 * log2B
	default:
		return math.NaN()
	}
	return log2Ratio - math.Log2(f.C)
}

// fitOffset fits log2 η*_b = g(b) − log2 C by least squares: log2 C is the
// mean of g(b) − log2 η*_b, the RMSE that of the residuals.
func fitOffset(ridge []RidgePoint, g func(b int) float64) (c, rmse float64) {
	var sum float64
	for _, p := range ridge {
		sum += g(p.B) - math.Log2(p.LR)
	}
	log2C := sum / float64(len(ridge))
	var ss float64
	for _, p := range ridge {
		r := math.Log2(p.LR) - (g(p.B) - log2C)
		ss += r * r
	}
	return math.Exp2(log2C), math.Sqrt(ss / float64(len(ridge)))
}

// rhoBAt is eq. 17 (lssr.RhoBAt) at a real-valued batch size, so curves can
// be drawn smoothly between grid points, as the report reads n: without
// replacement a batch cannot exceed the subset, so b > n is read as b = n
// (γ_{n,b} = 0, ρ_b = 1), and n ≤ 0 means n is unknown and is read as
// n = ∞, where γ_{n,b} = 1 as with replacement.
func rhoBAt(rho float64, n int, b float64, sampling lssr.Sampling) float64 {
	switch {
	case n <= 0:
		sampling = lssr.SamplingWith
	case sampling != lssr.SamplingWith:
		b = math.Min(b, float64(n))
	}
	return lssr.RhoBAt(rho, n, b, sampling)
}

// goldenMin returns a local minimiser of f on [lo, hi] by golden-section
// search.
func goldenMin(f func(float64) float64, lo, hi float64) float64 {
	const invPhi = 0.6180339887498949
	a, b := lo, hi
	x1, x2 := b-invPhi*(b-a), a+invPhi*(b-a)
	f1, f2 := f(x1), f(x2)
	for range 100 {
		if b-a < 1e-9 {
			break
		}
		if f1 <= f2 {
			b, x2, f2 = x2, x1, f1
			x1 = b - invPhi*(b-a)
			f1 = f(x1)
		} else {
			a, x1, f1 = x1, x2, f2
			x2 = a + invPhi*(b-a)
			f2 = f(x2)
		}
	}
	return (a + b) / 2
}
