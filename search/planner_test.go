package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
)

// surface is a synthetic sweep: test accuracy peaks at log2 η = peak(b)
// (0.9 − 0.05·(log2 η − peak)², floored at 0.1, plus seed noise), runs above
// log2 η = edge(b) diverge, and the others train (their final loss is a
// tenth of the initial one).
type surface struct {
	name  string
	peak  func(b int) float64
	edge  func(b int) float64
	flat  bool // accuracy 0.85 + noise everywhere
	noise float64
	rho   float64 // ρ in every run's series
	draw  uint64  // which noise draw
}

const synthN = 4096

func lssrSurface(rho, log2C float64) func(int) float64 {
	return func(b int) float64 { return math.Log2(lssr.RhoB(rho, synthN, b, lssr.SamplingWithout)) - log2C }
}

func (s surface) run(b int, lr float64, seed uint64, id string) report.Run {
	x := math.Log2(lr)
	rng := rand.New(rand.NewPCG(uint64(b)*1000003+uint64(math.Round((x+100)*100)), seed+1+1000*s.draw))
	r := report.Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateDone, InitialTrainLoss: 2.3,
		TrainLoss: 0.23, Epochs: 10, Steps: 100, Attempts: 1}
	if x > s.edge(b)+1e-9 {
		r.State, r.TrainLoss = lssr.StateDiverged, math.Inf(1)
		return r
	}
	d := x - s.peak(b)
	r.TestAcc = math.Max(0.1, 0.9-0.05*d*d) + s.noise*rng.NormFloat64()
	if s.flat {
		r.TestAcc = 0.85 + s.noise*rng.NormFloat64()
	}
	if s.rho > 0 {
		r.RhoSeries = []float64{s.rho * 1.2, s.rho, s.rho / 1.2}
		r.Rho = s.rho / 20
	}
	return r
}

// testGrid is b = 4 … 1024 by octaves, η = 2^lo … 2^hi by half octaves,
// three seeds: the showcase's grid is testGrid(-8, 0), 9 × 17 × 3 = 459
// jobs.
func testGrid(lo, hi float64) Grid {
	g := Grid{Seeds: []uint64{0, 1, 2}}
	for b := 4; b <= 1024; b *= 2 {
		g.BatchSizes = append(g.BatchSizes, b)
	}
	for x := lo; x <= hi; x += 0.5 {
		g.LRs = append(g.LRs, math.Exp2(x))
	}
	return g
}

// testReplicates is the bootstrap's size in these tests: enough for 95%
// intervals to settle, a fifth of the report's default.
const testReplicates = 200

var testMeta = report.Meta{Sweep: "synth", N: synthN, Loss: lssr.LossCrossEntropy, Epochs: 10, Sampling: lssr.SamplingWithout, Classes: 10}

// fullGrid is every job of the grid, run.
func (s surface) fullGrid(g Grid) []report.Run {
	var runs []report.Run
	for _, b := range g.BatchSizes {
		for _, lr := range g.LRs {
			for _, seed := range g.Seeds {
				runs = append(runs, s.run(b, lr, seed, jobID(b, lr, seed)))
			}
		}
	}
	return runs
}

func jobID(b int, lr float64, seed uint64) string {
	return fmt.Sprintf("b%d-l%g-s%d", b, math.Log2(lr), seed)
}

// guided runs the planner to its end against the surface, as the
// orchestrator would, and returns the runs it ran, every run's record
// (pending ones included) and the rounds it took.
func guided(t *testing.T, s surface, g Grid, set Settings) (ran []report.Run, final Plan, rounds int) {
	t.Helper()
	p, err := New(g, set, testMeta)
	if err != nil {
		t.Fatal(err)
	}
	p.replicates = testReplicates
	all := map[string]report.Run{}
	var order []string
	for _, b := range g.BatchSizes {
		for _, lr := range g.LRs {
			for _, seed := range g.Seeds {
				id := jobID(b, lr, seed)
				all[id] = report.Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StatePending}
				order = append(order, id)
			}
		}
	}
	records := func() []report.Run {
		var out []report.Run
		for _, id := range order {
			out = append(out, all[id])
		}
		return out
	}
	shuffle := rand.New(rand.NewPCG(7, 7))
	shadow, _ := New(g, set, testMeta)
	shadow.replicates = testReplicates
	for rounds = 1; rounds <= 200; rounds++ {
		recs := records()
		plan := p.Plan(recs)
		// The plan depends on the outcomes, not on the records' order, and
		// a planner made afresh (a resumed sweep, without the kept
		// prediction) decides the same as one that planned every round.
		shuffle.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		if again := shadow.Plan(recs); !reflect.DeepEqual(again, plan) {
			t.Fatalf("round %d: the shuffled records give another plan", rounds)
		}
		if plan.Done {
			fresh, _ := New(g, set, testMeta)
			fresh.replicates = testReplicates
			if again := fresh.Plan(recs); !reflect.DeepEqual(again, plan) {
				t.Fatalf("round %d: a fresh planner gives another plan", rounds)
			}
		}
		if plan.Done {
			for _, d := range plan.Skip {
				if all[d.JobID].State != lssr.StatePending {
					t.Fatalf("round %d: skips %s, which ran", rounds, d.JobID)
				}
			}
			for _, id := range order {
				if r := all[id]; r.State != lssr.StatePending {
					ran = append(ran, r)
				}
			}
			if len(ran)+len(plan.Skip) != len(order) {
				t.Fatalf("%d ran + %d skipped ≠ %d jobs", len(ran), len(plan.Skip), len(order))
			}
			return ran, plan, rounds
		}
		if len(plan.Run) == 0 {
			t.Fatalf("round %d: not done, and nothing to run", rounds)
		}
		for _, d := range plan.Run {
			r := all[d.JobID]
			if r.State != lssr.StatePending {
				t.Fatalf("round %d: runs %s again (%s)", rounds, d.JobID, d.Why)
			}
			if d.Why == "" {
				t.Fatalf("round %d: %s has no reason", rounds, d.JobID)
			}
			all[d.JobID] = s.run(r.B, r.LR, r.Seed, r.JobID)
		}
	}
	t.Fatalf("no end after %d rounds", rounds)
	return nil, Plan{}, rounds
}

func TestGuidedRecoversRidge(t *testing.T) {
	step := 0.5
	wide, showcase := testGrid(-10, 1), testGrid(-8, 0)
	cases := []struct {
		surface
		g Grid
	}{
		{surface{name: "LSSR", peak: lssrSurface(0.01, 1.8), noise: 0.004, rho: 0.01}, wide},
		{surface{name: "LSR", peak: func(b int) float64 { return math.Log2(float64(b)) - 11 }, noise: 0.004}, wide},
		{surface{name: "SRSR", peak: func(b int) float64 { return 0.5*math.Log2(float64(b)) - 6.5 }, noise: 0.004}, wide},
		{surface{name: "LSSR, noisy", peak: lssrSurface(0.02, 2.5), noise: 0.01, rho: 0.02}, wide},
		// The showcase's shape: the best η saturates at a stability edge
		// that is the same for every b.
		{surface{name: "LSSR, showcase grid, flat edge", peak: func(b int) float64 { return math.Min(lssrSurface(0.01, 1.3)(b), -1.5) },
			edge: func(int) float64 { return -0.75 }, noise: 0.006, rho: 0.01}, showcase},
		{surface{name: "LSR, showcase grid", peak: func(b int) float64 { return math.Log2(float64(b)) - 9.5 }, noise: 0.006}, showcase},
	}
	for _, c := range cases {
		s, g := c.surface, c.g
		t.Run(s.name, func(t *testing.T) {
			if s.edge == nil {
				s.edge = func(b int) float64 { return s.peak(b) + 2 }
			}
			full := s.fullGrid(g)
			ran, plan, rounds := guided(t, s, g, Settings{})
			t.Logf("%d of %d runs in %d rounds", len(ran), len(full), rounds)
			if 3*len(ran) > len(full) {
				t.Errorf("ran %d of %d jobs: more than a third", len(ran), len(full))
			}
			if plan.State.Stage != "done" || strings.HasPrefix(plan.State.Verdict, "no rule fits") {
				t.Errorf("stage %q at the end, verdict %q", plan.State.Stage, plan.State.Verdict)
			}
			// The predictions from the references bracket the truth
			// within a grid step, at every b; on an LSSR surface the
			// predictors (the fits and the interpolation) agree within a
			// grid step, elsewhere within two octaves.
			width := 2.0
			if strings.HasPrefix(s.name, "LSSR") {
				width = step
			}
			for _, pr := range plan.State.Predictions {
				truth := s.peak(pr.B)
				if !pr.HasBest || truth < pr.BestLo-step || truth > pr.BestHi+step || pr.BestHi-pr.BestLo > width {
					t.Errorf("b=%d: predicted best log2 η %.2f … %.2f (has %v), truth %.2f", pr.B, pr.BestLo, pr.BestHi, pr.HasBest, truth)
				}
			}
			fs := report.AnalyzeWith(testMeta, full, report.Options{Replicates: testReplicates})
			gs := report.AnalyzeWith(testMeta, ran, report.Options{Replicates: -1})
			fr, _ := fs.RidgeBy(report.FitEstimator)
			gr, _ := gs.RidgeBy(report.FitEstimator)
			if len(gr.Points) != len(g.BatchSizes) {
				t.Fatalf("guided ridge has %d points, want %d", len(gr.Points), len(g.BatchSizes))
			}
			for i, fp := range fr.Points {
				gp := gr.Points[i]
				truth := s.peak(fp.B)
				if !fp.Log2Interval.Contains(gp.Log2LR) {
					t.Errorf("b=%d: guided best log2 η %.2f outside the full grid's interval [%.2f, %.2f]", fp.B, gp.Log2LR, fp.Log2Interval.Lo, fp.Log2Interval.Hi)
				}
				if math.Abs(gp.Log2LR-truth) > step {
					t.Errorf("b=%d: guided best log2 η %.2f, truth %.2f", fp.B, gp.Log2LR, truth)
				}
			}
			if len(gs.Edge.Points) != len(fs.Edge.Points) {
				t.Fatalf("guided edge has %d points, the full grid %d", len(gs.Edge.Points), len(fs.Edge.Points))
			}
			for i, fe := range fs.Edge.Points {
				ge := gs.Edge.Points[i]
				if d := math.Abs(math.Log2(ge.LR) - math.Log2(fe.LR)); d > step+1e-9 {
					t.Errorf("b=%d: guided edge 2^%.2f, full grid's 2^%.2f", fe.B, math.Log2(ge.LR), math.Log2(fe.LR))
				}
			}
		})
	}
}

// TestGuidedFlat: on a surface whose accuracy does not depend on η, the
// reference batch sizes show no ridge; the search says that no rule fits
// and ends there, well within a third of the grid.
func TestGuidedFlat(t *testing.T) {
	g := testGrid(-8, 0)
	full := len(g.BatchSizes) * len(g.LRs) * len(g.Seeds)
	for draw := range uint64(6) {
		s := surface{name: "flat", flat: true, noise: 0.006, draw: draw,
			edge: func(int) float64 { return -1 }, peak: func(int) float64 { return -4 }}
		ran, plan, rounds := guided(t, s, g, Settings{})
		t.Logf("draw %d: %d of %d runs in %d rounds; %s", draw, len(ran), full, rounds, plan.State.Verdict)
		if 3*len(ran) > full {
			t.Errorf("draw %d: ran %d of %d jobs: more than a third", draw, len(ran), full)
		}
		if !plan.Done || !strings.HasPrefix(plan.State.Verdict, "no rule fits") || len(plan.State.Predictions) == 0 {
			t.Errorf("draw %d: done %v, verdict %q", draw, plan.Done, plan.State.Verdict)
		}
		for _, pr := range plan.State.Predictions {
			if pr.HasBest || pr.HasEdge {
				t.Errorf("draw %d: b=%d has a prediction from a flat surface", draw, pr.B)
			}
		}
	}
}

// TestGuidedAfterCancel: once `sweep cancel` has taken every job not run
// out of the sweep (cancelled: ran, without an outcome), the planner asks
// for nothing it cannot run: it is done at once, at any round.
func TestGuidedAfterCancel(t *testing.T) {
	g := testGrid(-8, 0)
	s := surface{name: "LSSR", peak: lssrSurface(0.01, 1.8), noise: 0.004, rho: 0.01,
		edge: func(b int) float64 { return lssrSurface(0.01, 1.8)(b) + 2 }}
	for cancelAt := 1; cancelAt <= 6; cancelAt++ {
		p, _ := New(g, Settings{}, testMeta)
		p.replicates = testReplicates
		var runs []report.Run
		for _, b := range g.BatchSizes {
			for _, lr := range g.LRs {
				for _, seed := range g.Seeds {
					runs = append(runs, report.Run{JobID: jobID(b, lr, seed), B: b, LR: lr, Seed: seed, State: lssr.StatePending})
				}
			}
		}
		byID := map[string]int{}
		for i, r := range runs {
			byID[r.JobID] = i
		}
		for round := 1; ; round++ {
			plan := p.Plan(runs)
			if plan.Done {
				break
			}
			if len(plan.Run) == 0 || round > cancelAt+1 {
				t.Fatalf("cancelled at round %d: round %d plans %d jobs, done %v", cancelAt, round, len(plan.Run), plan.Done)
			}
			for _, d := range plan.Run {
				r := runs[byID[d.JobID]]
				runs[byID[d.JobID]] = s.run(r.B, r.LR, r.Seed, r.JobID)
			}
			if round == cancelAt {
				for i := range runs {
					if runs[i].State == lssr.StatePending {
						runs[i].State = lssr.StateCancelled
					}
				}
			}
		}
	}
}

// TestGuidedSmallGrids: degenerate grids (one batch size, one η, one seed,
// two of each) end without asking for what cannot run; with one η every
// job runs, since each is its column's best.
func TestGuidedSmallGrids(t *testing.T) {
	s := surface{name: "LSSR", peak: lssrSurface(0.01, 1.8), noise: 0.004, rho: 0.01,
		edge: func(b int) float64 { return lssrSurface(0.01, 1.8)(b) + 2 }}
	for _, g := range []Grid{
		{BatchSizes: []int{64}, LRs: []float64{0.1}, Seeds: []uint64{0}},
		{BatchSizes: []int{64}, LRs: []float64{0.01, 0.1, 1}, Seeds: []uint64{0, 1}},
		{BatchSizes: []int{8, 64}, LRs: []float64{0.1}, Seeds: []uint64{0}},
		{BatchSizes: []int{8, 64}, LRs: []float64{0.01, 0.1}, Seeds: []uint64{3, 1}},
		{BatchSizes: []int{4, 8, 16, 32}, LRs: []float64{0.001, 0.01, 0.1, 1, 10}, Seeds: []uint64{0}},
	} {
		ran, plan, _ := guided(t, s, g, Settings{})
		if !plan.Done || len(ran) == 0 {
			t.Errorf("grid %v: done %v after %d runs", g, plan.Done, len(ran))
		}
		if len(g.LRs) == 1 && len(ran) != len(g.BatchSizes)*len(g.Seeds) {
			t.Errorf("grid %v: a single η ran %d jobs, want every one", g, len(ran))
		}
	}
}
