package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// TestGuidedSweep: a guided search's skipped runs are cells of their own
// (hatched, with a legend entry), not unfinished data; the summary counts
// the runs against the full grid's and lists the predictions; the
// overlays draw the predicted best η, the band and the edge.
func TestGuidedSweep(t *testing.T) {
	done := func(id string, b int, lr, acc float64, seed uint64) Run {
		return Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateDone, TestAcc: acc, TrainLoss: 0.1,
			InitialTrainLoss: 2, Epochs: 3, Seconds: 1.5}
	}
	skipped := func(id string, b int, lr float64, seed uint64) Run {
		return Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateSkipped, TestAcc: 0.99}
	}
	runs := []Run{
		done("a", 8, 0.1, 0.7, 0), skipped("a1", 8, 0.1, 1), // run with one seed of two: a coloured cell
		skipped("b", 8, 0.2, 0), skipped("b1", 8, 0.2, 1), // skipped whole
		done("c", 16, 0.1, 0.6, 0), done("c1", 16, 0.1, 0.62, 1),
		skipped("d", 16, 0.2, 0), {JobID: "d1", B: 16, LR: 0.2, Seed: 1, State: lssr.StatePending}, // not all skipped
	}
	meta := sampleMeta
	meta.Search = &lssr.SearchState{Strategy: lssr.StrategyLSSR, Stage: "done", Round: 4, References: []int{8, 16}, Band: 1,
		Basis: "the references' best η interpolated",
		Predictions: []lssr.SearchPrediction{{B: 8, HasBest: true, BestLo: -3.5, BestHi: -3.2, HasEdge: true, EdgeLo: -2, EdgeHi: -2},
			{B: 16, HasBest: true, BestLo: -3, BestHi: -3}}}
	s, err := Write(t.TempDir(), meta, runs)
	if err != nil {
		t.Fatal(err)
	}
	g := buildGrid(runs)
	for _, c := range []struct {
		b        int
		lr       float64
		skipOnly bool
	}{{8, 0.1, false}, {8, 0.2, true}, {16, 0.1, false}, {16, 0.2, false}} {
		if got := g.at(c.b, c.lr).skippedOnly(); got != c.skipOnly {
			t.Errorf("cell b=%d η=%g: skipped only %v, want %v", c.b, c.lr, got, c.skipOnly)
		}
	}
	md := readFile(t, s.SummaryPath)
	for _, want := range []string{
		"| skipped | 4 |\n",
		"## Guided search",
		"strategy lssr, done after 4 rounds: 3 of the full grid's 8 jobs run (38%), 4 skipped.",
		"| 8 | -3.50 … -3.20 | -2.00 |\n| 16 | -3.00 | — |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	l := legendEntries(s, g, heatKindFor(s, ColourMean))
	for _, want := range []string{"skipped by the guided search (not run)", "no finished run (pending, running or failed)"} {
		if !slices.ContainsFunc(l.right, func(e legendEntry) bool { return e.text == want }) {
			t.Errorf("legend lacks %q: %+v", want, l.right)
		}
	}
	if !slices.ContainsFunc(l.left, func(e legendEntry) bool {
		return strings.HasPrefix(e.text, "guided search: best η predicted from b = 8, 16")
	}) {
		t.Errorf("legend lacks the prediction: %+v", l.left)
	}
	ov := searchOverlays(s)
	if len(ov) != 4 {
		t.Fatalf("%d search overlays, want 4", len(ov))
	}
	// The band's borders: the span widened by the band; no edge at b = 16.
	lo, hi, edge := ov[0].(*linePlotter), ov[1].(*linePlotter), ov[2].(*linePlotter)
	if lo.ys[0] != -4.5 || hi.ys[0] != -2.2 || lo.ys[1] != -4 || hi.ys[1] != -2 || edge.ys[0] != -2 || isFinite(edge.ys[1]) {
		t.Errorf("band %v … %v, edge %v", lo.ys, hi.ys, edge.ys)
	}
	if got := panelCost(runs); got != "3 of 8 runs · 5 core-seconds" {
		t.Errorf("panel cost %q", got)
	}

	// A grid has none of it.
	s, err = Write(t.TempDir(), sampleMeta, runs[:1])
	if err != nil {
		t.Fatal(err)
	}
	if md := readFile(t, s.SummaryPath); strings.Contains(md, "Guided search") || searchOverlays(s) != nil {
		t.Error("a grid's report shows a guided search")
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}
