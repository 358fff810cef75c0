package search

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
)

// predictor gives a log2 η at a batch size.
type predictor struct {
	name string
	at   func(b int) float64
}

// prediction is what the reference batch sizes predict: the predictors of
// the best η and of the stability edge, and how they were made.
type prediction struct {
	best, edge []predictor
	basis      string
	// noRidge, when set, says why the reference batch sizes show no ridge:
	// no rule can be fitted, and the search ends there.
	noRidge string
}

// span is the smallest and largest prediction at b; ok is false when there
// is no predictor.
func span(ps []predictor, b int) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		v := p.at(b)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		lo, hi, ok = min(lo, v), max(hi, v), true
	}
	return lo, hi, ok
}

// state gives the predictions at every batch size, for SearchState.
func (pr prediction) state(bs []int) []lssr.SearchPrediction {
	var out []lssr.SearchPrediction
	for _, b := range bs {
		sp := lssr.SearchPrediction{B: b}
		sp.BestLo, sp.BestHi, sp.HasBest = span(pr.best, b)
		sp.EdgeLo, sp.EdgeHi, sp.HasEdge = span(pr.edge, b)
		if !sp.HasBest {
			sp.BestLo, sp.BestHi = 0, 0
		}
		if !sp.HasEdge {
			sp.EdgeLo, sp.EdgeHi = 0, 0
		}
		out = append(out, sp)
	}
	return out
}

// predict analyses the reference runs as the report does (without the
// bootstrap) and builds the predictors: ρ_b/η = C with the measured ρ and
// with ρ free, fitted to the reference columns' best η (parabola
// estimator) and to their stability edges, and the reference points
// interpolated linearly in log2 b (constant beyond them), which follows any
// power law between the references.
//
// The analysis runs the report's bootstrap, so the prediction is kept for
// the reference runs it came from: the rounds that follow, which only add
// runs at other batch sizes, reuse it.
func (p *Planner) predict(l *lattice) prediction {
	runs := l.reportRuns(p.refs)
	var key strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&key, "%s %s %x %x %x;", r.JobID, r.State, math.Float64bits(r.TestAcc),
			math.Float64bits(r.TrainLoss), math.Float64bits(r.InitialTrainLoss))
		for _, rho := range r.RhoSeries {
			fmt.Fprintf(&key, "%x,", math.Float64bits(rho))
		}
	}
	if p.cache != nil && p.cacheKey == key.String() {
		return *p.cache
	}
	pr := p.analyseReferences(runs)
	p.cache, p.cacheKey = &pr, key.String()
	return pr
}

// analyseReferences builds the predictors from the reference runs.
func (p *Planner) analyseReferences(runs []report.Run) prediction {
	// With the report's bootstrap: whether the references show a ridge at
	// all is judged by its spread (report.Summary.NoRidge).
	s := report.AnalyzeWith(p.meta, runs, report.Options{Replicates: p.replicates})
	var pr prediction
	if why, no := s.NoRidge(); no {
		pr.noRidge = why
		pr.basis = "no prediction: at the reference batch sizes, " + why
		return pr
	}
	var parts []string
	fits := func(c report.Comparison, what string) []predictor {
		var out []predictor
		for _, f := range c.Fits {
			if (f.Rule == report.RuleLSSR || f.Rule == report.RuleLSSRFree) && f.OK() {
				out = append(out, predictor{name: f.Rule, at: func(b int) float64 {
					return f.Log2Eta(math.Log2(float64(b)), p.meta.N, p.meta.Sampling)
				}})
				parts = append(parts, fmt.Sprintf("%s fitted to the %s (C %.4g, ρ %.4g)", f.Rule, what, f.C, f.Rho))
			}
		}
		return out
	}
	pr.best = fits(s.RidgeFits, "best η")
	pr.edge = fits(s.EdgeFits, "edges")
	var bestPts, edgePts [][2]float64
	if est, ok := s.RidgeBy(report.FitEstimator); ok {
		for _, pt := range est.Points {
			bestPts = append(bestPts, [2]float64{math.Log2(float64(pt.B)), pt.Log2LR})
		}
	}
	for _, pt := range s.Edge.Points {
		y := pt.Log2Mid
		if pt.Censored {
			y = math.Log2(pt.LR)
		}
		edgePts = append(edgePts, [2]float64{math.Log2(float64(pt.B)), y})
	}
	if len(bestPts) > 0 {
		pr.best = append(pr.best, interpolator("best η", bestPts))
		parts = append(parts, fmt.Sprintf("the references' best η interpolated in log2 b (%d points)", len(bestPts)))
	}
	if len(edgePts) > 0 {
		pr.edge = append(pr.edge, interpolator("edge", edgePts))
		parts = append(parts, fmt.Sprintf("their edges interpolated (%d points)", len(edgePts)))
	}
	if len(parts) == 0 {
		pr.basis = "nothing trained at the reference batch sizes: no prediction; the other batch sizes are scanned as the references were"
	} else {
		pr.basis = strings.Join(parts, "; ")
		if len(s.Fits) == 0 {
			pr.basis += "; no rule was fitted to the best η: " + s.RidgeFits.Verdict
		}
	}
	return pr
}

// interpolator is linear in log2 b between the points (x = log2 b
// ascending) and constant beyond them.
func interpolator(name string, pts [][2]float64) predictor {
	pts = slices.Clone(pts)
	slices.SortFunc(pts, func(a, b [2]float64) int { return compareFloat(a[0], b[0]) })
	return predictor{name: name, at: func(b int) float64 {
		x := math.Log2(float64(b))
		switch {
		case x <= pts[0][0]:
			return pts[0][1]
		case x >= pts[len(pts)-1][0]:
			return pts[len(pts)-1][1]
		}
		for i := 1; i < len(pts); i++ {
			if x <= pts[i][0] {
				a, c := pts[i-1], pts[i]
				return a[1] + (c[1]-a[1])*(x-a[0])/(c[0]-a[0])
			}
		}
		return pts[len(pts)-1][1]
	}}
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// bandCells is where a batch size that is not a reference starts: the
// cells within the band of its predicted best η, and the two cells around
// each predicted edge. Without predictions it is scanned as a reference.
func (p *Planner) bandCells(bi int, pr prediction) initial {
	b := p.bs[bi]
	lo, hi, okBest := span(pr.best, b)
	elo, ehi, okEdge := span(pr.edge, b)
	if !okBest && !okEdge {
		init := p.coarse(bi)
		init.why = func(int) string {
			return fmt.Sprintf("b=%d: no prediction from the references: coarse scan, every %s of η", b, strideText(p.step))
		}
		return init
	}
	inBand := map[int]bool{}
	atEdge := map[int]bool{}
	if okBest {
		for li, x := range p.log2 {
			if x >= lo-p.set.Band-1e-9 && x <= hi+p.set.Band+1e-9 {
				inBand[li] = true
			}
		}
		if len(inBand) == 0 {
			inBand[p.nearest((lo+hi)/2)] = true // the band lies off the grid: its nearest cell
		}
	}
	if okEdge {
		for _, e := range []float64{elo, ehi} {
			li := p.below(e)
			atEdge[li] = true
			if li+1 < len(p.lrs) {
				atEdge[li+1] = true
			}
		}
	}
	var cells []int
	for li := range p.lrs {
		if inBand[li] || atEdge[li] {
			cells = append(cells, li)
		}
	}
	return initial{cells: cells, why: func(li int) string {
		if inBand[li] {
			return fmt.Sprintf("b=%d: within ±%g octave of the predicted best η (%s)", b, p.set.Band, spanText(lo, hi))
		}
		return fmt.Sprintf("b=%d: next to the predicted stability edge (%s)", b, spanText(elo, ehi))
	}}
}

// spanText is "2^-4.5" or "2^-4.8 … 2^-4.3".
func spanText(lo, hi float64) string {
	if math.Abs(hi-lo) < 0.005 {
		return "2^" + fmtLog2(lo)
	}
	return "2^" + fmtLog2(lo) + " … 2^" + fmtLog2(hi)
}

// nearest is the grid index of the η nearest log2 η = x.
func (p *Planner) nearest(x float64) int {
	best := 0
	for li, v := range p.log2 {
		if math.Abs(v-x) < math.Abs(p.log2[best]-x) {
			best = li
		}
	}
	return best
}

// below is the grid index of the largest η at or below log2 η = x (the
// smallest when all are above).
func (p *Planner) below(x float64) int {
	li := 0
	for i, v := range p.log2 {
		if v <= x+1e-9 {
			li = i
		}
	}
	return li
}
