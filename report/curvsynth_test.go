package report

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/lssr/lssr"
)

// curvSweep generates a sweep whose runs carry measurement series, some with
// curvature, in plausible shapes: ρ drifts down during training, λ1 rises
// to 2/η and hovers just above it, the IAS stay below λ1, the instability
// ratio rises through the edge and oscillates around it (the paper's IIR),
// and the loss change follows eq. 7 below the edge and a gentler slope above.
type curvSweep struct {
	n         int
	bs        []int
	log2Etas  []float64
	seeds     int
	epochs    int
	stepsPerB func(b int) int64 // steps per epoch
	rho       float64           // ρ in the middle of training
	// curvature says which jobs measure it.
	curvature func(b int, log2Eta float64, seed int) bool
	// diverge says which jobs diverge, halfway, with the ratio far past the edge.
	diverge func(b int, log2Eta float64, seed int) bool
}

func defaultCurvSweep() curvSweep {
	n := 4096
	return curvSweep{
		n: n, bs: octaves(8, 2048), log2Etas: []float64{-6, -5, -4, -3}, seeds: 2, epochs: 12,
		stepsPerB: func(b int) int64 { return int64(n / b) },
		rho:       math.Exp2(-6),
		curvature: func(b int, l float64, seed int) bool { return seed == 0 && (l == -4 || l == -5) },
		diverge:   func(b int, l float64, seed int) bool { return l == -3 && b <= 16 },
	}
}

func (s curvSweep) runs() []Run {
	rng := rand.New(rand.NewPCG(3, 4))
	var runs []Run
	for _, b := range s.bs {
		for _, l := range s.log2Etas {
			for seed := range s.seeds {
				eta := math.Exp2(l)
				r := Run{JobID: fmt.Sprintf("b%d-l%g-s%d", b, l, seed), B: b, LR: eta, Seed: uint64(seed),
					State: lssr.StateDone, Attempts: 1, Epochs: s.epochs, TestAcc: 0.8, TrainAcc: 1, TrainLoss: 0.01}
				last := s.epochs
				if s.diverge != nil && s.diverge(b, l, seed) {
					r.State, last = lssr.StateDiverged, s.epochs/2
				}
				withCurv := s.curvature != nil && s.curvature(b, l, seed)
				perEpoch := s.stepsPerB(b)
				for e := 1; e <= last; e++ {
					u := 1 - math.Exp(-float64(e)/2.5) // progress toward the edge
					rho := s.rho * math.Exp2(1-2*float64(e)/float64(s.epochs)) * (1 + 0.1*rng.NormFloat64())
					if e == s.epochs {
						rho /= 20 // the end of training: the gradient collapses
					}
					rhoB := lssr.RhoB(rho, s.n, b, lssr.SamplingWithout)
					// ρ_b of the batch noise the Hessian sees: the end-of-training
					// collapse of ‖∇L‖² is not modelled in the curvature.
					rhoBTrain := lssr.RhoB(math.Max(rho, s.rho/4), s.n, b, lssr.SamplingWithout)
					m := lssr.Measurement{Epoch: e, Step: int64(e) * perEpoch, Rho: rho, RhoB: rhoB,
						GradSqNorm: 0.5 * math.Exp(-float64(e)/4), TrainLoss: 2 * math.Exp(-float64(e)/5)}
					m.TrS1 = m.GradSqNorm / rho
					if withCurv {
						thr := 2 / eta
						ratio := thr * (0.25 + 0.85*u) * (1 + 0.08*math.Sin(1.7*float64(e)) + 0.03*rng.NormFloat64())
						if r.State == lssr.StateDiverged && e == last {
							ratio = 7 * thr
						}
						lambda1 := thr * (0.2 + 0.88*u) * (1 + 0.02*rng.NormFloat64())
						x := ratio / thr
						eq7 := eta * m.GradSqNorm * (x - 1)
						slope := 1.0
						if x > 1 {
							slope = 0.6 // non-quadratic beyond the edge (Fig. 2)
						}
						se := 0.04 * eta * m.GradSqNorm
						m.Curvature = &lssr.Curvature{
							Examples: 1024, GradSqNorm: m.GradSqNorm,
							IASFull: lambda1 * (0.35 + 0.45*u), IASB: ratio * rhoBTrain, Ratio: ratio,
							Threshold: thr, Lambda1: lambda1, Lambda1Its: 20,
							SampledRhoB: rhoB * (1 + 0.05*rng.NormFloat64()), SampledRhoBSE: 0.03 * rhoB,
							LossChange: eta*m.GradSqNorm*slope*(x-1) + se*rng.NormFloat64(), LossChangeSE: se,
							LossChangeEq7: eq7,
						}
						m.Curvature.GHG = m.Curvature.IASFull * m.GradSqNorm
					}
					r.Measurements = append(r.Measurements, m)
					if e < s.epochs {
						r.RhoSeries = append(r.RhoSeries, rho)
					}
				}
				r.Steps = int64(last) * perEpoch
				if r.State == lssr.StateDiverged {
					r.RhoSeries, r.Epochs, r.TestAcc = nil, last, 0.1
				}
				runs = append(runs, r)
			}
		}
	}
	return runs
}
