package report

import (
	"math"
	"testing"

	"github.com/lssr/lssr"
)

func TestRidge(t *testing.T) {
	run := func(b int, lr float64, seed uint64, state lssr.JobState, acc float64) Run {
		return Run{B: b, LR: lr, Seed: seed, State: state, TestAcc: acc}
	}
	runs := []Run{
		// b = 8: η = 0.1 has mean 0.8 (0.7, 0.9); η = 0.2 has 0.75 from one
		// seed (the other diverged); η = 0.4 would win but only diverged.
		run(8, 0.1, 1, lssr.StateDone, 0.7), run(8, 0.1, 2, lssr.StateDone, 0.9),
		run(8, 0.2, 1, lssr.StateDone, 0.75), run(8, 0.2, 2, lssr.StateDiverged, 0),
		run(8, 0.4, 1, lssr.StateDiverged, 0.99),
		// b = 16: a tie between 0.05 and 0.2 goes to the smaller η; a
		// pending run carries no accuracy.
		run(16, 0.2, 1, lssr.StateDone, 0.6), run(16, 0.05, 1, lssr.StateDone, 0.6),
		run(16, 0.1, 1, lssr.StatePending, 0.99), run(16, 0.1, 2, lssr.StateFailed, 0.99),
		// b = 32: nothing finished.
		run(32, 0.1, 1, lssr.StateRunning, 0),
		// not placeable on log axes
		run(0, 0.1, 1, lssr.StateDone, 1), run(8, 0, 1, lssr.StateDone, 1),
	}
	got := Ridge(runs)
	want := []RidgePoint{
		{B: 8, LR: 0.1, MeanAcc: 0.8, StdAcc: math.Sqrt(0.02), Seeds: 2, NearLo: 0.1, NearHi: 0.2},
		{B: 16, LR: 0.05, MeanAcc: 0.6, Seeds: 1, NearLo: 0.05, NearHi: 0.2},
	}
	if len(got) != len(want) {
		t.Fatalf("Ridge = %+v, want %+v", got, want)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.B != w.B || g.LR != w.LR || g.Seeds != w.Seeds || g.NearLo != w.NearLo || g.NearHi != w.NearHi ||
			math.Abs(g.MeanAcc-w.MeanAcc) > 1e-12 || math.Abs(g.StdAcc-w.StdAcc) > 1e-12 {
			t.Errorf("point %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestCellEdges(t *testing.T) {
	tests := []struct {
		in, want []float64
	}{
		{nil, nil},
		{[]float64{3}, []float64{2.5, 3.5}},
		{[]float64{3, 4, 6}, []float64{2.5, 3.5, 5, 7}},
	}
	for _, tc := range tests {
		got := cellEdges(tc.in)
		if len(got) != len(tc.want) {
			t.Fatalf("cellEdges(%v) = %v, want %v", tc.in, got, tc.want)
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("cellEdges(%v) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}
