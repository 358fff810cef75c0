package report

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// tickLabelGap is the least room between two tick labels along an axis, in
// points.
const tickLabelGap = 4

// drawPlot draws p in c after thinning the labels of both axes to what
// their length holds (thinTicks): a narrow panel or a long grid keeps every
// tick but labels only every k-th.
func drawPlot(p *plot.Plot, c draw.Canvas) {
	data := p.DataCanvas(c)
	trX, trY := p.Transforms(&data)
	if ts, changed := thinTicks(p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max), trX, p.X.Tick.Label, true); changed {
		p.X.Tick.Marker = plot.ConstantTicks(ts)
	}
	if ts, changed := thinTicks(p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max), trY, p.Y.Tick.Label, false); changed {
		p.Y.Tick.Marker = plot.ConstantTicks(ts)
	}
	p.Draw(c)
}

// thinTicks keeps the label of every k-th labelled tick, for the smallest k
// at which no two kept labels come closer than tickLabelGap along the axis
// (widths across a horizontal axis, heights up a vertical one, each label
// centred on its tick as gonum/plot draws it); the others become minor
// ticks. changed is false when every label already fits.
func thinTicks(ts []plot.Tick, tr func(float64) vg.Length, sty text.Style, horizontal bool) (thinned []plot.Tick, changed bool) {
	var labelled []int
	for i, t := range ts {
		if t.Label != "" {
			labelled = append(labelled, i)
		}
	}
	extent := func(i int) (lo, hi vg.Length) {
		at, size := tr(ts[i].Value), sty.Height(ts[i].Label)
		if horizontal {
			size = sty.Width(ts[i].Label)
		}
		return at - size/2, at + size/2
	}
	fits := func(k int) bool {
		for j := k; j < len(labelled); j += k {
			_, prevHi := extent(labelled[j-k])
			lo, _ := extent(labelled[j])
			if lo < prevHi+tickLabelGap {
				return false
			}
		}
		return true
	}
	k := 1
	for k < len(labelled) && !fits(k) {
		k++
	}
	if k == 1 {
		return ts, false
	}
	thinned = append([]plot.Tick(nil), ts...)
	for j, i := range labelled {
		if j%k != 0 {
			thinned[i].Label = ""
		}
	}
	return thinned, true
}
