package report

import (
	"math"
	"math/rand/v2"
)

// analyzeSeeds fills the seed-aware part of s: cells, ridge estimators and
// the stability edge with bootstrap intervals, and the rule comparisons on
// the ridge (FitEstimator) and on the edge. Fits and Best follow from the
// ridge comparison. Censored points (Censoring) are left out of every fit.
func (s *Summary) analyzeSeeds(g grid, runs []Run, opts Options) {
	lt := newLattice(g, s.Meta)
	nrep := opts.replicates()
	s.Bootstrap = BootstrapInfo{Replicates: nrep, Seed: opts.seed(), Level: Level,
		SeedSigma: lt.sigma, SeedSigmaFrom: lt.sigmaFrom, Method: bootstrapMethod}
	s.Cells = lt.cells(g)
	s.Edge = Edge{Margin: TrainMargin, Reference: referenceText(s.Meta, runs)}

	// Point estimates. ridgeRows index the rows with a ridge point,
	// ridgeFitRows and edgeFitRows those whose point is inside the grid:
	// a replicate refits those, less the ones censored in that replicate.
	var ridgeRows, ridgeFitRows, edgeFitRows []int
	est := make([][]EstimatePoint, len(Estimators))
	for bi, b := range lt.bs {
		col := lt.row(bi, lt.accs[bi])
		cens := columnCensoring(col)
		for e, name := range Estimators {
			x, fb, ok := estimate(name, col)
			if !ok {
				continue
			}
			est[e] = append(est[e], EstimatePoint{B: b, LR: math.Exp2(x), Log2LR: x, Fallback: fb, Censoring: cens})
			if name == FitEstimator {
				ridgeRows = append(ridgeRows, bi)
				if !cens.Censored {
					ridgeFitRows = append(ridgeFitRows, bi)
				}
			}
		}
		if edge, next, holes, censored, ok := edgeAt(lt.trains[bi]); ok {
			p := EdgePoint{B: b, LR: lt.lrs[edge], Censoring: edgeCensoring(censored), Holes: holes, Log2Mid: lt.log2LRs[edge]}
			if !censored {
				p.NextLR = lt.lrs[next]
				p.Log2Mid = (lt.log2LRs[edge] + lt.log2LRs[next]) / 2
				edgeFitRows = append(edgeFitRows, bi)
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
		for _, bi := range ridgeRows {
			col := lt.row(bi, rep.accs[bi])
			for e, name := range Estimators {
				x, _, _ := estimate(name, col)
				estReps[e][bi] = append(estReps[e][bi], x)
			}
		}
		drawn, edgePts := lt.edgeReplicate(rng, rep.trains, edgeFitRows)
		for bi, x := range drawn {
			edgeReps[bi] = append(edgeReps[bi], x)
		}
		ridgeFitReps = append(ridgeFitReps, lt.ridgeFitPoints(rep.accs, ridgeFitRows))
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

	par := est[indexOf(Estimators, FitEstimator)]
	ridge := fitTarget{name: TargetRidge, reps: ridgeFitReps, minPoints: MinRidgeFitPoints}
	for _, p := range par {
		ridge.add(p.Censored, RidgePoint{B: p.B, LR: p.LR})
	}
	ridge.tooFew = ridgeNotFitted(par, len(ridge.points), lt.lrs)
	edge := fitTarget{name: TargetEdge, reps: edgeFitReps, minPoints: MinRidgePoints}
	for _, p := range s.Edge.Points {
		edge.add(p.Censored, RidgePoint{B: p.B, LR: math.Exp2(p.Log2Mid)})
	}
	edge.tooFew = edgeNotFitted(s.Edge.Points, len(edge.points), len(lt.bs), lt.lrs)
	s.RidgeFits = compareRules(ridge, s.Meta, s.Rho.Value)
	s.EdgeFits = compareRules(edge, s.Meta, s.Rho.Value)
	for _, f := range s.RidgeFits.Fits {
		s.Fits = append(s.Fits, f.Fit)
	}
	s.Best = s.RidgeFits.Winner
}

// ridgeFitPoints is the ridge the rules are fitted to, from the data's
// accuracies or a replicate's: the FitEstimator's best η of each of rows,
// less the rows whose best η is censored in these accuracies.
func (lt *lattice) ridgeFitPoints(accs [][][]float64, rows []int) []RidgePoint {
	var pts []RidgePoint
	for _, bi := range rows {
		col := lt.row(bi, accs[bi])
		x, _, ok := estimate(FitEstimator, col)
		if ok && !columnCensoring(col).Censored {
			pts = append(pts, RidgePoint{B: lt.bs[bi], LR: math.Exp2(x)})
		}
	}
	return pts
}

// edgeReplicate draws one replicate's stability edge from its training
// flags: drawn holds every row's edge in log2 η (edgeDraw; the bottom of
// the grid where nothing trains), for the points' intervals; fit the edge
// of each of rows that the rules are refitted to, less the rows whose edge
// is censored in this replicate or where nothing trains in it.
func (lt *lattice) edgeReplicate(rng *rand.Rand, trains [][][]bool, rows []int) (drawn []float64, fit []RidgePoint) {
	drawn = make([]float64, len(lt.bs))
	inside := make([]bool, len(lt.bs))
	for bi := range lt.bs {
		x, censored, ok := lt.edgeDraw(rng, trains[bi])
		if !ok {
			x = lt.log2LRs[0]
		}
		drawn[bi], inside[bi] = x, ok && !censored
	}
	for _, bi := range rows {
		if inside[bi] {
			fit = append(fit, RidgePoint{B: lt.bs[bi], LR: math.Exp2(drawn[bi])})
		}
	}
	return drawn, fit
}

// edgeDraw is one replicate's edge of a row in log2 η: drawn uniformly in
// its bracket, or the largest η that trains when censored. ok is false
// when nothing trains.
func (lt *lattice) edgeDraw(rng *rand.Rand, trains [][]bool) (log2LR float64, censored, ok bool) {
	edge, next, _, censored, ok := edgeAt(trains)
	if !ok {
		return math.NaN(), false, false
	}
	if censored {
		return lt.log2LRs[edge], true, true
	}
	lo, hi := lt.log2LRs[edge], lt.log2LRs[next]
	return lo + (hi-lo)*rng.Float64(), false, true
}

// edgeCensoring is the censoring of an edge point: an edge at the highest
// judged η of its b may lie higher.
func edgeCensoring(censored bool) Censoring {
	if !censored {
		return Censoring{}
	}
	return Censoring{Censored: true, Side: CensoredAbove}
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
