package report

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Legend layout, in points: the largest and smallest font, the room between
// the two columns, and the inner margin of the frame.
const (
	legendFontMax = 11.0
	legendFontMin = 8.0
	legendColGap  = 12
	legendInset   = 8
	legendTextGap = 8 // between a thumb and its text
)

// legendItem is one placed legend entry: its thumb's box (zero without a
// thumb) and its text, one placedText per line.
type legendItem struct {
	thumb    func(c *draw.Canvas, r vg.Rectangle)
	thumbBox vg.Rectangle
	lines    []placedText
}

// legendPlan is a legend laid out in a frame: where each entry goes on the
// page, and the height the frame needs below its top.
type legendPlan struct {
	frame  vg.Rectangle
	height vg.Length
	items  []legendItem
}

// planLegend lays out the two columns of l from the top of frame (its
// Min.Y is not used: the plan says how tall the frame must be), measuring
// every text with its style. The right column starts at the middle unless
// a left text in a row beside it reaches further, then just after the
// widest such text, as long as the right column still fits; else the font
// shrinks by half points down to legendFontMin; at that size texts that
// still do not fit wrap at spaces within their column (a word longer than
// its column is the one thing that can still stick out).
func planLegend(frame vg.Rectangle, l legendColumns) legendPlan {
	for size := legendFontMax; size >= legendFontMin; size -= 0.5 {
		if p, ok := planLegendAt(frame, l, size, false); ok {
			return p
		}
	}
	p, _ := planLegendAt(frame, l, legendFontMin, true)
	return p
}

// legendHeight is the height planLegend gives l in a frame width wide.
func legendHeight(width vg.Length, l legendColumns) vg.Length {
	return planLegend(vg.Rectangle{Max: vg.Point{X: width}}, l).height
}

// planLegendAt lays l out at font size, one line an entry, and reports
// whether it fits; with wrap it wraps texts to fit and always succeeds.
func planLegendAt(frame vg.Rectangle, l legendColumns, size float64, wrap bool) (legendPlan, bool) {
	sty := textStyle(size, draw.XLeft, draw.YCenter)
	extent := func(e legendEntry) vg.Length {
		w := sty.Width(e.text)
		if e.thumb != nil {
			w += legendThumbW + legendTextGap
		}
		return w
	}
	half := (frame.Max.X - frame.Min.X) / 2
	leftX, rightX := frame.Min.X+legendInset, frame.Min.X+legendInset+half
	limit := frame.Max.X - legendInset
	if !wrap {
		low, high := vg.Length(0), limit
		for i, e := range l.left {
			switch {
			case i < len(l.right):
				low = max(low, leftX+extent(e)+legendColGap)
			case leftX+extent(e) > limit:
				return legendPlan{}, false
			}
		}
		for _, e := range l.right {
			high = min(high, limit-extent(e))
		}
		if len(l.right) > 0 && low > high {
			return legendPlan{}, false
		}
		rightX = min(max(rightX, low), high)
	}
	rowH := legendRowH * vg.Length(size/legendFontMax)
	p := legendPlan{frame: frame}
	lines := 0
	for col, entries := range [][]legendEntry{l.left, l.right} {
		x, right := leftX, rightX-legendColGap
		if col == 1 {
			x, right = rightX, limit
		} else if len(l.right) == 0 {
			right = limit
		}
		// The first line's centre sits 3 points plus half a row (in whole
		// points) below the top.
		y := frame.Max.Y - 3 - vg.Length(math.Floor(float64(rowH)/2))
		n := 0
		for _, e := range entries {
			var it legendItem
			textX := x
			if e.thumb != nil {
				it.thumb = e.thumb
				it.thumbBox = vg.Rectangle{Min: vg.Point{X: x, Y: y - 5}, Max: vg.Point{X: x + legendThumbW, Y: y + 5}}
				textX += legendThumbW + legendTextGap
			}
			lines := []string{e.text}
			if wrap {
				lines = wrapText(e.text, right-textX, func(s string) vg.Length { return sty.Width(s) })
			}
			for _, line := range lines {
				it.lines = append(it.lines, place(sty, vg.Point{X: textX, Y: y}, line))
				y -= rowH
				n++
			}
			p.items = append(p.items, it)
		}
		lines = max(lines, n)
	}
	p.height = vg.Length(lines)*rowH + 6
	p.frame.Min.Y = frame.Max.Y - p.height
	return p, true
}

// wrapText breaks txt at spaces into lines no wider than width, as measured
// by w; a single word wider than width gets a line of its own.
func wrapText(txt string, width vg.Length, w func(string) vg.Length) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(txt) {
		next := word
		if cur != "" {
			next = cur + " " + word
		}
		if cur != "" && w(next) > width {
			lines = append(lines, cur)
			next = word
		}
		cur = next
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// boxes are the boxes of every thumb and text line of the plan.
func (p legendPlan) boxes() []vg.Rectangle {
	var bs []vg.Rectangle
	for _, it := range p.items {
		if it.thumb != nil {
			bs = append(bs, it.thumbBox)
		}
		for _, t := range it.lines {
			bs = append(bs, t.box)
		}
	}
	return bs
}

// drawLegend lays l out (planLegend) from the top of c and draws it inside
// a light frame that fills c.
func drawLegend(c draw.Canvas, l legendColumns) {
	c.StrokeLines(draw.LineStyle{Color: color.Gray{0xa0}, Width: vg.Points(0.6)},
		[]vg.Point{c.Min, {X: c.Max.X, Y: c.Min.Y}, c.Max, {X: c.Min.X, Y: c.Max.Y}, c.Min})
	for _, it := range planLegend(c.Rectangle, l).items {
		if it.thumb != nil {
			it.thumb(&c, it.thumbBox)
		}
		for _, t := range it.lines {
			c.FillText(t.sty, t.at, t.text)
		}
	}
}
