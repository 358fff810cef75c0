package report

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// surfaceGrids are the grids the no-ridge tests draw surfaces on: batch
// sizes and log2 η from, to and step.
var surfaceGrids = []struct {
	bs               []int
	lo, hi, step     float64
	name             string
	divergeAboveFlat float64
}{
	{octaves(8, 32), -9, -3, 1, "3 b × 7 whole octaves", 0},
	{octaves(8, 32), -8, -2, 0.5, "3 b × 13 half octaves", 0},
	{octaves(8, 256), -12, 0, 0.5, "6 b × 25 half octaves", 0},
	{octaves(8, 256), -12, 0, 1, "6 b × 13 whole octaves, diverging above 2^-4", 4 - 0.5},
}

// Test accuracy independent of η up to seed noise: every draw, on every
// grid, with one seed or three, fits no rule and predicts nothing, and the
// reason is the grid's (too few best η inside it) or no ridge. Most draws
// get past the first checks, so the no-ridge tests are what flag them.
func TestNoRuleFitsOnFlatSurfaces(t *testing.T) {
	noRidge, drawn := 0, 0
	for _, g := range surfaceGrids {
		for _, seeds := range []int{1, 3} {
			for draw := uint64(2); draw < 8; draw++ {
				name := fmt.Sprintf("%s, %d seeds, draw %d", g.name, seeds, draw)
				sw := synthSweep{bs: g.bs, log2EtaLo: g.lo, log2EtaHi: g.hi, log2EtaStep: g.step, seeds: seeds, noise: 0.01,
					flat: true, noiseSeed: draw, rho: math.Exp2(-6), peak: func(int) float64 { return -8 }, divergeAbove: g.divergeAboveFlat}
				s := AnalyzeWith(Meta{Sweep: "flat", N: 8192, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 200})
				why, noFit := s.NoRuleFits()
				drawn++
				if !noFit {
					spread, _ := s.ridgeSpread()
					t.Errorf("%s: a rule fits a flat surface (flatness p = %.3g, spread %.2f): %s", name, s.flatness().p, spread, s.RidgeFits.Verdict)
					continue
				}
				if strings.HasPrefix(why, "no ridge: ") {
					noRidge++
				} else if !strings.HasPrefix(why, "no rule was fitted to the ridge: ") {
					t.Errorf("%s: reason %q", name, why)
				}
				p, err := s.Predict([]int{64, 1024})
				if err != nil || p.NoFit != why || len(p.Points) != 0 || p.BestLR.Predicted() || p.Edge.Predicted() {
					t.Errorf("%s: Predict gave %v, no-fit %q, %d points, ridge predicted %v, edge %v; want no prediction because %q",
						name, err, p.NoFit, len(p.Points), p.BestLR.Predicted(), p.Edge.Predicted(), why)
				}
			}
		}
	}
	t.Logf("%d of %d flat surfaces got past the grid's checks to the no-ridge tests", noRidge, drawn)
	if noRidge < drawn/2 {
		t.Errorf("only %d of %d flat surfaces reached the no-ridge tests", noRidge, drawn)
	}
}

// Surfaces with a ridge that follows LSSR, LSR or SRSR, seed noise 0.01 (a
// fifth of the accuracy's fall one octave from the best η), one seed or
// three: no draw on any grid is taken for no ridge.
func TestNoRuleFitsNeverOnRuleSurfaces(t *testing.T) {
	var maxP, maxSpread float64
	defer func() { t.Logf("largest flatness p %.3g, largest spread %.2f", maxP, maxSpread) }()
	for _, truth := range []ruleTruth{truthLSSR, truthLSR, truthSRSR} {
		for _, g := range []struct {
			lo, hi, step float64
		}{{-12, 0, 0.5}, {-12, 0, 1}} {
			for _, seeds := range []int{1, 3} {
				for draw := uint64(2); draw < 4; draw++ {
					name := fmt.Sprintf("%s, log2 η %v…%v by %v, %d seeds, draw %d", truth.name, g.lo, g.hi, g.step, seeds, draw)
					sw := synthSweep{bs: octaves(8, 128), log2EtaLo: g.lo, log2EtaHi: g.hi, log2EtaStep: g.step, seeds: seeds,
						noise: 0.01, noiseSeed: draw, rho: truth.rho, peak: truth.peak, divergeAbove: 2}
					s := AnalyzeWith(Meta{Sweep: "rule", N: predictN, Sampling: truth.sampling}, sw.runs(), Options{Replicates: 200})
					spread, _ := s.ridgeSpread()
					maxP, maxSpread = math.Max(maxP, s.flatness().p), math.Max(maxSpread, spread)
					if why, noFit := s.NoRuleFits(); noFit {
						t.Errorf("%s: no rule fits (flatness p = %.3g, spread %.2f): %s", name, s.flatness().p, spread, why)
					}
				}
			}
		}
	}
}

// Each no-ridge test flags a surface the other lets through. A flat
// surface on three batch sizes whose best η the bootstrap happens to
// place within half of each column: only flatness flags it. A plateau
// over all but the lowest learning rates, where accuracy falls by
// forty standard errors (an undertrained corner): flatness is rejected,
// and only the spread of the best η over the plateau flags it.
func TestEachNoRidgeTestIsNeeded(t *testing.T) {
	t.Run("flat, narrow intervals", func(t *testing.T) {
		sw := synthSweep{bs: octaves(8, 32), log2EtaLo: -8, log2EtaHi: -2, log2EtaStep: 0.5, seeds: 1, noise: 0.01,
			flat: true, noiseSeed: narrowFlatDraw, peak: func(int) float64 { return 0 }}
		s := AnalyzeWith(Meta{Sweep: "flat", N: 8192, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 200})
		spread, columns := s.ridgeSpread()
		if len(s.RidgeFits.Fits) == 0 || !(spread < NoRidgeSpread) || columns == 0 {
			t.Fatalf("draw %d: %d fits, spread %.2f over %d columns: want fits and a spread below %.2f (find another draw)",
				narrowFlatDraw, len(s.RidgeFits.Fits), spread, columns, NoRidgeSpread)
		}
		why, noFit := s.NoRuleFits()
		if !noFit || !strings.Contains(why, "does not depend on η beyond seed noise (χ² = ") {
			t.Errorf("spread %.2f: no fit %v, %q; want flatness to flag it", spread, noFit, why)
		}
	})
	t.Run("plateau above an undertrained corner", func(t *testing.T) {
		sw := synthSweep{bs: octaves(8, 256), log2EtaLo: -12, log2EtaHi: 0, log2EtaStep: 0.5, seeds: 3, noise: 0.01,
			flat: true, noiseSeed: 3, peak: func(int) float64 { return 0 }}
		runs := sw.runs()
		for i := range runs {
			if math.Log2(runs[i].LR) < -11.4 { // the two lowest η
				runs[i].TestAcc -= 0.4
			}
		}
		s := AnalyzeWith(Meta{Sweep: "plateau", N: 8192, Sampling: lssr.SamplingWithout}, runs, Options{Replicates: 200})
		if f := s.flatness(); !(f.p < NoRidgeAlpha) {
			t.Fatalf("flatness p = %.3g, want it rejected below %g", f.p, NoRidgeAlpha)
		}
		why, noFit := s.NoRuleFits()
		if !noFit || !strings.Contains(why, "bootstrap interval covers a median") {
			t.Errorf("no fit %v, %q; want the spread to flag it", noFit, why)
		}
	})
}

// narrowFlatDraw is a draw of TestEachNoRidgeTestIsNeeded's flat surface
// on three batch sizes whose ridge spread is below NoRidgeSpread.
const narrowFlatDraw = 8

// Without replicates there is no spread to judge, and with too few points
// inside the grid nothing was fitted: both are no fit, with the reason.
func TestNoRuleFitsWithoutBootstrapOrPoints(t *testing.T) {
	s := AnalyzeWith(sampleMeta, sampleSweep().runs(), Options{Replicates: -1})
	if why, noFit := s.NoRuleFits(); !noFit || !strings.Contains(why, "bootstrap was skipped") {
		t.Errorf("no bootstrap: no fit %v, %q", noFit, why)
	}
	sw := synthSweep{bs: octaves(8, 128), log2EtaLo: -8, log2EtaHi: -4, log2EtaStep: 0.5, seeds: 2, noise: 0.002,
		rho: math.Exp2(-6), peak: func(int) float64 { return -1 }}
	s = AnalyzeWith(Meta{Sweep: "top", N: 4096, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 50})
	want := "no rule was fitted to the ridge: 0 of 5 points inside the grid; extend learning_rates above 2^-4"
	if why, noFit := s.NoRuleFits(); !noFit || why != want {
		t.Errorf("optimum above the grid: no fit %v, %q; want %q", noFit, why, want)
	}
	if why, noFit := AnalyzeWith(sampleMeta, sampleSweep().runs(), Options{Replicates: 100}).NoRuleFits(); noFit {
		t.Errorf("the sample LSSR sweep fits no rule: %s", why)
	}
}
