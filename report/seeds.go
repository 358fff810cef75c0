package report

import (
	"math"
	"math/rand/v2"
)

// analyzeSeeds fills the seed-aware part of s: cells, ridge estimators and
// the stability edge with bootstrap intervals, and the rule comparisons on
// the ridge (FitEstimator) and on the edge. Fits and Best follow from the
// ridge comparison.
func (s *Summary) analyzeSeeds(g grid, runs []Run, opts Options) {
	lt := newLattice(g, s.Meta)
	nrep := opts.replicates()
	s.Bootstrap = BootstrapInfo{Replicates: nrep, Seed: opts.seed(), Level: Level,
		SeedSigma: lt.sigma, SeedSigmaFrom: lt.sigmaFrom, Method: bootstrapMethod}
	s.Cells = lt.cells(g)
	s.Edge = Edge{Margin: TrainMargin, Reference: referenceText(s.Meta, runs)}

	// Point estimates. ridgeRows and edgeRows index the rows fitted.
	var ridgeRows, edgeRows []int
	est := make([][]EstimatePoint, len(Estimators))
	for bi, b := range lt.bs {
		col := lt.row(lt.accs[bi])
		for e, name := range Estimators {
			x, fb, ok := estimate(name, col)
			if !ok {
				continue
			}
			est[e] = append(est[e], EstimatePoint{B: b, LR: math.Exp2(x), Log2LR: x, Fallback: fb})
			if name == FitEstimator {
				ridgeRows = append(ridgeRows, bi)
			}
		}
		if edge, next, holes, censored, ok := edgeAt(lt.trains[bi]); ok {
			p := EdgePoint{B: b, LR: lt.lrs[edge], Censored: censored, Holes: holes, Log2Mid: lt.log2LRs[edge]}
			if !censored {
				p.NextLR = lt.lrs[next]
				p.Log2Mid = (lt.log2LRs[edge] + lt.log2LRs[next]) / 2
				edgeRows = append(edgeRows, bi)
			}
			s.Edge.Points = append(s.Edge.Points, p)
		}
	}

	// Replicates: per estimator and row, and per edge point, the values;
	// per replicate, the points the rules are refitted to.
	rng := rand.New(rand.NewPCG(opts.seed(), opts.seed()^0x9e3779b97f4a7c15))
	estReps := make([][][]float64, len(Estimators))
	for e := range estReps {
		estReps[e] = make([][]float64, len(lt.bs))
	}
	edgeReps := make([][]float64, len(lt.bs))
	var ridgeFitReps, edgeFitReps [][]RidgePoint
	for range nrep {
		rep := lt.resample(rng)
		var ridgePts, edgePts []RidgePoint
		for _, bi := range ridgeRows {
			col := lt.row(rep.accs[bi])
			for e, name := range Estimators {
				x, _, _ := estimate(name, col)
				estReps[e][bi] = append(estReps[e][bi], x)
				if name == FitEstimator {
					ridgePts = append(ridgePts, RidgePoint{B: lt.bs[bi], LR: math.Exp2(x)})
				}
			}
		}
		drawn := make([]float64, len(lt.bs))
		for bi := range lt.bs {
			x, ok := lt.edgeDraw(rng, rep.trains[bi])
			if !ok {
				x = lt.log2LRs[0] // nothing trains in this replicate: the bottom of the grid
			}
			drawn[bi] = x
			edgeReps[bi] = append(edgeReps[bi], x)
		}
		for _, bi := range edgeRows {
			edgePts = append(edgePts, RidgePoint{B: lt.bs[bi], LR: math.Exp2(drawn[bi])})
		}
		ridgeFitReps = append(ridgeFitReps, ridgePts)
		edgeFitReps = append(edgeFitReps, edgePts)
	}

	for e, name := range Estimators {
		r := RidgeEstimate{Estimator: name, Points: est[e]}
		for i := range r.Points {
			r.Points[i].Log2Interval = percentile(estReps[e][lt.row0(r.Points[i].B)])
		}
		s.Ridges = append(s.Ridges, r)
	}
	for i := range s.Edge.Points {
		s.Edge.Points[i].Log2Interval = percentile(edgeReps[lt.row0(s.Edge.Points[i].B)])
	}

	var ridgePts, edgePts []RidgePoint
	for _, p := range est[indexOf(Estimators, FitEstimator)] {
		ridgePts = append(ridgePts, RidgePoint{B: p.B, LR: p.LR})
	}
	for _, p := range s.Edge.Points {
		if !p.Censored {
			edgePts = append(edgePts, RidgePoint{B: p.B, LR: math.Exp2(p.Log2Mid)})
		}
	}
	s.RidgeFits = compareRules(TargetRidge, ridgePts, ridgeFitReps, s.Meta, s.Rho.Value)
	s.EdgeFits = compareRules(TargetEdge, edgePts, edgeFitReps, s.Meta, s.Rho.Value)
	for _, f := range s.RidgeFits.Fits {
		s.Fits = append(s.Fits, f.Fit)
	}
	s.Best = s.RidgeFits.Winner
}

// edgeDraw is one replicate's edge of a row in log2 η: drawn uniformly in
// its bracket, or the largest η when censored. ok is false when nothing
// trains.
func (lt *lattice) edgeDraw(rng *rand.Rand, trains [][]bool) (float64, bool) {
	edge, next, _, censored, ok := edgeAt(trains)
	if !ok {
		return math.NaN(), false
	}
	if censored {
		return lt.log2LRs[edge], true
	}
	lo, hi := lt.log2LRs[edge], lt.log2LRs[next]
	return lo + (hi-lo)*rng.Float64(), true
}

// row0 is the row index of batch size b.
func (lt *lattice) row0(b int) int { return indexOf(lt.bs, b) }

func indexOf[T comparable](xs []T, x T) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
