package report

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// The two tests of NoRuleFits that the data show no ridge. A sweep whose
// test accuracy does not depend on η beyond seed noise has no best η for a
// rule to follow, and one whose best η the bootstrap cannot place has none
// a rule could be checked against.
//
// Why these two. Flatness is the question asked directly: within each
// batch size, are the cell means equal up to their standard errors (the
// Cell.SEAcc the summary shows)? On a flat surface the χ² of that is
// χ²-distributed, or smaller as SEAcc errs large, so the test flags it in
// all but a fraction NoRidgeAlpha of sweeps, however small the grid; on a
// rule's surface the means differ by many standard errors. But a real
// sweep's accuracy often depends on η only through an undertrained corner
// and the stability edge, with a plateau in between where the best η is
// seed noise; flatness is rejected there. The spread catches that case:
// where the best η is noise, every bootstrap replicate puts it wherever the
// noise peaks, and its interval covers the plateau.
//
// The limits come from synthetic sweeps (synthSweep in the tests: accuracy
// 0.9 − 0.05·(octaves from the best η)²; 1 or 3 seeds; 3 or 8 batch sizes;
// grids of 6 and 11 octaves in half and whole octaves; with and without
// divergence two octaves above the best η). Flat ones, 20 noise draws of
// each, 360 of which got a fit: p 0.027–1, spread 0.5–1. LSSR, LSR and
// SRSR ones with seed noise 0.01–0.02, 6 draws of each, 734 fitted: p at
// most 6·10⁻⁴, spread 0–0.54. The highest p and spread of the rules come
// with one seed per cell on whole octaves and three batch sizes: the report
// estimates that noise from neighbouring cells, so the slope between them
// counts as noise. Other candidates fail one side: a fit's RMSE in octaves
// grows with the grid's span, and with three points inside the grid a rule
// (LSSR with ρ free above all) can fit pure noise closely by chance;
// NearBest marks the cells within one standard error of a best that is
// itself the largest of many noisy means, so on a flat surface it leaves
// out much of a column.
const (
	// NoRidgeAlpha is the significance level of the flatness test: the
	// sweep shows no ridge when χ² = Σ (mean − column mean)²/SE² over the
	// cells with a done seed (the column mean weighted by 1/SE²), on
	// Σ (cells − 1) degrees of freedom over the batch sizes, is not beyond
	// its 1 − NoRidgeAlpha quantile. 0.01 lies between the rules' p and
	// the flat sweeps' with a factor of 16 and 2.7 to spare; a flat sweep
	// that passes it by chance (at most 1 in 100, fewer as SEAcc errs
	// large) still meets the spread.
	NoRidgeAlpha = 0.01
	// NoRidgeSpread is the ridge spread at or above which the sweep shows
	// no ridge: the median, over the FitEstimator's points, of the width
	// of the best η's bootstrap interval as a fraction of the η span of
	// its column's cells (diverged ones too: they say where the best η is
	// not). Two thirds keeps clear of the rules' 0.54 while a plateau over
	// most of the grid still counts as no ridge; the median keeps one
	// column on a plateau from deciding alone.
	NoRidgeSpread = 2.0 / 3
)

// NoRuleFits reports whether the sweep's data fit no scaling rule, and why,
// in one sentence; Predict then predicts nothing. It does when
//
//   - no rule was fitted to the ridge: too few best η lie inside the grid
//     (RidgeFits.Verdict says how many and which way to extend it);
//   - every rule's fit failed;
//   - the bootstrap was skipped (Options.Replicates < 0) or kept no
//     replicate, so the spread cannot be judged;
//   - the data show no ridge: test accuracy is flat in η within seed noise
//     (NoRidgeAlpha), or the ridge spread is at least NoRidgeSpread.
//
// The tests are on the ridge (FitEstimator), the best η the rules are
// about: a sweep with a stability edge but no ridge predicts nothing.
func (s *Summary) NoRuleFits() (why string, noFit bool) {
	c := s.RidgeFits
	switch {
	case len(c.Fits) == 0:
		return "no rule was fitted to the ridge: " + c.Verdict, true
	case !slices.ContainsFunc(c.Fits, func(f RuleFit) bool { return f.OK() }):
		return "every rule's fit to the ridge failed", true
	case c.Replicates == 0:
		return "the bootstrap was skipped or kept no replicate, so whether the best η is more than seed noise cannot be judged", true
	}
	return s.NoRidge()
}

// NoRidge reports whether the data show no ridge, and why: test accuracy
// is flat in η within seed noise (NoRidgeAlpha), or the ridge spread is at
// least NoRidgeSpread. Unlike NoRuleFits it asks nothing of the fits, so it
// also judges a sweep whose best η runs off the grid at one end (a guided
// search asks it of its reference batch sizes). Without a bootstrap the
// spread is not judged.
func (s *Summary) NoRidge() (why string, noRidge bool) {
	if f := s.flatness(); f.columns > 0 && f.p >= NoRidgeAlpha {
		return fmt.Sprintf("no ridge: test accuracy does not depend on η beyond seed noise (χ² = %.1f on %d degrees of freedom over %d batch sizes, p = %.2g ≥ %g)",
			f.chi2, f.dof, f.columns, f.p, NoRidgeAlpha), true
	}
	if s.Bootstrap.Replicates == 0 {
		return "", false
	}
	spread, columns := s.ridgeSpread()
	if columns == 0 {
		return "no batch size has a best η with a bootstrap interval and two learning rates with a done run, so whether it is more than seed noise cannot be judged", true
	}
	if spread >= NoRidgeSpread {
		return fmt.Sprintf("no ridge: the best η's %d%% bootstrap interval covers a median %.0f%% of its column's learning rates over %d batch sizes (%.0f%% or more: where it lies is seed noise)",
			int(math.Round(100*Level)), 100*spread, columns, 100*NoRidgeSpread), true
	}
	return "", false
}

// flatTest is the χ² test that test accuracy does not depend on η within
// each batch size (NoRidgeAlpha).
type flatTest struct {
	chi2         float64
	dof, columns int // columns: batch sizes with two or more cells with a done seed
	p            float64
}

// flatness computes the flatness test over the cells with a done seed and a
// positive standard error; columns is 0 when no batch size has two.
func (s *Summary) flatness() flatTest {
	byB := map[int][]Cell{}
	var bs []int
	for _, c := range s.Cells {
		if c.Seeds == 0 || !(c.SEAcc > 0) || !isFinite(c.MeanAcc) {
			continue
		}
		if _, seen := byB[c.B]; !seen {
			bs = append(bs, c.B)
		}
		byB[c.B] = append(byB[c.B], c)
	}
	var f flatTest
	for _, b := range bs {
		col := byB[b]
		if len(col) < 2 {
			continue
		}
		var sw, swm float64
		for _, c := range col {
			w := 1 / (c.SEAcc * c.SEAcc)
			sw += w
			swm += w * c.MeanAcc
		}
		mean := swm / sw
		for _, c := range col {
			d := (c.MeanAcc - mean) / c.SEAcc
			f.chi2 += d * d
		}
		f.dof += len(col) - 1
		f.columns++
	}
	if f.columns == 0 {
		return f
	}
	f.p = distuv.ChiSquared{K: float64(f.dof)}.Survival(f.chi2)
	return f
}

// ridgeSpread is the median, over the FitEstimator's ridge points, of the
// width of the point's bootstrap interval in log2 η over the span in log2 η
// of its column's cells, and the number of columns it is over: those with
// a finite interval and a span.
func (s *Summary) ridgeSpread() (median float64, columns int) {
	par, ok := s.RidgeBy(FitEstimator)
	if !ok {
		return math.NaN(), 0
	}
	lo, hi := map[int]float64{}, map[int]float64{}
	for _, c := range s.Cells {
		x := math.Log2(c.LR)
		if l, seen := lo[c.B]; !seen || x < l {
			lo[c.B] = x
		}
		if h, seen := hi[c.B]; !seen || x > h {
			hi[c.B] = x
		}
	}
	var fractions []float64
	for _, p := range par.Points {
		span := hi[p.B] - lo[p.B]
		width := p.Log2Interval.Hi - p.Log2Interval.Lo
		if span > 0 && isFinite(width) {
			fractions = append(fractions, width/span)
		}
	}
	if len(fractions) == 0 {
		return math.NaN(), 0
	}
	slices.Sort(fractions)
	n := len(fractions)
	return (fractions[(n-1)/2] + fractions[n/2]) / 2, n
}
