package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/lssr/lssr"
)

// NoiseScaleNote states that LSSR with replacement is McCandlish et al.'s
// noise-scale rule; TestNoiseScaleIsLSSRWithReplacement checks the algebra.
const NoiseScaleNote = "With replacement (γ_{n,b} = 1) eq. 17 reads ρ_b = bρ/(1 + (b−1)ρ) = b/(b + B_simple) with B_simple = 1/ρ − 1 = tr(S_1 − S_n)/tr(S_n), McCandlish et al.'s (2018) simple noise scale tr(Σ)/|G|². So LSSR's best η = ρ_b/C = (1/C)·b/(b + B_simple) is their ε_opt = ε_max/(1 + B_noise/b) with ε_max = 1/C and B_noise = B_simple: the same curve. Without replacement, γ_{n,b} = (n−b)/(n−1) bends it further as b nears n."

// judgedStates names the outcomes of the runs the ridge's censoring and
// the stability edge judge, joined by conj ("or", "and"): done and
// diverged, and stopped only when some run was stopped early, so that the
// summaries of sweeps without training.stop_early read as they always did.
func (s *Summary) judgedStates(conj string) string {
	if s.States[lssr.StateStopped] > 0 {
		return "done, diverged " + conj + " stopped"
	}
	return "done " + conj + " diverged"
}

// writeSeedSections writes the seed-aware sections of summary.md: seeds,
// the ridge estimators, the stability edge and both rule comparisons.
func writeSeedSections(p func(string, ...any), s *Summary) {
	bs := s.Bootstrap
	sc := s.accScale()
	p("\n## Seeds and the bootstrap\n\n")
	lo, hi := seedRange(s.Cells)
	p("- seeds per cell with a done run: %d to %d\n", lo, hi)
	p("- per-seed s.d. of test accuracy (of one-seed cells, and the floor of the others'): %.3g (%s)\n", bs.SeedSigma*sc, bs.SeedSigmaFrom)
	p("- bootstrap: %d replicates, PCG seed %d, %.0f%% percentile intervals; %s\n", bs.Replicates, bs.Seed, 100*bs.Level, bs.Method)
	p("- every cell's mean, s.d., n and standard error are in [%s](%s)\n", FitJSONFile, FitJSONFile)

	p("\n## Ridge: best η per batch size\n\n")
	p("log2 η with its %.0f%% bootstrap interval in brackets. argmax: the highest seed mean; parabola: the vertex through the argmax and its two η neighbours (* = fell back to the argmax); centroid: the accuracy-weighted mean log2 η of the cells within one standard error of the best. A best η at the highest or lowest η of its b with a %s run (the grid's top or bottom, or next to cells with no finished run) is censored: the optimum is there or beyond it, so it is drawn hollow and not fitted. The rules are fitted to the %s ridge's points inside the grid, when there are at least %d.\n\n",
		100*bs.Level, s.judgedStates("or"), FitEstimator, MinRidgeFitPoints)
	p("| b | argmax | parabola | centroid | best mean acc (%%) ± SE | seeds | cells within 1 SE (log2 η) | censored |\n")
	p("| ---: | --- | --- | --- | ---: | ---: | --- | --- |\n")
	arg, _ := s.RidgeBy(EstimatorArgmax)
	par, _ := s.RidgeBy(EstimatorParabola)
	cen, _ := s.RidgeBy(EstimatorCentroid)
	for i, a := range arg.Points {
		best, near := bestAndNear(s.Cells, a.B)
		fb := ""
		if par.Points[i].Fallback {
			fb = "*"
		}
		p("| %d | %s | %s%s | %s | %.2f ± %.2f | %d | %s | %s |\n", a.B, log2WithCI(a.Log2LR, a.Log2Interval),
			log2WithCI(par.Points[i].Log2LR, par.Points[i].Log2Interval), fb,
			log2WithCI(cen.Points[i].Log2LR, cen.Points[i].Log2Interval),
			best.MeanAcc*sc, best.SEAcc*sc, best.Seeds, near, censoredText(par.Points[i]))
	}
	if len(arg.Points) == 0 {
		p("| – | – | – | – | – | 0 | – | – |\n")
	}

	p("\n## Stability edge\n\n")
	notDiverged := "did not diverge"
	if s.States[lssr.StateStopped] > 0 {
		notDiverged = "did not diverge or stop early"
	}
	p("A run trains when it %s and its final training loss is at most %.2g × the reference loss (%s). A cell trains when a strict majority of its %s seeds train. The edge of a b is the largest η that trains below the first η from which nothing trains; cells below it that do not train are holes (too small an η to train in the epochs given, or a stray seed). An edge at the highest η of its b with a %s run (the top of the grid, unless the cells above have no finished run) is censored: the edge is there or higher, so it is drawn hollow and not fitted. The fits place the edge in the middle of its bracket, in log2 η.\n\n",
		notDiverged, s.Edge.Margin, s.Edge.Reference, s.judgedStates("and"), s.judgedStates("or"))
	p("| b | edge η | log2 | next η (fails) | holes | log2 middle [%.0f%% interval] |\n", 100*bs.Level)
	p("| ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, e := range s.Edge.Points {
		next, mid := "–", "– (censored: ≥ "+fmtG(e.LR)+")"
		if !e.Censored {
			next, mid = fmtG(e.NextLR), log2WithCI(e.Log2Mid, e.Log2Interval)
		}
		p("| %d | %s | %.2f | %s | %d | %s |\n", e.B, fmtG(e.LR), math.Log2(e.LR), next, e.Holes, mid)
	}
	if len(s.Edge.Points) == 0 {
		p("| – | no cell trains | – | – | – | – |\n")
	}

	writeComparison(p, "Fits to the ridge", s.RidgeFits, bs.Replicates)
	writeComparison(p, "Fits to the stability edge", s.EdgeFits, bs.Replicates)
	p("\n## The noise scale\n\n%s\n", NoiseScaleNote)
}

// writeComparison writes one rule comparison: the fits with intervals and
// the verdict; drawn is the number of bootstrap replicates drawn.
func writeComparison(p func(string, ...any), heading string, c Comparison, drawn int) {
	p("\n## %s\n\n", heading)
	if len(c.Fits) == 0 {
		p("No rule was fitted: %s.\n", c.Verdict)
		return
	}
	if len(c.Censored) > 0 {
		var bs []int
		for _, q := range c.Censored {
			bs = append(bs, q.B)
		}
		p("Censored, at the grid's edge, and left out: b = %s.\n\n", joinInts(bs))
	}
	if c.Replicates < drawn {
		p("%d of the %d bootstrap replicates kept too few points inside the grid to refit (a replicate leaves out its own censored points); the intervals are over the other %d.\n\n",
			drawn-c.Replicates, drawn, c.Replicates)
	}
	p("Least squares in log2 η over %d points; RMSE is in octaves of η. AIC = n·ln(RSS/n) + 2k (k = 2 for LSSR with ρ free): lower is better. Brackets: bootstrap intervals. The RMSE and AIC intervals are those of the refits to bootstrap replicates, each of which adds seed noise to the data, so they can sit above the fit to the data itself; compare rules by the paired ΔAIC intervals of the verdict, not by these.\n\n", len(c.Points))
	p("| rule | C [interval] | log2 C | ρ [interval] | RMSE [interval] | AIC [interval] | params |\n")
	p("| --- | --- | ---: | --- | --- | --- | ---: |\n")
	for _, f := range c.Fits {
		rho := "–"
		if lssrFamily(f.Rule) {
			rho = fmt.Sprintf("2^%.2f [2^%.2f, 2^%.2f]", math.Log2(f.Rho), math.Log2(f.RhoInterval.Lo), math.Log2(f.RhoInterval.Hi))
		}
		p("| %s | %.4g [%.4g, %.4g] | %.2f | %s | %.3f [%.3f, %.3f] | %.1f [%.1f, %.1f] | %d |\n", ruleLabel(f.Rule),
			f.C, f.CInterval.Lo, f.CInterval.Hi, math.Log2(f.C), rho, f.RMSE, f.RMSEInterval.Lo, f.RMSEInterval.Hi,
			f.AIC, f.AICInterval.Lo, f.AICInterval.Hi, f.Params)
	}
	if c.Winner != "" {
		p("\n**Verdict: %s.** %s.\n", ruleLabel(c.Winner), c.Verdict)
	} else {
		p("\n**Verdict: no winner.** %s.\n", c.Verdict)
	}
}

// censoredText is the ridge table's censored column: where the optimum
// lies, or "–" for a point inside the grid.
func censoredText(e EstimatePoint) string {
	switch e.Side {
	case CensoredAbove:
		return "≥ 2^" + log2Str(e.LR)
	case CensoredBelow:
		return "≤ 2^" + log2Str(e.LR)
	case CensoredBoth:
		return "one η judged"
	}
	return "–"
}

func log2WithCI(x float64, iv Interval) string {
	return fmt.Sprintf("%.2f [%.2f, %.2f]", x, iv.Lo, iv.Hi)
}

// seedRange is the fewest and most done seeds of the cells that have one.
func seedRange(cells []Cell) (lo, hi int) {
	for _, c := range cells {
		if c.Seeds == 0 {
			continue
		}
		if lo == 0 || c.Seeds < lo {
			lo = c.Seeds
		}
		hi = max(hi, c.Seeds)
	}
	return lo, hi
}

// bestAndNear returns the best cell of batch size b and the log2 η of its
// cells within one standard error of it.
func bestAndNear(cells []Cell, b int) (Cell, string) {
	var best Cell
	var near []string
	for _, c := range cells {
		if c.B != b {
			continue
		}
		if c.Best {
			best = c
		}
		if c.NearBest {
			near = append(near, log2Str(c.LR))
		}
	}
	return best, strings.Join(near, ", ")
}
