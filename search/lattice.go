package search

import (
	"math"
	"slices"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
)

// lattice holds a sweep's jobs by grid position: every job's ID, and the
// outcome of those that ran.
type lattice struct {
	p    *Planner
	ids  [][]map[uint64]string     // [bi][li][seed] → job ID
	runs [][]map[uint64]report.Run // [bi][li][seed] → a run that ran
}

func (p *Planner) lattice(runs []report.Run) *lattice {
	l := &lattice{p: p, ids: make([][]map[uint64]string, len(p.bs)), runs: make([][]map[uint64]report.Run, len(p.bs))}
	for bi := range p.bs {
		l.ids[bi] = make([]map[uint64]string, len(p.lrs))
		l.runs[bi] = make([]map[uint64]report.Run, len(p.lrs))
		for li := range p.lrs {
			l.ids[bi][li] = map[uint64]string{}
			l.runs[bi][li] = map[uint64]report.Run{}
		}
	}
	for _, r := range runs {
		bi, li := slices.Index(p.bs, r.B), slices.Index(p.lrs, r.LR)
		if bi < 0 || li < 0 || !slices.Contains(p.seeds, r.Seed) {
			continue
		}
		l.ids[bi][li][r.Seed] = r.JobID
		if r.State.Ran() {
			l.runs[bi][li][r.Seed] = r
		}
	}
	return l
}

// scan adds to wants the seeds among the grid's first k that cell (bi, li)
// has not run, when it has a job for them.
func (l *lattice) scan(wants []want, bi, li, k int, why string) []want {
	var missing []uint64
	for _, seed := range l.p.seeds[:k] {
		if _, ok := l.runs[bi][li][seed]; !ok && l.ids[bi][li][seed] != "" {
			missing = append(missing, seed)
		}
	}
	if len(missing) == 0 {
		return wants
	}
	return append(wants, want{bi: bi, li: li, seeds: missing, why: why})
}

// mean is the mean test accuracy of the cell's done seeds; ok is false
// when none is done.
func (l *lattice) mean(bi, li int) (acc float64, ok bool) {
	var sum float64
	var n int
	for _, r := range l.runs[bi][li] {
		if r.State == lssr.StateDone && !math.IsNaN(r.TestAcc) && !math.IsInf(r.TestAcc, 0) {
			sum += r.TestAcc
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// argmax is the η index of the column's highest mean accuracy (ties: the
// smaller η), or -1 when no cell has one.
func (l *lattice) argmax(bi int) int {
	best, bestAcc := -1, 0.0
	for li := range l.p.lrs {
		if acc, ok := l.mean(bi, li); ok && (best < 0 || acc > bestAcc) {
			best, bestAcc = li, acc
		}
	}
	return best
}

// trains reports whether a strict majority of the cell's seeds with an
// outcome trained (report.RunTrains); known is false when none has one.
func (l *lattice) trains(bi, li int) (trains, known bool) {
	var yes, n int
	for _, r := range l.runs[bi][li] {
		if r.State == lssr.StateFailed || r.State == lssr.StateCancelled {
			continue
		}
		n++
		if report.RunTrains(l.p.meta, r) {
			yes++
		}
	}
	return 2*yes > n, n > 0
}

// highestTraining is the largest η index of the column whose cell trains,
// or -1.
func (l *lattice) highestTraining(bi int) int {
	for li := len(l.p.lrs) - 1; li >= 0; li-- {
		if ok, known := l.trains(bi, li); known && ok {
			return li
		}
	}
	return -1
}

// nextRunAbove is the smallest η index above li whose cell has run, or -1.
func (l *lattice) nextRunAbove(bi, li int) int {
	for j := li + 1; j < len(l.p.lrs); j++ {
		if len(l.runs[bi][j]) > 0 {
			return j
		}
	}
	return -1
}

// lowestRun is the smallest η index of the column whose cell has run, or
// -1.
func (l *lattice) lowestRun(bi int) int {
	for li := range l.p.lrs {
		if len(l.runs[bi][li]) > 0 {
			return li
		}
	}
	return -1
}

// decisions turns wants into one decision per job, in grid order (b, η,
// then seed in the spec's order); a job wanted twice keeps its first
// reason.
func (l *lattice) decisions(wants []want) []Decision {
	type key struct {
		bi, li, si int
	}
	why := map[key]string{}
	var keys []key
	for _, w := range wants {
		for _, seed := range w.seeds {
			k := key{w.bi, w.li, slices.Index(l.p.seeds, seed)}
			if _, ok := why[k]; !ok {
				why[k] = w.why
				keys = append(keys, k)
			}
		}
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.bi != b.bi {
			return a.bi - b.bi
		}
		if a.li != b.li {
			return a.li - b.li
		}
		return a.si - b.si
	})
	out := make([]Decision, 0, len(keys))
	for _, k := range keys {
		out = append(out, Decision{JobID: l.ids[k.bi][k.li][l.p.seeds[k.si]], Why: why[k]})
	}
	return out
}

// reportRuns is what the report would read of the columns bis: every run
// that ran, and every other job of the grid as skipped, so the analysis
// sees the grid's cells as the report of the sweep does (the spread of the
// best η is measured against the whole column, not the cells run).
func (l *lattice) reportRuns(bis []int) []report.Run {
	var runs []report.Run
	for _, bi := range bis {
		for li, lr := range l.p.lrs {
			for _, seed := range l.p.seeds {
				if r, ok := l.runs[bi][li][seed]; ok {
					runs = append(runs, r)
				} else if id := l.ids[bi][li][seed]; id != "" {
					runs = append(runs, report.Run{JobID: id, B: l.p.bs[bi], LR: lr, Seed: seed, State: lssr.StateSkipped})
				}
			}
		}
	}
	return runs
}
