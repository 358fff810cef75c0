package report

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// A sweep made from LSSR plus seed noise: the ridge fits put the true C and
// ρ inside their bootstrap intervals, and LSSR wins.
func TestRidgeFitsRecoverLSSRInsideIntervals(t *testing.T) {
	tests := []struct {
		name     string
		rho, c   float64
		n        int
		sampling lssr.Sampling
		seeds    int
		noise    float64
	}{
		{"ρ=2^-6 without replacement, 3 seeds", math.Exp2(-6), 4, 8192, lssr.SamplingWithout, 3, 0.005},
		{"ρ=2^-6 with replacement, 5 seeds", math.Exp2(-6), 2, 4096, lssr.SamplingWith, 5, 0.01},
		{"ρ=2^-8 without replacement, 2 seeds", math.Exp2(-8), 16, 16384, lssr.SamplingWithout, 2, 0.005},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := synthSweep{bs: octaves(8, 4096), log2EtaLo: -13, log2EtaHi: 2, log2EtaStep: 0.5,
				seeds: tc.seeds, noise: tc.noise, rho: tc.rho, peak: lssrPeak(tc.rho, tc.c, tc.n, tc.sampling)}
			meta := Meta{Sweep: "synth", N: tc.n, Sampling: tc.sampling}
			s := AnalyzeWith(meta, sw.runs(), Options{Replicates: 400})
			if s.Rho.Value != tc.rho {
				t.Fatalf("measured ρ = %v, want %v", s.Rho.Value, tc.rho)
			}
			c := s.RidgeFits
			measured, ok1 := c.Fit(RuleLSSR)
			free, ok2 := c.Fit(RuleLSSRFree)
			if !ok1 || !ok2 {
				t.Fatalf("fits %+v lack LSSR", c.Fits)
			}
			t.Logf("truth C=2^%.2f ρ=2^%.2f; measured-ρ C=2^%.3f [2^%.3f, 2^%.3f]; free C=2^%.3f [2^%.3f, 2^%.3f] ρ=2^%.3f [2^%.3f, 2^%.3f]; %s",
				math.Log2(tc.c), math.Log2(tc.rho), math.Log2(measured.C), math.Log2(measured.CInterval.Lo), math.Log2(measured.CInterval.Hi),
				math.Log2(free.C), math.Log2(free.CInterval.Lo), math.Log2(free.CInterval.Hi),
				math.Log2(free.Rho), math.Log2(free.RhoInterval.Lo), math.Log2(free.RhoInterval.Hi), c.Verdict)
			if !measured.CInterval.Contains(tc.c) {
				t.Errorf("LSSR (measured ρ): C interval %+v misses the true C %v (C = %v)", measured.CInterval, tc.c, measured.C)
			}
			if !free.CInterval.Contains(tc.c) {
				t.Errorf("LSSR (ρ free): C interval %+v misses the true C %v (C = %v)", free.CInterval, tc.c, free.C)
			}
			if !free.RhoInterval.Contains(tc.rho) {
				t.Errorf("LSSR (ρ free): ρ interval 2^[%.2f, %.2f] misses the true ρ 2^%.2f (ρ = 2^%.2f)",
					math.Log2(free.RhoInterval.Lo), math.Log2(free.RhoInterval.Hi), math.Log2(tc.rho), math.Log2(free.Rho))
			}
			// The intervals are informative, not the whole search range.
			if w := math.Log2(free.RhoInterval.Hi / free.RhoInterval.Lo); w > 2 {
				t.Errorf("free ρ interval spans %.1f octaves", w)
			}
			if c.Winner != RuleLSSR || s.Best != RuleLSSR {
				t.Errorf("winner %q (Best %q), want LSSR: %s", c.Winner, s.Best, c.Verdict)
			}
			// Every ridge estimator's interval holds the true peak at most b;
			// the argmax and the centroid get the grid's half step of slack,
			// the parabola none (the synthetic peak is a parabola).
			for _, r := range s.Ridges {
				slack := 0.26
				if r.Estimator == EstimatorParabola {
					slack = 0
				}
				missed := 0
				for _, p := range r.Points {
					if !(Interval{p.Log2Interval.Lo - slack, p.Log2Interval.Hi + slack}).Contains(sw.peak(p.B)) {
						missed++
					}
				}
				if missed > 1 {
					t.Errorf("%s: %d of %d intervals miss the true peak", r.Estimator, missed, len(r.Points))
				}
			}
		})
	}
}

// Accuracy independent of b and η: no rule may win, on either target.
func TestPureNoiseIsIndistinguishable(t *testing.T) {
	tests := []struct {
		name      string
		seeds     int
		noiseSeed uint64
	}{
		{"3 seeds, draw A", 3, 2},
		{"3 seeds, draw B", 3, 7},
		{"3 seeds, draw C", 3, 11},
		{"1 seed, draw A", 1, 2},
		{"1 seed, draw B", 1, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sw := synthSweep{bs: octaves(8, 4096), log2EtaLo: -10, log2EtaHi: 2, log2EtaStep: 0.5,
				seeds: tc.seeds, noise: 0.005, flat: true, noiseSeed: tc.noiseSeed, rho: math.Exp2(-6),
				peak: func(int) float64 { return 0 }}
			s := AnalyzeWith(Meta{Sweep: "noise", N: 8192, Sampling: lssr.SamplingWithout}, sw.runs(), Options{Replicates: 400})
			if len(s.RidgeFits.Fits) != 4 {
				t.Fatalf("fits %+v, want 4", s.RidgeFits.Fits)
			}
			t.Logf("ridge: %s; edge: %s", s.RidgeFits.Verdict, s.EdgeFits.Verdict)
			if s.RidgeFits.Winner != "" || s.Best != "" {
				t.Errorf("winner %q on pure noise: %s", s.RidgeFits.Winner, s.RidgeFits.Verdict)
			}
			if !strings.Contains(s.RidgeFits.Verdict, "indistinguishable at this noise") {
				t.Errorf("verdict %q does not say indistinguishable", s.RidgeFits.Verdict)
			}
		})
	}
}

// Same options, same numbers; another seed, other intervals.
func TestBootstrapIsDeterministic(t *testing.T) {
	runs := sampleSweep().runs()
	a := AnalyzeWith(sampleMeta, runs, Options{Replicates: 100})
	b := AnalyzeWith(sampleMeta, runs, Options{Replicates: 100})
	if !reflect.DeepEqual(a.RidgeFits, b.RidgeFits) || !reflect.DeepEqual(a.Ridges, b.Ridges) || !reflect.DeepEqual(a.Edge, b.Edge) {
		t.Error("two analyses with the same options differ")
	}
	c := AnalyzeWith(sampleMeta, runs, Options{Replicates: 100, Seed: 7})
	if reflect.DeepEqual(a.RidgeFits.Fits, c.RidgeFits.Fits) {
		t.Error("another bootstrap seed gave the same intervals")
	}
	if a.Bootstrap.Replicates != 100 || Analyze(sampleMeta, nil).Bootstrap.Replicates != DefaultReplicates {
		t.Errorf("replicates %d, default %d", a.Bootstrap.Replicates, Analyze(sampleMeta, nil).Bootstrap.Replicates)
	}
}

// Without replicates there is nothing to rank by.
func TestNoBootstrapNoWinner(t *testing.T) {
	s := AnalyzeWith(sampleMeta, sampleSweep().runs(), Options{Replicates: -1})
	if s.Best != "" || len(s.Fits) == 0 || !strings.Contains(s.RidgeFits.Verdict, "bootstrap was skipped") {
		t.Errorf("best %q, %d fits, verdict %q", s.Best, len(s.Fits), s.RidgeFits.Verdict)
	}
}

// McCandlish et al.'s B_simple = 1/ρ − 1 gives eq. 17 with replacement.
func TestNoiseScaleIsLSSRWithReplacement(t *testing.T) {
	for _, rho := range []float64{1e-4, math.Exp2(-6), 0.3, 1} {
		bSimple := 1/rho - 1
		for _, b := range []int{1, 3, 64, 5000} {
			got, want := lssr.RhoB(rho, 1000, b, lssr.SamplingWith), float64(b)/(float64(b)+bSimple)
			if math.Abs(got-want) > 1e-12*want {
				t.Errorf("ρ=%g b=%d: ρ_b = %v, b/(b+B_simple) = %v", rho, b, got, want)
			}
		}
	}
}
