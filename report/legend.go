package report

import (
	"fmt"
	"image/color"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one line of the legend: a small drawing and its text.
type legendEntry struct {
	thumb func(c *draw.Canvas, r vg.Rectangle) // nil: text only
	text  string
	// key names what a right-column entry explains, so the panels' legend
	// lists each once however the sweeps word it.
	key string
}

// legendColumns splits the legend into the fitted rules (left) and the
// cell and marker meanings (right).
type legendColumns struct {
	left, right []legendEntry
}

// legendEntries lists the rules drawn, with their RMSE, and what the cells
// and markers mean; kinds of cell absent from the grid are left out. Its
// coloured cell thumbs take their colours from a [0, 1] scale.
func legendEntries(s *Summary, g grid, kind heatKind) legendColumns {
	return legendEntriesOn(s, g, kind, newViridis(0, 1), false)
}

// legendEntriesOn is legendEntries with the coloured cell thumbs drawn in
// cmap's colours, each in the colour of a cell of its look in the figure,
// and, with values, a last line that says what the numbers in the cells
// are.
func legendEntriesOn(s *Summary, g grid, kind heatKind, cmap *viridis, values bool) legendColumns {
	// A coloured thumb takes the colour of the cell with the highest value
	// that the plot draws with that look (the lightest, on which its marks
	// show best), or the colour at fraction t of the scale when the figure
	// has none.
	cells := summaryCells(s)
	colourOf := func(t float64, match func(look cellLook, sc *Cell) bool) color.Color {
		best := cmap.Min() + t*(cmap.Max()-cmap.Min())
		found := false
		for key, c := range g.cells {
			sc := cells[key]
			if v, ok := kind.value(c, sc); ok && isFinite(v) && match(lookOf(c, true), sc) && (!found || v > best) {
				best, found = v, true
			}
		}
		col, _ := cmap.At(best)
		return col
	}
	var l legendColumns
	if kind.overlays {
		for _, f := range s.Fits {
			if !f.OK() {
				continue
			}
			sty := ruleStyle(f.Rule)
			l.left = append(l.left, legendEntry{thumb: lineThumb(sty), text: fitLegendText(f, s.Best)})
		}
		if len(s.Fits) == 0 {
			// The reason, then what to run, one line each.
			why, hint, _ := strings.Cut(s.RidgeFits.Verdict, "; ")
			l.left = append(l.left, legendEntry{text: "no rule fitted to the ridge: " + why})
			if hint != "" {
				l.left = append(l.left, legendEntry{text: hint})
			}
		} else {
			l.left = append(l.left, legendEntry{text: "ridge: " + shortVerdict(s.RidgeFits)})
		}
		l.left = append(l.left, searchLegend(s)...)
		if r, ok := s.RidgeBy(FitEstimator); ok && len(r.Points) > 0 {
			text := "best η per b, parabola through the top 3 (bar: 95% bootstrap)"
			if len(s.RidgeFits.Censored) > 0 {
				text = "best η per b, parabola through the top 3 (bar: 95%; hollow: censored)"
			}
			l.right = append(l.right, legendEntry{thumb: ridgeThumb, text: text, key: "ridge"})
			nearBest := colourOf(1, func(_ cellLook, sc *Cell) bool { return sc != nil && sc.NearBest })
			l.right = append(l.right, legendEntry{thumb: cellThumb(func(c *draw.Canvas, r vg.Rectangle) {
				drawCell(c, r, lookColour, nearBest, true)
			}), text: "within 1 standard error of its column's best", key: "near-best"})
		}
	}
	if len(s.Edge.Points) > 0 {
		text := fmt.Sprintf("stability edge: largest η that trains (final loss ≤ %.2g× initial)", s.Edge.Margin)
		for _, p := range s.Edge.Points {
			if p.Censored {
				text = fmt.Sprintf("stability edge: largest η that trains (loss ≤ %.2g× initial; hollow: grid top)", s.Edge.Margin)
				break
			}
		}
		l.right = append(l.right, legendEntry{thumb: edgeThumb, text: text, key: "edge"})
		if f, ok := edgeFit(s); ok && kind.overlays {
			l.left = append(l.left, legendEntry{thumb: lineThumb(edgeFitStyle), text: fmt.Sprintf(
				"%s fitted to the edge (RMSE %.2f) · edge: %s", f.Rule, f.RMSE, shortVerdict(s.EdgeFits))})
		} else if kind.overlays && len(s.EdgeFits.Fits) == 0 {
			why, _, _ := strings.Cut(s.EdgeFits.Verdict, "; ")
			l.left = append(l.left, legendEntry{text: "no rule fitted to the edge: " + why})
		}
	}
	// Stopped runs are named only where a cell shows them, so the
	// heatmaps of sweeps without training.stop_early keep their legend.
	var divergedCells, stoppedCells, unfinishedCells, cancelledCells, mixedCells, skippedCells bool
	var divergedWithStopped, mixedWithStopped bool
	for _, b := range g.bs {
		for _, lr := range g.lrs {
			c := g.at(b, lr)
			switch lookOf(c, c != nil && c.done > 0) {
			case lookFlagged:
				mixedCells = true
				mixedWithStopped = mixedWithStopped || c.stopped > 0
			case lookDiverged:
				divergedCells = true
				divergedWithStopped = divergedWithStopped || c.stopped > 0
			case lookStopped:
				stoppedCells = true
			case lookSkipped:
				skippedCells = true
			case lookUnfinished:
				unfinishedCells = true
				cancelledCells = cancelledCells || c != nil && c.cancelled > 0
			}
		}
	}
	if divergedCells {
		text := "diverged (every finished seed hit NaN/Inf)"
		if divergedWithStopped {
			text = "diverged (finished seeds hit NaN/Inf or stopped early, one NaN/Inf at least)"
		}
		l.right = append(l.right, legendEntry{thumb: cellThumbOf(lookDiverged), text: text, key: "diverged"})
	}
	if stoppedCells {
		l.right = append(l.right, legendEntry{thumb: cellThumbOf(lookStopped), text: "stopped early (every finished seed: loss not below its initial)", key: "stopped"})
	}
	if mixedCells {
		text := "some seeds diverged (mean over the others)"
		if mixedWithStopped {
			text = "some seeds diverged or stopped early (mean over the others)"
		}
		flagged := colourOf(0.6, func(look cellLook, _ *Cell) bool { return look == lookFlagged })
		l.right = append(l.right, legendEntry{thumb: cellThumb(func(c *draw.Canvas, r vg.Rectangle) {
			drawCell(c, r, lookFlagged, flagged, false)
		}), text: text, key: "flagged"})
	}
	if unfinishedCells {
		// Cancelled is named only where a cell shows it, so the heatmaps of
		// sweeps never cancelled keep their legend.
		text := "no finished run (pending, running or failed)"
		if cancelledCells {
			text = "no finished run (pending, running, failed or cancelled)"
		}
		l.right = append(l.right, legendEntry{thumb: cellThumbOf(lookUnfinished), text: text, key: "unfinished"})
	}
	if skippedCells {
		l.right = append(l.right, legendEntry{thumb: cellThumbOf(lookSkipped), text: "skipped by the guided search (not run)", key: "skipped"})
	}
	if values {
		l.right = append(l.right, legendEntry{text: valuesLegend(s, g, kind), key: "values"})
	}
	return l
}

// valuesLegend says what --values prints in the cells: the value and, when
// the coloured cells' seed counts differ, the count under it; when they are
// all the same the count is given here once.
func valuesLegend(s *Summary, g grid, kind heatKind) string {
	if n, same := seedCount(s, g, kind); same && n > 0 {
		return fmt.Sprintf("numbers: %s over each cell's %d done seed(s)", kind.valueName, n)
	}
	return "numbers: " + kind.valueName + ", then n=K: the done seeds it is over"
}

// seedCount is the number of done seeds of the coloured cells of g when it
// is the same for all of them (same; 0 without coloured cells).
func seedCount(s *Summary, g grid, kind heatKind) (n int, same bool) {
	cells := summaryCells(s)
	n, same = 0, true
	for key, c := range g.cells {
		if _, ok := kind.value(c, cells[key]); ok {
			same = same && (n == 0 || c.done == n)
			n = c.done
		}
	}
	return n, same
}

// shortVerdict is a comparison's verdict in a few words: the winner, or
// that the rules cannot be told apart.
func shortVerdict(c Comparison) string {
	switch {
	case c.Winner != "":
		return c.Winner + " fits best beyond seed noise"
	case len(c.Fits) == 0:
		return "not fitted"
	}
	return "rules indistinguishable at this noise"
}

// edgeThumb draws the edge's line and marker.
func edgeThumb(c *draw.Canvas, r vg.Rectangle) {
	y := (r.Min.Y + r.Max.Y) / 2
	c.StrokeLine2(haloOf(edgeLine), r.Min.X, y, r.Max.X, y)
	c.StrokeLine2(edgeLine, r.Min.X, y, r.Max.X, y)
	edgeMarker.draw(c, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: y}, false)
}

// fitLegendText is e.g. "LSSR, measured ρ=2^-6.1 (RMSE 0.42) best".
func fitLegendText(f Fit, best string) string {
	var t string
	switch f.Rule {
	case RuleLSSR:
		t = fmt.Sprintf("LSSR ρ_b/η=C, measured ρ=2^%s", log2Str(f.Rho))
	case RuleLSSRFree:
		t = fmt.Sprintf("LSSR ρ_b/η=C, fitted ρ=2^%s (2 params)", log2Str(f.Rho))
	case RuleLSR:
		t = "LSR b/η=C"
	case RuleSRSR:
		t = "SRSR √b/η=C"
	}
	t += fmt.Sprintf(" (RMSE %.2f)", f.RMSE)
	if f.Rule == best {
		t += "  ← best beyond noise"
	}
	return t
}

// lineThumb draws a rule's line style.
func lineThumb(sty draw.LineStyle) func(*draw.Canvas, vg.Rectangle) {
	return func(c *draw.Canvas, r vg.Rectangle) {
		y := (r.Min.Y + r.Max.Y) / 2
		c.StrokeLine2(haloOf(sty), r.Min.X, y, r.Max.X, y)
		c.StrokeLine2(sty, r.Min.X, y, r.Max.X, y)
	}
}

// cellThumbOf draws a cell of an uncoloured look as the plot does.
func cellThumbOf(look cellLook) func(*draw.Canvas, vg.Rectangle) {
	return cellThumb(func(c *draw.Canvas, r vg.Rectangle) { drawCell(c, r, look, nil, false) })
}

// cellThumb draws a cell kind in a small square at the left of the thumbnail.
func cellThumb(fill func(*draw.Canvas, vg.Rectangle)) func(*draw.Canvas, vg.Rectangle) {
	return func(c *draw.Canvas, r vg.Rectangle) {
		side := r.Max.Y - r.Min.Y
		sq := vg.Rectangle{Min: vg.Point{X: r.Min.X + (r.Max.X-r.Min.X-1.6*side)/2, Y: r.Min.Y},
			Max: vg.Point{X: r.Min.X + (r.Max.X+1.6*side-r.Min.X)/2, Y: r.Max.Y}}
		sq.Max.X = sq.Min.X + 1.6*side
		fill(c, sq)
		c.StrokeLines(draw.LineStyle{Color: color.Gray{0x80}, Width: vg.Points(0.5)},
			[]vg.Point{sq.Min, {X: sq.Max.X, Y: sq.Min.Y}, sq.Max, {X: sq.Min.X, Y: sq.Max.Y}, sq.Min})
	}
}

func ridgeThumb(c *draw.Canvas, r vg.Rectangle) {
	x := (r.Min.X + r.Max.X) / 2
	bar := draw.LineStyle{Color: color.White, Width: vg.Points(2)}
	c.StrokeLine2(haloOf(bar), x, r.Min.Y-2, x, r.Max.Y+2)
	c.StrokeLine2(bar, x, r.Min.Y-2, x, r.Max.Y+2)
	ridgeMarker.draw(c, vg.Point{X: x, Y: (r.Min.Y + r.Max.Y) / 2}, false)
}
