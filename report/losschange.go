package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/lssr/lssr"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LossChangeFile is the loss change against the instability ratio (the
// paper's Figure 1, top).
const LossChangeFile = "loss-change.png"

// The loss-change figure shows x in [lossChangeMinX, lossChangeMaxX]; points
// beyond are counted, not drawn, so that a diverging run does not squash the
// rest against the edge.
const (
	lossChangeMinX = -1
	lossChangeMaxX = 4
)

// LossChangePoint is one curvature measurement in the figure's units.
type LossChangePoint struct {
	JobID string
	B     int
	LR    float64
	Step  int64
	// X is the instability ratio over its threshold: 1 is the edge.
	X float64
	// Y is the measured loss change of one SGD step over η·tr(S_n), YSE its
	// standard error in the same units.
	Y, YSE float64
	// Gamma is Threshold·η/2: 1 for plain SGD, γ(β1, β2) with momentum.
	// Eq. 7 predicts Y = Gamma·X − 1.
	Gamma float64
}

// LossChangeFigure is what the loss-change figure draws.
type LossChangeFigure struct {
	Points     []LossChangePoint // ascending b, then job and step
	Runs       int               // runs the points came from
	BatchSizes []int             // ascending
	Gammas     []float64         // distinct Gamma values, ascending
	Outside    int               // points with X outside the drawn range
	Path       string
}

// LossChangeXY puts a curvature measurement of a run at learning rate lr in
// the figure's units: x = Ratio/Threshold and y = LossChange/(η·tr(S_n)),
// with tr(S_n) = ‖∇L‖² on the Hessian subset (GradSqNorm), where the loss
// change was measured. Dividing eq. 7,
// (η²/2)·tr(S_n)·(Ratio − 2/η), by η·tr(S_n) gives (η/2)·Ratio − 1, which
// is x − 1 for plain SGD: every job's prediction is one line through (1, 0)
// with slope 1. ok is false when the loss change was not measured or a
// denominator is not positive.
func LossChangeXY(c *lssr.Curvature, lr float64) (x, y, yse float64, ok bool) {
	if c == nil || (c.LossChange == 0 && c.LossChangeSE == 0 && c.LossChangeEq7 == 0) {
		return 0, 0, 0, false
	}
	if !(c.Threshold > 0) || !(c.GradSqNorm > 0) || !(lr > 0) {
		return 0, 0, 0, false
	}
	scale := lr * c.GradSqNorm
	x, y, yse = c.Ratio/c.Threshold, c.LossChange/scale, c.LossChangeSE/scale
	if !isFinite(x) || !isFinite(y) || !isFinite(scale) {
		return 0, 0, 0, false
	}
	return x, y, yse, true
}

// analyzeLossChange gathers every curvature measurement with a loss change,
// or returns nil when there is none.
func analyzeLossChange(runs []Run) *LossChangeFigure {
	f := &LossChangeFigure{}
	for _, r := range runs {
		n := len(f.Points)
		for _, m := range curvatureSeries(r) {
			x, y, yse, ok := LossChangeXY(m.Curvature, r.LR)
			if !ok {
				continue
			}
			gamma := m.Curvature.Threshold * r.LR / 2
			f.Points = append(f.Points, LossChangePoint{JobID: r.JobID, B: r.B, LR: r.LR, Step: m.Step,
				X: x, Y: y, YSE: yse, Gamma: gamma})
			if x < lossChangeMinX || x > lossChangeMaxX {
				f.Outside++
			}
			if !slices.Contains(f.BatchSizes, r.B) {
				f.BatchSizes = append(f.BatchSizes, r.B)
			}
			if !slices.ContainsFunc(f.Gammas, func(g float64) bool { return math.Abs(g-gamma) < 1e-6 }) {
				f.Gammas = append(f.Gammas, gamma)
			}
		}
		if len(f.Points) > n {
			f.Runs++
		}
	}
	if len(f.Points) == 0 {
		return nil
	}
	slices.Sort(f.BatchSizes)
	slices.Sort(f.Gammas)
	slices.SortStableFunc(f.Points, func(a, b LossChangePoint) int { return a.B - b.B })
	return f
}

// batchColour is the colour of the i-th of k batch sizes: viridis, short of
// its palest yellow, which does not read on white.
func batchColour(i, k int) color.NRGBA {
	if k <= 1 {
		return viridisAt(0.35)
	}
	return viridisAt(0.88 * float64(i) / float64(k-1))
}

var (
	eq7Style     = draw.LineStyle{Color: okabeVermillion, Width: vg.Points(2.5)}
	edgeStyle    = draw.LineStyle{Color: colHalo, Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(6), vg.Points(4)}}
	zeroStyle    = draw.LineStyle{Color: color.Gray{0x90}, Width: vg.Points(1)}
	lossSEStyle  = draw.LineStyle{Color: color.Gray{0x70}, Width: vg.Points(0.8)}
	lossPointRad = vg.Points(3.5)
)

// renderLossChange draws the normalised loss change against the ratio.
func renderLossChange(w io.Writer, s *Summary, f *LossChangeFigure) error {
	p := newLinePlot("instability ratio over its edge: tr(HS_b)/tr(S_n) ÷ (2/η)   (1 = the edge)",
		"one SGD step's loss change ÷ (η·tr(S_n))")
	// The edge stays in view; 0 only when the data reaches it.
	xLo, xHi := 0.95, 1.05
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, pt := range f.Points {
		if pt.X < lossChangeMinX || pt.X > lossChangeMaxX {
			continue
		}
		xLo, xHi = math.Min(xLo, pt.X), math.Max(xHi, pt.X)
		yLo, yHi = math.Min(yLo, pt.Y-pt.YSE), math.Max(yHi, pt.Y+pt.YSE)
	}
	for _, g := range f.Gammas { // keep eq. 7's line in view over the x range
		yLo, yHi = math.Min(yLo, math.Min(g*xLo-1, g*xHi-1)), math.Max(yHi, math.Max(g*xLo-1, g*xHi-1))
	}
	xPad, yPad := 0.04*(xHi-xLo), 0.06*(yHi-yLo)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xLo-xPad, xHi+xPad, yLo-yPad, yHi+yPad
	p.X.Tick.Marker = plot.ConstantTicks(linearTicks(p.X.Min, p.X.Max))
	p.Y.Tick.Marker = plot.ConstantTicks(linearTicks(p.Y.Min, p.Y.Max))

	p.Add(&linePlotter{xs: []float64{p.X.Min, p.X.Max}, ys: []float64{0, 0}, style: zeroStyle},
		&linePlotter{xs: []float64{1, 1}, ys: []float64{p.Y.Min, p.Y.Max}, style: edgeStyle})
	var bx, blo, bhi []float64
	for _, pt := range f.Points {
		if pt.YSE > 0 {
			bx, blo, bhi = append(bx, pt.X), append(blo, pt.Y-pt.YSE), append(bhi, pt.Y+pt.YSE)
		}
	}
	p.Add(&barPlotter{xs: bx, lo: blo, hi: bhi, style: lossSEStyle})
	var key []legendEntry
	for i, b := range f.BatchSizes {
		m := marker{shape: draw.CircleGlyph{}, fill: batchColour(i, len(f.BatchSizes)), radius: lossPointRad}
		var xs, ys []float64
		for _, pt := range f.Points {
			if pt.B == b {
				xs, ys = append(xs, pt.X), append(ys, pt.Y)
			}
		}
		p.Add(&markerPlotter{xs: xs, ys: ys, marker: m})
		key = append(key, legendEntry{thumb: plainLineThumb(draw.LineStyle{}, &m), text: strconv.Itoa(b)})
	}
	var legend legendColumns
	for _, g := range f.Gammas {
		p.Add(&linePlotter{xs: []float64{p.X.Min, p.X.Max}, ys: []float64{g*p.X.Min - 1, g*p.X.Max - 1}, style: eq7Style})
		text := "eq. 7, quadratic model: y = x − 1"
		if math.Abs(g-1) > 1e-6 {
			text = fmt.Sprintf("eq. 7 for a plain SGD step, γ = %.3g: y = γx − 1", g)
		}
		legend.left = append(legend.left, legendEntry{thumb: plainLineThumb(eq7Style, nil), text: text})
	}
	legend.left = append(legend.left, legendEntry{thumb: plainLineThumb(edgeStyle, nil), text: "x = 1: the stability edge (eq. 11)"})
	legend.right = append(legend.right,
		legendEntry{thumb: markerBarThumb(marker{shape: draw.CircleGlyph{}, fill: batchColour(0, 2), radius: lossPointRad}, lossSEStyle, false),
			text: "mean over sampled batches of L(θ−ηg_ξ) − L(θ) (bar: ±SE)"},
		legendEntry{text: "tr(S_n): squared norm of the full gradient on the Hessian subset"})
	if f.Outside > 0 {
		legend.right = append(legend.right, legendEntry{text: fmt.Sprintf("%d point(s) with x outside [%d, %d] not drawn", f.Outside, lossChangeMinX, lossChangeMaxX)})
	}
	fig := figure{
		title:    "Loss change against the instability ratio — " + title(s.Meta),
		subtitle: fmt.Sprintf("every curvature measurement of the sweep: %d from %d runs · colour: batch size · Lee & Jang, Fig. 1", len(f.Points), f.Runs),
		plot:     p,
		legend:   legend,
		key:      key,
		keyTitle: "batch size b",
	}
	return fig.render(w)
}

// linearTicks labels about six round values in [lo, hi].
func linearTicks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range niceTicks(lo, hi, 7) {
		if v == 0 {
			v = 0 // not "-0"
		}
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
	}
	return ts
}
