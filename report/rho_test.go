package report

import (
	"math"
	"testing"

	"github.com/lssr/lssr"
)

func TestEstimateRho(t *testing.T) {
	tests := []struct {
		name      string
		runs      []Run
		want      float64
		stat      string
		count, nr int
	}{
		{"median of series over done runs", []Run{
			{State: lssr.StateDone, Rho: 1e-4, RhoSeries: []float64{0.1, 0.3}},
			{State: lssr.StateDone, Rho: 1e-4, RhoSeries: []float64{0.2, 0, math.NaN(), math.Inf(1)}},
			{State: lssr.StateDiverged, RhoSeries: []float64{5, 5, 5}},
			{State: lssr.StatePending},
		}, 0.2, statSeries, 3, 2},
		{"even count averages the middle two", []Run{
			{State: lssr.StateDone, RhoSeries: []float64{0.4, 0.1}},
			{State: lssr.StateDone, RhoSeries: []float64{0.3, 0.2}},
		}, 0.25, statSeries, 4, 2},
		{"falls back to final ρ without series", []Run{
			{State: lssr.StateDone, Rho: 0.01}, {State: lssr.StateDone, Rho: 0.03},
			{State: lssr.StateDone, Rho: 0.02}, {State: lssr.StateFailed, Rho: 9},
		}, 0.02, statFinal, 3, 3},
		{"nothing measured", []Run{{State: lssr.StateDone}, {State: lssr.StateDiverged, Rho: 0.5}}, math.NaN(), statNone, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EstimateRho(tc.runs)
			same := got.Value == tc.want || (math.IsNaN(got.Value) && math.IsNaN(tc.want))
			if !same || got.Statistic != tc.stat || got.Count != tc.count || got.Runs != tc.nr {
				t.Errorf("EstimateRho = %+v, want value %v, %q, count %d, runs %d", got, tc.want, tc.stat, tc.count, tc.nr)
			}
		})
	}
}
