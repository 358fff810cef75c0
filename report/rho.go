package report

import (
	"math"
	"slices"

	"github.com/lssr/lssr"
)

// EstimateRho picks the ρ the LSSR curve is drawn from. Once the training
// set is fit, ‖∇L‖² and with it ρ collapse, so ρ at the end of training is
// not the ρ the rule is about: the estimate is the median of every ρ
// measured during training (RhoSeries) over the done runs; when no done run
// has a series, the median of their final ρ. Values that are not finite and
// positive are skipped. Value is NaN when nothing is left.
func EstimateRho(runs []Run) RhoEstimate {
	var series, final []float64
	seriesRuns, finalRuns := 0, 0
	for _, r := range runs {
		if r.State != lssr.StateDone {
			continue
		}
		n := len(series)
		for _, v := range r.RhoSeries {
			if validRho(v) {
				series = append(series, v)
			}
		}
		if len(series) > n {
			seriesRuns++
		}
		if validRho(r.Rho) {
			final = append(final, r.Rho)
			finalRuns++
		}
	}
	switch {
	case len(series) > 0:
		return RhoEstimate{Value: median(series), Count: len(series), Runs: seriesRuns,
			Statistic: statSeries}
	case len(final) > 0:
		return RhoEstimate{Value: median(final), Count: len(final), Runs: finalRuns,
			Statistic: statFinal}
	default:
		return RhoEstimate{Value: math.NaN(), Statistic: statNone}
	}
}

// The statistics EstimateRho reports.
const (
	statSeries = "median of ρ measured during training (all series values of done runs)"
	statFinal  = "median of the final ρ of done runs (no run has an in-training series; final ρ collapses once the training set is fit, so this ρ is likely too small)"
	statNone   = "no ρ: no done run measured one"
)

func validRho(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// median of a non-empty slice; it sorts a copy.
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
