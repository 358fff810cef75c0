package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/lssr/lssr/internal/atomicfile"
)

// PanelsFile is the multi-sweep figure WritePanels creates.
const PanelsFile = "panels.png"

// The panel figure is panelWidthPx wide per column (at most panelColumns
// columns) and panelHeightPx tall per row, at heatmapDPI.
const (
	panelWidthPx  = 620
	panelHeightPx = 560
	panelColumns  = 3
)

// Panel is one sweep of a multi-sweep figure: its summary (from Analyze or
// Write) and its runs.
type Panel struct {
	Summary *Summary
	Runs    []Run
	// Label, when set, names the panel in its title in place of the
	// sweep's name: two sweeps of one name from two databases.
	Label string
}

// WritePanels draws the test-accuracy heatmaps of several sweeps side by
// side, like the paper's Fig. 5 (right), with one colour scale for all of
// them, so that equal colours mean equal accuracy across panels; each panel
// carries its own ridge and rule curves as in its heatmap, and one legend
// below says what the lines, markers and cells of every panel mean. It
// writes the PNG atomically to path.
func WritePanels(path string, panels []Panel) error {
	return WritePanelsWith(path, panels, HeatmapOptions{})
}

// WritePanelsWith is WritePanels drawn as o says: o.Values prints the
// cells' values, and o.Range and o.Clip set the shared scale when o.Colour
// is the mean accuracy (ColourMean or ""), the colour the panels show; with
// ColourSE they are in other units and left out. o.Format must be PNG.
func WritePanelsWith(path string, panels []Panel, o HeatmapOptions) error {
	if len(panels) == 0 {
		return fmt.Errorf("report: no sweeps to draw")
	}
	if err := o.Check(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if o.Format == FormatSVG {
		return fmt.Errorf("report: panels are drawn as PNG only")
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return renderPanels(w, panels, o) })
}

// panelScale is the colour scale shared by the panels: the range of every
// panel's cell means, each on its report's scale (percent), unless o sets
// it (see WritePanelsWith); with o.Clip it spans every panel's clipped
// band.
func panelScale(panels []Panel, o HeatmapOptions) colourScale {
	sc := colourScale{lo: math.Inf(1), hi: math.Inf(-1)}
	mean := o.Colour == "" || o.Colour == ColourMean
	var values []float64
	for _, p := range panels {
		g, cells := buildGrid(p.Runs), summaryCells(p.Summary)
		kind := heatKindFor(p.Summary, ColourMean)
		l, h := accRange(g, p.Summary.accScale())
		if mean && o.Clip {
			l, h = clipRange(g, cells, kind)
		}
		sc.lo, sc.hi = math.Min(sc.lo, l), math.Max(sc.hi, h)
		values = append(values, cellValues(g, cells, kind)...)
	}
	if mean && !o.Range.IsZero() {
		sc.lo, sc.hi = o.Range.Lo, o.Range.Hi
	}
	sc.under, sc.over = outside(values, sc.lo, sc.hi)
	return sc
}

// panelsLegend is the one legend of the panels: each rule drawn in some
// panel, in general terms (each panel has its own fit), and every kind of
// cell and marker some panel shows, in its widest wording.
func panelsLegend(panels []Panel, cmap *viridis, o HeatmapOptions) legendColumns {
	var l legendColumns
	general := map[string]string{
		RuleLSSR:     "LSSR ρ_b/η=C, measured ρ (each panel's own fit)",
		RuleLSSRFree: "LSSR ρ_b/η=C, fitted ρ (2 params)",
		RuleLSR:      "LSR b/η=C",
		RuleSRSR:     "SRSR √b/η=C",
	}
	for _, rule := range []string{RuleLSSR, RuleLSSRFree, RuleLSR, RuleSRSR} {
		for _, p := range panels {
			if f, ok := p.Summary.FitFor(rule); ok && f.OK() {
				l.left = append(l.left, legendEntry{thumb: lineThumb(ruleStyle(rule)), text: general[rule]})
				break
			}
		}
	}
	for _, p := range panels {
		if _, ok := edgeFit(p.Summary); ok {
			l.left = append(l.left, legendEntry{thumb: lineThumb(edgeFitStyle), text: "the edge's best rule, fitted to the stability edge"})
			break
		}
	}
	at := map[string]int{}
	for _, p := range panels {
		kind := heatKindFor(p.Summary, ColourMean)
		for _, e := range legendEntriesOn(p.Summary, buildGrid(p.Runs), kind, cmap, o.Values).right {
			i, seen := at[e.key]
			switch {
			case e.key == "values":
			case !seen:
				at[e.key] = len(l.right)
				l.right = append(l.right, e)
			case len(e.text) > len(l.right[i].text):
				l.right[i] = e
			}
		}
	}
	if o.Values {
		l.right = append(l.right, legendEntry{text: panelsValuesLegend(panels), key: "values"})
	}
	return l
}

// panelsValuesLegend says what --values prints in the panels' cells: the
// mean accuracy, and over how many seeds in each sweep (each panel prints n
// under the numbers where its cells' counts differ).
func panelsValuesLegend(panels []Panel) string {
	var per []string
	for _, p := range panels {
		kind := heatKindFor(p.Summary, ColourMean)
		n, same := seedCount(p.Summary, buildGrid(p.Runs), kind)
		if same {
			per = append(per, fmt.Sprintf("%s: %d each", p.Summary.Meta.Sweep, n))
		} else {
			per = append(per, p.Summary.Meta.Sweep+": n under each number")
		}
	}
	return "numbers: mean test accuracy (%) over the done seeds (" + strings.Join(per, ", ") + ")"
}

func renderPanels(w io.Writer, panels []Panel, o HeatmapOptions) error {
	cols := min(len(panels), panelColumns)
	rows := (len(panels) + cols - 1) / cols
	width := vg.Length(cols*panelWidthPx+140) * vg.Inch / heatmapDPI
	sc := panelScale(panels, o)
	cmap := newViridis(sc.lo, sc.hi)
	legend := panelsLegend(panels, cmap, o)
	legendH := legendHeight(width-2*margin, legend)
	legendPx := int(math.Ceil(float64((legendH + 8) / vg.Inch * heatmapDPI)))
	height := vg.Length(rows*panelHeightPx+60+legendPx) * vg.Inch / heatmapDPI
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(heatmapDPI))
	dc := draw.New(img)
	page := draw.Crop(dc, margin, -margin, margin, -margin)

	head := "test accuracy of " + fmt.Sprint(len(panels)) + " sweeps on one colour scale"
	hsty, head := fitLine(textStyle(13, draw.XCenter, draw.YTop), head, page.Max.X-page.Min.X)
	page.FillText(hsty, vg.Point{X: page.Center().X, Y: page.Max.Y}, head)
	drawLegend(draw.Crop(page, 0, 0, 0, -(page.Max.Y-page.Min.Y-legendH)), legend)
	area := page
	area.Min.Y += legendH + 8
	area.Max.Y -= hsty.Height("X") + 12
	area.Max.X -= colorBarArea + colorBarGap

	cellW := (area.Max.X - area.Min.X) / vg.Length(cols)
	cellH := (area.Max.Y - area.Min.Y) / vg.Length(rows)
	var data draw.Canvas
	for i, p := range panels {
		r, c := i/cols, i%cols
		box := draw.Canvas{Canvas: dc, Rectangle: vg.Rectangle{
			Min: vg.Point{X: area.Min.X + vg.Length(c)*cellW, Y: area.Max.Y - vg.Length(r+1)*cellH},
			Max: vg.Point{X: area.Min.X + vg.Length(c+1)*cellW, Y: area.Max.Y - vg.Length(r)*cellH},
		}}
		box = draw.Crop(box, 6, -6, 0, 0)
		m := p.Summary.Meta
		if p.Label != "" {
			m.Sweep = p.Label
		}
		tsty, name := fitLine(textStyle(11, draw.XCenter, draw.YTop), title(m), box.Max.X-box.Min.X)
		box.FillText(tsty, vg.Point{X: box.Center().X, Y: box.Max.Y}, name)
		box.Max.Y -= tsty.Height("X") + 4
		csty, cost := fitLine(textStyle(10, draw.XCenter, draw.YTop), panelCost(p.Runs), box.Max.X-box.Min.X)
		box.FillText(csty, vg.Point{X: box.Center().X, Y: box.Max.Y}, cost)
		box.Max.Y -= csty.Height("X") + 6
		g := buildGrid(p.Runs)
		if len(g.bs) == 0 {
			box.FillText(textStyle(12, draw.XCenter, draw.YCenter), box.Center(), "no runs")
			continue
		}
		pl := heatmapPlot(p.Summary, g, cmap, heatKindFor(p.Summary, ColourMean), o.Values)
		drawPlot(pl, box)
		if i == 0 {
			data = pl.DataCanvas(box)
		}
	}
	bar := draw.Canvas{Canvas: dc, Rectangle: vg.Rectangle{
		Min: vg.Point{X: area.Max.X + colorBarGap, Y: data.Min.Y},
		Max: vg.Point{X: area.Max.X + colorBarGap + colorBarW, Y: data.Max.Y},
	}}
	if data.Max.Y > data.Min.Y {
		drawColorBar(bar, sc, heatKindFor(panels[0].Summary, ColourMean))
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// panelCost is a panel's second line: the runs that ran against the jobs
// of the sweep, and the core-seconds they took (each run trains on one
// core), "138 of 459 runs · 2,310 core-seconds".
func panelCost(runs []Run) string {
	var ran int
	var secs float64
	for _, r := range runs {
		if r.State.Ran() {
			ran++
			secs += r.Seconds
		}
	}
	return fmt.Sprintf("%d of %d runs · %s core-seconds", ran, len(runs), groupThousands(int64(math.Round(secs))))
}

// groupThousands writes n with commas between groups of three digits.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
