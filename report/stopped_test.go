package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// TestStoppedRuns: a run the stall rule stopped (training.stop_early) is
// judged like a diverged one: it does not train, so it counts against its
// cell on the stability edge and bounds the edge from above, and it has no
// accuracy for the ridge. The summary counts it and the legend names the
// cells it marks. The stopped runs carry an accuracy that would win the
// ridge if it were read, and the zero training loss a stopped Result
// has, which would pass the training margin if the state were not read.
func TestStoppedRuns(t *testing.T) {
	done := func(id string, b int, lr float64, seed uint64, acc float64) Run {
		return Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateDone, TestAcc: acc, TrainLoss: 0.1,
			InitialTrainLoss: 2, Epochs: 10}
	}
	stopped := func(id string, b int, lr float64, seed uint64) Run {
		return Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateStopped, TestAcc: 0.99,
			InitialTrainLoss: 2, Epochs: 3}
	}
	runs := []Run{
		done("a", 8, 0.1, 0, 0.7), done("b", 8, 0.1, 1, 0.7),
		done("c", 8, 0.2, 0, 0.6), stopped("d", 8, 0.2, 1), // mixed: a corner flag
		stopped("e", 8, 0.4, 0), stopped("f", 8, 0.4, 1), // every seed stopped
		{JobID: "g", B: 8, LR: 0.8, State: lssr.StateDiverged}, stopped("h", 8, 0.8, 1), // drawn as diverged
		done("i", 16, 0.1, 0, 0.6), done("j", 16, 0.2, 0, 0.65), done("k", 16, 0.4, 0, 0.7),
		stopped("l", 16, 0.8, 0),
	}
	if RunTrains(sampleMeta, runs[3]) {
		t.Errorf("a stopped run trains: %+v", runs[3])
	}
	s, err := Write(t.TempDir(), sampleMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	type counts struct{ seeds, stopped, decided, trained int }
	want := map[[2]float64]counts{
		{8, 0.1}: {2, 0, 2, 2}, {8, 0.2}: {1, 1, 2, 1}, {8, 0.4}: {0, 2, 2, 0}, {8, 0.8}: {0, 1, 2, 0},
		{16, 0.1}: {1, 0, 1, 1}, {16, 0.2}: {1, 0, 1, 1}, {16, 0.4}: {1, 0, 1, 1}, {16, 0.8}: {0, 1, 1, 0},
	}
	for _, c := range s.Cells {
		w := want[[2]float64{float64(c.B), c.LR}]
		got := counts{c.Seeds, c.Stopped, c.Decided, c.Trained}
		if got != w || c.Unfinished != 0 {
			t.Errorf("cell b = %d, η = %g: %+v and %d unfinished, want %+v and 0", c.B, c.LR, got, c.Unfinished, w)
		}
		if c.B == 8 && c.LR == 0.2 && c.MeanAcc != 0.6 {
			t.Errorf("cell b = 8, η = 0.2: mean accuracy %v, want 0.6 (the stopped seed has none)", c.MeanAcc)
		}
	}
	for _, p := range s.Ridge {
		if wantLR := map[int]float64{8: 0.1, 16: 0.4}[p.B]; p.LR != wantLR {
			t.Errorf("ridge at b = %d: η %g, want %g", p.B, p.LR, wantLR)
		}
	}
	// b = 8: η = 0.2 does not train (one seed of two), so the edge is 0.1;
	// b = 16: the stopped cell at 0.8 bounds the edge at 0.4, uncensored.
	wantEdge := map[int][2]float64{8: {0.1, 0.2}, 16: {0.4, 0.8}}
	if len(s.Edge.Points) != 2 {
		t.Fatalf("edge %+v, want a point per b", s.Edge.Points)
	}
	for _, p := range s.Edge.Points {
		if w := wantEdge[p.B]; p.LR != w[0] || p.NextLR != w[1] || p.Censored {
			t.Errorf("edge at b = %d: η %g, next %g, censored %v; want %g, %g, not censored", p.B, p.LR, p.NextLR, p.Censored, w[0], w[1])
		}
	}
	md := readFile(t, s.SummaryPath)
	for _, frag := range []string{"| done | 6 |\n| diverged | 1 |\n| stopped | 5 |\n| failed | 0 |",
		"A run trains when it did not diverge or stop early", "strict majority of its done, diverged and stopped seeds"} {
		if !strings.Contains(md, frag) {
			t.Errorf("summary.md lacks %q", frag)
		}
	}
	l := legendEntries(s, buildGrid(runs), heatKindFor(s, ColourMean))
	for _, text := range []string{
		"stopped early (every finished seed: loss not below its initial)",
		"diverged (finished seeds hit NaN/Inf or stopped early, one NaN/Inf at least)",
		"some seeds diverged or stopped early (mean over the others)",
	} {
		if !slices.ContainsFunc(l.right, func(e legendEntry) bool { return e.text == text }) {
			t.Errorf("legend lacks %q: %+v", text, l.right)
		}
	}
	if csv := readFile(t, s.CSVPath); strings.Count(csv, ",stopped,") != 5 {
		t.Errorf("results.csv does not list the 5 stopped runs:\n%s", csv)
	}
}

// TestCellLook: how the heatmap draws a cell, and so which legend entry
// names it, from the outcomes of its seeds.
func TestCellLook(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        *cell
		coloured bool
		want     cellLook
	}{
		{"no run", nil, false, lookUnfinished},
		{"pending or failed", &cell{unfinished: 2}, false, lookUnfinished},
		{"done", &cell{done: 2}, true, lookColour},
		{"done and diverged", &cell{done: 1, diverged: 1}, true, lookFlagged},
		{"done and stopped", &cell{done: 1, stopped: 1}, true, lookFlagged},
		{"diverged", &cell{diverged: 2, unfinished: 1}, false, lookDiverged},
		{"diverged and stopped", &cell{diverged: 1, stopped: 1}, false, lookDiverged},
		{"stopped", &cell{stopped: 2, unfinished: 1}, false, lookStopped},
		{"done without a colour, stopped", &cell{done: 1, stopped: 1}, false, lookStopped},
	} {
		if got := lookOf(tc.c, tc.coloured); got != tc.want {
			t.Errorf("%s: look %d, want %d", tc.name, got, tc.want)
		}
	}
}
