package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// A grid whose optimum lies beyond its top (accuracy rises with η in every
// column) or below its bottom (it falls) says only "at least here" or "at
// most here": no rule is fitted, the reason names the direction and the
// grid's edge η, and nothing prints a ΔAIC interval or draws a rule curve.
// Every run trains, so every stability edge is at the top too.
func TestOptimumOutsideTheGridIsNotFitted(t *testing.T) {
	tests := []struct {
		name       string
		peak       float64
		side       string
		ridgeWhy   string
		edgeWhy    string
		legendText string
	}{
		{"accuracy rises to the top η", -1, CensoredAbove,
			"0 of 5 points inside the grid; extend learning_rates above 2^-4",
			"0 of 5 points inside the grid; every column still trains at the top η 2^-4: extend learning_rates above 2^-4",
			"no rule fitted to the ridge: 0 of 5 points inside the grid\nextend learning_rates above 2^-4"},
		{"accuracy falls from the bottom η", -11, CensoredBelow,
			"0 of 5 points inside the grid; extend learning_rates below 2^-8",
			"0 of 5 points inside the grid; every column still trains at the top η 2^-4: extend learning_rates above 2^-4",
			"no rule fitted to the ridge: 0 of 5 points inside the grid\nextend learning_rates below 2^-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := synthSweep{bs: octaves(8, 128), log2EtaLo: -8, log2EtaHi: -4, log2EtaStep: 0.5, seeds: 2,
				noise: 0.002, rho: math.Exp2(-6), peak: func(int) float64 { return tc.peak }}
			runs := sw.runs()
			s, err := WriteWith(t.TempDir(), Meta{Sweep: "outside", N: 4096, Sampling: lssr.SamplingWithout},
				runs, Options{Replicates: 100})
			if err != nil {
				t.Fatal(err)
			}
			par, _ := s.RidgeBy(FitEstimator)
			for _, p := range par.Points {
				if !p.Censored || p.Side != tc.side {
					t.Errorf("b=%d: ridge point at 2^%.2f has censoring %+v, want censored %s", p.B, p.Log2LR, p.Censoring, tc.side)
				}
			}
			for name, c := range map[string]Comparison{"ridge": s.RidgeFits, "edge": s.EdgeFits} {
				if len(c.Fits) != 0 || len(c.Differences) != 0 || c.Winner != "" || len(c.Points) != 0 {
					t.Errorf("%s: %d fits, %d ΔAIC, winner %q, %d points fitted; want none", name,
						len(c.Fits), len(c.Differences), c.Winner, len(c.Points))
				}
				if len(c.Censored) != len(sw.bs) {
					t.Errorf("%s: %d censored points listed, want %d", name, len(c.Censored), len(sw.bs))
				}
			}
			if len(s.Fits) != 0 || s.Best != "" {
				t.Errorf("fits %+v, best %q: want none", s.Fits, s.Best)
			}
			if s.RidgeFits.Verdict != tc.ridgeWhy {
				t.Errorf("ridge verdict %q,\nwant %q", s.RidgeFits.Verdict, tc.ridgeWhy)
			}
			if s.EdgeFits.Verdict != tc.edgeWhy {
				t.Errorf("edge verdict %q,\nwant %q", s.EdgeFits.Verdict, tc.edgeWhy)
			}

			md := readFile(t, s.SummaryPath)
			for _, want := range []string{"No rule was fitted: " + tc.ridgeWhy + ".", "No rule was fitted: " + tc.edgeWhy + "."} {
				if !strings.Contains(md, want) {
					t.Errorf("summary.md lacks %q:\n%s", want, md)
				}
			}
			for _, bad := range []string{"ΔAIC", "Verdict:", "wins", "indistinguishable"} {
				if strings.Contains(md, bad) {
					t.Errorf("summary.md says %q although nothing was fitted:\n%s", bad, md)
				}
			}
			fj := readFitJSON(t, s.FitJSONPath)
			rf := fj["ridge_fits"].(map[string]any)
			if rf["verdict"] != tc.ridgeWhy || len(rf["fits"].([]any)) != 0 || len(rf["differences"].([]any)) != 0 {
				t.Errorf("fit.json ridge_fits: verdict %v, %d fits, %d differences", rf["verdict"],
					len(rf["fits"].([]any)), len(rf["differences"].([]any)))
			}

			kind := heatKindFor(s, ColourMean)
			for _, p := range overlays(s, kind) {
				if c, ok := p.(*curvePlotter); ok {
					t.Errorf("heatmap draws a %s curve although nothing was fitted", c.fit.Rule)
				}
			}
			l := legendEntries(s, buildGrid(runs), kind)
			var texts []string
			for _, e := range append(l.left, l.right...) {
				texts = append(texts, e.text)
			}
			if all := strings.Join(texts, "\n"); !strings.Contains(all, tc.legendText) || strings.Contains(all, "fits best") {
				t.Errorf("legend does not say %q (or names a rule):\n%s", tc.legendText, all)
			}
		})
	}
}

// Five columns, the best η of two at the grid's edges (b = 8 below it,
// b = 128 above it) and of three inside: the rules are fitted to exactly
// the three, and the two are drawn hollow.
func TestCensoredRidgePointsAreLeftOutOfTheFit(t *testing.T) {
	peaks := map[int]float64{8: -10, 16: -6.3, 32: -5.6, 64: -4.8, 128: -1.7}
	rho := math.Exp2(-6)
	sw := synthSweep{bs: octaves(8, 128), log2EtaLo: -8, log2EtaHi: -2, log2EtaStep: 0.5, seeds: 2,
		noise: 0.002, rho: rho, peak: func(b int) float64 { return peaks[b] }}
	meta := Meta{Sweep: "mixed", N: 4096, Sampling: lssr.SamplingWithout}
	s := AnalyzeWith(meta, sw.runs(), Options{Replicates: 200})

	par, _ := s.RidgeBy(FitEstimator)
	interior := map[int]float64{} // b → log2 η of the parabola ridge
	for _, p := range par.Points {
		wantSide := map[int]string{8: CensoredBelow, 128: CensoredAbove}[p.B]
		if p.Censored != (wantSide != "") || p.Side != wantSide {
			t.Errorf("b=%d: censoring %+v, want side %q", p.B, p.Censoring, wantSide)
		}
		if wantSide == "" {
			interior[p.B] = p.Log2LR
		}
	}
	if len(interior) != 3 {
		t.Fatalf("%d interior ridge points, want 3: %+v", len(interior), par.Points)
	}
	var fitted []int
	for _, p := range s.RidgeFits.Points {
		fitted = append(fitted, p.B)
	}
	if !slices.Equal(fitted, []int{16, 32, 64}) {
		t.Errorf("ridge fitted at b = %v, want [16 32 64]", fitted)
	}

	// Least squares in log2 η on the three interior points, by hand: log2 C
	// is the mean of g(b) − log2 η_b for each rule's numerator g.
	rules := map[string]func(b int) float64{
		RuleLSR:  func(b int) float64 { return math.Log2(float64(b)) },
		RuleSRSR: func(b int) float64 { return 0.5 * math.Log2(float64(b)) },
		RuleLSSR: func(b int) float64 { return math.Log2(lssr.RhoB(rho, meta.N, b, meta.Sampling)) },
	}
	for rule, g := range rules {
		var sum float64
		for b, log2LR := range interior {
			sum += g(b) - log2LR
		}
		want := sum / 3
		f, ok := s.RidgeFits.Fit(rule)
		if !ok || f.Points != 3 || math.Abs(math.Log2(f.C)-want) > 1e-9 {
			t.Errorf("%s: log2 C = %v over %d points, want %v over 3 (ok %v)", rule, math.Log2(f.C), f.Points, want, ok)
		}
	}

	var drawn []EstimatePoint
	for _, p := range overlays(s, heatKindFor(s, ColourMean)) {
		if r, ok := p.(*ridgePlotter); ok {
			drawn = r.points
		}
	}
	for _, p := range drawn {
		if hollow := p.B == 8 || p.B == 128; p.Censored != hollow {
			t.Errorf("b=%d drawn with censored %v, want hollow %v", p.B, p.Censored, hollow)
		}
	}
	if len(drawn) != 5 {
		t.Errorf("%d ridge points drawn, want 5", len(drawn))
	}
}

// The argmax is the top cell and the parabola through the top three cells
// puts the vertex above the grid: the point is censored above, whatever the
// parabola says; the same at the bottom. A best η inside the column is not.
func TestColumnCensoring(t *testing.T) {
	q := func(x, v float64) float64 { return 0.9 - 0.05*(x-v)*(x-v) } // peak at v
	nan := math.NaN()
	tests := []struct {
		name string
		col  []colCell
		want Censoring
	}{
		{"argmax the top cell, vertex above the grid", row(0.001, q(0, 3.4), q(1, 3.4), q(2, 3.4), q(3, 3.4)),
			Censoring{Censored: true, Side: CensoredAbove}},
		{"argmax the bottom cell, vertex below the grid", row(0.001, q(0, -0.6), q(1, -0.6), q(2, -0.6)),
			Censoring{Censored: true, Side: CensoredBelow}},
		{"argmax below a cell without any run", row(0.001, q(0, 2.4), q(1, 2.4), q(2, 2.4), nan),
			Censoring{Censored: true, Side: CensoredAbove}},
		{"one judged cell", row(0.001, nan, 0.7, nan), Censoring{Censored: true, Side: CensoredBoth}},
		{"argmax inside", row(0.001, q(0, 1.3), q(1, 1.3), q(2, 1.3), q(3, 1.3)), Censoring{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := columnCensoring(tc.col); got != tc.want {
				t.Errorf("censoring %+v, want %+v", got, tc.want)
			}
		})
	}
	// Above a cell whose seeds all diverged the optimum is not: the
	// diverged cell bounds it, so a best η below it is not censored.
	col := row(0.001, q(0, 2.4), q(1, 2.4), q(2, 2.4), nan)
	col[3].judged = true
	if got := columnCensoring(col); got.Censored {
		t.Errorf("best η below a diverged cell: censoring %+v, want none", got)
	}
}

// A bootstrap replicate censors as the data do: a column whose best η
// moves to the top or bottom cell in the replicate, or whose edge reaches
// the top (or vanishes), feeds nothing to that replicate's fit.
func TestReplicatesCensorTheirOwnPoints(t *testing.T) {
	sw := synthSweep{bs: octaves(8, 64), log2EtaLo: -8, log2EtaHi: -4, log2EtaStep: 0.5, seeds: 2,
		peak: func(int) float64 { return -6 }}
	lt := newLattice(buildGrid(sw.runs()), Meta{})
	rows := []int{0, 1, 2, 3}
	if got := lt.ridgeFitPoints(lt.accs, rows); len(got) != 4 {
		t.Fatalf("the data's ridge has %d points inside the grid, want 4: %+v", len(got), got)
	}
	rep := make([][][]float64, len(lt.accs))
	for bi := range lt.accs {
		rep[bi] = slices.Clone(lt.accs[bi])
	}
	top := len(lt.lrs) - 1
	rep[1][top] = []float64{0.99, 0.99} // b = 16: best at the top η in this replicate
	rep[2][0] = []float64{0.99, 0.99}   // b = 32: best at the bottom η
	var got []int
	for _, p := range lt.ridgeFitPoints(rep, rows) {
		got = append(got, p.B)
	}
	if !slices.Equal(got, []int{8, 64}) {
		t.Errorf("replicate ridge fitted at b = %v, want [8 64]", got)
	}

	// The edge: b = 8 fails above the middle, b = 16 trains everywhere
	// (censored), nothing trains at b = 32, b = 64 fails at the top only.
	trains := make([][][]bool, len(lt.bs))
	for bi := range trains {
		trains[bi] = make([][]bool, len(lt.lrs))
		for li := range trains[bi] {
			ok := map[int]bool{0: li <= 2, 1: true, 2: false, 3: li < top}[bi]
			trains[bi][li] = []bool{ok, ok}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	drawn, fit := lt.edgeReplicate(rng, trains, rows)
	got = nil
	for _, p := range fit {
		got = append(got, p.B)
	}
	if !slices.Equal(got, []int{8, 64}) {
		t.Errorf("replicate edge fitted at b = %v, want [8 64]", got)
	}
	if len(drawn) != len(lt.bs) || !(drawn[0] >= lt.log2LRs[2] && drawn[0] <= lt.log2LRs[3]) {
		t.Errorf("drawn edges %v: want one per b, b = 8's within [%v, %v]", drawn, lt.log2LRs[2], lt.log2LRs[3])
	}
}
