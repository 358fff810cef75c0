package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The PNG is heatmapWidthPx × heatmapHeightPx at heatmapDPI, so that 11 pt
// text is 15 px tall.
const (
	heatmapWidthPx  = 1100
	heatmapHeightPx = 800
	heatmapDPI      = 100
)

// Layout of the figure, in points.
const (
	margin       = 10
	colorBarGap  = 18 // between the heatmap and the colour bar
	colorBarW    = 16
	colorBarArea = 86 // colour bar, its tick labels and its label
	legendRowH   = 17
	legendThumbW = 34
)

// sans returns Liberation Sans at size pt.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// textStyle is a plain-text style in Liberation Sans.
func textStyle(size float64, xa text.XAlignment, ya text.YAlignment) text.Style {
	return text.Style{Color: color.Black, Font: sans(size), XAlign: xa, YAlign: ya, Handler: plot.DefaultTextHandler}
}

// newPage is an empty heatmapWidthPx × heatmapHeightPx page with a white
// background, in format (FormatPNG or FormatSVG), and its drawing canvas.
// An SVG page carries its fonts, so a browser lays its text out as the PNG.
func newPage(format string) (vg.CanvasWriterTo, draw.Canvas) {
	width := vg.Length(heatmapWidthPx) * vg.Inch / heatmapDPI
	height := vg.Length(heatmapHeightPx) * vg.Inch / heatmapDPI
	return newSizedPage(format, width, height)
}

// renderHeatmap draws the figure of s in o.Format, its cells coloured as
// kind says on the scale o asks for, and returns where its cells are.
func renderHeatmap(w io.Writer, s *Summary, runs []Run, kind heatKind, o HeatmapOptions) (HeatmapLayout, error) {
	img, dc := newPage(o.Format)
	layout := HeatmapLayout{Width: heatmapWidthPx, Height: heatmapHeightPx}
	page := draw.Crop(dc, margin, -margin, margin, -margin)

	// Header: title and one line of what the colours and ρ are.
	titleSty, head := fitLine(textStyle(15, draw.XCenter, draw.YTop), title(s.Meta), page.Max.X-page.Min.X)
	subSty, sub := fitLine(textStyle(11, draw.XCenter, draw.YTop), subtitle(s, kind), page.Max.X-page.Min.X)
	subSty.Color = color.Gray{0x40}
	top := page.Max.Y
	page.FillText(titleSty, vg.Point{X: page.Center().X, Y: top}, head)
	top -= titleSty.Height("X") + 4
	page.FillText(subSty, vg.Point{X: page.Center().X, Y: top}, sub)
	top -= subSty.Height("X") + 10

	g := buildGrid(runs)
	sc := scaleFor(g, summaryCells(s), kind, o)
	cmap := newViridis(sc.lo, sc.hi)
	entries := legendEntriesOn(s, g, kind, cmap, o.Values)
	legendH := legendHeight(page.Max.X-page.Min.X, entries)
	legendArea := draw.Crop(page, 0, 0, 0, -(page.Max.Y - page.Min.Y - legendH))
	main := page
	main.Min.Y += legendH + 8
	main.Max.Y = top

	if len(g.bs) == 0 {
		main.FillText(textStyle(14, draw.XCenter, draw.YCenter), main.Center(), "no runs to draw")
		drawLegend(legendArea, entries)
		_, err := img.WriteTo(w)
		return layout, err
	}

	p := heatmapPlot(s, g, cmap, kind, o.Values)
	heat := draw.Crop(main, 0, -(colorBarArea + colorBarGap), 0, 0)
	drawPlot(p, heat)

	data := p.DataCanvas(heat)
	layout.Cells = cellBoxes(p, data, g, dc.Max)
	bar := draw.Canvas{Canvas: dc, Rectangle: vg.Rectangle{
		Min: vg.Point{X: heat.Max.X + colorBarGap, Y: data.Min.Y},
		Max: vg.Point{X: heat.Max.X + colorBarGap + colorBarW, Y: data.Max.Y},
	}}
	drawColorBar(bar, sc, kind)
	drawLegend(legendArea, entries)

	_, err := img.WriteTo(w)
	return layout, err
}

// cellBoxes is where each cell of g lies on the page, as fractions of the
// page's size from its top-left corner.
func cellBoxes(p *plot.Plot, data draw.Canvas, g grid, size vg.Point) []CellBox {
	trX, trY := p.Transforms(&data)
	xe, ye := g.log2Edges()
	fx := func(v float64) float64 { return float64(trX(v) / size.X) }
	fy := func(v float64) float64 { return 1 - float64(trY(v)/size.Y) }
	boxes := make([]CellBox, 0, len(g.bs)*len(g.lrs))
	for i, b := range g.bs {
		for j, lr := range g.lrs {
			boxes = append(boxes, CellBox{B: b, LR: lr, X0: fx(xe[i]), X1: fx(xe[i+1]), Y0: fy(ye[j+1]), Y1: fy(ye[j])})
		}
	}
	return boxes
}

// fitLine is txt in sty shrunk to fit width (shrinkToFit) and, when it
// still does not fit at 8 pt, cut short with "…" where it does.
func fitLine(sty text.Style, txt string, width vg.Length) (text.Style, string) {
	sty = shrinkToFit(sty, txt, width)
	if sty.Width(txt) <= width {
		return sty, txt
	}
	runes := []rune(txt)
	for n := len(runes) - 1; n > 0; n-- {
		if cut := strings.TrimRight(string(runes[:n]), " ") + "…"; sty.Width(cut) <= width {
			return sty, cut
		}
	}
	return sty, "…"
}

// shrinkToFit lowers the font size, down to 8 pt, until txt fits in width.
func shrinkToFit(sty text.Style, txt string, width vg.Length) text.Style {
	for sty.Width(txt) > width && sty.Font.Size > vg.Points(8) {
		sty.Font.Size -= vg.Points(0.5)
	}
	return sty
}

// heatmapPlot builds the plot of cells, rule curves, ridge and stability
// edge on log2 axes.
// With values, each coloured cell prints its value and seed count.
func heatmapPlot(s *Summary, g grid, cmap *viridis, kind heatKind, values bool) *plot.Plot {
	p := newStyledPlot()
	p.X.Label.Text = "batch size b (log2 scale)"
	p.Y.Label.Text = "learning rate η (log2 scale)"

	cells := newCellsPlotter(g, cmap, kind, summaryCells(s))
	p.Add(cells)
	xmin, xmax, ymin, ymax := cells.DataRange()
	p.X.Tick.Marker = plot.ConstantTicks(batchTicks(g.bs))
	p.Y.Tick.Marker = plot.ConstantTicks(lrTicks(ymin, ymax, g.lrs))
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xmin, xmax, ymin, ymax

	if values {
		// Under the overlays: a number must not hide a ridge or edge marker.
		p.Add(&valuesPlotter{cells: cells, showSeeds: !sameSeeds(g, cells)})
	}
	for _, l := range overlays(s, kind) {
		p.Add(l)
	}
	return p
}

// overlays are the plotters drawn over a heatmap's cells, bottom first: the
// LSSR curve fitted to the stability edge and the edge itself on every
// kind; on the accuracy kinds also the rule curves fitted to the ridge
// (measured-ρ LSSR last, on top) and the ridge with its intervals.
func overlays(s *Summary, kind heatKind) []plot.Plotter {
	var ps []plot.Plotter
	if len(s.Edge.Points) > 0 {
		if f, ok := edgeFit(s); ok && kind.overlays {
			ps = append(ps, &curvePlotter{fit: f.Fit, n: s.Meta.N, sampling: s.Meta.Sampling, style: edgeFitStyle})
		}
		ps = append(ps, &edgePlotter{points: s.Edge.Points})
	}
	if !kind.overlays {
		return ps
	}
	ps = append(ps, searchOverlays(s)...)
	for _, rule := range []string{RuleLSSRFree, RuleLSR, RuleSRSR, RuleLSSR} {
		if f, ok := s.FitFor(rule); ok && f.OK() {
			ps = append(ps, &curvePlotter{fit: f, n: s.Meta.N, sampling: s.Meta.Sampling, style: ruleStyle(f.Rule)})
		}
	}
	if r, ok := s.RidgeBy(FitEstimator); ok {
		ps = append(ps, &ridgePlotter{points: r.Points})
	}
	return ps
}

// edgeFit is the rule curve drawn along the stability edge: the edge's
// winning rule when there is one, else LSSR with the measured ρ.
func edgeFit(s *Summary) (RuleFit, bool) {
	rule := RuleLSSR
	if s.EdgeFits.Winner != "" {
		rule = s.EdgeFits.Winner
	}
	f, ok := s.EdgeFits.Fit(rule)
	return f, ok && f.OK()
}

// edgeFitStyle is the LSSR curve fitted to the stability edge: thin, in
// the edge's colour.
var edgeFitStyle = draw.LineStyle{Color: okabeGreen, Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(2), vg.Points(3)}}

// ruleStyle is the line of each rule: Okabe–Ito colours, distinct dashes.
func ruleStyle(rule string) draw.LineStyle {
	switch rule {
	case RuleLSSR:
		return draw.LineStyle{Color: okabeVermillion, Width: vg.Points(3), Dashes: []vg.Length{vg.Points(12), vg.Points(4)}}
	case RuleLSSRFree:
		return draw.LineStyle{Color: okabePurple, Width: vg.Points(2.2), Dashes: []vg.Length{vg.Points(7), vg.Points(3), vg.Points(2), vg.Points(3)}}
	case RuleLSR:
		return draw.LineStyle{Color: okabeSkyBlue, Width: vg.Points(2.4), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	default:
		return draw.LineStyle{Color: okabeOrange, Width: vg.Points(2.4), Dashes: []vg.Length{vg.Points(6), vg.Points(5)}}
	}
}

// batchTicks labels every grid b with its value; beyond 14 values every
// other one is a minor tick.
func batchTicks(bs []int) []plot.Tick {
	every := 1
	if len(bs) > 14 {
		every = 2
	}
	ts := make([]plot.Tick, len(bs))
	for i, b := range bs {
		ts[i].Value = math.Log2(float64(b))
		if i%every == 0 {
			ts[i].Label = strconv.Itoa(b)
		}
	}
	return ts
}

// lrTicks puts a tick at every whole power of two in [lo, hi] (log2 η),
// labelled 2^k; over 16 of them every other one is minor. With fewer than two
// powers of two in range the grid values are labelled instead.
func lrTicks(lo, hi float64, lrs []float64) []plot.Tick {
	var ts []plot.Tick
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	if last-first+1 < 2 {
		for _, lr := range lrs {
			ts = append(ts, plot.Tick{Value: math.Log2(lr), Label: fmtG(lr)})
		}
		return ts
	}
	every := 1
	if last-first+1 > 16 {
		every = 2
	}
	for k := first; k <= last; k++ {
		t := plot.Tick{Value: float64(k)}
		if (k-first)%every == 0 {
			t.Label = "2^" + strconv.Itoa(k)
		}
		ts = append(ts, t)
	}
	return ts
}

// accRange is the colour scale: the range of cell means, widened when flat.
func accRange(g grid, scale float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range g.cells {
		if c.done > 0 {
			lo, hi = math.Min(lo, c.meanAcc*scale), math.Max(hi, c.meanAcc*scale)
		}
	}
	switch {
	case math.IsInf(lo, 1):
		return 0, 1 * scale
	case hi-lo < 1e-9:
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}

// subtitle says what the colours are and which ρ the LSSR curve uses.
func subtitle(s *Summary, kind heatKind) string {
	var what string
	switch kind.colour {
	case ColourSE:
		what = "colour: standard error of the mean test accuracy"
	case colourLoss:
		what = "colour: final training loss (log scale, mean over done seeds)"
	default:
		what = "colour: mean test accuracy over done seeds"
	}
	sub := what + " · " + samplingText(s.Meta.Sampling)
	if kind.colour == colourLoss {
		return sub
	}
	switch {
	case s.Rho.Count > 0 && s.Rho.Statistic == statSeries:
		sub += fmt.Sprintf(" · LSSR ρ: median of %d in-training measurements", s.Rho.Count)
	case s.Rho.Count > 0:
		sub += fmt.Sprintf(" · LSSR ρ: median of %d final ρ (no series)", s.Rho.Count)
	}
	return sub
}
