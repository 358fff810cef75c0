package report

import (
	"math"
)

// Cell is one (b, η) cell of the grid with its seeds aggregated: the
// accuracy statistics the ridge estimators use and the training verdicts
// the stability edge uses.
type Cell struct {
	B  int     `json:"b"`
	LR float64 `json:"lr"`

	Seeds   int     `json:"seeds"`    // done seeds with a finite test accuracy (n)
	MeanAcc float64 `json:"mean_acc"` // mean test accuracy over those seeds; 0 when Seeds is 0
	SDAcc   float64 `json:"sd_acc"`   // sample standard deviation; 0 with fewer than two seeds
	// SEAcc is the standard error of MeanAcc: s/√n with s the larger of
	// SDAcc and the sweep's per-seed s.d. (Bootstrap.SeedSigma), because
	// the s.d. of two or three seeds is itself noisy and often far too
	// small. SEPooled is set when s is the sweep's (always with one seed).
	SEAcc    float64 `json:"se_acc"`
	SEPooled bool    `json:"se_pooled"`
	// Best marks the cell with the highest mean of its b (ties: smaller η);
	// NearBest the cells whose mean is within one standard error of that
	// best, the error being that of the difference, √(SE_best² + SE_cell²).
	Best     bool `json:"best"`
	NearBest bool `json:"near_best"`

	Diverged int `json:"diverged"`
	// Stopped counts the seeds the stall rule stopped early
	// (training.stop_early); left out of fit.json when 0.
	Stopped    int `json:"stopped,omitempty"`
	Unfinished int `json:"unfinished"` // pending, running, failed, cancelled, or done without a finite accuracy
	// Decided counts the done, diverged and stopped seeds, Trained those of
	// them that train (see RunTrains); Trains is a strict majority of
	// Decided.
	Decided int  `json:"decided"`
	Trained int  `json:"trained"`
	Trains  bool `json:"trains"`
}

// colCell is one cell of a batch size's row as the ridge estimators see it.
type colCell struct {
	log2LR float64
	mean   float64
	se     float64
	n      int // seeds; 0: no data, the estimators skip the cell
	// judged is set when the cell has a done, diverged or stopped seed: the
	// column's judged span is what a best η is censored against
	// (columnCensoring).
	judged bool
}

// lattice is the grid as the seed analysis sees it: per batch size (row)
// and learning rate (index into lrs), the done seeds' accuracies and, for
// each done, diverged or stopped seed, whether it trains.
type lattice struct {
	bs      []int
	lrs     []float64
	log2LRs []float64
	accs    [][][]float64 // [b][η][seed]
	trains  [][][]bool    // [b][η][seed]
	// sigma is the sweep's per-seed s.d. of accuracy: the s.d. of one-seed
	// cells and the floor of the others'; sigmaFrom says how it was
	// estimated.
	sigma     float64
	sigmaFrom string
}

// How lattice.sigma was estimated.
const (
	sigmaPooledTrained = "pooled within-cell s.d. of the cells whose two or more seeds all trained"
	sigmaPooled        = "pooled within-cell s.d. of the cells with two or more seeds"
	sigmaNeighbours    = "s.d. of the differences between η-neighbouring cells of a b, over √2 (no cell has two seeds; the accuracy's change between neighbours counts as noise, so this errs large)"
	sigmaNone          = "none (too few cells to estimate seed noise)"
)

func newLattice(g grid, meta Meta) *lattice {
	lt := &lattice{bs: g.bs, lrs: g.lrs}
	for _, lr := range g.lrs {
		lt.log2LRs = append(lt.log2LRs, math.Log2(lr))
	}
	for _, b := range g.bs {
		accRow := make([][]float64, len(g.lrs))
		trainRow := make([][]bool, len(g.lrs))
		for li, lr := range g.lrs {
			if c := g.at(b, lr); c != nil {
				accRow[li] = c.accs
				for _, r := range c.decided {
					trainRow[li] = append(trainRow[li], RunTrains(meta, r))
				}
			}
		}
		lt.accs = append(lt.accs, accRow)
		lt.trains = append(lt.trains, trainRow)
	}
	lt.sigma, lt.sigmaFrom = lt.seedSigma()
	return lt
}

// seedSigma estimates the per-seed s.d. of accuracy for cells with one
// seed, where the cell itself cannot tell: pooled over the cells with two
// or more seeds, or else from the differences of η-neighbouring cells.
//
// The pool takes the cells where every seed trained: a cell on the
// stability edge where one seed trains and another stays at chance has an
// s.d. of tens of points, which says nothing about the seed noise of the
// trained cells the ridge is made of. Without such cells it takes all.
func (lt *lattice) seedSigma() (float64, string) {
	pool := func(trainedOnly bool) (ss, dof float64) {
		for bi, row := range lt.accs {
			for li, a := range row {
				if len(a) < 2 || trainedOnly && !allTrue(lt.trains[bi][li]) {
					continue
				}
				_, sd := meanStd(a)
				ss += sd * sd * float64(len(a)-1)
				dof += float64(len(a) - 1)
			}
		}
		return ss, dof
	}
	if ss, dof := pool(true); dof > 0 {
		return math.Sqrt(ss / dof), sigmaPooledTrained
	}
	if ss, dof := pool(false); dof > 0 {
		return math.Sqrt(ss / dof), sigmaPooled
	}
	var dd float64
	var pairs int
	for _, row := range lt.accs {
		prev := math.NaN()
		for _, a := range row {
			if len(a) == 0 {
				prev = math.NaN()
				continue
			}
			if !math.IsNaN(prev) {
				dd += (a[0] - prev) * (a[0] - prev)
				pairs++
			}
			prev = a[0]
		}
	}
	if pairs == 0 {
		return 0, sigmaNone
	}
	return math.Sqrt(dd / float64(pairs) / 2), sigmaNeighbours
}

// row returns the ridge estimators' view of batch size bi from the given
// accuracies (the observed ones or a bootstrap replicate).
func (lt *lattice) row(bi int, accs [][]float64) []colCell {
	col := make([]colCell, len(accs))
	for li, a := range accs {
		col[li] = lt.colCell(li, a)
		col[li].judged = len(lt.trains[bi][li]) > 0
	}
	return col
}

func (lt *lattice) colCell(li int, a []float64) colCell {
	c := colCell{log2LR: lt.log2LRs[li], n: len(a)}
	if c.n == 0 {
		return c
	}
	var sd float64
	c.mean, sd = meanStd(a)
	c.se = math.Max(sd, lt.sigma) / math.Sqrt(float64(c.n))
	return c
}

// cells lists every cell that has runs, in ascending b then η, with its
// statistics, near-best mark and training verdict.
func (lt *lattice) cells(g grid) []Cell {
	var out []Cell
	for bi, b := range lt.bs {
		col := lt.row(bi, lt.accs[bi])
		best := argmaxIdx(col)
		near := nearBest(col, best)
		for li, lr := range lt.lrs {
			gc := g.at(b, lr)
			if gc == nil {
				continue
			}
			cc := col[li]
			c := Cell{B: b, LR: lr, Seeds: cc.n, Diverged: gc.diverged, Stopped: gc.stopped, Unfinished: gc.unfinished,
				Best: li == best, NearBest: near[li]}
			if cc.n > 0 {
				_, c.SDAcc = meanStd(lt.accs[bi][li])
				c.MeanAcc, c.SEAcc, c.SEPooled = cc.mean, cc.se, cc.n == 1 || c.SDAcc < lt.sigma
			}
			flags := lt.trains[bi][li]
			c.Decided, c.Trained, c.Trains = len(flags), count(flags), majority(flags)
			out = append(out, c)
		}
	}
	return out
}

// nearBest marks the cells whose mean is within one standard error of the
// difference from the best cell's (index best; −1 marks none).
func nearBest(col []colCell, best int) []bool {
	near := make([]bool, len(col))
	if best < 0 {
		return near
	}
	top := col[best]
	for i, c := range col {
		if c.n == 0 {
			continue
		}
		near[i] = top.mean-c.mean <= math.Hypot(top.se, c.se)
	}
	return near
}

func count(flags []bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// majority reports whether strictly more than half of the flags are set.
func majority(flags []bool) bool { return 2*count(flags) > len(flags) }

// allTrue reports whether every element of v is true.
func allTrue(v []bool) bool {
	for _, x := range v {
		if !x {
			return false
		}
	}
	return true
}
