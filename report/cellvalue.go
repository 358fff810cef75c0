package report

import (
	"gonum.org/v1/plot"
	"image/color"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the text --values prints in a cell, in points: the value's
// largest and smallest font (below the smallest it is left out).
const (
	cellValueMax = 10.0
	cellValueMin = 6.0
)

// valuesPlotter prints each coloured cell's value (--values) over the
// cells and under the lines and markers, and the cell's count of done seeds
// when showSeeds (the counts differ between cells).
type valuesPlotter struct {
	cells     *cellsPlotter
	showSeeds bool
}

// Plot implements plot.Plotter.
func (p *valuesPlotter) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	cp := p.cells
	for i, b := range cp.g.bs {
		for j, lr := range cp.g.lrs {
			cl := cp.g.at(b, lr)
			v, ok := cp.kind.value(cl, cp.cells[cellKey{b, lr}])
			if !ok {
				continue
			}
			seeds := 0
			if p.showSeeds {
				seeds = cl.done
			}
			bg, _ := cp.cmap.At(v)
			drawCellValue(&c, cp.cellRect(trX, trY, i, j), bg, cp.kind.format(v), seeds)
		}
	}
}

// sameSeeds reports whether every coloured cell's value is over the same
// number of done seeds; the legend then gives that number once.
func sameSeeds(g grid, cp *cellsPlotter) bool {
	n := -1
	for key, c := range g.cells {
		if _, ok := cp.kind.value(c, cp.cells[key]); !ok {
			continue
		}
		if n >= 0 && c.done != n {
			return false
		}
		n = c.done
	}
	return true
}

// cellValueLayout lays out the value text at the bottom left of cell r,
// inside the outline of a near-best cell, and the seed count "n=seeds"
// after it in a smaller font (none for seeds 0): the cell's centre, where
// the ridge and edge markers and the ridge's bars are drawn, stays free.
// The font is as large as fits, from cellValueMax down to cellValueMin
// points; the count is left out when it does not fit beside the value, the
// outline's margin when the value does not fit inside it, and everything
// when the value does not fit in the cell at cellValueMin.
func cellValueLayout(r vg.Rectangle, fg color.Color, value string, seeds int) []placedText {
	count := "n=" + strconv.Itoa(seeds)
	for _, pad := range []vg.Length{nearBestInset(r) + 1.5, 1.5} {
		w := r.Max.X - r.Min.X - 2*pad
		h := r.Max.Y - r.Min.Y - 2*pad
		for size := cellValueMax; size >= cellValueMin; size -= 0.5 {
			sty := textStyle(size, draw.XLeft, draw.YBottom)
			sty.Color = fg
			small := sty
			small.Font.Size = vg.Points(size * 0.8)
			// The text's box reaches below its anchor by the font's descent.
			box := sty.Rectangle(value)
			if box.Max.X-box.Min.X > w || box.Max.Y-box.Min.Y > h {
				continue
			}
			at := vg.Point{X: r.Min.X + pad, Y: r.Min.Y + pad - box.Min.Y}
			texts := []placedText{place(sty, at, value)}
			gap := sty.Width(" ")
			if seeds > 0 && sty.Width(value)+gap+small.Width(count) <= w {
				texts = append(texts, place(small, vg.Point{X: at.X + sty.Width(value) + gap, Y: at.Y}, count))
			}
			return texts
		}
	}
	return nil
}

// drawCellValue prints a coloured cell's value and seed count in black or
// white, whichever contrasts more with the cell's colour bg, on a patch of
// that colour that covers the near-best outline where the text crosses it.
func drawCellValue(c *draw.Canvas, r vg.Rectangle, bg color.Color, value string, seeds int) {
	n := color.NRGBAModel.Convert(bg).(color.NRGBA)
	fg := textColourOn(n)
	texts := cellValueLayout(r, fg, value, seeds)
	if len(texts) == 0 {
		return
	}
	patch := texts[0].box
	for _, t := range texts[1:] {
		patch.Min.X, patch.Min.Y = min(patch.Min.X, t.box.Min.X), min(patch.Min.Y, t.box.Min.Y)
		patch.Max.X, patch.Max.Y = max(patch.Max.X, t.box.Max.X), max(patch.Max.Y, t.box.Max.Y)
	}
	n.A = 0xd0
	c.SetColor(n)
	c.Fill(grow(patch, 1.5).Path())
	for _, t := range texts {
		c.FillText(t.sty, t.at, t.text)
	}
}

// textColourOn is black or white, whichever reads better on bg.
func textColourOn(bg color.NRGBA) color.Color {
	if darkText(relativeLuminance(bg.R, bg.G, bg.B)) {
		return color.Black
	}
	return color.White
}
