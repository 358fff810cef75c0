package report

import (
	"math"
	"slices"

	"github.com/lssr/lssr"
)

// Predictions is what Summary.Predict gives: for each batch size asked
// about, the best η the ridge's rule predicts and the stability edge the
// edge's rule predicts, with bootstrap intervals.
type Predictions struct {
	Sweep string  `json:"sweep"`
	Level float64 `json:"level"` // coverage of every interval (Level)
	// NoFit says why nothing is predicted (Summary.NoRuleFits); empty when
	// the best η is predicted. With NoFit set, Points is empty.
	NoFit string `json:"no_fit"`
	// BestLR and Edge say which rule each target is predicted with.
	BestLR Basis `json:"best_lr"`
	Edge   Basis `json:"edge"`
	// Points holds one prediction per batch size asked about, in the order
	// asked.
	Points []Prediction `json:"points"`
}

// Basis is the fitted rule a target (the ridge or the stability edge) is
// predicted with.
//
// The rule is the comparison's winner when there is one. When none wins
// (the rules are indistinguishable at this noise, or they were not
// ranked) it is LSSR with the measured ρ, or with ρ free when no ρ was
// measured: the rule lssr is about, and the one that contains LSR
// (b ≪ 1/ρ) as a limit. The other rules' predictions then come with every
// point (Estimate.Others), so that their spread shows how much the choice
// matters at each b: the interval is over LSSR's refits and leaves out
// which rule holds. When the truth is another rule the LSSR interval can
// miss it, most of all beyond the grid, where LSSR saturates.
type Basis struct {
	Target string `json:"target"` // TargetRidge or TargetEdge
	// Why says why this target is not predicted; empty when it is. The
	// fields below are then zero.
	Why string `json:"why"`
	// Fit is the rule predicted with, fitted to the target's points, with
	// its bootstrap intervals.
	Fit RuleFit `json:"fit"`
	// Winner is set when Fit.Rule won the comparison; otherwise Verdict
	// says why no rule won.
	Winner  bool   `json:"winner"`
	Verdict string `json:"verdict"`
	// BMin and BMax are the smallest and largest batch size the rule was
	// fitted to: a prediction outside them is an extrapolation.
	BMin int `json:"b_min"`
	BMax int `json:"b_max"`
	// Replicates counts the bootstrap refits the intervals are over.
	Replicates int `json:"replicates"`
}

// Predicted reports whether the target is predicted.
func (b Basis) Predicted() bool { return b.Fit.Rule != "" }

// Prediction is the predicted best η and stability edge at one batch size.
type Prediction struct {
	B      int      `json:"b"`
	BestLR Estimate `json:"best_lr"`
	// Edge is the predicted stability edge; nil when the edge is not
	// predicted (Predictions.Edge.Why says why).
	Edge *Estimate `json:"edge"`
}

// Estimate is one target's prediction at one batch size: the rule's log2 η
// at b and the Level percentile interval of that value over the bootstrap
// refits, each refitted rule evaluated at b.
type Estimate struct {
	Log2LR       float64  `json:"log2_lr"`
	LR           float64  `json:"lr"` // 2^Log2LR
	Log2Interval Interval `json:"log2_interval"`
	// Extrapolated is set when b lies outside the batch sizes the rule was
	// fitted to (Basis.BMin … BMax).
	Extrapolated bool `json:"extrapolated"`
	// Others are the other fitted rules' log2 η at b, in the order of
	// Comparison.Fits, when no rule won; empty when one did.
	Others []RuleLog2LR `json:"others"`
}

// RuleLog2LR is one rule's predicted log2 η.
type RuleLog2LR struct {
	Rule   string  `json:"rule"`
	Log2LR float64 `json:"log2_lr"`
}

// Predict predicts the best η (from RidgeFits) and the stability edge (from
// EdgeFits) at each batch size of bs, each with its bootstrap interval (see
// Basis for which rule). When the data fit no rule (NoRuleFits) it predicts
// nothing and NoFit says why; when only the edge has no fit, the edge is
// not predicted. A batch size ≤ 0, or above the training subset n when n
// is known (a batch is at most the whole subset), is bad input
// (lssr.ErrBadInput), as it is in a sweep's grid.
func (s *Summary) Predict(bs []int) (Predictions, error) {
	for _, b := range bs {
		switch {
		case b <= 0:
			return Predictions{}, lssr.BadInput("batch size %d: want a positive integer", b)
		case s.Meta.N > 0 && b > s.Meta.N:
			return Predictions{}, lssr.BadInput("batch size %d: above the training subset size n = %d", b, s.Meta.N)
		}
	}
	p := Predictions{Sweep: s.Meta.Sweep, Level: Level, Points: []Prediction{}}
	if why, noFit := s.NoRuleFits(); noFit {
		p.NoFit = why
		p.BestLR = Basis{Target: TargetRidge, Why: why}
		p.Edge = Basis{Target: TargetEdge, Why: "nothing is predicted: " + why}
		return p, nil
	}
	var ridgeRule, edgeRule int
	p.BestLR, ridgeRule = basisOf(s.RidgeFits)
	p.Edge, edgeRule = basisOf(s.EdgeFits)
	for _, b := range bs {
		pt := Prediction{B: b, BestLR: s.estimate(s.RidgeFits, ridgeRule, p.BestLR, b)}
		if p.Edge.Predicted() {
			e := s.estimate(s.EdgeFits, edgeRule, p.Edge, b)
			pt.Edge = &e
		}
		p.Points = append(p.Points, pt)
	}
	return p, nil
}

// basisOf picks the rule a comparison predicts with (see Basis) and returns
// its index in c.Fits, −1 when there is none.
func basisOf(c Comparison) (Basis, int) {
	bs := Basis{Target: c.Target}
	if len(c.Fits) == 0 {
		bs.Why = "no rule was fitted: " + c.Verdict
		return bs, -1
	}
	find := func(rule string) int {
		return slices.IndexFunc(c.Fits, func(f RuleFit) bool { return f.Rule == rule && f.OK() })
	}
	rule := -1
	if c.Winner != "" {
		rule = find(c.Winner)
		bs.Winner = rule >= 0
	}
	for _, lssrRule := range []string{RuleLSSR, RuleLSSRFree} {
		if rule < 0 {
			rule = find(lssrRule)
		}
	}
	if rule < 0 {
		bs.Why = "every rule's fit failed"
		return bs, -1
	}
	bs.Fit, bs.Verdict, bs.Replicates = c.Fits[rule], c.Verdict, c.Replicates
	bs.BMin, bs.BMax = c.Points[0].B, c.Points[0].B
	for _, pt := range c.Points {
		bs.BMin, bs.BMax = min(bs.BMin, pt.B), max(bs.BMax, pt.B)
	}
	return bs, rule
}

// estimate is the prediction at b of rule (an index into c.Fits, bs its
// basis): the fit's log2 η, the interval of the refits' log2 η at b, and,
// without a winner, the other rules' log2 η.
func (s *Summary) estimate(c Comparison, rule int, bs Basis, b int) Estimate {
	log2B := math.Log2(float64(b))
	at := func(f Fit) float64 { return f.Log2Eta(log2B, s.Meta.N, s.Meta.Sampling) }
	e := Estimate{Log2LR: at(bs.Fit.Fit), Extrapolated: b < bs.BMin || b > bs.BMax, Others: []RuleLog2LR{}}
	e.LR = math.Exp2(e.Log2LR)
	reps := make([]float64, 0, len(c.refits))
	for _, r := range c.refits {
		reps = append(reps, at(r.fits[rule]))
	}
	e.Log2Interval = percentile(reps)
	if !bs.Winner {
		for i, f := range c.Fits {
			if i != rule && f.OK() {
				e.Others = append(e.Others, RuleLog2LR{Rule: f.Rule, Log2LR: at(f.Fit)})
			}
		}
	}
	return e
}
