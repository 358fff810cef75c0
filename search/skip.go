package search

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// skips gives every job of the grid that has not run, once the search is
// done, the reason it was left out.
func (p *Planner) skips(l *lattice, pr prediction) []Decision {
	var out []Decision
	for bi, b := range p.bs {
		best := l.argmax(bi)
		where := p.columnText(l, bi, best)
		lo, hi, okBest := span(pr.best, b)
		isRef := slices.Contains(p.refs, bi)
		for li := range p.lrs {
			var why string
			switch {
			case len(l.runs[bi][li]) > 0:
				why = fmt.Sprintf("b=%d: η 2^%s was scanned with %s only: not next to the best η", b, fmtLog2(p.log2[li]), seedsText(l, bi, li))
			case isRef || !okBest:
				why = fmt.Sprintf("b=%d: η 2^%s not needed: %s", b, fmtLog2(p.log2[li]), where)
			default:
				why = fmt.Sprintf("b=%d: η 2^%s is %s octaves from the predicted best η (%s), outside the ±%g octave band; %s",
					b, fmtLog2(p.log2[li]), fmtLog2(distance(p.log2[li], lo, hi)), spanText(lo, hi), p.set.Band, where)
			}
			for _, seed := range p.seeds {
				if _, done := l.runs[bi][li][seed]; done {
					continue
				}
				if id := l.ids[bi][li][seed]; id != "" {
					out = append(out, Decision{JobID: id, Why: why})
				}
			}
		}
	}
	return out
}

// columnText says where a column's search ended: its best η and edge.
func (p *Planner) columnText(l *lattice, bi, best int) string {
	var parts []string
	if best >= 0 {
		parts = append(parts, "the best η run is 2^"+fmtLog2(p.log2[best]))
	} else {
		parts = append(parts, "no η run has an accuracy")
	}
	switch top := l.highestTraining(bi); {
	case top < 0:
	case top == len(p.lrs)-1:
		parts = append(parts, "every η up to the grid's largest trains")
	default:
		parts = append(parts, fmt.Sprintf("the edge lies between 2^%s and 2^%s", fmtLog2(p.log2[top]), fmtLog2(p.log2[top+1])))
	}
	return strings.Join(parts, ", ")
}

// distance is how far x lies outside [lo, hi].
func distance(x, lo, hi float64) float64 {
	return math.Max(0, math.Max(lo-x, x-hi))
}

// seedsText names the seeds a cell ran: "seed 0", "seeds 0, 1".
func seedsText(l *lattice, bi, li int) string {
	var names []string
	for _, seed := range l.p.seeds {
		if _, ok := l.runs[bi][li][seed]; ok {
			names = append(names, fmt.Sprint(seed))
		}
	}
	if len(names) == 1 {
		return "seed " + names[0]
	}
	return "seeds " + strings.Join(names, ", ")
}
