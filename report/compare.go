package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/lssr/lssr"
)

// Targets of a Comparison: what the rules were fitted to.
const (
	TargetRidge = "ridge (" + FitEstimator + " estimator)"
	TargetEdge  = "stability edge"
)

// aicFloor is the smallest mean squared residual AIC takes (10⁻³ octave
// squared): an exact fit would otherwise score −∞ and outrank everything.
const aicFloor = 1e-6

// MinComparePoints is the fewest points at which rules are ranked: with
// two, LSSR with ρ free fits exactly and AIC says nothing.
const MinComparePoints = 3

// RuleFit is a rule fitted to a Comparison's points, with bootstrap
// intervals (Bootstrap.Level) from refitting every replicate.
type RuleFit struct {
	Fit
	// AIC is n·ln(RSS/n) + 2k in log2 η, RSS/n floored at 10⁻⁶: lower is
	// better, and the free ρ of LSSR pays 2 for its extra parameter.
	AIC          float64  `json:"aic"`
	CInterval    Interval `json:"c_interval"`
	RhoInterval  Interval `json:"rho_interval"` // LSSR fits only
	RMSEInterval Interval `json:"rmse_interval"`
	AICInterval  Interval `json:"aic_interval"`
}

// AICDifference is AIC(A) − AIC(B) at the data and its paired bootstrap
// interval (both fits refitted on the same replicate). A beats B when the
// whole interval is below 0.
type AICDifference struct {
	A        string   `json:"a"`
	B        string   `json:"b"`
	Delta    float64  `json:"delta"`
	Interval Interval `json:"interval"`
}

// FitPoint is one point a rule is fitted to: a batch size and its log2 η.
type FitPoint struct {
	B      int     `json:"b"`
	Log2LR float64 `json:"log2_lr"`
}

// Comparison is the scaling rules fitted to one target and the verdict.
//
// A rule wins when the paired-bootstrap interval of its AIC difference is
// below 0 against every other rule; LSSR with ρ free counts as LSSR's own
// family, so LSSR with the measured ρ also wins when the free ρ does not
// beat it (fewer parameters), and the free ρ wins only when it beats the
// measured one. Otherwise no rule wins: the rules are indistinguishable at
// this noise.
//
// Censored points (Censoring) are not fitted. With fewer points inside the
// grid than the target needs (MinRidgeFitPoints for the ridge,
// MinRidgePoints for the edge), Fits and Differences are empty and Verdict
// says how many points lie inside the grid and which way to extend it.
type Comparison struct {
	Target string     `json:"target"`
	Points []FitPoint `json:"points"` // the points inside the grid
	// Censored are the points left out of the fits (Censoring).
	Censored []FitPoint `json:"censored"`
	// Replicates counts the bootstrap replicates the intervals are over:
	// those with enough points inside the grid to refit.
	Replicates  int             `json:"replicates"`
	Fits        []RuleFit       `json:"fits"` // the order of Summary.Fits
	Differences []AICDifference `json:"differences"`
	Winner      string          `json:"winner"` // a Rule constant, or "" when none wins
	Verdict     string          `json:"verdict"`

	// refits are the Replicates bootstrap replicates the intervals are
	// over, each with its points and every rule refitted to them: what
	// Summary.Predict evaluates at other batch sizes. Unexported, so
	// fit.json (a thousand fits per rule) does not carry them.
	refits []refit
}

// refit is one bootstrap replicate of a Comparison: the points it kept
// inside the grid and every rule refitted to them, in the order of
// Comparison.Fits.
type refit struct {
	points []RidgePoint
	fits   []Fit
}

// Fit returns the fit of the named rule, if there is one.
func (c Comparison) Fit(rule string) (RuleFit, bool) {
	for _, f := range c.Fits {
		if f.Rule == rule {
			return f, true
		}
	}
	return RuleFit{}, false
}

// Difference returns AIC(a) − AIC(b) with its interval, either way round.
func (c Comparison) Difference(a, b string) (AICDifference, bool) {
	for _, d := range c.Differences {
		switch {
		case d.A == a && d.B == b:
			return d, true
		case d.A == b && d.B == a:
			return AICDifference{A: a, B: b, Delta: -d.Delta, Interval: Interval{-d.Interval.Hi, -d.Interval.Lo}}, true
		}
	}
	return AICDifference{}, false
}

// fitRules fits every rule, in the order of Summary.Fits: LSSR with the
// measured ρ (when finite), LSSR with ρ free, LSR, SRSR.
func fitRules(pts []RidgePoint, n int, sampling lssr.Sampling, rho float64) []Fit {
	var fits []Fit
	if isFinite(rho) {
		fits = append(fits, FitLSSR(pts, n, sampling, rho))
	}
	return append(fits, FitLSSRFreeRho(pts, n, sampling), FitLSR(pts), FitSRSR(pts))
}

// AIC is n·ln(max(RMSE², 10⁻⁶)) + 2k for the fit's n points and k
// parameters; NaN when the fit failed.
func AIC(f Fit) float64 {
	if !f.OK() {
		return math.NaN()
	}
	return float64(f.Points)*math.Log(math.Max(f.RMSE*f.RMSE, aicFloor)) + 2*float64(f.Params)
}

// fitTarget is what a Comparison fits: the points inside the grid, each
// bootstrap replicate's (the same batch sizes, less those censored in that
// replicate), the censored points left out, the fewest points a fit needs
// and, when there are fewer, why.
type fitTarget struct {
	name             string
	points, censored []RidgePoint
	reps             [][]RidgePoint
	minPoints        int
	tooFew           string
}

// add files a point under points or, when censored, under censored.
func (t *fitTarget) add(censored bool, p RidgePoint) {
	if censored {
		t.censored = append(t.censored, p)
		return
	}
	t.points = append(t.points, p)
}

func fitPoints(pts []RidgePoint) []FitPoint {
	out := []FitPoint{}
	for _, p := range pts {
		out = append(out, FitPoint{B: p.B, Log2LR: math.Log2(p.LR)})
	}
	return out
}

// compareRules fits the rules to the target's points and to every
// replicate's that has enough of them, and names the winner, if any. With
// too few points it fits nothing and the verdict says why.
func compareRules(t fitTarget, meta Meta, rho float64) Comparison {
	c := Comparison{Target: t.name, Points: fitPoints(t.points), Censored: fitPoints(t.censored)}
	if len(t.points) < t.minPoints {
		c.Verdict = t.tooFew
		return c
	}
	fits := fitRules(t.points, meta.N, meta.Sampling, rho)
	k := len(fits)
	// per rule: C, ρ, RMSE, AIC of every replicate with enough points
	cs, rhos, rmses, aics := make([][]float64, k), make([][]float64, k), make([][]float64, k), make([][]float64, k)
	for _, rp := range t.reps {
		if len(rp) < t.minPoints {
			continue
		}
		c.Replicates++
		rf := refit{points: rp, fits: fitRules(rp, meta.N, meta.Sampling, rho)}
		c.refits = append(c.refits, rf)
		for i, f := range rf.fits {
			cs[i] = append(cs[i], f.C)
			rhos[i] = append(rhos[i], f.Rho)
			rmses[i] = append(rmses[i], f.RMSE)
			aics[i] = append(aics[i], AIC(f))
		}
	}
	for i, f := range fits {
		rf := RuleFit{Fit: f, AIC: AIC(f), CInterval: percentile(cs[i]), RMSEInterval: percentile(rmses[i]),
			AICInterval: percentile(aics[i])}
		if f.Rule == RuleLSSR || f.Rule == RuleLSSRFree {
			rf.RhoInterval = percentile(rhos[i])
		}
		c.Fits = append(c.Fits, rf)
	}
	for i := range fits {
		for j := i + 1; j < k; j++ {
			deltas := make([]float64, c.Replicates)
			for r := range deltas {
				deltas[r] = aics[i][r] - aics[j][r]
			}
			c.Differences = append(c.Differences, AICDifference{A: fits[i].Rule, B: fits[j].Rule,
				Delta: AIC(fits[i]) - AIC(fits[j]), Interval: percentile(deltas)})
		}
	}
	c.Winner, c.Verdict = c.verdict(len(t.reps))
	return c
}

// beats reports whether a's AIC is below b's in the whole paired interval.
func (c Comparison) beats(a, b string) bool {
	d, ok := c.Difference(a, b)
	return ok && d.Interval.Hi < 0
}

func lssrFamily(rule string) bool { return rule == RuleLSSR || rule == RuleLSSRFree }

// clears reports whether rule w beats every other rule, the other member of
// the LSSR family excepted, which must only not beat w.
func (c Comparison) clears(w string) bool {
	for _, f := range c.Fits {
		switch {
		case f.Rule == w:
		case lssrFamily(w) && lssrFamily(f.Rule):
			if c.beats(f.Rule, w) {
				return false
			}
		case !c.beats(w, f.Rule):
			return false
		}
	}
	return true
}

// verdict names the winner (see Comparison) and says why, or why not;
// drawn is the number of replicates drawn, c.Replicates those fitted.
func (c Comparison) verdict(drawn int) (winner, why string) {
	if len(c.Points) < MinComparePoints {
		return "", fmt.Sprintf("not ranked: %d points; at least %d are needed (with two, LSSR with ρ free fits exactly)",
			len(c.Points), MinComparePoints)
	}
	switch {
	case drawn == 0:
		return "", "not ranked: the bootstrap was skipped, so there is no interval to rank by"
	case c.Replicates == 0:
		return "", fmt.Sprintf("not ranked: none of the %d bootstrap replicates kept enough points inside the grid to refit", drawn)
	}
	replicates := c.Replicates
	for _, f := range c.Fits { // in order, so LSSR (measured ρ) comes before ρ free
		if f.OK() && c.clears(f.Rule) {
			winner = f.Rule
			break
		}
	}
	best := c.lowestAIC()
	if winner == "" {
		var open []string
		for _, f := range c.Fits {
			if f.Rule == best || !f.OK() {
				continue
			}
			if d, ok := c.Difference(best, f.Rule); ok && !(d.Interval.Hi < 0) {
				open = append(open, fmt.Sprintf("%s %s", f.Rule, diffText(d)))
			}
		}
		return "", fmt.Sprintf("indistinguishable at this noise: the lowest AIC, %s, is not below every other rule's in %d%% of %d paired bootstrap replicates (ΔAIC against %s)",
			best, int(math.Round(100*Level)), replicates, strings.Join(open, ", "))
	}
	var against []string
	for _, f := range c.Fits {
		if f.Rule == winner || !f.OK() {
			continue
		}
		if d, ok := c.Difference(winner, f.Rule); ok {
			against = append(against, fmt.Sprintf("%s %s", f.Rule, diffText(d)))
		}
	}
	why = fmt.Sprintf("%s wins: its AIC is below every other rule's in the %d%% paired bootstrap interval over %d replicates (ΔAIC against %s)",
		winner, int(math.Round(100*Level)), replicates, strings.Join(against, ", "))
	if winner == RuleLSSR && !c.beats(RuleLSSR, RuleLSSRFree) {
		why += "; LSSR with ρ free does not improve on the measured ρ beyond its extra parameter"
	}
	return winner, why
}

// lowestAIC is the rule with the lowest finite AIC at the data.
func (c Comparison) lowestAIC() string {
	best, bestAIC := "", math.Inf(1)
	for _, f := range c.Fits {
		if isFinite(f.AIC) && f.AIC < bestAIC {
			best, bestAIC = f.Rule, f.AIC
		}
	}
	return best
}

func diffText(d AICDifference) string {
	return fmt.Sprintf("%.1f [%.1f, %.1f]", d.Delta, d.Interval.Lo, d.Interval.Hi)
}
