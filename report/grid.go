package report

import (
	"math"
	"slices"

	"github.com/lssr/lssr"
)

// cellKey names one (b, η) cell; η values are compared exactly, as the sweep
// expands them from one spec.
type cellKey struct {
	b  int
	lr float64
}

// cell aggregates the runs (seeds) of one (b, η) cell.
type cell struct {
	b          int
	lr         float64
	done       int // done runs with a finite accuracy
	diverged   int
	stopped    int // stopped early by the stall rule (training.stop_early)
	unfinished int // pending, running, failed, cancelled, skipped or unknown
	cancelled  int // of those, the cancelled ones
	skipped    int // and the ones a guided search skipped
	meanAcc    float64
	stdAcc     float64
	accs       []float64 // test accuracy of each done seed, in run order
	decided    []Run     // done, diverged and stopped runs: the ones the stability edge can judge
}

// grid is the sweep's cells on the b × η lattice seen in the runs.
type grid struct {
	bs    []int     // ascending
	lrs   []float64 // ascending
	cells map[cellKey]*cell
}

// usable reports whether a run can be placed on log axes.
func usable(r Run) bool {
	return r.B > 0 && r.LR > 0 && !math.IsInf(r.LR, 0) && !math.IsNaN(r.LR)
}

// buildGrid groups runs into cells. Runs with b ≤ 0 or η ≤ 0 have no place
// on log axes and are left out (results.csv still lists them).
func buildGrid(runs []Run) grid {
	g := grid{cells: map[cellKey]*cell{}}
	accs := map[cellKey][]float64{}
	for _, r := range runs {
		if !usable(r) {
			continue
		}
		k := cellKey{r.B, r.LR}
		c, ok := g.cells[k]
		if !ok {
			c = &cell{b: r.B, lr: r.LR}
			g.cells[k] = c
			g.bs = append(g.bs, r.B)
			g.lrs = append(g.lrs, r.LR)
		}
		if r.State.Outcome() {
			c.decided = append(c.decided, r)
		}
		switch {
		case r.State == lssr.StateDone && isFinite(r.TestAcc):
			c.done++
			accs[k] = append(accs[k], r.TestAcc)
		case r.State == lssr.StateDiverged:
			c.diverged++
		case r.State == lssr.StateStopped:
			c.stopped++
		default:
			c.unfinished++
			switch r.State {
			case lssr.StateCancelled:
				c.cancelled++
			case lssr.StateSkipped:
				c.skipped++
			}
		}
	}
	slices.Sort(g.bs)
	g.bs = slices.Compact(g.bs)
	slices.Sort(g.lrs)
	g.lrs = slices.Compact(g.lrs)
	for k, a := range accs {
		g.cells[k].accs = a
		g.cells[k].meanAcc, g.cells[k].stdAcc = meanStd(a)
	}
	return g
}

// skippedOnly reports whether a guided search skipped every seed of the
// cell that has no outcome, and the cell has none: not run by decision.
func (c *cell) skippedOnly() bool {
	return c.done == 0 && c.diverged == 0 && c.stopped == 0 && c.skipped > 0 && c.skipped == c.unfinished
}

// at returns the cell at (b, η), or nil when no run landed there.
func (g grid) at(b int, lr float64) *cell { return g.cells[cellKey{b, lr}] }

// Ridge returns, for each batch size, the learning rate with the highest
// mean test accuracy over seeds, among the cells with at least one done run.
// Ties go to the smaller η. Batch sizes without a done run have no point.
// Points are in ascending b.
func Ridge(runs []Run) []RidgePoint {
	return buildGrid(runs).ridge()
}

func (g grid) ridge() []RidgePoint {
	var ridge []RidgePoint
	for _, b := range g.bs {
		var best *cell
		for _, lr := range g.lrs { // ascending, so a tie keeps the smaller η
			c := g.at(b, lr)
			if c == nil || c.done == 0 {
				continue
			}
			if best == nil || c.meanAcc > best.meanAcc {
				best = c
			}
		}
		if best == nil {
			continue
		}
		p := RidgePoint{B: b, LR: best.lr, MeanAcc: best.meanAcc, StdAcc: best.stdAcc,
			Seeds: best.done, NearLo: best.lr, NearHi: best.lr}
		for _, lr := range g.lrs {
			c := g.at(b, lr)
			if c == nil || c.done == 0 || c.meanAcc < best.meanAcc-best.stdAcc {
				continue
			}
			p.NearLo = math.Min(p.NearLo, lr)
			p.NearHi = math.Max(p.NearHi, lr)
		}
		ridge = append(ridge, p)
	}
	return ridge
}

// meanStd returns the mean and the sample standard deviation (0 for fewer
// than two values).
func meanStd(xs []float64) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
