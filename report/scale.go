package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ColourRange is a heatmap's colour scale, [Lo, Hi] in the colour's units.
// The zero ColourRange means "automatic".
type ColourRange struct {
	Lo, Hi float64
}

// IsZero reports whether r is the zero ColourRange (automatic).
func (r ColourRange) IsZero() bool { return r == ColourRange{} }

// check refuses a range that is not finite with Lo < Hi.
func (r ColourRange) check() error {
	if !isFinite(r.Lo) || !isFinite(r.Hi) {
		return fmt.Errorf("colour range %g,%g: want finite numbers", r.Lo, r.Hi)
	}
	if r.Lo >= r.Hi {
		return fmt.Errorf("colour range %g,%g: want LO < HI", r.Lo, r.Hi)
	}
	return nil
}

// ParseColourRange reads "LO,HI" (two finite numbers, LO < HI, spaces
// allowed around each) as a ColourRange; the error says what is wrong in
// one line, without the flag's name.
func ParseColourRange(s string) (ColourRange, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return ColourRange{}, fmt.Errorf("want LO,HI (two numbers), got %q", s)
	}
	var v [2]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return ColourRange{}, fmt.Errorf("want LO,HI (two numbers), got %q", s)
		}
		v[i] = f
	}
	r := ColourRange{Lo: v[0], Hi: v[1]}
	if !isFinite(r.Lo) || !isFinite(r.Hi) {
		return ColourRange{}, fmt.Errorf("want finite numbers, got %q", s)
	}
	if r.Lo >= r.Hi {
		return ColourRange{}, fmt.Errorf("want LO < HI, got %q", s)
	}
	return r, nil
}

// colourScale is the range a heatmap's colours span and whether some cell's
// value lies beyond either end (drawn in the end's colour; the colour bar
// then marks that end).
type colourScale struct {
	lo, hi      float64
	under, over bool
}

// scaleFor is the colour scale of the cells of g: o.Range when set, the
// band of clipRange with o.Clip, else valueRange's automatic scale.
func scaleFor(g grid, cells map[cellKey]*Cell, k heatKind, o HeatmapOptions) colourScale {
	var sc colourScale
	switch {
	case !o.Range.IsZero():
		sc.lo, sc.hi = o.Range.Lo, o.Range.Hi
	case o.Clip:
		sc.lo, sc.hi = clipRange(g, cells, k)
	default:
		sc.lo, sc.hi = valueRange(g, cells, k)
	}
	sc.under, sc.over = outside(cellValues(g, cells, k), sc.lo, sc.hi)
	return sc
}

// outside reports whether some of vs lie below lo and whether some lie
// above hi.
func outside(vs []float64, lo, hi float64) (under, over bool) {
	for _, v := range vs {
		under = under || v < lo
		over = over || v > hi
	}
	return under, over
}

// cellValues are the finite colour values of g's cells, in no order.
func cellValues(g grid, cells map[cellKey]*Cell, k heatKind) []float64 {
	var vs []float64
	for key, c := range g.cells {
		if v, ok := k.value(c, cells[key]); ok && isFinite(v) {
			vs = append(vs, v)
		}
	}
	return vs
}

// clipRange is the scale of --clip, which gives the colours to the band
// where the ridge lies rather than to the whole range of the cells.
//
// For the mean accuracy the band runs from the lowest of the column bests
// (each b's best cell) to the overall best, so every column's best and the
// cells near it are told apart, and reaches below that lowest best by the
// same span again, so the fall-off around each best shows too: lo = m −
// max(top − m, (top − bottom)/10), hi = top, with m the lowest column best
// and bottom, top the lowest and highest cell. The tenth of the full range
// keeps a band when every column's best is the same. lo never goes below
// bottom. The failed cells (chance accuracy, near divergence) fall at the
// dark end: they are not where the ridge is. Order statistics of the
// columns, not of all cells, so a grid that extends far into bad η does not
// move the band.
//
// For the standard error the scale runs from the lowest to the 90th
// percentile of the cells: the few large errors next to divergence no
// longer take the scale. Other colourings keep valueRange.
func clipRange(g grid, cells map[cellKey]*Cell, k heatKind) (lo, hi float64) {
	lo, hi = valueRange(g, cells, k)
	vs := cellValues(g, cells, k)
	if len(vs) < 2 {
		return lo, hi
	}
	switch k.colour {
	case ColourMean:
		bottom, top := lo, hi
		m := math.Inf(1)
		for _, b := range g.bs {
			best := math.Inf(-1)
			for _, lr := range g.lrs {
				key := cellKey{b, lr}
				if v, ok := k.value(g.cells[key], cells[key]); ok && isFinite(v) {
					best = math.Max(best, v)
				}
			}
			if !math.IsInf(best, -1) {
				m = math.Min(m, best)
			}
		}
		band := math.Max(top-m, (top-bottom)/10)
		if band <= 0 {
			return lo, hi
		}
		return math.Max(bottom, m-band), top
	case ColourSE:
		if q := quantile(vs, 0.9); q > lo {
			return lo, q
		}
	}
	return lo, hi
}

// relativeLuminance is the WCAG relative luminance of an 8-bit sRGB colour:
// each channel linearised, weighted 0.2126, 0.7152, 0.0722.
func relativeLuminance(r, g, b uint8) float64 {
	lin := func(c uint8) float64 {
		v := float64(c) / 255
		if v <= 0.04045 {
			return v / 12.92
		}
		return math.Pow((v+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// darkText reports whether text on a background of relative luminance y
// reads better black than white: WCAG's contrast (L1+0.05)/(L2+0.05)
// against black, (y+0.05)/0.05, beats that against white, 1.05/(y+0.05),
// exactly when y > √(1.05·0.05) − 0.05 ≈ 0.179.
func darkText(y float64) bool {
	return (y+0.05)/0.05 > 1.05/(y+0.05)
}
