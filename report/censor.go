package report

import "fmt"

// Sides of the grid a censored point sits at (Censoring.Side).
const (
	// CensoredAbove: the point is at the highest judged η of its b; the
	// truth is there or above it.
	CensoredAbove = "above"
	// CensoredBelow: the point is at the lowest judged η of its b; the
	// truth is there or below it.
	CensoredBelow = "below"
	// CensoredBoth: its b has a single judged η, which bounds nothing.
	CensoredBoth = "both"
)

// Censoring marks a point that sits at its column's edge of the grid, where
// the grid cannot say where the truth is, only that it is "at least here"
// (or "at most here"). A judged η is one with a done, diverged or stopped
// seed.
//
// A ridge point is censored when its b's best mean accuracy is at the
// highest or the lowest judged η of that b: at the grid's top or bottom,
// or next to cells with no finished run. Every estimator is then at that
// edge too (the parabola falls back to the argmax there). A best η just
// below cells whose seeds all diverged (or stopped early, no better than at
// initialisation) is not censored: accuracy there is at chance, so the
// optimum is not above them. A stability-edge point is
// censored when the highest judged η of its b still trains.
//
// Censored points are drawn hollow and left out of every rule fit, the
// bootstrap replicates' fits included: a replicate leaves out the points
// censored in that replicate.
type Censoring struct {
	Censored bool `json:"censored"`
	// Side is CensoredAbove, CensoredBelow or CensoredBoth when Censored.
	Side string `json:"censored_side,omitempty"`
}

// columnCensoring is the censoring of a column's best η (argmaxIdx):
// censored above when no cell above it is judged, below when none below
// it is.
func columnCensoring(col []colCell) Censoring {
	best := argmaxIdx(col)
	if best < 0 {
		return Censoring{}
	}
	above, below := true, true
	for i, c := range col {
		switch {
		case !c.judged:
		case i > best:
			above = false
		case i < best:
			below = false
		}
	}
	switch {
	case above && below:
		return Censoring{Censored: true, Side: CensoredBoth}
	case above:
		return Censoring{Censored: true, Side: CensoredAbove}
	case below:
		return Censoring{Censored: true, Side: CensoredBelow}
	}
	return Censoring{}
}

// censoredAt is a censored point's side and η, for the hint of what to run.
type censoredAt struct {
	side string
	lr   float64
}

// ridgeNotFitted says why the ridge was not fitted: how many of its points
// (one per b with a done seed) lie inside the grid and what would add more.
func ridgeNotFitted(points []EstimatePoint, inside int, lrs []float64) string {
	if len(points) == 0 {
		return "no batch size has a done run"
	}
	var cens []censoredAt
	for _, p := range points {
		if p.Censored {
			cens = append(cens, censoredAt{p.Side, p.LR})
		}
	}
	s := fmt.Sprintf("%d of %d points inside the grid", inside, len(points))
	if len(cens) == 0 {
		return fmt.Sprintf("%s, %d needed: add batch sizes", s, MinRidgeFitPoints)
	}
	return s + "; " + extendHint(cens, lrs, "best η")
}

// edgeNotFitted says why the stability edge was not fitted: how many of its
// points lie inside the grid, how many columns (of the grid's columns)
// still train at their highest judged η, and what would add more points.
func edgeNotFitted(points []EdgePoint, inside, columns int, lrs []float64) string {
	if len(points) == 0 {
		return "no cell trains, so there is no edge to fit"
	}
	var cens []censoredAt
	atTop := true
	for _, p := range points {
		if p.Censored {
			cens = append(cens, censoredAt{p.Side, p.LR})
			atTop = atTop && p.LR == lrs[len(lrs)-1]
		}
	}
	s := fmt.Sprintf("%d of %d points inside the grid", inside, len(points))
	if len(cens) == 0 {
		return fmt.Sprintf("%s, %d needed: add batch sizes", s, MinRidgePoints)
	}
	who := fmt.Sprintf("%d columns still train", len(cens))
	switch {
	case len(cens) == columns:
		who = "every column still trains"
	case len(cens) == 1:
		who = "1 column still trains"
	}
	where := "at the top η 2^" + log2Str(lrs[len(lrs)-1])
	if !atTop {
		where = "at the highest η with a finished run"
	}
	return fmt.Sprintf("%s; %s %s: %s", s, who, where, extendHint(cens, lrs, "edge"))
}

// extendHint says which way to extend learning_rates for the censored
// points: above the grid's top η when some sit at the top, below its
// bottom η when some sit at the bottom, both when both. When some sit
// short of the grid's end, the cells beyond them have no finished run,
// and those runs come first.
func extendHint(cens []censoredAt, lrs []float64, what string) string {
	top, bottom := lrs[len(lrs)-1], lrs[0]
	var above, below, short bool
	for _, c := range cens {
		up := c.side == CensoredAbove || c.side == CensoredBoth
		down := c.side == CensoredBelow || c.side == CensoredBoth
		above, below = above || up, below || down
		short = short || up && c.lr < top || down && c.lr > bottom
	}
	var s string
	switch {
	case above && below:
		s = fmt.Sprintf("extend learning_rates above 2^%s and below 2^%s", log2Str(top), log2Str(bottom))
	case above:
		s = "extend learning_rates above 2^" + log2Str(top)
	default:
		s = "extend learning_rates below 2^" + log2Str(bottom)
	}
	if short {
		s += fmt.Sprintf("; some columns have no finished run beyond their %s: finish those runs first", what)
	}
	return s
}
