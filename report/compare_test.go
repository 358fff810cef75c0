package report

import (
	"math"
	"slices"
	"testing"
)

// The refits a Comparison keeps are the replicates its intervals were
// computed from: one per counted replicate, each rule refitted to that
// replicate's points, and the Level percentiles of their C and ρ are the
// fits' intervals to the bit. Checked on the ridge and on the edge.
func TestComparisonKeepsItsReplicateRefits(t *testing.T) {
	s := AnalyzeWith(sampleMeta, sampleSweep().runs(), Options{Replicates: 200})
	for _, c := range []Comparison{s.RidgeFits, s.EdgeFits} {
		if len(c.Fits) == 0 {
			t.Fatalf("%s: no fits: %s", c.Target, c.Verdict)
		}
		if len(c.refits) != c.Replicates || c.Replicates < 150 {
			t.Fatalf("%s: %d refits kept, %d replicates counted (of 200)", c.Target, len(c.refits), c.Replicates)
		}
		for i, f := range c.Fits {
			var cs, rhos []float64
			for _, r := range c.refits {
				if len(r.fits) != len(c.Fits) || r.fits[i].Rule != f.Rule {
					t.Fatalf("%s: a refit holds %d fits, rule %d is %q, want %q", c.Target, len(r.fits), i, r.fits[i].Rule, f.Rule)
				}
				cs = append(cs, r.fits[i].C)
				rhos = append(rhos, r.fits[i].Rho)
			}
			if got := percentile(cs); got != f.CInterval {
				t.Errorf("%s %s: C interval from the kept refits %+v, the fit's %+v", c.Target, f.Rule, got, f.CInterval)
			}
			if lssrFamily(f.Rule) {
				if got := percentile(rhos); got != f.RhoInterval {
					t.Errorf("%s %s: ρ interval from the kept refits %+v, the fit's %+v", c.Target, f.Rule, got, f.RhoInterval)
				}
			}
		}
		// Each refit is the rules fitted to its own points: LSR's C has the
		// closed form 2^mean(log2 b − log2 η).
		lsr := slices.IndexFunc(c.Fits, func(f RuleFit) bool { return f.Rule == RuleLSR })
		for k, r := range c.refits {
			var sum float64
			for _, p := range r.points {
				sum += math.Log2(float64(p.B)) - math.Log2(p.LR)
			}
			want := math.Exp2(sum / float64(len(r.points)))
			if got := r.fits[lsr].C; math.Abs(got-want) > 1e-9*want {
				t.Fatalf("%s: replicate %d: LSR C = %v, the closed form on its %d points gives %v", c.Target, k, got, len(r.points), want)
			}
		}
	}
}
