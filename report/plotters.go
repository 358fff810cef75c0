package report

import (
	"image/color"
	"math"

	"github.com/lssr/lssr"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours of the figure. Rule lines use the Okabe–Ito palette (safe for
// colour-blind readers) over a black halo so they read on dark and light
// viridis alike.
var (
	colDiverged   = color.NRGBA{0x30, 0x30, 0x30, 0xff}
	colUnfinished = color.NRGBA{0xf0, 0xf0, 0xf0, 0xff}
	colHatch      = color.NRGBA{0xb8, 0xb8, 0xb8, 0xff}
	colSkipped    = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	colSkipHatch  = color.NRGBA{0xc8, 0xd4, 0xe0, 0xff}
	colHalo       = color.NRGBA{0x00, 0x00, 0x00, 0xff}

	okabeOrange     = color.NRGBA{0xe6, 0x9f, 0x00, 0xff}
	okabeSkyBlue    = color.NRGBA{0x56, 0xb4, 0xe9, 0xff}
	okabeVermillion = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	okabePurple     = color.NRGBA{0xcc, 0x79, 0xa7, 0xff}
	okabeGreen      = color.NRGBA{0x00, 0x9e, 0x73, 0xff}
)

// cellEdges returns the cell boundaries around sorted centres: midpoints
// between neighbours, half a step beyond the ends, ±0.5 for a single centre.
func cellEdges(centres []float64) []float64 {
	n := len(centres)
	if n == 0 {
		return nil
	}
	e := make([]float64, n+1)
	if n == 1 {
		e[0], e[1] = centres[0]-0.5, centres[0]+0.5
		return e
	}
	for i := 1; i < n; i++ {
		e[i] = (centres[i-1] + centres[i]) / 2
	}
	e[0] = centres[0] - (centres[1]-centres[0])/2
	e[n] = centres[n-1] + (centres[n-1]-centres[n-2])/2
	return e
}

// cellsPlotter draws the heatmap: one rectangle per (b, η) of the grid, in
// log2 coordinates.
type cellsPlotter struct {
	g              grid
	xEdges, yEdges []float64
	cmap           *viridis
	kind           heatKind
	cells          map[cellKey]*Cell // the seed statistics of each cell
}

func newCellsPlotter(g grid, cmap *viridis, kind heatKind, cells map[cellKey]*Cell) *cellsPlotter {
	xe, ye := g.log2Edges()
	return &cellsPlotter{g: g, xEdges: xe, yEdges: ye, cmap: cmap, kind: kind, cells: cells}
}

// log2Edges are the cell boundaries of the grid on log2 axes: b across, η
// up.
func (g grid) log2Edges() (xEdges, yEdges []float64) {
	xs := make([]float64, len(g.bs))
	for i, b := range g.bs {
		xs[i] = math.Log2(float64(b))
	}
	ys := make([]float64, len(g.lrs))
	for i, lr := range g.lrs {
		ys[i] = math.Log2(lr)
	}
	return cellEdges(xs), cellEdges(ys)
}

// cellRect is where cell (i, j) of the grid lies on c.
func (p *cellsPlotter) cellRect(trX, trY func(float64) vg.Length, i, j int) vg.Rectangle {
	return vg.Rectangle{
		Min: vg.Point{X: trX(p.xEdges[i]), Y: trY(p.yEdges[j])},
		Max: vg.Point{X: trX(p.xEdges[i+1]), Y: trY(p.yEdges[j+1])},
	}
}

// DataRange implements plot.DataRanger.
func (p *cellsPlotter) DataRange() (xmin, xmax, ymin, ymax float64) {
	return p.xEdges[0], p.xEdges[len(p.xEdges)-1], p.yEdges[0], p.yEdges[len(p.yEdges)-1]
}

// Plot implements plot.Plotter.
func (p *cellsPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i, b := range p.g.bs {
		for j, lr := range p.g.lrs {
			r := p.cellRect(trX, trY, i, j)
			cl := p.g.at(b, lr)
			sc := p.cells[cellKey{b, lr}]
			v, ok := p.kind.value(cl, sc)
			look := lookOf(cl, ok)
			var col color.Color
			if ok {
				col, _ = p.cmap.At(v)
			}
			drawCell(&c, r, look, col, p.kind.overlays && sc != nil && sc.NearBest)
		}
	}
}

// drawCell draws one cell of the heatmap in r: filled with col and marked
// as its look says, outlined inside when nearBest (coloured looks only).
// The legend draws its cell thumbs with it, so they are what the plot
// shows.
func drawCell(c *draw.Canvas, r vg.Rectangle, look cellLook, col color.Color, nearBest bool) {
	// Overlap neighbours a little: anti-aliased edges would leave seams.
	fillR := r
	fillR.Max.X += 0.4
	fillR.Max.Y += 0.4
	switch look {
	case lookColour, lookFlagged:
		c.SetColor(col)
		c.Fill(fillR.Path())
		if look == lookFlagged {
			drawCornerFlag(c, r)
		}
		if nearBest {
			drawNearBest(c, r)
		}
	case lookDiverged:
		c.SetColor(colDiverged)
		c.Fill(fillR.Path())
		drawDivergedCell(c, r)
	case lookStopped:
		c.SetColor(colDiverged)
		c.Fill(fillR.Path())
		drawStoppedCell(c, r)
	case lookSkipped:
		drawSkippedCell(c, r)
	default:
		drawUnfinishedCell(c, r)
	}
}

// cellLook is how the heatmap draws a cell; the legend names the looks it
// shows, so both read them from lookOf.
type cellLook int

const (
	lookColour     cellLook = iota // the colour of its value
	lookFlagged                    // that colour with a corner flag: some seeds diverged or stopped early
	lookDiverged                   // dark with a cross: no colour, a seed diverged
	lookStopped                    // dark with a bar: no colour, seeds stopped early, none diverged
	lookUnfinished                 // hatched: no finished run
	lookSkipped                    // white, hatched the other way: a guided search chose not to run it
)

// lookOf is the look of cell c (nil: no run there), coloured when it has a
// colour value.
func lookOf(c *cell, coloured bool) cellLook {
	switch {
	case coloured && (c.diverged > 0 || c.stopped > 0):
		return lookFlagged
	case coloured:
		return lookColour
	case c != nil && c.diverged > 0:
		return lookDiverged
	case c != nil && c.stopped > 0:
		return lookStopped
	case c != nil && c.skippedOnly():
		return lookSkipped
	}
	return lookUnfinished
}

// drawNearBest outlines, inside the cell, a cell whose mean accuracy is
// within one standard error of its column's best: the η this b cannot tell
// apart from its best.
//
// The inset is 12% of the cell's smaller side, and at least 3 points (but
// under a third of the side), so that on a small cell, such as the legend's
// thumb, the outline still reads as one.
func drawNearBest(c *draw.Canvas, r vg.Rectangle) {
	in := nearBestInset(r)
	q := vg.Rectangle{Min: vg.Point{X: r.Min.X + in, Y: r.Min.Y + in}, Max: vg.Point{X: r.Max.X - in, Y: r.Max.Y - in}}
	path := []vg.Point{q.Min, {X: q.Max.X, Y: q.Min.Y}, q.Max, {X: q.Min.X, Y: q.Max.Y}, q.Min}
	c.StrokeLines(draw.LineStyle{Color: color.NRGBA{0xff, 0xff, 0xff, 0xc0}, Width: vg.Points(0.9)}, path)
}

// nearBestInset is how far inside cell r drawNearBest draws its outline.
func nearBestInset(r vg.Rectangle) vg.Length {
	side := min(r.Max.X-r.Min.X, r.Max.Y-r.Min.Y)
	return max(side*0.12, min(vg.Points(3), side*0.3))
}

// drawDivergedCell fills a cell dark and crosses it in white.
func drawDivergedCell(c *draw.Canvas, r vg.Rectangle) {
	ctr, half := darkCell(c, r)
	sty := draw.LineStyle{Color: color.White, Width: vg.Points(1.3)}
	c.StrokeLine2(sty, ctr.X-half, ctr.Y-half, ctr.X+half, ctr.Y+half)
	c.StrokeLine2(sty, ctr.X-half, ctr.Y+half, ctr.X+half, ctr.Y-half)
}

// drawStoppedCell fills a cell dark, as a diverged one, with a white bar
// across it instead of a cross: the loss stayed flat (or rose) and the
// stall rule stopped the run.
func drawStoppedCell(c *draw.Canvas, r vg.Rectangle) {
	ctr, half := darkCell(c, r)
	sty := draw.LineStyle{Color: color.White, Width: vg.Points(1.6)}
	c.StrokeLine2(sty, ctr.X-half, ctr.Y, ctr.X+half, ctr.Y)
}

// darkCell fills a cell dark and gives its centre and the half-size of the
// white mark drawn on it.
func darkCell(c *draw.Canvas, r vg.Rectangle) (ctr vg.Point, half vg.Length) {
	c.SetColor(colDiverged)
	c.Fill(r.Path())
	w, h := r.Max.X-r.Min.X, r.Max.Y-r.Min.Y
	return vg.Point{X: r.Min.X + w/2, Y: r.Min.Y + h/2}, min(w*0.33, h*0.33, vg.Points(7))
}

// drawUnfinishedCell fills a cell light grey with diagonal hatching laid on
// the page, so neighbouring cells join into one pattern.
func drawUnfinishedCell(c *draw.Canvas, r vg.Rectangle) {
	hatch(c, r, colUnfinished, draw.LineStyle{Color: colHatch, Width: vg.Points(0.7)}, 5, true)
}

// drawSkippedCell draws a cell a guided search chose not to run: white
// with sparse hatching the other way round from an unfinished cell's, so it
// reads as decided, not as missing data.
func drawSkippedCell(c *draw.Canvas, r vg.Rectangle) {
	hatch(c, r, colSkipped, draw.LineStyle{Color: colSkipHatch, Width: vg.Points(0.6)}, 7, false)
}

// hatch fills a cell with bg and strokes 45° lines spacing points apart,
// laid on the page so neighbouring cells join into one pattern: rising
// (y = x − d) or falling (y = d − x, the rising lines with y mirrored).
func hatch(c *draw.Canvas, r vg.Rectangle, bg color.Color, sty draw.LineStyle, spacing float64, rising bool) {
	c.SetColor(bg)
	c.Fill(r.Path())
	x0, x1, y0, y1 := float64(r.Min.X), float64(r.Max.X), float64(r.Min.Y), float64(r.Max.Y)
	sign := 1.0
	if !rising {
		sign, y0, y1 = -1, -y1, -y0
	}
	// Lines y = x − d in the (mirrored) cell: d runs from x0−y1 to x1−y0.
	for d := math.Ceil((x0-y1)/spacing) * spacing; d <= x1-y0; d += spacing {
		xa, xb := math.Max(x0, y0+d), math.Min(x1, y1+d)
		if xb <= xa {
			continue
		}
		c.StrokeLine2(sty, vg.Length(xa), vg.Length(sign*(xa-d)), vg.Length(xb), vg.Length(sign*(xb-d)))
	}
}

// drawCornerFlag marks a coloured cell where some seeds diverged or were
// stopped early: a small dark triangle in its top-right corner.
func drawCornerFlag(c *draw.Canvas, r vg.Rectangle) {
	s := min(r.Max.X-r.Min.X, r.Max.Y-r.Min.Y) * 0.45
	c.FillPolygon(colDiverged, []vg.Point{
		{X: r.Max.X - s, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Max.Y - s},
	})
}

// curvePlotter draws a fitted rule's best η over continuous b across the
// whole x range, clipped to the plotting area.
type curvePlotter struct {
	fit      Fit
	n        int
	sampling lssr.Sampling
	style    draw.LineStyle
}

// Plot implements plot.Plotter.
func (p *curvePlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	const steps = 400
	var lines [][]vg.Point
	var cur []vg.Point
	for i := 0; i <= steps; i++ {
		x := plt.X.Min + (plt.X.Max-plt.X.Min)*float64(i)/steps
		y := p.fit.Log2Eta(x, p.n, p.sampling)
		if !isFinite(y) {
			if len(cur) > 1 {
				lines = append(lines, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, vg.Point{X: trX(x), Y: trY(y)})
	}
	if len(cur) > 1 {
		lines = append(lines, cur)
	}
	lines = c.ClipLinesXY(lines...)
	c.StrokeLines(haloOf(p.style), lines...)
	c.StrokeLines(p.style, lines...)
}

// haloOf is a wider black copy of a line style, drawn underneath it.
func haloOf(s draw.LineStyle) draw.LineStyle {
	return draw.LineStyle{Color: colHalo, Width: s.Width + vg.Points(1.4), Dashes: s.Dashes, DashOffs: s.DashOffs}
}

// ridgePlotter marks the best η of each b as one ridge estimator puts it,
// with a bar over its bootstrap interval; a censored point (at its
// column's edge of the grid, not fitted) is a hollow marker.
type ridgePlotter struct {
	points []EstimatePoint
}

// Plot implements plot.Plotter.
func (p *ridgePlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	bar := draw.LineStyle{Color: color.White, Width: vg.Points(2)}
	for _, r := range p.points {
		lo, hi := r.Log2Interval.Lo, r.Log2Interval.Hi
		if isFinite(lo) && isFinite(hi) && lo < hi {
			x := trX(math.Log2(float64(r.B)))
			y0, y1 := trY(lo), trY(hi)
			c.StrokeLine2(haloOf(bar), x, y0, x, y1)
			c.StrokeLine2(bar, x, y0, x, y1)
		}
	}
	for _, r := range p.points {
		ridgeMarker.draw(&c, vg.Point{X: trX(math.Log2(float64(r.B))), Y: trY(r.Log2LR)}, r.Censored)
	}
}

// edgePlotter draws the stability edge: the largest η that still trains at
// each b, joined by a line; an edge at the top of the grid (censored: it may
// lie higher) is a hollow marker.
type edgePlotter struct {
	points []EdgePoint
}

// edgeLine is the stability edge's line: Okabe–Ito bluish green over a black halo.
var edgeLine = draw.LineStyle{Color: okabeGreen, Width: vg.Points(2.6)}

// Plot implements plot.Plotter.
func (p *edgePlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	var line []vg.Point
	for _, e := range p.points {
		line = append(line, vg.Point{X: trX(math.Log2(float64(e.B))), Y: trY(math.Log2(e.LR))})
	}
	if len(line) > 1 {
		c.StrokeLines(haloOf(edgeLine), line)
		c.StrokeLines(edgeLine, line)
	}
	for i, e := range p.points {
		edgeMarker.draw(&c, line[i], e.Censored)
	}
}

// The markers of the ridge (a white disc) and of the stability edge (a
// green square), each in a black rim.
var (
	ridgeMarker = pointMarker{round: true, fill: color.White}
	edgeMarker  = pointMarker{fill: okabeGreen}
)

// pointMarker is the marker of a ridge or stability-edge point.
type pointMarker struct {
	round bool // a disc; else a square
	fill  color.Color
}

// Sizes of a point marker, in points: the filled glyph's radius (half side
// for the square) and its black rim; a hollow marker's ring of the fill
// colour, its black rims and the radius of its centre line.
const (
	markerRadius = 4.0
	markerRim    = 1.5
	ringWidth    = 1.6
	ringRim      = 1.0
	ringRadius   = 4.8
)

// draw draws the marker at pt, unclipped: filled or, for a censored point
// (hollow), a ring of the fill colour between two black rims through which
// the cell shows, so that it reads "at least here" rather than "here".
func (m pointMarker) draw(c *draw.Canvas, pt vg.Point, hollow bool) {
	if !hollow {
		var shape draw.GlyphDrawer = draw.BoxGlyph{}
		if m.round {
			shape = draw.CircleGlyph{}
		}
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: color.Black, Radius: vg.Points(markerRadius + markerRim), Shape: shape}, pt)
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: m.fill, Radius: vg.Points(markerRadius), Shape: shape}, pt)
		return
	}
	r := vg.Points(ringRadius)
	var path vg.Path
	if m.round {
		path.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		path.Arc(pt, r, 0, 2*math.Pi)
	} else {
		path.Move(vg.Point{X: pt.X - r, Y: pt.Y - r})
		path.Line(vg.Point{X: pt.X + r, Y: pt.Y - r})
		path.Line(vg.Point{X: pt.X + r, Y: pt.Y + r})
		path.Line(vg.Point{X: pt.X - r, Y: pt.Y + r})
	}
	path.Close()
	c.SetLineStyle(draw.LineStyle{Color: color.Black, Width: vg.Points(ringWidth + 2*ringRim)})
	c.Stroke(path)
	c.SetLineStyle(draw.LineStyle{Color: m.fill, Width: vg.Points(ringWidth)})
	c.Stroke(path)
}
