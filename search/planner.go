package search

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
)

// Defaults of Settings.
const (
	DefaultBand      = 1.0 // octaves either side of the predicted best η
	DefaultScanSeeds = 1   // seeds a cell is scanned with
	MaxBand          = 16  // the widest band the spec may ask for, in octaves
)

// Settings are the knobs of a guided search (the spec's search section).
type Settings struct {
	// Band is the half-width, in octaves of η, of the band run around the
	// predicted best η of every batch size that is not a reference.
	Band float64
	// ScanSeeds is how many seeds (the grid's first ones) a cell is run
	// with while scanning; the cells next to a batch size's best get all.
	ScanSeeds int
}

// withDefaults fills unset settings.
func (s Settings) withDefaults() Settings {
	if s.Band <= 0 {
		s.Band = DefaultBand
	}
	if s.ScanSeeds <= 0 {
		s.ScanSeeds = DefaultScanSeeds
	}
	return s
}

// Grid is the cells a search may run: the spec's axes.
type Grid struct {
	BatchSizes []int
	LRs        []float64
	Seeds      []uint64 // in the spec's order: the first ScanSeeds scan
}

// Decision is why one job runs, or is skipped.
type Decision struct {
	JobID string
	Why   string
}

// Plan is one round: the jobs to run now, or, when the search is done, the
// jobs skipped.
type Plan struct {
	// Run lists the jobs to run in this round, each with why. Empty when
	// Done.
	Run []Decision
	// Skip lists, when Done, every job of the grid that was not run.
	Skip []Decision
	// Done says the search is over.
	Done bool
	// State is the search's state for status and the report (Round is
	// left to the caller).
	State lssr.SearchState
}

// Planner plans the rounds of one sweep's guided search.
type Planner struct {
	bs    []int
	lrs   []float64 // ascending
	log2  []float64 // log2 of lrs
	seeds []uint64
	set   Settings
	meta  report.Meta
	refs  []int // indices into bs
	step  int   // the coarse scan's stride in grid steps of η

	// The latest prediction and the reference runs it came from.
	cache    *prediction
	cacheKey string
	// replicates is the bootstrap's replicate count (0: the report's
	// default); tests lower it.
	replicates int
}

// New returns the planner of a grid. meta describes the sweep as the report
// sees it (n, sampling, loss and classes enter the fits and the training
// verdicts).
func New(g Grid, s Settings, meta report.Meta) (*Planner, error) {
	if len(g.BatchSizes) == 0 || len(g.LRs) == 0 || len(g.Seeds) == 0 {
		return nil, lssr.BadInput("search: the grid has no cells")
	}
	p := &Planner{bs: slices.Sorted(slices.Values(g.BatchSizes)), lrs: slices.Sorted(slices.Values(g.LRs)),
		seeds: slices.Clone(g.Seeds), set: s.withDefaults(), meta: meta}
	p.bs, p.lrs = slices.Compact(p.bs), slices.Compact(p.lrs)
	for _, lr := range p.lrs {
		p.log2 = append(p.log2, math.Log2(lr))
	}
	p.set.ScanSeeds = min(p.set.ScanSeeds, len(p.seeds))
	p.refs = references(len(p.bs))
	p.step = coarseStride(p.log2)
	return p, nil
}

// references picks the reference batch sizes: the smallest, the middle and
// the largest (all of them when there are three or fewer).
func references(nb int) []int {
	if nb <= 3 {
		out := make([]int, nb)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, nb / 2, nb - 1}
}

// coarseStride is how many grid steps make about one octave: the coarse
// scan's stride.
func coarseStride(log2 []float64) int {
	if len(log2) < 2 {
		return 1
	}
	var steps []float64
	for i := 1; i < len(log2); i++ {
		steps = append(steps, log2[i]-log2[i-1])
	}
	sort.Float64s(steps)
	d := steps[len(steps)/2]
	if d <= 0 || d >= 1 {
		return 1
	}
	return max(1, int(math.Round(1/d)))
}

// References returns the reference batch sizes.
func (p *Planner) References() []int {
	var out []int
	for _, bi := range p.refs {
		out = append(out, p.bs[bi])
	}
	return out
}

// Plan decides the next round from the sweep's runs: every job of the grid,
// finished or not (report.Run with its State; runs off the grid are
// ignored). The same runs give the same plan.
func (p *Planner) Plan(runs []report.Run) Plan {
	l := p.lattice(runs)
	st := lssr.SearchState{Strategy: lssr.StrategyLSSR, Stage: "references", References: p.References(), Band: p.set.Band}
	var wants []want
	for _, bi := range p.refs {
		wants = append(wants, p.column(l, bi, p.coarse(bi))...)
	}
	if len(wants) > 0 {
		st.Note = fmt.Sprintf("scanning the reference batch sizes %v", st.References)
		return Plan{Run: l.decisions(wants), State: st}
	}
	pred := p.predict(l)
	st.Stage, st.Basis, st.Predictions = "band", pred.basis, pred.state(p.bs)
	if pred.noRidge != "" {
		st.Stage, st.Note = "done", "the reference batch sizes show no ridge: nothing to predict the others from"
		st.Verdict = "no rule fits: at the reference batch sizes, " + pred.noRidge
		return Plan{Done: true, Skip: p.skips(l, pred), State: st}
	}
	for bi := range p.bs {
		if slices.Contains(p.refs, bi) {
			continue
		}
		wants = append(wants, p.column(l, bi, p.bandCells(bi, pred))...)
	}
	if len(wants) > 0 {
		st.Note = "running the band around the predictions"
		return Plan{Run: l.decisions(wants), State: st}
	}
	st.Stage, st.Note = "done", "every batch size's best η is inside the cells run and its edge is found"
	st.Verdict = p.verdict(l)
	return Plan{Done: true, Skip: p.skips(l, pred), State: st}
}

// verdict analyses every run of the search as the report does and says
// what they show: the rule that wins on the ridge, that none wins, or that
// no rule fits (report.Summary.NoRuleFits).
func (p *Planner) verdict(l *lattice) string {
	var bis []int
	for bi := range p.bs {
		bis = append(bis, bi)
	}
	s := report.AnalyzeWith(p.meta, l.reportRuns(bis), report.Options{Replicates: p.replicates})
	if why, no := s.NoRuleFits(); no {
		return "no rule fits: " + why
	}
	if s.Best != "" {
		return "the best η follows " + s.Best + ": " + s.RidgeFits.Verdict
	}
	return "a rule fits, but none beats the others: " + s.RidgeFits.Verdict
}

// want is a cell to run with the seeds it lacks, and why.
type want struct {
	bi, li int
	seeds  []uint64
	why    string
}

// initial is the cells a column starts from, with why they run.
type initial struct {
	cells []int
	why   func(li int) string
}

// coarse is a reference column's start: about one η per octave, both ends
// of the grid included.
func (p *Planner) coarse(bi int) initial {
	var cells []int
	for li := 0; li < len(p.lrs); li += p.step {
		cells = append(cells, li)
	}
	if last := len(p.lrs) - 1; cells[len(cells)-1] != last {
		cells = append(cells, last)
	}
	b := p.bs[bi]
	return initial{cells: cells, why: func(int) string {
		return fmt.Sprintf("reference b=%d: coarse scan, every %s of η", b, strideText(p.step))
	}}
}

func strideText(step int) string {
	if step == 1 {
		return "value"
	}
	return fmt.Sprintf("%d%s value", step, ordinalSuffix(step))
}

func ordinalSuffix(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}

// column returns what column bi still needs, starting from init: the
// initial cells with the scan seeds; the neighbours of the best η so far;
// the stability edge, stepped up or bisected until a cell that trains sits
// next to one that does not; then every seed at the best and its
// neighbours. Nothing means the column is done: every cell it would run
// has run, or cannot (cancelled, failed, or absent from the sweep).
func (p *Planner) column(l *lattice, bi int, init initial) (wants []want) {
	b := p.bs[bi]
	for _, li := range init.cells {
		wants = l.scan(wants, bi, li, p.set.ScanSeeds, init.why(li))
	}
	if len(wants) > 0 {
		return wants
	}
	best := l.argmax(bi)
	if best < 0 {
		// No accuracy anywhere run: go down, a cell at a time, until one
		// trains or the grid ends.
		for li := l.lowestRun(bi) - 1; li >= 0; li-- {
			if w := l.scan(nil, bi, li, p.set.ScanSeeds, fmt.Sprintf("b=%d: nothing run so far has an accuracy; trying a smaller η", b)); len(w) > 0 {
				return w
			}
		}
		return nil
	}
	for _, li := range []int{best - 1, best + 1} {
		if li >= 0 && li < len(p.lrs) {
			wants = l.scan(wants, bi, li, p.set.ScanSeeds,
				fmt.Sprintf("b=%d: next to the best η so far (2^%s)", b, fmtLog2(p.log2[best])))
		}
	}
	if top := l.highestTraining(bi); top >= 0 && top < len(p.lrs)-1 {
		above := l.nextRunAbove(bi, top)
		switch {
		case above < 0:
			wants = l.scan(wants, bi, top+1, p.set.ScanSeeds,
				fmt.Sprintf("b=%d: stability edge: above 2^%s, the largest η run that trains", b, fmtLog2(p.log2[top])))
		case above > top+1:
			mid := (top + above) / 2
			wants = l.scan(wants, bi, mid, p.set.ScanSeeds,
				fmt.Sprintf("b=%d: stability edge: between 2^%s (trains) and 2^%s (does not)", b, fmtLog2(p.log2[top]), fmtLog2(p.log2[above])))
		}
	}
	if len(wants) > 0 {
		return wants
	}
	for li := best - 1; li <= best+1; li++ {
		if li >= 0 && li < len(p.lrs) {
			wants = l.scan(wants, bi, li, len(p.seeds),
				fmt.Sprintf("b=%d: every seed next to the best η (2^%s)", b, fmtLog2(p.log2[best])))
		}
	}
	return wants
}

// fmtLog2 formats a log2 η with at most two decimals: "-4.5", "-1".
func fmtLog2(x float64) string {
	return fmt.Sprintf("%g", math.Round(x*100)/100)
}
