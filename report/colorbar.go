package report

import (
	"image"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// placedText is a text, its style, where it is drawn and the box it covers.
type placedText struct {
	text string
	sty  text.Style
	at   vg.Point
	box  vg.Rectangle
}

// place lays txt out at pt in sty.
func place(sty text.Style, pt vg.Point, txt string) placedText {
	r := sty.Rectangle(txt)
	return placedText{text: txt, sty: sty, at: pt, box: vg.Rectangle{Min: r.Min.Add(pt), Max: r.Max.Add(pt)}}
}

// overlaps reports whether two boxes share more than an edge.
func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// grow widens r by d on every side.
func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// barTick is a tick on the colour bar at height y; label is nil for a
// minor (unlabelled) tick.
type barTick struct {
	y     vg.Length
	label *placedText
}

// colorBarLayout is where each part of a colour bar goes: the gradient,
// the outline (with a triangular cap at each end the scale cuts), the
// ticks, the end labels of the caps ("≤ 68.2") and the bar's label.
type colorBarLayout struct {
	grad              vg.Rectangle
	outline           []vg.Point // closed
	underCap, overCap []vg.Point // filled triangles; nil without a cap
	ticks             []barTick
	ends              []placedText
	label             placedText
}

// Sizes of the colour bar's parts, in points.
const (
	barTickLen      = 5
	barMinorTickLen = 3
	barLabelGap     = 8
)

// layoutColorBar lays out the colour bar of scale sc in c, its tick labels
// and bar label on the right. An end the scale cuts (some cell beyond it)
// gets a triangular cap, as tall as the bar is wide, in the end colour and
// labelled "≤ lo" or "≥ hi". A tick label that would run into an end label
// or a lower tick's label is left out, its tick drawn minor.
func layoutColorBar(c vg.Rectangle, sc colourScale, k heatKind) colorBarLayout {
	var l colorBarLayout
	l.grad = c
	capH := c.Max.X - c.Min.X
	midX := (c.Min.X + c.Max.X) / 2
	if sc.under {
		l.grad.Min.Y += capH
	}
	if sc.over {
		l.grad.Max.Y -= capH
	}
	g := l.grad
	l.outline = []vg.Point{g.Min}
	if sc.under {
		tip := vg.Point{X: midX, Y: c.Min.Y}
		l.underCap = []vg.Point{g.Min, tip, {X: g.Max.X, Y: g.Min.Y}}
		l.outline = append(l.outline, tip)
	}
	l.outline = append(l.outline, vg.Point{X: g.Max.X, Y: g.Min.Y}, g.Max)
	if sc.over {
		tip := vg.Point{X: midX, Y: c.Max.Y}
		l.overCap = []vg.Point{g.Max, tip, {X: g.Min.X, Y: g.Max.Y}}
		l.outline = append(l.outline, tip)
	}
	l.outline = append(l.outline, vg.Point{X: g.Min.X, Y: g.Max.Y}, g.Min)

	tickSty := textStyle(11, draw.XLeft, draw.YCenter)
	labelX := g.Max.X + barLabelGap
	var kept []vg.Rectangle
	if sc.under {
		e := place(tickSty, vg.Point{X: labelX, Y: c.Min.Y + capH/2}, "≤ "+k.format(sc.lo))
		l.ends, kept = append(l.ends, e), append(kept, e.box)
	}
	if sc.over {
		e := place(tickSty, vg.Point{X: labelX, Y: c.Max.Y - capH/2}, "≥ "+k.format(sc.hi))
		l.ends, kept = append(l.ends, e), append(kept, e.box)
	}
	h := g.Max.Y - g.Min.Y
	for _, t := range k.barTicks(sc.lo, sc.hi) {
		if t.Value < sc.lo || t.Value > sc.hi {
			continue
		}
		bt := barTick{y: g.Min.Y + h*vg.Length((t.Value-sc.lo)/(sc.hi-sc.lo))}
		if t.Label != "" {
			p := place(tickSty, vg.Point{X: labelX, Y: bt.y}, t.Label)
			clear := true
			for _, b := range kept {
				clear = clear && !overlaps(grow(p.box, 1), b)
			}
			if clear {
				bt.label = &p
				kept = append(kept, p.box)
			}
		}
		l.ticks = append(l.ticks, bt)
	}
	widest := vg.Length(0)
	for _, b := range kept {
		widest = max(widest, b.Max.X-b.Min.X)
	}
	labSty, label := fitLine(textStyle(13, draw.XCenter, draw.YTop), k.barLabel, c.Max.Y-c.Min.Y)
	labSty.Rotation = math.Pi / 2 // reads bottom to top; its top faces the bar
	l.label = place(labSty, vg.Point{X: labelX + widest + barLabelGap, Y: c.Min.Y + (c.Max.Y-c.Min.Y)/2}, label)
	return l
}

// texts are every text of the layout.
func (l colorBarLayout) texts() []placedText {
	ts := append([]placedText(nil), l.ends...)
	for _, t := range l.ticks {
		if t.label != nil {
			ts = append(ts, *t.label)
		}
	}
	return append(ts, l.label)
}

// drawColorBar draws the colour scale sc of kind k in c with ticks and
// labels on its right and the label beyond them, reading upwards.
func drawColorBar(c draw.Canvas, sc colourScale, k heatKind) {
	l := layoutColorBar(c.Rectangle, sc, k)
	cmap := newViridis(sc.lo, sc.hi)
	const steps = 256
	grad := image.NewNRGBA(image.Rect(0, 0, 1, steps))
	for i := range steps {
		col, _ := cmap.At(sc.lo + (sc.hi-sc.lo)*(float64(i)+0.5)/steps)
		grad.Set(0, steps-1-i, col) // image rows run downwards
	}
	c.DrawImage(l.grad, grad)
	if l.underCap != nil {
		col, _ := cmap.At(sc.lo)
		c.FillPolygon(col, l.underCap)
	}
	if l.overCap != nil {
		col, _ := cmap.At(sc.hi)
		c.FillPolygon(col, l.overCap)
	}
	frame := draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}
	c.StrokeLines(frame, l.outline)
	for _, e := range l.ends {
		c.FillText(e.sty, e.at, e.text)
	}
	for _, t := range l.ticks {
		if t.label == nil {
			c.StrokeLine2(frame, l.grad.Max.X, t.y, l.grad.Max.X+barMinorTickLen, t.y)
			continue
		}
		c.StrokeLine2(frame, l.grad.Max.X, t.y, l.grad.Max.X+barTickLen, t.y)
		c.FillText(t.label.sty, t.label.at, t.label.text)
	}
	c.FillText(l.label.sty, l.label.at, l.label.text)
}

// barLinearTicks are niceTicks labelled with up to four significant digits:
// the colour bar's ticks on a linear scale.
func barLinearTicks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for _, v := range niceTicks(lo, hi, 6) {
		ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 4, 64)})
	}
	return ts
}

// niceTicks returns round values in [lo, hi], about want of them, spaced by
// 1, 2, 2.5 or 5 times a power of ten.
func niceTicks(lo, hi float64, want int) []float64 {
	if !(hi > lo) || want < 2 {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(want-1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9; v += step {
		ts = append(ts, math.Round(v/step)*step)
	}
	return ts
}

// lossBarTicks are the colour bar's ticks for log10 of a loss, labelled as
// losses (0.01, 0.1, 1): log10Ticks' decades (and 2 and 5 × each decade
// within two decades), the other digits of each decade as minor ticks.
// Within one decade every digit is labelled; when fewer than two ticks fall
// in the range its ends are.
func lossBarTicks(lo, hi float64) []plot.Tick {
	ts := log10Ticks(lo, hi)
	if hi-lo < 1 {
		// Within one decade 1, 2 and 5 give two or three labels: label
		// every digit (the colour bar drops those that would collide).
		for i := range ts {
			ts[i].Label = formatLoss(ts[i].Value)
		}
	}
	labelled := 0
	for _, t := range ts {
		if t.Label != "" {
			labelled++
		}
	}
	if labelled >= 2 {
		return ts
	}
	for i := range ts {
		ts[i].Label = formatLoss(ts[i].Value)
	}
	if len(ts) >= 2 {
		return ts
	}
	return []plot.Tick{{Value: lo, Label: formatLoss(lo)}, {Value: hi, Label: formatLoss(hi)}}
}

// formatLoss writes the loss whose log10 is v with two significant digits:
// "0.031", "1.2".
func formatLoss(v float64) string {
	return strconv.FormatFloat(math.Pow(10, v), 'g', 2, 64)
}
