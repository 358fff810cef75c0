package report

import (
	"math"
	"testing"
)

// row builds a row at log2 η = 0, 1, 2, … from means (NaN: no run), all
// with standard error se.
func row(se float64, means ...float64) []colCell {
	col := make([]colCell, len(means))
	for i, m := range means {
		col[i] = colCell{log2LR: float64(i), mean: m, se: se, n: 1, judged: true}
		if math.IsNaN(m) {
			col[i] = colCell{log2LR: float64(i)}
		}
	}
	return col
}

func TestRidgeEstimators(t *testing.T) {
	nan := math.NaN()
	q := func(x, v float64) float64 { return 0.9 - 0.05*(x-v)*(x-v) } // peak at v
	tests := []struct {
		name                  string
		col                   []colCell
		argmax, parab, centre float64
		fallback              bool
	}{
		{"exact parabola off the grid", row(0.001, q(0, 1.3), q(1, 1.3), q(2, 1.3), q(3, 1.3)), 1, 1.3, 1, false},
		{"argmax at the grid's top edge", row(0.001, 0.5, 0.6, 0.7), 2, 2, 2, true},
		{"argmax at the grid's bottom edge", row(0.001, 0.7, 0.6, 0.5), 0, 0, 0, true},
		{"a neighbour without seeds", row(0.001, nan, 0.6, 0.5, 0.4), 1, 1, 1, true},
		{"tie goes to the smaller η; flat top falls to the argmax side", row(0.001, 0.5, 0.7, 0.7, 0.5), 1, 1.5, 1.5, false},
		{"centroid weighs the cells within one SE by accuracy", row(0.01, 0.50, 0.80, 0.795, 0.60), 1,
			parabolaThrough(0.5, 0.8, 0.795), 1 + 0.795/1.595, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _ := estimate(EstimatorArgmax, tc.col)
			if got != tc.argmax {
				t.Errorf("argmax = %v, want %v", got, tc.argmax)
			}
			got, fb, _ := estimate(EstimatorParabola, tc.col)
			if math.Abs(got-tc.parab) > 1e-9 || fb != tc.fallback {
				t.Errorf("parabola = %v (fallback %v), want %v (%v)", got, fb, tc.parab, tc.fallback)
			}
			if got, _, _ := estimate(EstimatorCentroid, tc.col); math.Abs(got-tc.centre) > 1e-9 {
				t.Errorf("centroid = %v, want %v", got, tc.centre)
			}
		})
	}
	if _, _, ok := estimate(EstimatorParabola, row(0.01, nan, nan)); ok {
		t.Error("a row without seeds has an estimate")
	}
}

// parabolaThrough is the vertex of the parabola through (0, y0), (1, y1),
// (2, y2): the closed form for equal spacing.
func parabolaThrough(y0, y1, y2 float64) float64 {
	return 1 + 0.5*(y0-y2)/(y0-2*y1+y2)
}

func TestNearBestUsesTheErrorOfTheDifference(t *testing.T) {
	col := []colCell{
		{mean: 0.80, se: 0.03, n: 3},
		{mean: 0.76, se: 0.03, n: 3}, // 0.04 ≤ √2·0.03 = 0.042
		{mean: 0.75, se: 0.03, n: 3}, // 0.05 > 0.042
		{n: 0},
	}
	got := nearBest(col, argmaxIdx(col))
	want := []bool{true, true, false, false}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("nearBest = %v, want %v", got, want)
			break
		}
	}
}
