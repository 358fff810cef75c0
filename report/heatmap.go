package report

import (
	"fmt"
	"io"
)

// Figure formats RenderHeatmap draws in.
const (
	FormatPNG = "png"
	FormatSVG = "svg"
)

// HeatmapOptions says how RenderHeatmap draws.
type HeatmapOptions struct {
	// Colour is what the cells show: ColourMean (also for "") or ColourSE.
	Colour string
	// Format is FormatPNG (also for "") or FormatSVG.
	Format string
}

// CellBox is where one (b, η) cell of a heatmap is drawn, as fractions of
// the image's width and height measured from its top-left corner: the cell
// spans X0..X1 across and Y0..Y1 down. A page that shows the image at any
// size finds the cell under a click (or lays links over the cells) with it.
type CellBox struct {
	B  int     `json:"b"`
	LR float64 `json:"lr"`
	X0 float64 `json:"x0"`
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	Y1 float64 `json:"y1"`
}

// HeatmapLayout is the size of a drawn heatmap, in pixels at the PNG's
// resolution, and where its cells are.
type HeatmapLayout struct {
	Width, Height int
	Cells         []CellBox
}

// RenderHeatmap draws the heatmap of s and its runs, the very figure Write
// puts in heatmap.png, into w as PNG or SVG, and returns where its cells
// are. s is AnalyzeWith's summary of runs.
func RenderHeatmap(w io.Writer, s *Summary, runs []Run, o HeatmapOptions) (HeatmapLayout, error) {
	switch o.Format {
	case "", FormatPNG:
		o.Format = FormatPNG
	case FormatSVG:
	default:
		return HeatmapLayout{}, fmt.Errorf("report: heatmap format %q: want %s or %s", o.Format, FormatPNG, FormatSVG)
	}
	return renderHeatmap(w, s, runs, heatKindFor(s, o.Colour), o.Format)
}
