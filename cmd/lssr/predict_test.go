package main

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
)

func TestPredictBatchSizes(t *testing.T) {
	many := make([]string, maxPredictBatchSizes+1)
	for i := range many {
		many[i] = "8"
	}
	for _, tc := range []struct {
		in   []string
		want []int
		err  string // in the usage error; "" for none
	}{
		{[]string{"1024", "256", "512", "256"}, []int{256, 512, 1024}, ""},
		{[]string{" 64 "}, []int{64}, ""},
		{many[:maxPredictBatchSizes], []int{8}, ""},
		{nil, nil, "want at least one --b batch size"},
		{many, nil, "want at most 64 --b batch sizes, got 65"},
		{[]string{"256", "0"}, nil, `--b "0": want a whole batch size of at least 1`},
		{[]string{"-8"}, nil, `--b "-8": want a whole batch size`},
		{[]string{"2048.5"}, nil, `--b "2048.5": want a whole batch size`},
		{[]string{"1e3"}, nil, `--b "1e3": want a whole batch size`},
		{[]string{"0x100"}, nil, `--b "0x100": want a whole batch size`},
		{[]string{"many"}, nil, `--b "many": want a whole batch size`},
	} {
		got, err := predictBatchSizes("lssr predict", tc.in)
		switch {
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("%q: %v, %v; want %v", tc.in, got, err, tc.want)
		case tc.err != "" && (!errors.Is(err, lssr.ErrBadInput) || !strings.Contains(err.Error(), tc.err) ||
			!strings.HasSuffix(err.Error(), "(see 'lssr predict --help')")):
			t.Errorf("%q: error %v; want a usage error with %q", tc.in, err, tc.err)
		}
	}
}

// The lines for people, from predictions written out by hand: a header
// of two lines per target, then a line per b with both intervals, the
// extrapolation marks and, without a winner, the other rules.
func TestWritePredictions(t *testing.T) {
	ridgeFit := report.RuleFit{Fit: report.Fit{Rule: report.RuleSRSR, C: math.Exp2(9), Params: 1, Points: 6},
		CInterval: report.Interval{Lo: math.Exp2(8.9), Hi: math.Exp2(9.1)}}
	edgeFit := report.RuleFit{Fit: report.Fit{Rule: report.RuleLSSRFree, C: 4, Rho: math.Exp2(-5), Params: 2, Points: 5},
		CInterval: report.Interval{Lo: math.Exp2(1.5), Hi: math.Exp2(2.5)}, RhoInterval: report.Interval{Lo: math.Exp2(-6), Hi: math.Exp2(-4.5)}}
	p := report.Predictions{
		Sweep: "s", Level: 0.95,
		BestLR: report.Basis{Target: report.TargetRidge, Fit: ridgeFit, Winner: true, Verdict: "SRSR wins: because",
			BMin: 8, BMax: 256, Replicates: 990},
		Edge: report.Basis{Target: report.TargetEdge, Fit: edgeFit, Verdict: "indistinguishable at this noise: because",
			BMin: 16, BMax: 256, Replicates: 990},
		Points: []report.Prediction{
			{B: 64, BestLR: report.Estimate{Log2LR: -6, LR: 1.0 / 64, Log2Interval: report.Interval{Lo: -6.25, Hi: -5.75}},
				Edge: &report.Estimate{Log2LR: -3, LR: 0.125, Log2Interval: report.Interval{Lo: -3.5, Hi: -2.5},
					Others: []report.RuleLog2LR{{Rule: report.RuleLSR, Log2LR: -2.5}}}},
			{B: 1024, BestLR: report.Estimate{Log2LR: -4, LR: 0.0625, Log2Interval: report.Interval{Lo: math.NaN(), Hi: math.NaN()},
				Extrapolated: true}},
		},
	}
	var out bytes.Buffer
	writePredictions(&out, p)
	want := "s: best η by SRSR, √b/η = C: C = 2^9.00 [2^8.90, 2^9.10]; fitted at b = 8…256 (6 points); 95% intervals over 990 bootstrap replicates\n" +
		"  SRSR wins: because\n" +
		"s: stability edge by LSSR free ρ, ρ_b/η = C: C = 2^2.00 [2^1.50, 2^2.50], ρ = 2^-5.00 [2^-6.00, 2^-4.50] (fitted); fitted at b = 16…256 (5 points); 95% intervals over 990 bootstrap replicates\n" +
		"  no rule wins, so LSSR free ρ predicts and the others follow: indistinguishable at this noise: because\n" +
		"b = 64: best η 2^-6.00 = 0.0156 [2^-6.25, 2^-5.75]; edge 2^-3.00 = 0.125 [2^-3.50, 2^-2.50] (LSR 2^-2.50)\n" +
		"b = 1024: best η 2^-4.00 = 0.0625 [no interval] extrapolated\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	writePredictions(&out, report.Predictions{Sweep: "s", NoFit: "no ridge: flat"})
	if want := "s: no rule fits, so nothing is predicted: no ridge: flat\n"; out.String() != want {
		t.Errorf("no fit: got %q, want %q", out.String(), want)
	}
}
