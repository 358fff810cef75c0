package report

import "math"

// Ridge estimators: the ways the best η of a batch size is read from the
// seed means of its row (RidgeEstimate.Estimator).
const (
	// EstimatorArgmax is the η of the highest seed mean (ties: smaller η).
	EstimatorArgmax = "argmax"
	// EstimatorParabola refines the argmax by the vertex of the parabola
	// through it and its two η neighbours in log2 η. It falls back to the
	// argmax at the grid's edge, when a neighbour has no done seed, or when
	// the parabola does not open downward; the vertex is clamped to the
	// neighbours' span. An argmax at the edge of its column's judged cells
	// makes the point censored (Censoring), whatever a parabola through the
	// top three cells would say: its vertex would lie off the grid, where
	// no cell constrains it.
	EstimatorParabola = "parabola"
	// EstimatorCentroid is the accuracy-weighted mean of log2 η over the
	// cells within one standard error of the best (Cell.NearBest).
	EstimatorCentroid = "centroid"
)

// Estimators lists the ridge estimators in the order Summary.Ridges holds
// them.
var Estimators = []string{EstimatorArgmax, EstimatorParabola, EstimatorCentroid}

// FitEstimator is the ridge estimator the rules are fitted to: the parabola
// is continuous in log2 η, so it is not quantised to the grid as the argmax
// is, and unlike the centroid it is not pulled towards the middle of the
// grid when the plateau runs off its edge.
const FitEstimator = EstimatorParabola

// RidgeEstimate is one estimator's best η per batch size, with bootstrap
// intervals over seeds.
type RidgeEstimate struct {
	Estimator string          `json:"estimator"`
	Points    []EstimatePoint `json:"points"` // ascending b; batch sizes with a done seed
}

// EstimatePoint is one batch size's best η by one estimator.
type EstimatePoint struct {
	B      int     `json:"b"`
	LR     float64 `json:"lr"` // 2^Log2LR
	Log2LR float64 `json:"log2_lr"`
	// Log2Interval is the bootstrap percentile interval of Log2LR
	// (Bootstrap.Level).
	Log2Interval Interval `json:"log2_interval"`
	// Fallback is set when the parabola estimator fell back to the argmax.
	Fallback bool `json:"fallback,omitempty"`
	Censoring
}

// Interval is a bootstrap percentile interval; NaN ends when no replicate
// gave a value.
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Contains reports whether x lies in [Lo, Hi].
func (iv Interval) Contains(x float64) bool { return iv.Lo <= x && x <= iv.Hi }

// estimate applies the named estimator to a row. ok is false when the row
// has no done seed; fallback when the parabola fell back to the argmax.
func estimate(estimator string, col []colCell) (log2LR float64, fallback, ok bool) {
	best := argmaxIdx(col)
	if best < 0 {
		return math.NaN(), false, false
	}
	switch estimator {
	case EstimatorParabola:
		x, fb := parabolaVertex(col, best)
		return x, fb, true
	case EstimatorCentroid:
		return centroid(col, best), false, true
	}
	return col[best].log2LR, false, true
}

// argmaxIdx is the index of the highest mean among cells with seeds; the
// first wins a tie, so ties go to the smaller η. −1 when there is none.
func argmaxIdx(col []colCell) int {
	best := -1
	for i, c := range col {
		if c.n > 0 && (best < 0 || c.mean > col[best].mean) {
			best = i
		}
	}
	return best
}

// parabolaVertex is the vertex in log2 η of the parabola through the argmax
// (index i) and its grid neighbours, clamped to their span; fallback is set
// when it returns the argmax instead.
func parabolaVertex(col []colCell, i int) (log2LR float64, fallback bool) {
	if i == 0 || i == len(col)-1 || col[i-1].n == 0 || col[i+1].n == 0 {
		return col[i].log2LR, true
	}
	x0, x1, x2 := col[i-1].log2LR, col[i].log2LR, col[i+1].log2LR
	y0, y1, y2 := col[i-1].mean, col[i].mean, col[i+1].mean
	denom := (x0 - x1) * (x0 - x2) * (x1 - x2)
	a := (x2*(y1-y0) + x1*(y0-y2) + x0*(y2-y1)) / denom
	bq := (x2*x2*(y0-y1) + x1*x1*(y2-y0) + x0*x0*(y1-y2)) / denom
	if !(a < 0) || !isFinite(a) || !isFinite(bq) {
		return col[i].log2LR, true
	}
	return math.Min(math.Max(-bq/(2*a), x0), x2), false
}

// centroid is the accuracy-weighted mean log2 η of the cells within one
// standard error of the best (index best).
func centroid(col []colCell, best int) float64 {
	var sw, swx float64
	for i, near := range nearBest(col, best) {
		if near {
			w := math.Max(col[i].mean, 0)
			sw += w
			swx += w * col[i].log2LR
		}
	}
	if sw <= 0 {
		return col[best].log2LR
	}
	return swx / sw
}
