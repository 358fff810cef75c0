package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lssr/lssr"
)

// The guided search's overlays: its predicted best η (from the reference
// batch sizes), the band it ran around it, and its predicted edge.
var (
	predictedStyle = draw.LineStyle{Color: color.White, Width: vg.Points(1.8), Dashes: []vg.Length{vg.Points(10), vg.Points(4)}}
	bandStyle      = draw.LineStyle{Color: color.NRGBA{0xff, 0xff, 0xff, 0xe0}, Width: vg.Points(1.1), Dashes: []vg.Length{vg.Points(1.5), vg.Points(2.5)}}
	predEdgeStyle  = draw.LineStyle{Color: color.White, Width: vg.Points(1.4), Dashes: []vg.Length{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}
)

// searchOverlays draws a guided search's predictions over the grid's batch
// sizes: the middle of the predicted best η's span, the band's borders, and
// the predicted edge. Nothing for a grid.
func searchOverlays(s *Summary) []plot.Plotter {
	st := s.Meta.Search
	if st == nil || len(st.Predictions) == 0 {
		return nil
	}
	var xs, best, lo, hi, edge []float64
	for _, p := range st.Predictions {
		xs = append(xs, math.Log2(float64(p.B)))
		best, lo, hi, edge = append(best, math.NaN()), append(lo, math.NaN()), append(hi, math.NaN()), append(edge, math.NaN())
		i := len(xs) - 1
		if p.HasBest {
			best[i], lo[i], hi[i] = (p.BestLo+p.BestHi)/2, p.BestLo-st.Band, p.BestHi+st.Band
		}
		if p.HasEdge {
			edge[i] = (p.EdgeLo + p.EdgeHi) / 2
		}
	}
	return []plot.Plotter{
		&linePlotter{xs: xs, ys: lo, style: bandStyle},
		&linePlotter{xs: xs, ys: hi, style: bandStyle},
		&linePlotter{xs: xs, ys: edge, style: predEdgeStyle},
		&linePlotter{xs: xs, ys: best, style: predictedStyle},
	}
}

// searchLegend names the guided search's overlays.
func searchLegend(s *Summary) []legendEntry {
	st := s.Meta.Search
	if st == nil || len(st.Predictions) == 0 {
		return nil
	}
	return []legendEntry{
		{thumb: lineThumb(predictedStyle), text: fmt.Sprintf("guided search: best η predicted from b = %s", joinInts(st.References))},
		{thumb: lineThumb(bandStyle), text: fmt.Sprintf("the band it ran: ±%g octave of the prediction", st.Band)},
		{thumb: lineThumb(predEdgeStyle), text: "its predicted stability edge"},
	}
}

// searchCounts says how many of the grid's jobs a guided search ran:
// "138 of the full grid's 459 jobs run (30%), 321 skipped". ok is false for a grid.
func searchCounts(s *Summary) (text string, ok bool) {
	if s.Meta.Search == nil {
		return "", false
	}
	skipped := s.States[lssr.StateSkipped]
	ran := 0
	for st, n := range s.States {
		if st.Ran() {
			ran += n
		}
	}
	return fmt.Sprintf("%d of the full grid's %d jobs run (%.0f%%), %d skipped", ran, s.Runs, 100*float64(ran)/float64(max(s.Runs, 1)), skipped), true
}

// writeSearchSection tells, for a guided sweep, how many runs it took
// against the grid, what it scanned first and how it predicted the rest.
func writeSearchSection(p func(string, ...any), s *Summary) {
	counts, ok := searchCounts(s)
	if !ok {
		return
	}
	st := s.Meta.Search
	p("\n## Guided search\n\n")
	p("- strategy %s, %s after %d rounds: %s.\n", st.Strategy, st.Stage, st.Round, counts)
	p("- reference batch sizes, scanned first: %s; the others ran ±%g octave of η around the predicted best η, widened where the best landed on the border, and the cells next to the predicted stability edge.\n",
		joinInts(st.References), st.Band)
	if st.Basis != "" {
		p("- predictions: %s.\n", st.Basis)
	}
	if st.Verdict != "" {
		p("- what the search's runs show: %s.\n", st.Verdict)
	}
	if len(st.Predictions) > 0 {
		p("\n| b | predicted best log2 η | predicted edge log2 η |\n| ---: | --- | --- |\n")
		for _, pr := range st.Predictions {
			p("| %d | %s | %s |\n", pr.B, spanCell(pr.HasBest, pr.BestLo, pr.BestHi), spanCell(pr.HasEdge, pr.EdgeLo, pr.EdgeHi))
		}
	}
}

// spanCell is "-4.50" or "-4.80 … -4.30", or "—".
func spanCell(ok bool, lo, hi float64) string {
	switch {
	case !ok:
		return "—"
	case math.Abs(hi-lo) < 0.005:
		return fmt.Sprintf("%.2f", lo)
	}
	return fmt.Sprintf("%.2f … %.2f", lo, hi)
}
