package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// curveRun is a done run of cell (b, 2^log2LR) with a three-epoch series of
// the given training losses and, where evalAcc is not NaN, test accuracies.
func curveRun(b int, log2LR float64, seed uint64, testAcc float64, losses, evalAcc [3]float64) Run {
	r := Run{JobID: fmt.Sprintf("b%d-l%g-s%d", b, log2LR, seed), B: b, LR: math.Exp2(log2LR), Seed: seed,
		State: lssr.StateDone, TestAcc: testAcc, Epochs: 3}
	for i, l := range losses {
		e := lssr.EpochStats{Epoch: i + 1, TrainLoss: l}
		if !math.IsNaN(evalAcc[i]) {
			e.Evaluated, e.TestAcc = true, evalAcc[i]
		}
		r.Series = append(r.Series, e)
	}
	return r
}

// curveSweep is two batch sizes × two η × two seeds. The best cell of b = 8
// is η = 2^-5, of b = 32 η = 2^-6; the other cells' losses are 100, so a
// curve that averaged them in would show it. evalAcc gives the best cells'
// evaluations during training (NaN: none).
func curveSweep(evalAcc [2][3]float64) []Run {
	none := [3]float64{math.NaN(), math.NaN(), math.NaN()}
	poor := [3]float64{100, 100, 100}
	return []Run{
		curveRun(8, -5, 0, 0.9, [3]float64{2, 1, 0.5}, evalAcc[0]),
		curveRun(8, -5, 1, 0.8, [3]float64{4, 1, 0.25}, evalAcc[1]),
		curveRun(8, -6, 0, 0.5, poor, none),
		curveRun(8, -6, 1, 0.5, poor, none),
		curveRun(32, -6, 0, 0.7, [3]float64{3, 2, 1}, evalAcc[0]),
		// A seed without a series (an older store) counts for the ridge but
		// not in the curves.
		{JobID: "b32-old", B: 32, LR: math.Exp2(-6), Seed: 1, State: lssr.StateDone, TestAcc: 0.7, Epochs: 3},
		curveRun(32, -5, 0, 0.2, poor, none),
		// A diverged seed of the best cell is not averaged either.
		{JobID: "b32-div", B: 32, LR: math.Exp2(-6), Seed: 2, State: lssr.StateDiverged, Epochs: 1,
			Series: []lssr.EpochStats{{Epoch: 1, TrainLoss: 1e6}}},
	}
}

func TestCurves(t *testing.T) {
	nan := math.NaN()
	none := [3]float64{nan, nan, nan}
	tests := []struct {
		name      string
		evalAcc   [2][3]float64
		evaluated bool
		// want[b] lists the expected means per epoch, by hand.
		wantLoss map[int][]CurvePoint
		wantAcc  map[int][]CurvePoint
	}{
		{
			name: "final accuracy only", evalAcc: [2][3]float64{none, none},
			wantLoss: map[int][]CurvePoint{
				8:  {{1, (2 + 4) / 2.0, 2}, {2, 1, 2}, {3, (0.5 + 0.25) / 2, 2}},
				32: {{1, 3, 1}, {2, 2, 1}, {3, 1, 1}},
			},
			wantAcc: map[int][]CurvePoint{
				8:  {{3, (90 + 80) / 2.0, 2}},
				32: {{3, 70, 1}},
			},
		},
		{
			// Evaluated at epoch 2 only: epoch 3 takes the final test pass.
			name: "evaluated during training", evalAcc: [2][3]float64{{nan, 0.6, nan}, {nan, 0.4, nan}}, evaluated: true,
			wantLoss: map[int][]CurvePoint{
				8:  {{1, 3, 2}, {2, 1, 2}, {3, 0.375, 2}},
				32: {{1, 3, 1}, {2, 2, 1}, {3, 1, 1}},
			},
			wantAcc: map[int][]CurvePoint{
				8:  {{2, (60 + 40) / 2.0, 2}, {3, 85, 2}},
				32: {{2, 60, 1}, {3, 70, 1}},
			},
		},
		{
			// Evaluated at the last epoch too: the series' value is used.
			name: "evaluated at the end", evalAcc: [2][3]float64{{0.3, nan, 0.95}, {0.1, nan, 0.85}}, evaluated: true,
			wantLoss: map[int][]CurvePoint{
				8:  {{1, 3, 2}, {2, 1, 2}, {3, 0.375, 2}},
				32: {{1, 3, 1}, {2, 2, 1}, {3, 1, 1}},
			},
			wantAcc: map[int][]CurvePoint{
				8:  {{1, 20, 2}, {3, 90, 2}},
				32: {{1, 30, 1}, {3, 95, 1}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Write(dir, sampleMeta, curveSweep(tc.evalAcc))
			if err != nil {
				t.Fatal(err)
			}
			f := s.Curves
			if f == nil {
				t.Fatal("no curves")
			}
			if f.Evaluated != tc.evaluated {
				t.Errorf("Evaluated = %v, want %v", f.Evaluated, tc.evaluated)
			}
			wantCells := map[int]float64{8: math.Exp2(-5), 32: math.Exp2(-6)}
			wantSeeds := map[int]int{8: 2, 32: 1}
			if len(f.Lines) != len(wantCells) {
				t.Fatalf("%d lines, want %d", len(f.Lines), len(wantCells))
			}
			for _, l := range f.Lines {
				if l.LR != wantCells[l.B] || l.Seeds != wantSeeds[l.B] {
					t.Errorf("b = %d: cell η = %g with %d seeds, want η = %g with %d", l.B, l.LR, l.Seeds, wantCells[l.B], wantSeeds[l.B])
				}
				checkCurve(t, fmt.Sprintf("b = %d loss", l.B), l.Loss, tc.wantLoss[l.B])
				checkCurve(t, fmt.Sprintf("b = %d accuracy", l.B), l.Acc, tc.wantAcc[l.B])
			}
			checkPNG(t, filepath.Join(dir, CurvesFile))
			if f.Path != filepath.Join(dir, CurvesFile) {
				t.Errorf("Path = %q", f.Path)
			}
			md := readFile(t, s.SummaryPath)
			if !strings.Contains(md, "[curves.png](curves.png)") || !strings.Contains(md, "| 8 | 0.03125 | 2 | 3 | 0.375 |") {
				t.Errorf("summary.md does not describe curves.png:\n%s", md)
			}
			if strings.Contains(md, "training.eval_every gives its curve") == tc.evaluated {
				t.Errorf("summary.md: the eval_every hint is there = %v, want %v", !tc.evaluated, !tc.evaluated)
			}
		})
	}
}

func checkCurve(t *testing.T, what string, got, want []CurvePoint) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %v, want %v", what, got, want)
		return
	}
	for i := range want {
		if got[i].Epoch != want[i].Epoch || got[i].N != want[i].N || math.Abs(got[i].Mean-want[i].Mean) > 1e-12 {
			t.Errorf("%s: point %d = %+v, want %+v", what, i, got[i], want[i])
		}
	}
}

// TestCurvesWithoutSeries: runs without series draw no curves, and a
// report rewritten without them removes the curves.png of the earlier one
// and does not mention it.
func TestCurvesWithoutSeries(t *testing.T) {
	dir := t.TempDir()
	nan := math.NaN()
	none := [3]float64{nan, nan, nan}
	runs := curveSweep([2][3]float64{none, none})
	if _, err := Write(dir, sampleMeta, runs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, CurvesFile)
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	for i := range runs {
		runs[i].Series = nil
	}
	s, err := Write(dir, sampleMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Curves != nil {
		t.Errorf("curves without series: %+v", s.Curves)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("stale %s: %v", CurvesFile, err)
	}
	if md := readFile(t, s.SummaryPath); strings.Contains(md, "curves") {
		t.Errorf("summary.md mentions curves without them:\n%s", md)
	}
}
