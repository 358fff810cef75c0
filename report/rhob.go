package report

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/lssr/lssr"
)

// RhoBFile is the ρ_b-against-b figure (the paper's Figure 5, left).
const RhoBFile = "rho_b.png"

// RhoBPoint is ρ_b measured at one batch size of the grid, over the
// in-training measurements of the done runs at that b (all η). A statistic
// without values is NaN and its count 0.
type RhoBPoint struct {
	B int
	// Eq17 is the median of Measurement.RhoB, eq. 17 at each measurement's
	// own ρ; Eq17Lo and Eq17Hi its quartiles.
	Eq17, Eq17Lo, Eq17Hi float64
	Eq17Count, Eq17Runs  int
	// Sampled is the median of Curvature.SampledRhoB, ρ_b measured directly
	// from sampled batches (eq. 15). SampledLo and SampledHi are its
	// quartiles, or ±SE when there is one measurement.
	Sampled, SampledLo, SampledHi float64
	SampledCount, SampledRuns     int
}

// RhoBFigure is what the ρ_b figure draws.
type RhoBFigure struct {
	Rho    RhoEstimate // the ρ of eq. 17's curve, as for the LSSR fit
	Points []RhoBPoint // ascending b; only batch sizes with a value
	MaxB   float64     // the curve runs from b = 1 to MaxB (n, or past the grid when n is unknown)
	Path   string
}

// RhoBPoints returns, per batch size, the medians of the ρ_b measured during
// training by the done runs: eq. 17's value stored with every measurement and,
// where curvature was measured, the directly sampled ρ_b. Values that are not
// finite and positive are skipped.
func RhoBPoints(runs []Run) []RhoBPoint {
	type acc struct {
		eq17, sampled, sampledSE []float64
		eq17Runs, sampledRuns    map[string]bool
	}
	byB := map[int]*acc{}
	for _, r := range runs {
		if r.State != lssr.StateDone || r.B <= 0 {
			continue
		}
		for _, m := range r.Measurements {
			if !inTraining(r, m.Epoch) {
				continue
			}
			a := byB[r.B]
			if a == nil {
				a = &acc{eq17Runs: map[string]bool{}, sampledRuns: map[string]bool{}}
				byB[r.B] = a
			}
			if validRho(m.RhoB) {
				a.eq17 = append(a.eq17, m.RhoB)
				a.eq17Runs[r.JobID] = true
			}
			if c := m.Curvature; c != nil && validRho(c.SampledRhoB) {
				a.sampled = append(a.sampled, c.SampledRhoB)
				a.sampledSE = append(a.sampledSE, c.SampledRhoBSE)
				a.sampledRuns[r.JobID] = true
			}
		}
	}
	var pts []RhoBPoint
	for _, b := range slices.Sorted(maps.Keys(byB)) {
		a := byB[b]
		if len(a.eq17) == 0 && len(a.sampled) == 0 {
			continue
		}
		p := RhoBPoint{B: b, Eq17: math.NaN(), Eq17Lo: math.NaN(), Eq17Hi: math.NaN(),
			Sampled: math.NaN(), SampledLo: math.NaN(), SampledHi: math.NaN(),
			Eq17Count: len(a.eq17), Eq17Runs: len(a.eq17Runs),
			SampledCount: len(a.sampled), SampledRuns: len(a.sampledRuns)}
		if len(a.eq17) > 0 {
			p.Eq17, p.Eq17Lo, p.Eq17Hi = median(a.eq17), quantile(a.eq17, 0.25), quantile(a.eq17, 0.75)
		}
		switch len(a.sampled) {
		case 0:
		case 1:
			v, se := a.sampled[0], a.sampledSE[0]
			p.Sampled, p.SampledLo, p.SampledHi = v, v, v
			if isFinite(se) && se > 0 {
				p.SampledLo, p.SampledHi = v-se, v+se
			}
		default:
			p.Sampled, p.SampledLo, p.SampledHi = median(a.sampled), quantile(a.sampled, 0.25), quantile(a.sampled, 0.75)
		}
		pts = append(pts, p)
	}
	return pts
}

// analyzeRhoB builds the ρ_b figure's data, or returns nil when no run stored
// a measurement or nothing can be drawn.
func analyzeRhoB(s *Summary, runs []Run) *RhoBFigure {
	measured := false
	for _, r := range runs {
		measured = measured || len(r.Measurements) > 0
	}
	if !measured {
		return nil
	}
	f := &RhoBFigure{Rho: s.Rho, Points: RhoBPoints(runs)}
	if len(f.Points) == 0 && !isFinite(f.Rho.Value) {
		return nil
	}
	f.MaxB = float64(s.Meta.N)
	if s.Meta.N <= 0 {
		top := 1
		for _, b := range s.BatchSizes {
			top = max(top, b)
		}
		f.MaxB = float64(top) * 4
	}
	return f
}

// The ρ_b figure's series styles.
var (
	rhoBEq17Marker    = marker{shape: draw.CircleGlyph{}, fill: okabeBlue, radius: vg.Points(4.5)}
	rhoBSampledMarker = marker{shape: draw.BoxGlyph{}, fill: okabeBluishGrn, radius: vg.Points(4)}
	rhoBBar           = draw.LineStyle{Color: colReferenceRef, Width: vg.Points(1.2)}
	rhoBCurveStyle    = draw.LineStyle{Color: okabeVermillion, Width: vg.Points(3)}
)

// rhoBRefStyle is the dashed LSR or SRSR reference line.
func rhoBRefStyle(rule string) draw.LineStyle {
	sty := ruleStyle(rule)
	sty.Width = vg.Points(2)
	if rule == RuleLSR {
		sty.Color = colReferenceRef
	}
	return sty
}

// renderRhoB draws ρ_b against b on log2–log2 axes.
func renderRhoB(w io.Writer, s *Summary, f *RhoBFigure) error {
	p := newLinePlot("batch size b (log2 scale)", "ρ_b = tr(S_n)/tr(S_b) (log2 scale)")
	xMin, xMax := -0.3, math.Log2(f.MaxB)+0.3
	yLo, yHi := 0.0, 0.5
	if isFinite(f.Rho.Value) {
		yLo = math.Log2(f.Rho.Value)
	}
	for _, pt := range f.Points {
		xMax = math.Max(xMax, math.Log2(float64(pt.B))+0.3)
		for _, v := range []float64{pt.Eq17, pt.Eq17Lo, pt.Sampled, pt.SampledLo, pt.SampledHi, pt.Eq17Hi} {
			if v > 0 && isFinite(v) {
				yLo, yHi = math.Min(yLo, math.Log2(v)), math.Max(yHi, math.Log2(v)+0.5)
			}
		}
	}
	yLo -= 0.5
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xMin, xMax, yLo, yHi

	var bs []int
	for b := 1; float64(b) <= math.Exp2(xMax); b *= 2 {
		bs = append(bs, b)
	}
	p.X.Tick.Marker = plot.ConstantTicks(batchTicks(bs))
	p.Y.Tick.Marker = plot.ConstantTicks(log2Ticks(yLo, yHi))

	var legend legendColumns
	if rho := f.Rho.Value; isFinite(rho) {
		const steps = 400
		top := math.Log2(f.MaxB)
		var xs, lssrY, lsrY, srsrY []float64
		for i := 0; i <= steps; i++ {
			x := top * float64(i) / steps
			b := math.Exp2(x)
			xs = append(xs, x)
			lssrY = append(lssrY, math.Log2(rhoBAt(rho, s.Meta.N, b, s.Meta.Sampling)))
			// Through the curve at b = 1, where eq. 17 gives ρ_1 = ρ.
			lsrY = append(lsrY, math.Log2(rho)+x)
			srsrY = append(srsrY, math.Log2(rho)+x/2)
		}
		p.Add(&linePlotter{xs: xs, ys: lsrY, style: rhoBRefStyle(RuleLSR)},
			&linePlotter{xs: xs, ys: srsrY, style: rhoBRefStyle(RuleSRSR)},
			&linePlotter{xs: xs, ys: lssrY, style: rhoBCurveStyle})
		legend.left = append(legend.left,
			legendEntry{thumb: plainLineThumb(rhoBCurveStyle, nil), text: fmt.Sprintf("eq. 17 at ρ = 2^%s (%s)", log2Str(rho), rhoShort(f.Rho))},
			legendEntry{thumb: plainLineThumb(rhoBRefStyle(RuleLSR), nil), text: "LSR reference: ρ_b = ρ·b"},
			legendEntry{thumb: plainLineThumb(rhoBRefStyle(RuleSRSR), nil), text: "SRSR reference: ρ_b = ρ·√b"})
	} else {
		legend.left = append(legend.left, legendEntry{text: "no ρ measured by a done run: no eq. 17 curve"})
	}

	// The two measured series sit a little left and right of their b, so
	// that equal values do not hide each other.
	const nudge = 0.07
	var ex, ey, elo, ehi, sx, sy, slo, shi []float64
	eqN, sampN := 0, 0
	for _, pt := range f.Points {
		x := math.Log2(float64(pt.B))
		if pt.Eq17Count > 0 {
			ex, ey = append(ex, x-nudge), append(ey, math.Log2(pt.Eq17))
			elo, ehi = append(elo, log2OrNaN(pt.Eq17Lo)), append(ehi, log2OrNaN(pt.Eq17Hi))
			eqN += pt.Eq17Count
		}
		if pt.SampledCount > 0 {
			sx, sy = append(sx, x+nudge), append(sy, math.Log2(pt.Sampled))
			slo, shi = append(slo, log2OrNaN(pt.SampledLo)), append(shi, log2OrNaN(pt.SampledHi))
			sampN += pt.SampledCount
		}
	}
	p.Add(&barPlotter{xs: ex, lo: elo, hi: ehi, style: rhoBBar, capW: 4}, &barPlotter{xs: sx, lo: slo, hi: shi, style: rhoBBar, capW: 4},
		&markerPlotter{xs: ex, ys: ey, marker: rhoBEq17Marker}, &markerPlotter{xs: sx, ys: sy, marker: rhoBSampledMarker})
	if eqN > 0 {
		legend.right = append(legend.right, legendEntry{thumb: markerBarThumb(rhoBEq17Marker, rhoBBar, true),
			text: fmt.Sprintf("eq. 17 at each measurement's ρ: median of %d (bar: quartiles)", eqN)})
	}
	if sampN > 0 {
		legend.right = append(legend.right, legendEntry{thumb: markerBarThumb(rhoBSampledMarker, rhoBBar, true),
			text: fmt.Sprintf("sampled tr(S_n)/E‖g_ξ‖² at b: median of %d (bar: quartiles or ±SE)", sampN)})
	}
	if eqN == 0 && sampN == 0 {
		legend.right = append(legend.right, legendEntry{text: "no in-training measurement of a done run"})
	}

	fig := figure{
		title:    "ρ_b against b — " + title(s.Meta),
		subtitle: "measured points: done runs, in-training measurements, all η at each b · " + samplingText(s.Meta.Sampling) + nText(s.Meta.N),
		plot:     p,
		legend:   legend,
	}
	return fig.render(w)
}

// rhoShort says in a few words where the curve's ρ comes from.
func rhoShort(r RhoEstimate) string {
	switch r.Statistic {
	case statSeries:
		return fmt.Sprintf("median of %d in-training ρ", r.Count)
	case statFinal:
		return fmt.Sprintf("median of %d final ρ", r.Count)
	}
	return r.Statistic
}

func nText(n int) string {
	if n <= 0 {
		return " · n unknown (γ_{n,b} = 1)"
	}
	return fmt.Sprintf(" · n = %d", n)
}

func log2OrNaN(x float64) float64 {
	if x > 0 && isFinite(x) {
		return math.Log2(x)
	}
	return math.NaN()
}
