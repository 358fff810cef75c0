package report

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// TestSummaryCountsEveryState: the summary's order holds every job state
// once, so a state added to lssr.JobStates has to be placed in it.
func TestSummaryCountsEveryState(t *testing.T) {
	if len(summaryStates) != len(lssr.JobStates) {
		t.Fatalf("summaryStates has %d states, lssr.JobStates %d", len(summaryStates), len(lssr.JobStates))
	}
	for _, st := range lssr.JobStates {
		if !slices.Contains(summaryStates, st) {
			t.Errorf("summaryStates lacks %s", st)
		}
	}
}

// TestCancelledRuns: a cancelled run has no result. It is an unfinished
// seed of its cell, takes no part in the ridge or ρ, and is counted in the
// summary after pending; the legend names it where a cell shows it. The
// cancelled runs carry an accuracy and a ρ series that would win the ridge
// and move ρ if they were read.
func TestCancelledRuns(t *testing.T) {
	done := func(id string, b int, lr, acc, rho float64) Run {
		return Run{JobID: id, B: b, LR: lr, State: lssr.StateDone, TestAcc: acc, TrainLoss: 0.1,
			InitialTrainLoss: 2, RhoSeries: []float64{rho}, Epochs: 3}
	}
	cancelled := func(id string, b int, lr float64, seed uint64) Run {
		return Run{JobID: id, B: b, LR: lr, Seed: seed, State: lssr.StateCancelled, TestAcc: 0.99, RhoSeries: []float64{0.5}}
	}
	tests := []struct {
		name string
		runs []Run
		// rows is the summary's state table; legend the unfinished
		// cells' legend text.
		rows   string
		legend string
	}{
		{
			name: "cancelled",
			runs: []Run{
				done("a", 8, 0.1, 0.7, 0.01), cancelled("b", 8, 0.1, 1),
				cancelled("c", 8, 0.2, 0),
				done("d", 16, 0.1, 0.6, 0.03), {JobID: "e", B: 16, LR: 0.2, State: lssr.StatePending},
			},
			rows:   "| done | 2 |\n| diverged | 0 |\n| failed | 0 |\n| running | 0 |\n| pending | 1 |\n| cancelled | 2 |\n",
			legend: "no finished run (pending, running, failed or cancelled)",
		},
		{
			// The table and legend a sweep never cancelled always had.
			name: "none cancelled",
			runs: []Run{
				done("a", 8, 0.1, 0.7, 0.01), {JobID: "b", B: 8, LR: 0.1, Seed: 1, State: lssr.StateFailed},
				{JobID: "c", B: 8, LR: 0.2, State: lssr.StateRunning},
				done("d", 16, 0.1, 0.6, 0.03), {JobID: "e", B: 16, LR: 0.2, State: lssr.StatePending},
			},
			rows:   "| done | 2 |\n| diverged | 0 |\n| failed | 1 |\n| running | 1 |\n| pending | 1 |\n",
			legend: "no finished run (pending, running or failed)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Write(t.TempDir(), sampleMeta, tc.runs)
			if err != nil {
				t.Fatal(err)
			}
			md := readFile(t, s.SummaryPath)
			if !strings.Contains(md, "| state | runs |\n| --- | ---: |\n"+tc.rows+"\n") {
				t.Errorf("summary.md's state table is not\n%s\nin\n%s", tc.rows, md)
			}
			// Each b's ridge is its one done cell, η = 0.1.
			for _, p := range s.Ridge {
				if p.LR != 0.1 || p.Seeds != 1 {
					t.Errorf("ridge at b = %d: η %g from %d seeds, want 0.1 from 1", p.B, p.LR, p.Seeds)
				}
			}
			if s.Rho.Value != 0.02 || s.Rho.Runs != 2 {
				t.Errorf("ρ %g from %d runs, want 0.02 (median of 0.01, 0.03) from 2", s.Rho.Value, s.Rho.Runs)
			}
			want := map[[2]float64]struct{ seeds, unfinished int }{
				{8, 0.1}: {1, 1}, {8, 0.2}: {0, 1}, {16, 0.1}: {1, 0}, {16, 0.2}: {0, 1},
			}
			for _, c := range s.Cells {
				w := want[[2]float64{float64(c.B), c.LR}]
				if c.Seeds != w.seeds || c.Unfinished != w.unfinished || c.Diverged != 0 {
					t.Errorf("cell b = %d, η = %g: %d seeds, %d unfinished, %d diverged; want %d, %d, 0",
						c.B, c.LR, c.Seeds, c.Unfinished, c.Diverged, w.seeds, w.unfinished)
				}
			}
			l := legendEntries(s, buildGrid(tc.runs), heatKindFor(s, ColourMean))
			if !slices.ContainsFunc(l.right, func(e legendEntry) bool { return e.text == tc.legend }) {
				t.Errorf("legend lacks %q: %+v", tc.legend, l.right)
			}
			csv := readFile(t, s.CSVPath)
			for _, r := range tc.runs {
				if !strings.Contains(csv, ","+r.JobID+",") || !strings.Contains(csv, ","+string(r.State)+",") {
					t.Errorf("results.csv lacks run %s (%s):\n%s", r.JobID, r.State, csv)
				}
			}
			if _, err := os.Stat(s.HeatmapPath); err != nil {
				t.Error(err)
			}
		})
	}
}
