package report

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/lssr/lssr"
)

// ruleTruth is a synthetic sweep's ridge rule: its best log2 η at b, and
// the rules whose prediction may stand for it.
type ruleTruth struct {
	name     string
	peak     func(b int) float64
	rho      float64 // ρ the runs report (0: none measured)
	sampling lssr.Sampling
	// acceptable are the rules Predict may predict with: the truth, and
	// the rules that equal it on these batch sizes.
	acceptable []string
}

const predictN = 16384

var (
	truthLSSR = ruleTruth{"LSSR", lssrPeak(math.Exp2(-7), 8, predictN, lssr.SamplingWithout), math.Exp2(-7),
		lssr.SamplingWithout, []string{RuleLSSR, RuleLSSRFree}}
	// With replacement and ρ = 2^-20, ρ_b = b/(b + 2^20 − 1): LSSR is LSR
	// to within 0.006 octaves up to b = 4096.
	truthLSR = ruleTruth{"LSR", func(b int) float64 { return math.Log2(float64(b)) - 13 }, math.Exp2(-20),
		lssr.SamplingWith, []string{RuleLSR, RuleLSSR, RuleLSSRFree}}
	truthSRSR = ruleTruth{"SRSR", func(b int) float64 { return 0.5*math.Log2(float64(b)) - 9 }, 0,
		lssr.SamplingWithout, []string{RuleSRSR}}
)

// A sweep made from a known rule, restricted to small batch sizes: the
// best η and the stability edge predicted at larger b (and at one b inside
// the grid) hold the true value in their intervals, the intervals are
// finite and at most two octaves wide, the points beyond the fitted
// batch sizes are marked extrapolated and the one inside is not.
func TestPredictRecoversTheRuleBeyondTheGrid(t *testing.T) {
	const divergeAbove = 2 // the edge is the ridge 2 octaves up
	tests := []struct {
		truth  ruleTruth
		bs     []int
		noise  float64
		inside int
		beyond []int
	}{
		{truthLSSR, octaves(8, 128), 0.01, 32, []int{256, 1024, 4096}},
		{truthLSR, octaves(8, 128), 0.01, 32, []int{256, 1024, 4096}},
		// SRSR wins against LSSR with ρ free only over more octaves of b
		// and with less noise: 2^-4 octaves apart at b = 8 and 512.
		{truthSRSR, octaves(8, 512), 0.005, 32, []int{1024, 4096}},
	}
	for _, tc := range tests {
		for _, draw := range []uint64{3, 4} {
			t.Run(tc.truth.name, func(t *testing.T) {
				sw := synthSweep{bs: tc.bs, log2EtaLo: -12, log2EtaHi: 0, log2EtaStep: 0.5, seeds: 3, noise: tc.noise,
					noiseSeed: draw, rho: tc.truth.rho, peak: tc.truth.peak, divergeAbove: divergeAbove}
				s := AnalyzeWith(Meta{Sweep: "synth", N: predictN, Sampling: tc.truth.sampling}, sw.runs(), Options{Replicates: 200})
				asked := append([]int{tc.inside}, tc.beyond...)
				p, err := s.Predict(asked)
				if err != nil {
					t.Fatal(err)
				}
				if p.NoFit != "" {
					t.Fatalf("no prediction: %s", p.NoFit)
				}
				for _, basis := range []Basis{p.BestLR, p.Edge} {
					if !slices.Contains(tc.truth.acceptable, basis.Fit.Rule) {
						t.Errorf("%s predicted with %q (winner %v: %s), want one of %v", basis.Target, basis.Fit.Rule,
							basis.Winner, basis.Verdict, tc.truth.acceptable)
					}
					if basis.BMin != tc.bs[0] || basis.BMax != tc.bs[len(tc.bs)-1] {
						t.Errorf("%s fitted over b = %d…%d, want %d…%d", basis.Target, basis.BMin, basis.BMax, tc.bs[0], tc.bs[len(tc.bs)-1])
					}
				}
				if len(p.Points) != len(asked) {
					t.Fatalf("%d points for %d batch sizes", len(p.Points), len(asked))
				}
				for i, pt := range p.Points {
					if pt.B != asked[i] {
						t.Fatalf("point %d is b = %d, want %d (the order asked)", i, pt.B, asked[i])
					}
					if pt.Edge == nil {
						t.Fatalf("b = %d: no edge predicted: %s", pt.B, p.Edge.Why)
					}
					wantExtra := pt.B != tc.inside
					for _, e := range []struct {
						what  string
						est   Estimate
						truth float64
						// slack widens the interval: the grid places the
						// edge only within its bracket of half an octave.
						slack float64
					}{
						{"best η", pt.BestLR, tc.truth.peak(pt.B), 0},
						{"edge", *pt.Edge, tc.truth.peak(pt.B) + divergeAbove, sw.log2EtaStep / 2},
					} {
						iv := e.est.Log2Interval
						t.Logf("b = %d %s: truth 2^%.2f, predicted 2^%.2f [%.2f, %.2f] (%s)", pt.B, e.what, e.truth, e.est.Log2LR, iv.Lo, iv.Hi, p.BestLR.Fit.Rule)
						if !isFinite(iv.Lo) || !isFinite(iv.Hi) || iv.Hi-iv.Lo > 2 || iv.Hi < iv.Lo {
							t.Errorf("b = %d %s: interval [%v, %v]: want finite, ordered, at most 2 octaves", pt.B, e.what, iv.Lo, iv.Hi)
						}
						if !(Interval{iv.Lo - e.slack, iv.Hi + e.slack}).Contains(e.truth) {
							t.Errorf("b = %d %s: interval [%.2f, %.2f] misses the truth %.2f", pt.B, e.what, iv.Lo, iv.Hi, e.truth)
						}
						if !iv.Contains(e.est.Log2LR) || e.est.LR != math.Exp2(e.est.Log2LR) {
							t.Errorf("b = %d %s: point 2^%v (η %v) outside its interval or η ≠ 2^log2 η", pt.B, e.what, e.est.Log2LR, e.est.LR)
						}
						if e.est.Extrapolated != wantExtra {
							t.Errorf("b = %d %s: extrapolated %v, want %v", pt.B, e.what, e.est.Extrapolated, wantExtra)
						}
					}
				}
			})
		}
	}
}

// hand is a rule refitted by hand: least squares in log2 η of
// log2 η = g(b) − log2 C over the points, so log2 C is the mean of
// g(b) − log2 η, then evaluated at b.
func hand(g func(b int) float64, pts []RidgePoint, b int) float64 {
	var sum float64
	for _, p := range pts {
		sum += g(p.B) - math.Log2(p.LR)
	}
	return g(b) - sum/float64(len(pts))
}

// handPercentile is the Level percentile interval as its definition reads:
// the smallest value with at least a fraction (1 − Level)/2 of the values
// at or below it, and the smallest with at least 1 − (1 − Level)/2.
func handPercentile(xs []float64) Interval {
	sorted := slices.Sorted(slices.Values(xs))
	tail := (1 - Level) / 2
	at := func(q float64) float64 {
		for i, x := range sorted {
			if float64(i+1) >= q*float64(len(sorted)) {
				return x
			}
		}
		return sorted[len(sorted)-1]
	}
	return Interval{at(tail), at(1 - tail)}
}

// The interval of a prediction is over the replicates' own refits: each
// bootstrap replicate's points refitted by hand with the rule predicted
// with and evaluated at b. Two cases: no rule wins (LSR's ridge, where
// LSSR with the measured ρ = 2^-20 is LSR), so LSSR (measured ρ) is used
// and the other rules' predictions come along; and SRSR wins, third of
// the fits.
func TestPredictIntervalsAreTheReplicatesRefitByHand(t *testing.T) {
	tests := []struct {
		truth       ruleTruth
		bs          []int
		noise       float64
		rule        string
		winner      bool
		others      []string
		handRefit   func(b int) float64 // g(b) of the rule predicted with
		handOthers  map[string]func(b int) float64
		replicateOf int // a replicate to look at in detail
	}{
		{truthLSR, octaves(8, 128), 0.01, RuleLSSR, false, []string{RuleLSSRFree, RuleLSR, RuleSRSR},
			func(b int) float64 { return math.Log2(lssr.RhoB(math.Exp2(-20), predictN, b, lssr.SamplingWith)) },
			map[string]func(int) float64{
				RuleLSR:  func(b int) float64 { return math.Log2(float64(b)) },
				RuleSRSR: func(b int) float64 { return 0.5 * math.Log2(float64(b)) },
			}, 17},
		{truthSRSR, octaves(8, 512), 0.005, RuleSRSR, true, nil,
			func(b int) float64 { return 0.5 * math.Log2(float64(b)) }, nil, 41},
	}
	for _, tc := range tests {
		t.Run(tc.truth.name, func(t *testing.T) {
			sw := synthSweep{bs: tc.bs, log2EtaLo: -12, log2EtaHi: 0, log2EtaStep: 0.5, seeds: 3, noise: tc.noise,
				noiseSeed: 3, rho: tc.truth.rho, peak: tc.truth.peak, divergeAbove: 2}
			s := AnalyzeWith(Meta{Sweep: "synth", N: predictN, Sampling: tc.truth.sampling}, sw.runs(), Options{Replicates: 200})
			c := s.RidgeFits
			if c.Replicates < 150 || len(c.refits) != c.Replicates {
				t.Fatalf("%d replicates, %d refits kept", c.Replicates, len(c.refits))
			}
			asked := []int{64, 2048}
			p, err := s.Predict(asked)
			if err != nil || p.NoFit != "" {
				t.Fatalf("Predict: %v %s", err, p.NoFit)
			}
			if p.BestLR.Fit.Rule != tc.rule || p.BestLR.Winner != tc.winner {
				t.Fatalf("predicted with %q (winner %v), want %q (winner %v): %s", p.BestLR.Fit.Rule, p.BestLR.Winner, tc.rule, tc.winner, c.Verdict)
			}
			if p.BestLR.Replicates != c.Replicates {
				t.Errorf("basis counts %d replicates, the comparison %d", p.BestLR.Replicates, c.Replicates)
			}
			var pts []RidgePoint
			for _, fp := range c.Points {
				pts = append(pts, RidgePoint{B: fp.B, LR: math.Exp2(fp.Log2LR)})
			}
			for i, b := range asked {
				est := p.Points[i].BestLR
				if want := hand(tc.handRefit, pts, b); math.Abs(est.Log2LR-want) > 1e-9 {
					t.Errorf("b = %d: log2 η %v, by hand on the data %v", b, est.Log2LR, want)
				}
				reps := make([]float64, len(c.refits))
				for k, r := range c.refits {
					reps[k] = hand(tc.handRefit, r.points, b)
				}
				// One replicate in detail: its points are not the data's,
				// so its refit predicts another η.
				r := c.refits[tc.replicateOf]
				if slices.Equal(r.points, pts) || reps[tc.replicateOf] == est.Log2LR {
					t.Errorf("replicate %d has the data's points or prediction", tc.replicateOf)
				}
				if want := handPercentile(reps); math.Abs(est.Log2Interval.Lo-want.Lo) > 1e-9 || math.Abs(est.Log2Interval.Hi-want.Hi) > 1e-9 {
					t.Errorf("b = %d: interval %+v, by hand over %d replicates %+v", b, est.Log2Interval, len(reps), want)
				}
				var got []string
				for _, o := range est.Others {
					got = append(got, o.Rule)
					if g, ok := tc.handOthers[o.Rule]; ok {
						if want := hand(g, pts, b); math.Abs(o.Log2LR-want) > 1e-9 {
							t.Errorf("b = %d: %s predicts %v, by hand %v", b, o.Rule, o.Log2LR, want)
						}
					}
				}
				if !slices.Equal(got, tc.others) {
					t.Errorf("b = %d: other rules %v, want %v", b, got, tc.others)
				}
			}
		})
	}
}

// A batch size on the fitted range's ends is inside it; one step past
// either end is extrapolated.
func TestPredictExtrapolatedAtTheEnds(t *testing.T) {
	sw := synthSweep{bs: octaves(16, 256), log2EtaLo: -12, log2EtaHi: 0, log2EtaStep: 0.5, seeds: 3, noise: 0.01,
		noiseSeed: 3, rho: truthLSSR.rho, peak: truthLSSR.peak, divergeAbove: 2}
	s := AnalyzeWith(Meta{Sweep: "synth", N: predictN, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 100})
	p, err := s.Predict([]int{15, 16, 100, 256, 257})
	if err != nil || p.NoFit != "" {
		t.Fatalf("Predict: %v %s", err, p.NoFit)
	}
	want := []bool{true, false, false, false, true}
	for i, pt := range p.Points {
		if pt.BestLR.Extrapolated != want[i] || pt.Edge == nil || pt.Edge.Extrapolated != want[i] {
			t.Errorf("b = %d: extrapolated %v (edge %+v), want %v", pt.B, pt.BestLR.Extrapolated, pt.Edge, want[i])
		}
	}
}

// Batch sizes no sweep could have are bad input, and nothing is predicted.
func TestPredictRefusesImpossibleBatchSizes(t *testing.T) {
	s := AnalyzeWith(sampleMeta, sampleSweep().runs(), Options{Replicates: 50})
	for _, bs := range [][]int{{0}, {64, -8}, {sampleMeta.N + 1}} {
		p, err := s.Predict(bs)
		if !errors.Is(err, lssr.ErrBadInput) || len(p.Points) != 0 {
			t.Errorf("Predict(%v): error %v, %d points; want bad input and none", bs, err, len(p.Points))
		}
	}
	if _, err := s.Predict([]int{sampleMeta.N}); err != nil {
		t.Errorf("Predict(n): %v", err)
	}
}

// With the ridge fitted but too few edge points inside the grid, the best
// η is predicted and the edge is not, and says why.
func TestPredictWithoutAnEdge(t *testing.T) {
	sw := synthSweep{bs: octaves(8, 128), log2EtaLo: -12, log2EtaHi: -2, log2EtaStep: 0.5, seeds: 3, noise: 0.01,
		noiseSeed: 3, rho: truthLSSR.rho, peak: truthLSSR.peak} // nothing diverges: every edge is censored
	s := AnalyzeWith(Meta{Sweep: "synth", N: predictN, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 100})
	p, err := s.Predict([]int{256})
	if err != nil || p.NoFit != "" || len(p.Points) != 1 {
		t.Fatalf("Predict: %v %q %d points", err, p.NoFit, len(p.Points))
	}
	if p.Edge.Predicted() || p.Points[0].Edge != nil || p.Edge.Why != "no rule was fitted: "+s.EdgeFits.Verdict {
		t.Errorf("edge predicted %v (%+v), why %q", p.Edge.Predicted(), p.Points[0].Edge, p.Edge.Why)
	}
	if !p.BestLR.Predicted() || !isFinite(p.Points[0].BestLR.Log2LR) {
		t.Errorf("best η not predicted: %+v", p.BestLR)
	}
}
