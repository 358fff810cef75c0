package report

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ErrNoCurves is RenderJobCurves' error for a run with nothing to draw: no
// epoch and no measurement stored yet.
var ErrNoCurves = errors.New("no curves yet: the job has stored no epoch")

// JobCurvesOptions says how RenderJobCurves draws.
type JobCurvesOptions struct {
	// Format is FormatPNG (also for "") or FormatSVG.
	Format string
	// Title heads the figure; "" gives "Learning curves — b=…, η=…, seed …".
	Title string
}

// JobLine is one line of a panel: its points in the panel's natural units
// (a loss, a percentage, a ratio), X the epoch.
type JobLine struct {
	Name string
	X, Y []float64

	style draw.LineStyle
}

// JobPanel is one panel of a job's learning curves. On a Log panel the
// values are drawn on a log10 axis labelled in the values' own units.
type JobPanel struct {
	Title, YLabel string
	Log           bool
	Lines         []JobLine // only lines with a point
}

// JobCurvesFigure is what RenderJobCurves draws for one run: its panels,
// those without data left out, in the order training and test loss;
// training and test accuracy; ρ and ρ_b; IAS_b against 2ρ_b/η.
type JobCurvesFigure struct {
	Panels []JobPanel
	// FirstEpoch and LastEpoch span the points of every panel: the epoch
	// axis the panels share, so they line up.
	FirstEpoch, LastEpoch float64
	// Notes says what is missing and how to get it, one line each.
	Notes []string
}

// Line styles of the job's curves (Okabe–Ito).
var (
	jobTrainStyle = draw.LineStyle{Color: okabeBlue, Width: vg.Points(2)}
	jobTestStyle  = draw.LineStyle{Color: okabeVermillion, Width: vg.Points(2)}
	jobRhoBStyle  = draw.LineStyle{Color: okabeBluishGrn, Width: vg.Points(2)}
	jobRefStyle   = draw.LineStyle{Color: colReferenceRef, Width: vg.Points(1.6), Dashes: []vg.Length{vg.Points(6), vg.Points(3)}}
)

// JobCurves gathers r's curves: per epoch of its series the training loss
// and accuracy and, at the epochs the test set was evaluated, the test loss
// and accuracy; per measurement ρ and ρ_b and, where curvature was
// measured, IAS_b and 2ρ_b/η. Values a panel cannot show (not finite; not
// positive on a log panel) are left out; accuracies are in percent.
func JobCurves(r Run) JobCurvesFigure {
	var trainLoss, testLoss, trainAcc, testAcc, rho, rhoB, ias, iasRef JobLine
	evaluated, curvature := false, false
	for _, e := range r.Series {
		x := float64(e.Epoch)
		trainLoss.add(x, e.TrainLoss, true)
		trainAcc.add(x, percent(e.TrainAcc), false)
		if e.Evaluated {
			evaluated = true
			testLoss.add(x, e.TestLoss, true)
			testAcc.add(x, percent(e.TestAcc), false)
		}
	}
	for _, m := range r.Measurements {
		x := float64(m.Epoch)
		rho.add(x, m.Rho, true)
		rhoB.add(x, m.RhoB, true)
		if c := m.Curvature; c != nil {
			curvature = true
			ias.add(x, c.IASB, true)
			iasRef.add(x, 2*m.RhoB/r.LR, true)
		}
	}
	named := func(l JobLine, name string, sty draw.LineStyle) JobLine {
		l.Name, l.style = name, sty
		return l
	}
	var f JobCurvesFigure
	f.add(JobPanel{Title: "loss", YLabel: "loss (log scale)", Log: true}, named(trainLoss, "training (mean minibatch loss of the epoch)", jobTrainStyle), named(testLoss, "test", jobTestStyle))
	f.add(JobPanel{Title: "accuracy", YLabel: "accuracy (%)"}, named(trainAcc, "training (minibatch, over the epoch)", jobTrainStyle), named(testAcc, "test", jobTestStyle))
	f.add(JobPanel{Title: "ρ and ρ_b (eq. 17)", YLabel: "ratio (log scale)", Log: true}, named(rho, "ρ", jobTrainStyle), named(rhoB, "ρ_b at the job's b", jobRhoBStyle))
	f.add(JobPanel{Title: "IAS_b against 2ρ_b/η", YLabel: "1/η units (log scale)", Log: true}, named(ias, "IAS_b", jobTestStyle), named(iasRef, "2ρ_b/η", jobRefStyle))
	f.FirstEpoch, f.LastEpoch = math.Inf(1), math.Inf(-1)
	for _, p := range f.Panels {
		for _, l := range p.Lines {
			for _, x := range l.X {
				f.FirstEpoch, f.LastEpoch = math.Min(f.FirstEpoch, x), math.Max(f.LastEpoch, x)
			}
		}
	}
	if len(r.Series) > 0 && !evaluated {
		f.Notes = append(f.Notes, "no test pass during training: training.eval_every draws the test curves")
	}
	if len(r.Measurements) > 0 && !curvature {
		f.Notes = append(f.Notes, "no curvature measured: training.curvature_every draws IAS_b")
	}
	return f
}

// percent is an accuracy as a percentage; values above 1 already are.
func percent(v float64) float64 {
	if v > 1 {
		return v
	}
	return 100 * v
}

// add appends (x, y) when a panel can draw it: y finite and, on a log
// panel, positive.
func (l *JobLine) add(x, y float64, log bool) {
	if !isFinite(y) || log && !(y > 0) {
		return
	}
	l.X, l.Y = append(l.X, x), append(l.Y, y)
}

// add appends the panel with the lines that have a point, if any has.
func (f *JobCurvesFigure) add(p JobPanel, lines ...JobLine) {
	for _, l := range lines {
		if len(l.X) > 0 {
			p.Lines = append(p.Lines, l)
		}
	}
	if len(p.Lines) > 0 {
		f.Panels = append(f.Panels, p)
	}
}

// RenderJobCurves draws r's learning curves (JobCurves) into w as PNG or
// SVG, in the report's style: up to four panels two to a row, each with its
// legend below its axes. A run without a curve is ErrNoCurves, an unknown
// format an error, and nothing is written.
func RenderJobCurves(w io.Writer, r Run, o JobCurvesOptions) error {
	switch o.Format {
	case "":
		o.Format = FormatPNG
	case FormatPNG, FormatSVG:
	default:
		return fmt.Errorf("report: curves format %q: want %s or %s", o.Format, FormatPNG, FormatSVG)
	}
	f := JobCurves(r)
	if len(f.Panels) == 0 {
		return ErrNoCurves
	}
	if o.Title == "" {
		o.Title = fmt.Sprintf("Learning curves — b=%d, η=%s, seed %d", r.B, fmtG(r.LR), r.Seed)
	}
	l := layoutJobCurves(f, o.Title)
	c, dc := newSizedPage(o.Format, l.width, l.height)
	for _, t := range l.texts {
		dc.FillText(t.sty, t.at, t.text)
	}
	for i, pl := range l.panels {
		drawPlot(jobPanelPlot(f.Panels[i], f.FirstEpoch, f.LastEpoch), draw.Canvas{Canvas: dc, Rectangle: pl.plot})
		for _, it := range pl.legend {
			it.thumb(&dc, it.thumbBox)
			for _, t := range it.lines {
				dc.FillText(t.sty, t.at, t.text)
			}
		}
	}
	_, err := c.WriteTo(w)
	return err
}

// newSizedPage is an empty page of width × height points with a white
// background, in format, at the heatmap's resolution.
func newSizedPage(format string, width, height vg.Length) (vg.CanvasWriterTo, draw.Canvas) {
	var c vg.CanvasWriterTo
	if format == FormatSVG {
		c = vgsvg.NewWith(vgsvg.UseWH(width, height), vgsvg.EmbedFonts(true))
	} else {
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(heatmapDPI))}
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	return c, dc
}

// jobPanelPlot is the plot of one panel over the epochs [xLo, xHi]: its
// lines with a marker at each point (a single epoch shows), on a log10
// axis for a Log panel with ticks labelled in the values' units.
func jobPanelPlot(p JobPanel, xLo, xHi float64) *plot.Plot {
	pl := newLinePlot("epoch", p.YLabel)
	yLo, yHi := math.Inf(1), math.Inf(-1)
	ys := panelYs(p)
	for i := range p.Lines {
		for _, y := range ys[i] {
			yLo, yHi = math.Min(yLo, y), math.Max(yHi, y)
		}
	}
	if !(xHi > xLo) {
		xLo, xHi = xLo-0.5, xHi+0.5
	}
	minSpan := 2.0 // percentage points
	if p.Log {
		minSpan = 0.3 // decades
	}
	if yHi-yLo < minSpan {
		mid := (yLo + yHi) / 2
		yLo, yHi = mid-minSpan/2, mid+minSpan/2
	}
	pad := 0.06 * (yHi - yLo)
	pl.X.Min, pl.X.Max = xLo, xHi
	pl.X.Tick.Marker = plot.ConstantTicks(epochTicks(xLo, xHi))
	pl.Y.Min, pl.Y.Max = yLo-pad, yHi+pad
	if p.Log {
		pl.Y.Tick.Marker = plot.ConstantTicks(naturalLogTicks(pl.Y.Min, pl.Y.Max))
	} else {
		pl.Y.Tick.Marker = plot.ConstantTicks(linearTicks(pl.Y.Min, pl.Y.Max))
	}
	for i, l := range p.Lines {
		m := marker{shape: draw.CircleGlyph{}, fill: l.style.Color, radius: vg.Points(2.2)}
		pl.Add(&linePlotter{xs: l.X, ys: ys[i], style: l.style}, &markerPlotter{xs: l.X, ys: ys[i], marker: m})
	}
	return pl
}

// panelYs are the y coordinates jobPanelPlot draws each line's points at:
// the values, their log10 on a Log panel.
func panelYs(p JobPanel) [][]float64 {
	ys := make([][]float64, len(p.Lines))
	for i, l := range p.Lines {
		ys[i] = make([]float64, len(l.Y))
		for j, y := range l.Y {
			if p.Log {
				y = math.Log10(y)
			}
			ys[i][j] = y
		}
	}
	return ys
}

// naturalLogTicks are lossBarTicks' ticks of a log10 axis (decades, 2 and
// 5 × each within two decades, every digit within one, the ends when fewer
// than two fall inside), labelled as plain numbers in the values' units:
// "0.002", "30", "1000".
func naturalLogTicks(lo, hi float64) []plot.Tick {
	ts := lossBarTicks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = plainNumber(math.Pow(10, ts[i].Value))
		}
	}
	return ts
}

// plainNumber writes v with two significant digits without an exponent
// between 1e-6 and 1e7, with one beyond.
func plainNumber(v float64) string {
	if v == 0 || math.Abs(v) < 1e-6 || math.Abs(v) >= 1e7 {
		return strconv.FormatFloat(v, 'g', 2, 64)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 2, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}
