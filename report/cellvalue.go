package report

import (
	"image/color"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the text --values prints in a cell, in points: the value's
// largest and smallest font (below the smallest it is left out) and the
// room kept free at the cell's sides.
const (
	cellValueMax  = 10.0
	cellValueMin  = 6.0
	cellValuePadX = 3
	cellValuePadY = 2
)

// cellValueLayout lays out, centred in cell r, the value text and the seed
// count "n=seeds" under it, in a font as large as fits up to cellValueMax
// points. The count is left out when both lines do not fit at the value's
// size, and everything when the value alone does not fit at cellValueMin.
func cellValueLayout(r vg.Rectangle, fg color.Color, value string, seeds int) []placedText {
	w := r.Max.X - r.Min.X - 2*cellValuePadX
	h := r.Max.Y - r.Min.Y - 2*cellValuePadY
	ctr := vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}
	count := "n=" + strconv.Itoa(seeds)
	for size := cellValueMax; size >= cellValueMin; size -= 0.5 {
		sty := textStyle(size, draw.XCenter, draw.YCenter)
		sty.Color = fg
		small := sty
		small.Font.Size = vg.Points(size * 0.8)
		lineH := sty.FontExtents().Height
		smallH := small.FontExtents().Height
		if sty.Width(value) > w || lineH > h {
			continue
		}
		if small.Width(count) <= w && lineH+smallH <= h {
			top := ctr.Y + (lineH+smallH)/2
			return []placedText{
				place(sty, vg.Point{X: ctr.X, Y: top - lineH/2}, value),
				place(small, vg.Point{X: ctr.X, Y: top - lineH - smallH/2}, count),
			}
		}
		return []placedText{place(sty, ctr, value)}
	}
	return nil
}

// drawCellValue prints a coloured cell's value and seed count in black or
// white, whichever contrasts more with the cell's colour bg.
func drawCellValue(c *draw.Canvas, r vg.Rectangle, bg color.Color, value string, seeds int) {
	fg := color.Color(color.White)
	n := color.NRGBAModel.Convert(bg).(color.NRGBA)
	if darkText(relativeLuminance(n.R, n.G, n.B)) {
		fg = color.Black
	}
	for _, t := range cellValueLayout(r, fg, value, seeds) {
		c.FillText(t.sty, t.at, t.text)
	}
}
