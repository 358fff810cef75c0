package report

import (
	"fmt"
	"math"
	"testing"

	"github.com/lssr/lssr"
)

// edgeSweep is a grid where every seed trains up to a known log2 η_max(b)
// and fails above it in the way fail says; lowTrainsFrom, when set, makes
// cells below it fail to train too (the undertrained corner).
type edgeSweep struct {
	bs            []int
	lo, hi, step  float64
	seeds         int
	log2Max       func(b int) float64
	seedShift     func(seed int) float64 // seed k's η_max is log2Max + seedShift(k); nil: 0
	fail          func(r *Run)           // turns a run into one that does not train
	train         func(r *Run)           // a run that trains
	lowTrainsFrom func(b int) float64    // nil: every η up to the edge trains
}

func (e edgeSweep) runs() []Run {
	var runs []Run
	for _, b := range e.bs {
		for l := e.lo; l <= e.hi+1e-9; l += e.step {
			for seed := range max(e.seeds, 1) {
				top := e.log2Max(b)
				if e.seedShift != nil {
					top += e.seedShift(seed)
				}
				r := Run{JobID: fmt.Sprintf("b%d-l%.2f-s%d", b, l, seed), B: b, LR: math.Exp2(l), Seed: uint64(seed),
					State: lssr.StateDone, TestAcc: 0.8}
				e.train(&r)
				if l > top+1e-9 || (e.lowTrainsFrom != nil && l < e.lowTrainsFrom(b)-1e-9) {
					e.fail(&r)
				}
				runs = append(runs, r)
			}
		}
	}
	return runs
}

// The edge is the largest grid η at or below η_max(b), however a run fails
// to train above it.
func TestStabilityEdgeFoundExactly(t *testing.T) {
	const ln10 = 2.302585092994046
	ce := Meta{N: 8192, Sampling: lssr.SamplingWithout, Loss: lssr.LossCrossEntropy, Classes: 10}
	mse := Meta{N: 8192, Sampling: lssr.SamplingWithout, Loss: lssr.LossMSE}
	trainsCE := func(r *Run) { r.TrainLoss = 0.05 }
	rhoB := func(b int) float64 { return math.Log2(lssr.RhoB(math.Exp2(-6), 8192, b, lssr.SamplingWithout)) }
	lssrEdge := func(b int) float64 { return rhoB(b) + 0.3 } // η_max = ρ_b·2^0.3, between grid points
	tests := []struct {
		name     string
		meta     Meta
		sweep    edgeSweep
		holes    bool
		censored func(b int) bool
	}{
		{"diverged state", ce, edgeSweep{seeds: 1, log2Max: lssrEdge, train: trainsCE,
			fail: func(r *Run) { r.State, r.TrainLoss, r.TestAcc = lssr.StateDiverged, math.NaN(), 0 }}, false, nil},
		{"done but loss above 0.9 × initial", ce, edgeSweep{seeds: 1, log2Max: lssrEdge,
			train: func(r *Run) { r.InitialTrainLoss, r.TrainLoss = 1.7, 0.05 },
			fail:  func(r *Run) { r.TrainLoss = 0.95 * r.InitialTrainLoss }}, false, nil},
		{"done, no initial loss: ln 10 at chance", ce, edgeSweep{seeds: 1, log2Max: lssrEdge, train: trainsCE,
			fail: func(r *Run) { r.TrainLoss = 0.95 * ln10 }}, false, nil},
		{"MSE: 0.5 at chance", mse, edgeSweep{seeds: 1, log2Max: lssrEdge, train: func(r *Run) { r.TrainLoss = 0.01 },
			fail: func(r *Run) { r.TrainLoss = 0.46 }}, false, nil},
		{"non-finite final loss of a done run", ce, edgeSweep{seeds: 1, log2Max: lssrEdge, train: trainsCE,
			fail: func(r *Run) { r.TrainLoss = math.Inf(1) }}, false, nil},
		{"majority of three seeds", ce, edgeSweep{seeds: 3, log2Max: lssrEdge, train: trainsCE,
			seedShift: func(k int) float64 { return []float64{-0.5, 0, 1}[k] },
			fail:      func(r *Run) { r.State = lssr.StateDiverged }}, false, nil},
		{"undertrained small-η corner is a hole, not the edge", ce, edgeSweep{seeds: 1, log2Max: lssrEdge, train: trainsCE,
			lowTrainsFrom: func(b int) float64 { return lssrEdge(b) - 3 },
			fail:          func(r *Run) { r.TrainLoss = 2.2 }}, true, nil},
		{"edge above the grid is censored", ce, edgeSweep{seeds: 1, train: trainsCE,
			log2Max: func(b int) float64 { return math.Log2(float64(b)) - 8 },
			fail:    func(r *Run) { r.State = lssr.StateDiverged }}, false, func(b int) bool { return b >= 512 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := tc.sweep
			sw.bs, sw.lo, sw.hi, sw.step = octaves(8, 4096), -12, 1, 0.5
			s := AnalyzeWith(tc.meta, sw.runs(), Options{Replicates: 50})
			if len(s.Edge.Points) != len(sw.bs) {
				t.Fatalf("edge has %d points, want %d: %+v", len(s.Edge.Points), len(sw.bs), s.Edge.Points)
			}
			for _, p := range s.Edge.Points {
				top := sw.log2Max(p.B)
				wantLog2 := sw.lo + sw.step*math.Floor((math.Min(top, sw.hi)-sw.lo)/sw.step+1e-9)
				if got := math.Log2(p.LR); math.Abs(got-wantLog2) > 1e-9 {
					t.Errorf("b=%d: edge log2 η = %v, want %v (η_max 2^%.2f)", p.B, got, wantLog2, top)
				}
				wantCensored := tc.censored != nil && tc.censored(p.B)
				if p.Censored != wantCensored {
					t.Errorf("b=%d: censored %v, want %v", p.B, p.Censored, wantCensored)
				}
				if !p.Censored && math.Abs(math.Log2(p.NextLR)-wantLog2-sw.step) > 1e-9 {
					t.Errorf("b=%d: next η 2^%v, want 2^%v", p.B, math.Log2(p.NextLR), wantLog2+sw.step)
				}
				if (p.Holes > 0) != tc.holes {
					t.Errorf("b=%d: %d holes, want holes %v", p.B, p.Holes, tc.holes)
				}
			}
		})
	}
}

// An LSSR edge is fitted as LSSR, and the fits put the true C (and ρ)
// inside their intervals: the edge sits in the middle of its bracket, which
// the bootstrap spans.
func TestEdgeFitsRecoverLSSR(t *testing.T) {
	const log2C = -1.3
	rho := math.Exp2(-6)
	sw := edgeSweep{bs: octaves(8, 4096), lo: -12, hi: 2, step: 0.5, seeds: 1,
		log2Max: func(b int) float64 { return math.Log2(lssr.RhoB(rho, 8192, b, lssr.SamplingWithout)) - log2C },
		train:   func(r *Run) { r.TrainLoss, r.RhoSeries = 0.05, []float64{rho} },
		fail:    func(r *Run) { r.State = lssr.StateDiverged }}
	meta := Meta{N: 8192, Sampling: lssr.SamplingWithout, Loss: lssr.LossCrossEntropy, Classes: 10}
	s := AnalyzeWith(meta, sw.runs(), Options{Replicates: 400})
	c := s.EdgeFits
	measured, _ := c.Fit(RuleLSSR)
	free, _ := c.Fit(RuleLSSRFree)
	t.Logf("edge: C = 2^%.3f [2^%.3f, 2^%.3f], free C = 2^%.3f ρ = 2^%.3f [2^%.3f, 2^%.3f]; %s", math.Log2(measured.C),
		math.Log2(measured.CInterval.Lo), math.Log2(measured.CInterval.Hi), math.Log2(free.C), math.Log2(free.Rho),
		math.Log2(free.RhoInterval.Lo), math.Log2(free.RhoInterval.Hi), c.Verdict)
	if !measured.CInterval.Contains(math.Exp2(log2C)) {
		t.Errorf("C interval %+v misses 2^%v", measured.CInterval, log2C)
	}
	if !free.RhoInterval.Contains(rho) {
		t.Errorf("free ρ interval %+v misses %v", free.RhoInterval, rho)
	}
	if c.Winner != RuleLSSR {
		t.Errorf("winner %q, want LSSR: %s", c.Winner, c.Verdict)
	}
}

func TestRunTrains(t *testing.T) {
	ce := Meta{Loss: lssr.LossCrossEntropy, Classes: 10}
	tests := []struct {
		name string
		meta Meta
		run  Run
		want bool
	}{
		{"diverged", ce, Run{State: lssr.StateDiverged, TrainLoss: 0.01}, false},
		{"pending", ce, Run{State: lssr.StatePending}, false},
		{"at the margin of the initial loss", ce, Run{State: lssr.StateDone, InitialTrainLoss: 2, TrainLoss: 1.8}, true},
		{"just above it", ce, Run{State: lssr.StateDone, InitialTrainLoss: 2, TrainLoss: 1.81}, false},
		{"chance loss of 10 classes", ce, Run{State: lssr.StateDone, TrainLoss: 2.0}, true},
		{"above 0.9 ln 10", ce, Run{State: lssr.StateDone, TrainLoss: 2.1}, false},
		{"classes unknown: only divergence counts", Meta{Loss: lssr.LossCrossEntropy}, Run{State: lssr.StateDone, TrainLoss: 5}, true},
		{"NaN loss", ce, Run{State: lssr.StateDone, TrainLoss: math.NaN()}, false},
	}
	for _, tc := range tests {
		if got := RunTrains(tc.meta, tc.run); got != tc.want {
			t.Errorf("%s: RunTrains = %v, want %v", tc.name, got, tc.want)
		}
	}
}
