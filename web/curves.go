package web

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// errNoCurves is returned when a job has no epoch or measurement to draw.
var errNoCurves = errors.New("no curves yet: the job has stored no epoch")

// Line colours of the curves (Okabe–Ito, as the report's figures).
var (
	colTrain = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	colTest  = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	colRhoB  = color.NRGBA{0x00, 0x9e, 0x73, 0xff}
	colRef   = color.NRGBA{0x60, 0x60, 0x60, 0xff}
)

// curvePanels builds the job's panels: loss and accuracy per epoch (train,
// and test where evaluated), ρ and ρ_b per measurement, and IAS_b against
// 2ρ_b/η where curvature was measured. Panels without data are left out.
func curvePanels(job lssr.Job, s store.Series) ([]*plot.Plot, error) {
	var trainLoss, trainAcc, testLoss, testAcc plotter.XYs
	for _, e := range s.Epochs {
		x := float64(e.Epoch)
		trainLoss = appendFinite(trainLoss, x, e.TrainLoss)
		trainAcc = appendFinite(trainAcc, x, e.TrainAcc)
		if e.Evaluated {
			testLoss = appendFinite(testLoss, x, e.TestLoss)
			testAcc = appendFinite(testAcc, x, e.TestAcc)
		}
	}
	var rho, rhoB, ias, iasRef plotter.XYs
	for _, m := range s.Measurements {
		x := float64(m.Epoch)
		rho = appendPositive(rho, x, m.Rho)
		rhoB = appendPositive(rhoB, x, m.RhoB)
		if c := m.Curvature; c != nil {
			ias = appendPositive(ias, x, c.IASB)
			iasRef = appendPositive(iasRef, x, 2*m.RhoB/job.LR)
		}
	}
	var panels []*plot.Plot
	add := func(title, y string, log, legendTop bool, lines ...namedLine) error {
		p, err := linePanel(title, y, log, legendTop, lines)
		if p != nil {
			panels = append(panels, p)
		}
		return err
	}
	if err := errors.Join(
		add("loss", "loss", false, true, namedLine{"train (minibatch mean)", trainLoss, colTrain, false}, namedLine{"test", testLoss, colTest, false}),
		add("accuracy", "accuracy", false, false, namedLine{"train (minibatch)", trainAcc, colTrain, false}, namedLine{"test", testAcc, colTest, false}),
		add("ρ and ρ_b (eq. 17)", "ratio", true, true, namedLine{"ρ", rho, colTrain, false}, namedLine{"ρ_b", rhoB, colRhoB, false}),
		add("IAS_b against 2ρ_b/η", "1/η units", true, true, namedLine{"IAS_b", ias, colTest, false}, namedLine{"2ρ_b/η", iasRef, colRef, true}),
	); err != nil {
		return nil, err
	}
	if len(panels) == 0 {
		return nil, errNoCurves
	}
	return panels, nil
}

type namedLine struct {
	name   string
	xys    plotter.XYs
	colour color.Color
	dashed bool
}

// linePanel is one panel of lines over epochs; nil when no line has a point.
// The legend goes top right, or bottom right for rising curves.
func linePanel(title, y string, log, legendTop bool, lines []namedLine) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = y
	if log {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	p.Add(plotter.NewGrid())
	p.Legend.Top = legendTop
	drawn := 0
	for _, l := range lines {
		if len(l.xys) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(l.xys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.name, err)
		}
		line.Color, points.Color = l.colour, l.colour
		line.Width = vg.Points(1.5)
		points.Radius = vg.Points(2)
		if l.dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(line, points)
		p.Legend.Add(l.name, line, points)
		drawn++
	}
	if drawn == 0 {
		return nil, nil
	}
	return p, nil
}

func appendFinite(xys plotter.XYs, x, y float64) plotter.XYs {
	if math.IsNaN(y) || math.IsInf(y, 0) {
		return xys
	}
	return append(xys, plotter.XY{X: x, Y: y})
}

// appendPositive keeps the points a log axis can show.
func appendPositive(xys plotter.XYs, x, y float64) plotter.XYs {
	if !(y > 0) || math.IsInf(y, 0) {
		return xys
	}
	return append(xys, plotter.XY{X: x, Y: y})
}

// Size of one curve panel.
const (
	panelW = 6 * vg.Inch
	panelH = 3 * vg.Inch
	dpi    = 96
)

// renderCurves draws the panels one below the other as PNG or SVG.
func renderCurves(w io.Writer, panels []*plot.Plot, svg bool) error {
	height := panelH * vg.Length(len(panels))
	var c vg.CanvasWriterTo
	var canvas vg.CanvasSizer
	if svg {
		sc := vgsvg.New(panelW, height)
		c, canvas = sc, sc
	} else {
		img := vgimg.NewWith(vgimg.UseWH(panelW, height), vgimg.UseDPI(dpi))
		c, canvas = vgimg.PngCanvas{Canvas: img}, img
	}
	dc := draw.New(canvas)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: len(panels), Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	grid := make([][]*plot.Plot, len(panels))
	for i, p := range panels {
		grid[i] = []*plot.Plot{p}
	}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range panels {
		p.Draw(canvases[i][0])
	}
	_, err := c.WriteTo(w)
	return err
}

// logTicks labels the powers of ten of a log axis, or, on an axis within
// one decade, where there would be one label at most, the ordinary ticks.
type logTicks struct{}

// Ticks returns the ticks of [lo, hi].
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	labelled := 0
	for _, t := range ticks {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled >= 2 {
		return ticks
	}
	return plot.DefaultTicks{}.Ticks(lo, hi)
}
