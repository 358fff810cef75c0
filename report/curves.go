package report

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lssr/lssr"
)

// CurvesFile is the training curves of each batch size's best cell: the
// training loss and the test accuracy over epochs.
const CurvesFile = "curves.png"

// CurvePoint is a mean over a cell's seeds at one epoch.
type CurvePoint struct {
	Epoch int
	Mean  float64
	N     int // seeds with a value at this epoch
}

// CurveLine is one batch size's best cell over epochs. The best cell is the
// argmax ridge's (Summary.Ridge): the η of the highest mean test accuracy,
// the cell the parabola ridge (FitEstimator) refines.
type CurveLine struct {
	B  int
	LR float64
	// Seeds counts the cell's done seeds with a series: the ones averaged.
	Seeds int
	// Loss is, per epoch, the mean over those seeds of the mean minibatch
	// training loss of the epoch (lssr.EpochStats.TrainLoss).
	Loss []CurvePoint
	// Acc is, per epoch at which some seed's test accuracy is known, its
	// mean over the seeds that know it, in the report's units (percent
	// when Summary.AccPercent). A seed knows it at the epochs its series
	// evaluated (training.eval_every) and at its last epoch, from its final
	// test pass, when its series did not evaluate there.
	Acc []CurvePoint

	runs []Run // the seeds averaged, in run order, for the thin lines
}

// CurvesFigure is what curves.png draws.
type CurvesFigure struct {
	// Lines holds the batch sizes whose best cell has a done seed with a
	// series, ascending.
	Lines []CurveLine
	// Evaluated is set when some seed's series holds a test evaluation, so
	// the accuracy panel has curves; otherwise it has one point per batch
	// size, the final test accuracy at the last epoch.
	Evaluated bool
	Path      string
}

// analyzeCurves gathers the series of each batch size's best cell, or
// returns nil when none of those cells has a done seed with a series.
func analyzeCurves(s *Summary, runs []Run) *CurvesFigure {
	f := &CurvesFigure{}
	for _, pt := range s.Ridge {
		line := CurveLine{B: pt.B, LR: pt.LR}
		for _, r := range runs {
			if r.B == pt.B && r.LR == pt.LR && r.State == lssr.StateDone && isFinite(r.TestAcc) && len(r.Series) > 0 {
				line.runs = append(line.runs, r)
			}
		}
		if len(line.runs) == 0 {
			continue
		}
		line.Seeds = len(line.runs)
		line.Loss = meanByEpoch(line.runs, lossByEpoch)
		line.Acc = meanByEpoch(line.runs, func(r Run) map[int]float64 { return accByEpoch(r, s.accScale()) })
		for _, r := range line.runs {
			f.Evaluated = f.Evaluated || slices.ContainsFunc(r.Series, func(e lssr.EpochStats) bool { return e.Evaluated })
		}
		f.Lines = append(f.Lines, line)
	}
	if len(f.Lines) == 0 {
		return nil
	}
	return f
}

// lossByEpoch is a run's finite training loss per epoch.
func lossByEpoch(r Run) map[int]float64 {
	m := map[int]float64{}
	for _, e := range r.Series {
		if isFinite(e.TrainLoss) {
			m[e.Epoch] = e.TrainLoss
		}
	}
	return m
}

// accByEpoch is a run's test accuracy per epoch, times scale: its series'
// evaluations and, at its last epoch when the series has none there, its
// final test accuracy.
func accByEpoch(r Run, scale float64) map[int]float64 {
	m := map[int]float64{}
	for _, e := range r.Series {
		if e.Evaluated && isFinite(e.TestAcc) {
			m[e.Epoch] = e.TestAcc * scale
		}
	}
	last := r.Epochs
	if last <= 0 {
		last = r.Series[len(r.Series)-1].Epoch
	}
	if _, ok := m[last]; !ok {
		m[last] = r.TestAcc * scale
	}
	return m
}

// meanByEpoch averages, per epoch, the values the runs have there.
func meanByEpoch(runs []Run, values func(Run) map[int]float64) []CurvePoint {
	sum, n := map[int]float64{}, map[int]int{}
	for _, r := range runs {
		for e, v := range values(r) {
			sum[e] += v
			n[e]++
		}
	}
	var pts []CurvePoint
	for e := range sum {
		pts = append(pts, CurvePoint{Epoch: e, Mean: sum[e] / float64(n[e]), N: n[e]})
	}
	slices.SortFunc(pts, func(a, b CurvePoint) int { return a.Epoch - b.Epoch })
	return pts
}

// curveColours are the Okabe–Ito colours of the batch sizes, yellow left
// out: it does not read on white. More batch sizes than colours take
// viridis instead (batchColour).
var curveColours = []color.NRGBA{okabeBlue, okabeVermillion, okabeBluishGrn, okabeOrange, okabeSkyBlue, okabePurple, colHalo}

func curveColour(i, k int) color.NRGBA {
	if k > len(curveColours) {
		return batchColour(i, k)
	}
	return curveColours[i]
}

// thin is c made translucent, for one seed's line.
func thin(c color.NRGBA) color.NRGBA { c.A = 0x70; return c }

// renderCurves draws the training loss (log scale) and the test accuracy
// of each batch size's best cell against the epoch, side by side.
func renderCurves(w io.Writer, s *Summary, f *CurvesFigure) error {
	loss := newLinePlot("epoch", "training loss (mean minibatch loss of the epoch, log scale)")
	accLabel := "test accuracy (%)"
	if !s.AccPercent {
		accLabel = "test accuracy"
	}
	acc := newLinePlot("epoch", accLabel)

	eLo, eHi := math.Inf(1), math.Inf(-1)
	lLo, lHi := math.Inf(1), math.Inf(-1)
	aLo, aHi := math.Inf(1), math.Inf(-1)
	logLoss := func(v float64) float64 {
		if v > 0 && isFinite(v) {
			return math.Log10(v)
		}
		return math.NaN()
	}
	for _, l := range f.Lines {
		for _, r := range l.runs {
			for _, e := range r.Series {
				eLo, eHi = math.Min(eLo, float64(e.Epoch)), math.Max(eHi, float64(e.Epoch))
				if v := logLoss(e.TrainLoss); isFinite(v) {
					lLo, lHi = math.Min(lLo, v), math.Max(lHi, v)
				}
			}
			for e, v := range accByEpoch(r, s.accScale()) {
				eLo, eHi = math.Min(eLo, float64(e)), math.Max(eHi, float64(e))
				if isFinite(v) {
					aLo, aHi = math.Min(aLo, v), math.Max(aHi, v)
				}
			}
		}
	}
	if !(eHi > eLo) {
		eLo, eHi = eLo-0.5, eHi+0.5
	}
	if !isFinite(lLo) { // no positive loss: an empty decade
		lLo, lHi = 0, 1
	}
	if lHi-lLo < 0.3 {
		mid := (lLo + lHi) / 2
		lLo, lHi = mid-0.15, mid+0.15
	}
	if !isFinite(aLo) {
		aLo, aHi = 0, s.accScale()
	}
	if aHi-aLo < 0.02*s.accScale() {
		mid := (aLo + aHi) / 2
		aLo, aHi = mid-0.01*s.accScale(), mid+0.01*s.accScale()
	}
	lPad, aPad := 0.04*(lHi-lLo), 0.06*(aHi-aLo)
	for _, p := range []*plot.Plot{loss, acc} {
		p.X.Min, p.X.Max = eLo, eHi
		p.X.Tick.Marker = plot.ConstantTicks(epochTicks(eLo, eHi))
	}
	loss.Y.Min, loss.Y.Max = lLo-lPad, lHi+lPad
	loss.Y.Tick.Marker = plot.ConstantTicks(log10Ticks(loss.Y.Min, loss.Y.Max))
	acc.Y.Min, acc.Y.Max = aLo-aPad, aHi+aPad
	acc.Y.Tick.Marker = plot.ConstantTicks(linearTicks(acc.Y.Min, acc.Y.Max))

	var key []legendEntry
	for i, l := range f.Lines {
		col := curveColour(i, len(f.Lines))
		mean := draw.LineStyle{Color: col, Width: vg.Points(2.2)}
		seedSty := draw.LineStyle{Color: thin(col), Width: vg.Points(0.9)}
		m := marker{shape: draw.CircleGlyph{}, fill: col, radius: vg.Points(3)}
		if l.Seeds > 1 {
			for _, r := range l.runs {
				xs, ys := epochSeries(pointsOf(lossByEpoch(r)), logLoss)
				loss.Add(&linePlotter{xs: xs, ys: ys, style: seedSty})
				xs, ys = epochSeries(pointsOf(accByEpoch(r, s.accScale())), nil)
				acc.Add(&linePlotter{xs: xs, ys: ys, style: seedSty})
			}
		}
		xs, ys := epochSeries(l.Loss, logLoss)
		loss.Add(&linePlotter{xs: xs, ys: ys, style: mean})
		xs, ys = epochSeries(l.Acc, nil)
		acc.Add(&linePlotter{xs: xs, ys: ys, style: mean}, &markerPlotter{xs: xs, ys: ys, marker: m})
		key = append(key, legendEntry{thumb: plainLineThumb(mean, &m), text: fmt.Sprintf("%d: η 2^%s", l.B, log2Str(l.LR))})
	}

	var legend legendColumns
	legend.left = append(legend.left,
		legendEntry{thumb: plainLineThumb(draw.LineStyle{Color: colHalo, Width: vg.Points(2.2)}, nil), text: "mean over the cell's done seeds"},
		legendEntry{thumb: plainLineThumb(draw.LineStyle{Color: thin(colHalo), Width: vg.Points(0.9)}, nil), text: "each seed (cells with more than one)"})
	legend.right = append(legend.right,
		legendEntry{thumb: plainLineThumb(draw.LineStyle{}, &marker{shape: draw.CircleGlyph{}, fill: colHalo, radius: vg.Points(3)}), text: "test accuracy measured (mean over seeds)"},
		legendEntry{text: "best cell of each b: its η of highest mean test accuracy"})
	subtitle := "the best η of each batch size · thick: mean over done seeds, thin: each seed"
	if !f.Evaluated {
		subtitle += " · test accuracy at the end only: training.eval_every gives its curve"
	}
	fig := figure{
		title:    "Training curves — " + title(s.Meta),
		subtitle: subtitle,
		plot:     loss,
		beside:   acc,
		legend:   legend,
		key:      key,
		keyTitle: "b: best η",
	}
	return fig.render(w)
}

// pointsOf turns one run's values per epoch into points, ascending.
func pointsOf(m map[int]float64) []CurvePoint {
	var pts []CurvePoint
	for e, v := range m {
		pts = append(pts, CurvePoint{Epoch: e, Mean: v, N: 1})
	}
	slices.SortFunc(pts, func(a, b CurvePoint) int { return a.Epoch - b.Epoch })
	return pts
}

// epochSeries is pts as x and y coordinates, y mapped by to when it is set.
func epochSeries(pts []CurvePoint, to func(float64) float64) (xs, ys []float64) {
	for _, p := range pts {
		y := p.Mean
		if to != nil {
			y = to(y)
		}
		xs, ys = append(xs, float64(p.Epoch)), append(ys, y)
	}
	return xs, ys
}

// epochTicks labels round whole epochs in [lo, hi].
func epochTicks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range niceTicks(lo, hi, 7) {
		if v == math.Trunc(v) {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
		}
	}
	return ts
}
