package report

import (
	"math"
	"strconv"

	"github.com/lssr/lssr"
	"gonum.org/v1/plot"
)

// Heatmap colourings (Options.Colour and the train-loss figure).
const (
	ColourMean = "mean" // mean test accuracy over done seeds (the default)
	ColourSE   = "se"   // its standard error
	colourLoss = "loss" // log10 of the mean final training loss (train-loss.png)
)

// TrainLossFile is the heatmap of the final training loss.
const TrainLossFile = "train-loss.png"

// heatKind is what a heatmap's cells show.
type heatKind struct {
	colour   string
	barLabel string
	// value is the cell's colour value; ok is false for cells without one
	// (drawn as unfinished, diverged or stopped).
	value func(c *cell, sc *Cell) (v float64, ok bool)
	// overlays draws the ridge and the rule curves (the accuracy figures);
	// the stability edge is drawn on every kind.
	overlays bool
	// barTicks are the colour bar's ticks over [lo, hi] (colour values),
	// labelled in the units a reader thinks in.
	barTicks func(lo, hi float64) []plot.Tick
	// format writes a colour value in those units, in a cell (--values)
	// and at a cut end of the colour bar.
	format func(v float64) string
	// valueName says what the numbers format writes are, in the legend.
	valueName string
}

// fixed formats with the given decimals.
func fixed(decimals int) func(float64) string {
	return func(v float64) string { return strconv.FormatFloat(v, 'f', decimals, 64) }
}

// heatKindFor returns the colouring of s's heatmap or of the train-loss
// figure.
func heatKindFor(s *Summary, colour string) heatKind {
	scale := s.accScale()
	switch colour {
	case ColourSE:
		return heatKind{colour: ColourSE, barLabel: "standard error of the mean test accuracy (%)", overlays: true,
			barTicks: barLinearTicks, format: fixed(2), valueName: "standard error of the mean test accuracy (%)",
			value: func(c *cell, sc *Cell) (float64, bool) {
				if c == nil || c.done == 0 || sc == nil {
					return 0, false
				}
				return sc.SEAcc * scale, true
			}}
	case colourLoss:
		return heatKind{colour: colourLoss, barLabel: "final training loss (log scale)",
			barTicks: lossBarTicks, format: formatLoss, valueName: "mean final training loss",
			value: func(c *cell, _ *Cell) (float64, bool) {
				if c == nil || c.done == 0 {
					return 0, false
				}
				var sum float64
				n := 0
				for _, r := range c.decided {
					if r.State == lssr.StateDone && isFinite(r.TrainLoss) && r.TrainLoss > 0 {
						sum += r.TrainLoss
						n++
					}
				}
				if n == 0 {
					return 0, false
				}
				return math.Log10(sum / float64(n)), true
			}}
	}
	return heatKind{colour: ColourMean, barLabel: "mean test accuracy (%)", overlays: true,
		barTicks: barLinearTicks, format: fixed(1), valueName: "mean test accuracy (%)",
		value: func(c *cell, _ *Cell) (float64, bool) {
			if c == nil || c.done == 0 {
				return 0, false
			}
			return c.meanAcc * scale, true
		}}
}

// summaryCells indexes s.Cells by (b, η).
func summaryCells(s *Summary) map[cellKey]*Cell {
	m := make(map[cellKey]*Cell, len(s.Cells))
	for i := range s.Cells {
		c := &s.Cells[i]
		m[cellKey{c.B, c.LR}] = c
	}
	return m
}

// valueRange is the colour scale of a heatmap: the range of its cells'
// values, widened when flat.
func valueRange(g grid, cells map[cellKey]*Cell, k heatKind) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for key, c := range g.cells {
		if v, ok := k.value(c, cells[key]); ok && isFinite(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	switch {
	case math.IsInf(lo, 1):
		return 0, 1
	case hi-lo < 1e-9:
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}
