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
// carries its own ridge and rule curves as in its heatmap. It writes the PNG
// atomically to path.
func WritePanels(path string, panels []Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("report: no sweeps to draw")
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return renderPanels(w, panels) })
}

// panelScale is the colour scale shared by the panels: the range of every
// panel's cell means, each on its report's scale (percent).
func panelScale(panels []Panel) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range panels {
		l, h := accRange(buildGrid(p.Runs), p.Summary.accScale())
		lo, hi = math.Min(lo, l), math.Max(hi, h)
	}
	return lo, hi
}

func renderPanels(w io.Writer, panels []Panel) error {
	cols := min(len(panels), panelColumns)
	rows := (len(panels) + cols - 1) / cols
	width := vg.Length(cols*panelWidthPx+140) * vg.Inch / heatmapDPI
	height := vg.Length(rows*panelHeightPx+60) * vg.Inch / heatmapDPI
	img := vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(heatmapDPI))
	dc := draw.New(img)
	page := draw.Crop(dc, margin, -margin, margin, -margin)

	head := "test accuracy of " + fmt.Sprint(len(panels)) + " sweeps on one colour scale · white dots: best η per b (mean over seeds; hollow: at the grid's edge, not fitted)"
	hsty := shrinkToFit(textStyle(13, draw.XCenter, draw.YTop), head, page.Max.X-page.Min.X)
	page.FillText(hsty, vg.Point{X: page.Center().X, Y: page.Max.Y}, head)
	area := page
	area.Max.Y -= hsty.Height("X") + 12
	area.Max.X -= colorBarArea + colorBarGap

	lo, hi := panelScale(panels)
	cmap := newViridis(lo, hi)
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
		name := title(m)
		tsty := shrinkToFit(textStyle(11, draw.XCenter, draw.YTop), name, box.Max.X-box.Min.X)
		box.FillText(tsty, vg.Point{X: box.Center().X, Y: box.Max.Y}, name)
		box.Max.Y -= tsty.Height("X") + 4
		cost := panelCost(p.Runs)
		csty := shrinkToFit(textStyle(10, draw.XCenter, draw.YTop), cost, box.Max.X-box.Min.X)
		box.FillText(csty, vg.Point{X: box.Center().X, Y: box.Max.Y}, cost)
		box.Max.Y -= csty.Height("X") + 6
		g := buildGrid(p.Runs)
		if len(g.bs) == 0 {
			box.FillText(textStyle(12, draw.XCenter, draw.YCenter), box.Center(), "no runs")
			continue
		}
		pl := heatmapPlot(p.Summary, g, cmap, heatKindFor(p.Summary, ColourMean))
		pl.Draw(box)
		if i == 0 {
			data = pl.DataCanvas(box)
		}
	}
	bar := draw.Canvas{Canvas: dc, Rectangle: vg.Rectangle{
		Min: vg.Point{X: area.Max.X + colorBarGap, Y: data.Min.Y},
		Max: vg.Point{X: area.Max.X + colorBarGap + colorBarW, Y: data.Max.Y},
	}}
	if data.Max.Y > data.Min.Y {
		drawColorBar(bar, cmap, "mean test accuracy (%)")
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
