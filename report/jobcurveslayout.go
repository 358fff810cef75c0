package report

import (
	"image/color"

	"gonum.org/v1/plot/text"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Layout of the job curves figure, in points: the page is as wide as the
// heatmap, each row of panels jobPanelH tall.
const (
	jobPanelH       = 270
	jobColGap       = 28
	jobRowGap       = 16
	jobGap          = 6  // between a panel's title, axes and legend
	jobLegendGap    = 16 // between two entries of a legend row
	jobLegendFont   = 10
	jobPanelFont    = 12
	jobPanelColumns = 2
)

// jobPanelLayout is where one panel goes: its axes (the canvas its plot is
// drawn in, tick and axis labels included) and its legend below them.
type jobPanelLayout struct {
	plot   vg.Rectangle
	legend []legendItem
}

// jobCurvesLayout is the job curves figure laid out: the page's size, its
// texts (title, notes, the panels' titles) and its panels.
type jobCurvesLayout struct {
	width, height vg.Length
	texts         []placedText
	panels        []jobPanelLayout
}

// boxes are the boxes of every text, legend thumb and panel's axes: no two
// may intersect.
func (l jobCurvesLayout) boxes() []vg.Rectangle {
	var bs []vg.Rectangle
	for _, t := range l.texts {
		bs = append(bs, t.box)
	}
	for _, p := range l.panels {
		bs = append(bs, p.plot)
		for _, it := range p.legend {
			bs = append(bs, it.thumbBox)
			for _, t := range it.lines {
				bs = append(bs, t.box)
			}
		}
	}
	return bs
}

// layoutJobCurves lays f out under title, measuring every text: the title
// and notes on top, then the panels two to a row (one when there is one),
// each with its title above its axes and its legend, in rows of entries
// centred under the axes, below them.
func layoutJobCurves(f JobCurvesFigure, title string) jobCurvesLayout {
	width := vg.Length(heatmapWidthPx) * vg.Inch / heatmapDPI
	innerW := width - 2*margin
	cols := min(jobPanelColumns, len(f.Panels))
	rows := (len(f.Panels) + cols - 1) / cols
	cellW := (innerW - vg.Length(cols-1)*jobColGap) / vg.Length(cols)

	titleSty, head := fitLine(textStyle(15, draw.XCenter, draw.YTop), title, innerW)
	headerH := titleSty.Height("X") + 4
	noteSty := textStyle(11, draw.XCenter, draw.YTop)
	noteSty.Color = color.Gray{0x40}
	headerH += vg.Length(len(f.Notes)) * (noteSty.Height("X") + 2)
	headerH += 10

	l := jobCurvesLayout{width: width}
	l.height = 2*margin + headerH + vg.Length(rows)*jobPanelH + vg.Length(rows-1)*jobRowGap
	top := l.height - margin
	l.texts = append(l.texts, place(titleSty, vg.Point{X: width / 2, Y: top}, head))
	top -= titleSty.Height("X") + 4
	for _, n := range f.Notes {
		sty, txt := fitLine(noteSty, n, innerW)
		l.texts = append(l.texts, place(sty, vg.Point{X: width / 2, Y: top}, txt))
		top -= noteSty.Height("X") + 2
	}
	top = l.height - margin - headerH

	panelSty := textStyle(jobPanelFont, draw.XCenter, draw.YTop)
	for i, p := range f.Panels {
		row, col := i/cols, i%cols
		x0 := margin + vg.Length(col)*(cellW+jobColGap)
		cellTop := top - vg.Length(row)*(jobPanelH+jobRowGap)
		cellBottom := cellTop - jobPanelH
		sty, txt := fitLine(panelSty, p.Title, cellW)
		l.texts = append(l.texts, place(sty, vg.Point{X: x0 + cellW/2, Y: cellTop}, txt))
		legend, legendH := layoutRowLegend(p.Lines, x0, cellW, cellBottom)
		l.panels = append(l.panels, jobPanelLayout{
			plot: vg.Rectangle{
				Min: vg.Point{X: x0, Y: cellBottom + legendH + jobGap},
				Max: vg.Point{X: x0 + cellW, Y: cellTop - sty.Height("X") - jobGap},
			},
			legend: legend,
		})
	}
	return l
}

// layoutRowLegend places the lines' legend entries side by side in rows
// no wider than width, each row centred on [x0, x0+width], the last row's
// bottom at bottom; an entry wider than a row has its text cut to fit. It
// returns the entries and the legend's height.
func layoutRowLegend(lines []JobLine, x0, width, bottom vg.Length) ([]legendItem, vg.Length) {
	sty := textStyle(jobLegendFont, draw.XLeft, draw.YCenter)
	type entry struct {
		line JobLine
		sty  text.Style
		text string
		w    vg.Length
	}
	var rowsOf [][]entry
	var rowW []vg.Length
	for _, ln := range lines {
		esty, txt := fitLine(sty, ln.Name, width-legendThumbW-legendTextGap)
		e := entry{line: ln, sty: esty, text: txt, w: legendThumbW + legendTextGap + esty.Width(txt)}
		n := len(rowsOf)
		if n == 0 || rowW[n-1]+jobLegendGap+e.w > width {
			rowsOf, rowW = append(rowsOf, nil), append(rowW, -jobLegendGap)
			n++
		}
		rowsOf[n-1] = append(rowsOf[n-1], e)
		rowW[n-1] += jobLegendGap + e.w
	}
	height := vg.Length(len(rowsOf)) * legendRowH
	var items []legendItem
	for r, row := range rowsOf {
		y := bottom + height - (vg.Length(r)+0.5)*legendRowH
		x := x0 + (width-rowW[r])/2
		for _, e := range row {
			m := marker{shape: draw.CircleGlyph{}, fill: e.line.style.Color, radius: vg.Points(2.2)}
			items = append(items, legendItem{
				thumb:    plainLineThumb(e.line.style, &m),
				thumbBox: vg.Rectangle{Min: vg.Point{X: x, Y: y - 5}, Max: vg.Point{X: x + legendThumbW, Y: y + 5}},
				lines:    []placedText{place(e.sty, vg.Point{X: x + legendThumbW + legendTextGap, Y: y}, e.text)},
			})
			x += e.w + jobLegendGap
		}
	}
	return items, height
}
