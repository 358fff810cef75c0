package report

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lssr/lssr"
)

// synthSweep generates the runs of a sweep whose test accuracy peaks, at
// every b, at log2 η = peak(b): acc = 0.9 − 0.05·(log2 η − peak)², floored at
// 0.1. It is the reference the fits are checked against, so it uses
// lssr.RhoB, not this package's rhoBAt.
type synthSweep struct {
	bs                                []int
	log2EtaLo, log2EtaHi, log2EtaStep float64
	seeds                             int
	peak                              func(b int) float64
	noise                             float64 // s.d. of accuracy noise per seed (0: none)
	divergeAbove                      float64 // runs with log2 η > peak + this diverge (0: never)
	divergeSpread                     float64 // seed k diverges only above divergeAbove + k·divergeSpread
	pending                           func(b int, log2Eta float64) bool
	rho                               float64 // ρ reported in the series (final ρ is 20× smaller)
	flat                              bool    // accuracy 0.85 + noise everywhere: no ridge at all
	noiseSeed                         uint64  // second PCG seed of the noise (0: 2)
}

func octaves(lo, hi int) []int {
	var bs []int
	for b := lo; b <= hi; b *= 2 {
		bs = append(bs, b)
	}
	return bs
}

// lssrPeak is log2 η* = log2 ρ_b − log2 C.
func lssrPeak(rho, c float64, n int, s lssr.Sampling) func(int) float64 {
	return func(b int) float64 { return math.Log2(lssr.RhoB(rho, n, b, s)) - math.Log2(c) }
}

func (s synthSweep) runs() []Run {
	rng := rand.New(rand.NewPCG(1, max(s.noiseSeed, 2)))
	var runs []Run
	seeds := max(s.seeds, 1)
	for _, b := range s.bs {
		for l := s.log2EtaLo; l <= s.log2EtaHi+1e-9; l += s.log2EtaStep {
			for seed := range seeds {
				d := l - s.peak(b)
				r := Run{
					JobID: fmt.Sprintf("b%d-l%.2f-s%d", b, l, seed), B: b, LR: math.Exp2(l),
					Seed: uint64(seed), State: lssr.StateDone, Attempts: 1, Epochs: 10, Steps: 100,
					Seconds: 1.5,
				}
				switch {
				case s.pending != nil && s.pending(b, l):
					r.State = lssr.StatePending
					r.Attempts = 0
				case s.divergeAbove > 0 && d > s.divergeAbove+float64(seed)*s.divergeSpread:
					r.State = lssr.StateDiverged
					r.TestAcc = 0.1
				default:
					r.TestAcc = math.Max(0.1, 0.9-0.05*d*d) + s.noise*rng.NormFloat64()
					if s.flat {
						r.TestAcc = 0.85 + s.noise*rng.NormFloat64()
					}
					r.TrainAcc, r.TrainLoss = 1, 0.01
					if s.rho > 0 {
						r.Rho = s.rho / 20
						r.RhoSeries = []float64{s.rho * 1.3, s.rho, s.rho / 1.3}
					}
				}
				runs = append(runs, r)
			}
		}
	}
	return runs
}
