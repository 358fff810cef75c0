package lssr

import (
	"math"
	"testing"
)

func TestRhoBClosedForms(t *testing.T) {
	tests := []struct {
		name     string
		rho      float64
		n, b     int
		sampling Sampling
		want     float64
	}{
		{"b=1 gives rho", 0.01, 1000, 1, SamplingWithout, 0.01},
		{"b=n gives 1 without replacement", 0.01, 1000, 1000, SamplingWithout, 1},
		{"with replacement b=1 gives rho", 0.2, 50, 1, SamplingWith, 0.2},
		// with replacement: 1/((1/b)/rho + 1 - 1/b) = 1/(1/(4*0.1) + 0.75) = 1/3.25
		{"with replacement b=4", 0.1, 50, 4, SamplingWith, 1 / 3.25},
		// without: gamma=(9-3)/8=0.75, c=0.25, 1/(2.5+0.75)
		{"without replacement n=9 b=3", 0.1, 9, 3, SamplingWithout, 1 / 3.25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := RhoB(tc.rho, tc.n, tc.b, tc.sampling)
			if math.Abs(got-tc.want) > 1e-12 {
				t.Fatalf("RhoB = %v, want %v", got, tc.want)
			}
		})
	}
}
