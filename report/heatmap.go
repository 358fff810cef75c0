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
	// Range, unless zero, fixes the colour scale to [Lo, Hi] in the
	// colour's units (percent for accuracy shown as percent); cells beyond it
	// take the colour of its ends and the colour bar marks the cut end. The
	// zero Range is the automatic scale: the range of the cells' values.
	Range ColourRange
	// Clip narrows the automatic scale to the band where the ridge lies
	// (see ClipRange). It cannot be combined with Range.
	Clip bool
	// Values prints in each coloured cell its value and, when the cell is
	// tall enough, the count of seeds its mean is over ("n=3").
	Values bool
}

// Check reports options RenderHeatmap refuses: an unknown format, a
// Range that is not finite with Lo < Hi, or Range with Clip.
func (o HeatmapOptions) Check() error {
	switch o.Format {
	case "", FormatPNG, FormatSVG:
	default:
		return fmt.Errorf("heatmap format %q: want %s or %s", o.Format, FormatPNG, FormatSVG)
	}
	if o.Range.IsZero() {
		return nil
	}
	if err := o.Range.check(); err != nil {
		return err
	}
	if o.Clip {
		return fmt.Errorf("a colour range and clip together: give one of them")
	}
	return nil
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
// are. s is AnalyzeWith's summary of runs. Options that Check refuses are
// an error, and nothing is written.
func RenderHeatmap(w io.Writer, s *Summary, runs []Run, o HeatmapOptions) (HeatmapLayout, error) {
	if err := o.Check(); err != nil {
		return HeatmapLayout{}, fmt.Errorf("report: %w", err)
	}
	if o.Format == "" {
		o.Format = FormatPNG
	}
	return renderHeatmap(w, s, runs, heatKindFor(s, o.Colour), o)
}
