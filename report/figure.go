package report

import (
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// The rest of the Okabe–Ito palette, for the line figures (white background,
// so no halo).
var (
	okabeBlue       = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	okabeBluishGrn  = color.NRGBA{0x00, 0x9e, 0x73, 0xff}
	colGridLine     = color.NRGBA{0xe4, 0xe4, 0xe4, 0xff}
	colReferenceRef = color.NRGBA{0x60, 0x60, 0x60, 0xff}
)

// figure is a line figure of the report: a title, a subtitle, one plot, a
// framed legend below it and, optionally, a key column on its right (the
// colours of the loss-change figure). It has the heatmap's size and fonts.
// A second plot, beside, shares the plot's area: the two are drawn side by
// side at equal widths (the loss and accuracy panels of curves.png).
type figure struct {
	title, subtitle string
	plot            *plot.Plot
	beside          *plot.Plot
	legend          legendColumns
	key             []legendEntry // drawn right of the plot, under keyTitle
	keyTitle        string
}

// keyColumnW is the width of the key column, in points.
const keyColumnW = 92

// render draws the figure as a PNG of heatmapWidthPx × heatmapHeightPx.
func (f *figure) render(w io.Writer) error {
	width := vg.Length(heatmapWidthPx) * vg.Inch / heatmapDPI
	height := vg.Length(heatmapHeightPx) * vg.Inch / heatmapDPI
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(heatmapDPI))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	page := draw.Crop(dc, margin, -margin, margin, -margin)
	pageW := page.Max.X - page.Min.X

	titleSty, head := fitLine(textStyle(15, draw.XCenter, draw.YTop), f.title, pageW)
	subSty, sub := fitLine(textStyle(11, draw.XCenter, draw.YTop), f.subtitle, pageW)
	subSty.Color = color.Gray{0x40}
	top := page.Max.Y
	page.FillText(titleSty, vg.Point{X: page.Center().X, Y: top}, head)
	top -= titleSty.Height("X") + 4
	if f.subtitle != "" {
		page.FillText(subSty, vg.Point{X: page.Center().X, Y: top}, sub)
		top -= subSty.Height("X")
	}
	top -= 10

	main := page
	main.Max.Y = top
	if len(f.legend.left)+len(f.legend.right) > 0 {
		legendH := legendHeight(pageW, f.legend)
		drawLegend(draw.Crop(page, 0, 0, 0, -(page.Max.Y-page.Min.Y-legendH)), f.legend)
		main.Min.Y += legendH + 8
	}
	if len(f.key) > 0 {
		key := main
		key.Min.X = key.Max.X - keyColumnW
		main.Max.X = key.Min.X - 10
		drawKey(key, f.keyTitle, f.key)
	}
	if f.beside == nil {
		drawPlot(f.plot, main)
	} else {
		const gap = 24
		half := (main.Max.X - main.Min.X - gap) / 2
		left, right := main, main
		left.Max.X = left.Min.X + half
		right.Min.X = right.Max.X - half
		drawPlot(f.plot, left)
		drawPlot(f.beside, right)
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drawKey lists entries top-down in c under a heading.
func drawKey(c draw.Canvas, heading string, entries []legendEntry) {
	y := c.Max.Y - 4
	if heading != "" {
		c.FillText(textStyle(11, draw.XLeft, draw.YTop), vg.Point{X: c.Min.X, Y: y}, heading)
		y -= legendRowH + 4
	}
	sty := textStyle(11, draw.XLeft, draw.YCenter)
	for _, e := range entries {
		if y < c.Min.Y {
			break
		}
		if e.thumb != nil {
			e.thumb(&c, vg.Rectangle{Min: vg.Point{X: c.Min.X, Y: y - 5}, Max: vg.Point{X: c.Min.X + 20, Y: y + 5}})
		}
		c.FillText(sty, vg.Point{X: c.Min.X + 26, Y: y}, e.text)
		y -= legendRowH
	}
}

// newStyledPlot is an empty plot in the report's style: transparent
// background, no axis padding, the report's fonts.
func newStyledPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil
	p.X.Padding, p.Y.Padding = 0, 0
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sans(13)
		a.Tick.Label.Font = sans(11)
		a.Label.Padding = vg.Points(4)
	}
	return p
}

// newLinePlot is a plot styled like the heatmap's, with a light grid.
func newLinePlot(xLabel, yLabel string) *plot.Plot {
	p := newStyledPlot()
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	p.Add(gridPlotter{})
	return p
}

// gridPlotter draws light lines at the labelled ticks of both axes.
type gridPlotter struct{}

// Plot implements plot.Plotter.
func (gridPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	sty := draw.LineStyle{Color: colGridLine, Width: vg.Points(0.6)}
	for _, t := range plt.X.Tick.Marker.Ticks(plt.X.Min, plt.X.Max) {
		if t.Label != "" && t.Value >= plt.X.Min && t.Value <= plt.X.Max {
			c.StrokeLine2(sty, trX(t.Value), c.Min.Y, trX(t.Value), c.Max.Y)
		}
	}
	for _, t := range plt.Y.Tick.Marker.Ticks(plt.Y.Min, plt.Y.Max) {
		if t.Label != "" && t.Value >= plt.Y.Min && t.Value <= plt.Y.Max {
			c.StrokeLine2(sty, c.Min.X, trY(t.Value), c.Max.X, trY(t.Value))
		}
	}
}

// linePlotter strokes a polyline in data coordinates; a NaN breaks it.
type linePlotter struct {
	xs, ys []float64
	style  draw.LineStyle
}

// Plot implements plot.Plotter.
func (p *linePlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	var lines [][]vg.Point
	var cur []vg.Point
	for i := range p.xs {
		if !isFinite(p.xs[i]) || !isFinite(p.ys[i]) {
			if len(cur) > 1 {
				lines = append(lines, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, vg.Point{X: trX(p.xs[i]), Y: trY(p.ys[i])})
	}
	if len(cur) > 1 {
		lines = append(lines, cur)
	}
	if lines = c.ClipLinesXY(lines...); len(lines) > 0 {
		c.StrokeLines(p.style, lines...)
	}
}

// markerPlotter draws filled glyphs with a dark edge; points that are not
// finite or fall outside the data area are skipped.
type markerPlotter struct {
	xs, ys []float64
	marker marker
}

// marker is a glyph shape, fill colour and size.
type marker struct {
	shape  draw.GlyphDrawer
	fill   color.Color
	radius vg.Length
}

func (m marker) draw(c *draw.Canvas, pt vg.Point, clip bool) {
	edge := draw.GlyphStyle{Color: color.Black, Radius: m.radius + vg.Points(1.1), Shape: m.shape}
	face := draw.GlyphStyle{Color: m.fill, Radius: m.radius, Shape: m.shape}
	if clip {
		c.DrawGlyph(edge, pt)
		c.DrawGlyph(face, pt)
		return
	}
	c.DrawGlyphNoClip(edge, pt)
	c.DrawGlyphNoClip(face, pt)
}

// Plot implements plot.Plotter.
func (p *markerPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	for i := range p.xs {
		if isFinite(p.xs[i]) && isFinite(p.ys[i]) {
			p.marker.draw(&c, vg.Point{X: trX(p.xs[i]), Y: trY(p.ys[i])}, true)
		}
	}
}

// barPlotter draws vertical error bars from lo to hi at each x, with caps.
type barPlotter struct {
	xs, lo, hi []float64
	style      draw.LineStyle
	capW       vg.Length // half-width of the caps; 0 draws none
}

// Plot implements plot.Plotter.
func (p *barPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	capW := p.capW
	for i := range p.xs {
		if !isFinite(p.xs[i]) || !isFinite(p.lo[i]) || !isFinite(p.hi[i]) || p.hi[i] <= p.lo[i] {
			continue
		}
		x, y0, y1 := trX(p.xs[i]), trY(p.lo[i]), trY(p.hi[i])
		lines := c.ClipLinesXY([]vg.Point{{X: x, Y: y0}, {X: x, Y: y1}},
			[]vg.Point{{X: x - capW, Y: y0}, {X: x + capW, Y: y0}},
			[]vg.Point{{X: x - capW, Y: y1}, {X: x + capW, Y: y1}})
		if len(lines) > 0 {
			c.StrokeLines(p.style, lines...)
		}
	}
}

// diamondGlyph is a square standing on a corner.
type diamondGlyph struct{}

// DrawGlyph implements draw.GlyphDrawer.
func (diamondGlyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius * 1.25
	c.FillPolygon(sty.Color, []vg.Point{{X: pt.X, Y: pt.Y + r}, {X: pt.X + r, Y: pt.Y}, {X: pt.X, Y: pt.Y - r}, {X: pt.X - r, Y: pt.Y}})
}

// plainLineThumb draws a line style without halo, optionally with a marker.
func plainLineThumb(sty draw.LineStyle, m *marker) func(*draw.Canvas, vg.Rectangle) {
	return func(c *draw.Canvas, r vg.Rectangle) {
		y := (r.Min.Y + r.Max.Y) / 2
		if sty.Width > 0 {
			c.StrokeLine2(sty, r.Min.X, y, r.Max.X, y)
		}
		if m != nil {
			m.draw(c, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: y}, false)
		}
	}
}

// markerBarThumb draws a marker over a vertical error bar, with or without
// caps.
func markerBarThumb(m marker, bar draw.LineStyle, caps bool) func(*draw.Canvas, vg.Rectangle) {
	return func(c *draw.Canvas, r vg.Rectangle) {
		x, y := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
		c.StrokeLine2(bar, x, r.Min.Y-3, x, r.Max.Y+3)
		if caps {
			c.StrokeLine2(bar, x-4, r.Min.Y-3, x+4, r.Min.Y-3)
			c.StrokeLine2(bar, x-4, r.Max.Y+3, x+4, r.Max.Y+3)
		}
		m.draw(c, vg.Point{X: x, Y: y}, false)
	}
}

// log2Ticks puts a tick at every whole power of two in [lo, hi] (log2
// coordinates), labelled 2^k; beyond 12 of them every other is unlabelled.
// With fewer than two in range, the ends are labelled instead.
func log2Ticks(lo, hi float64) []plot.Tick {
	first, last := int(math.Ceil(lo)), int(math.Floor(hi))
	if last-first+1 < 2 {
		return []plot.Tick{{Value: lo, Label: fmtG(math.Exp2(lo))}, {Value: hi, Label: fmtG(math.Exp2(hi))}}
	}
	every := 1 + (last-first)/12
	var ts []plot.Tick
	for k := first; k <= last; k++ {
		t := plot.Tick{Value: float64(k)}
		if (k-first)%every == 0 {
			t.Label = "2^" + strconv.Itoa(k)
			if k == 0 {
				t.Label = "1"
			}
		}
		ts = append(ts, t)
	}
	return ts
}

// log10Ticks labels the decades in [lo, hi] (log10 coordinates) with plain
// numbers, and marks 2…9 × each decade as minor ticks; over a range of less
// than two decades 2× and 5× are labelled too.
func log10Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	dense := hi-lo < 2
	for k := int(math.Floor(lo)); k <= int(math.Ceil(hi)); k++ {
		for m := 1; m <= 9; m++ {
			v := float64(k) + math.Log10(float64(m))
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || (dense && (m == 2 || m == 5)) {
				t.Label = strconv.FormatFloat(float64(m)*math.Pow(10, float64(k)), 'g', 3, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

// quantile is the q-quantile of xs by linear interpolation between order
// statistics (R's type 7); xs must be non-empty. It sorts a copy.
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// inTraining reports whether m was taken during training rather than at the
// end: once the training set is fit, ‖∇L‖² and with it ρ collapse, so a
// final value says little about ρ while SGD trained. A run that does not
// say how many epochs it completed counts every measurement.
func inTraining(r Run, m int) bool { return r.Epochs <= 0 || m < r.Epochs }
