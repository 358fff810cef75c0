package report

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/palette"
)

// viridisAnchors are matplotlib's viridis at 0, 1/8, …, 1 (the values R's
// viridisLite prints for viridis(9)). gonum/plot has no viridis; linear
// interpolation between nine anchors stays close to the perceptually uniform
// original and keeps its colour-blind safety.
var viridisAnchors = [...]color.NRGBA{
	{0x44, 0x01, 0x54, 0xff},
	{0x47, 0x2d, 0x7b, 0xff},
	{0x3b, 0x52, 0x8b, 0xff},
	{0x2c, 0x72, 0x8e, 0xff},
	{0x21, 0x90, 0x8c, 0xff},
	{0x27, 0xad, 0x81, 0xff},
	{0x5d, 0xc8, 0x63, 0xff},
	{0xaa, 0xdc, 0x32, 0xff},
	{0xfd, 0xe7, 0x25, 0xff},
}

// viridisAt maps t in [0, 1] (clamped) to a colour.
func viridisAt(t float64) color.NRGBA {
	t = math.Max(0, math.Min(1, t))
	pos := t * float64(len(viridisAnchors)-1)
	i := min(int(pos), len(viridisAnchors)-2)
	f := pos - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*(1-f) + float64(y)*f)) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// viridis is viridis as a palette.ColorMap over [Min, Max].
type viridis struct {
	min, max, alpha float64
}

var _ palette.ColorMap = (*viridis)(nil)

func newViridis(min, max float64) *viridis { return &viridis{min: min, max: max, alpha: 1} }

// At returns the colour of v; outside [Min, Max] it returns the end colour
// and palette.ErrUnderflow or ErrOverflow.
func (v *viridis) At(x float64) (color.Color, error) {
	var err error
	switch {
	case math.IsNaN(x):
		return nil, palette.ErrNaN
	case x < v.min:
		err = palette.ErrUnderflow
	case x > v.max:
		err = palette.ErrOverflow
	}
	t := 0.0
	if v.max > v.min {
		t = (x - v.min) / (v.max - v.min)
	}
	c := viridisAt(t)
	c.A = uint8(math.Round(255 * v.alpha))
	return c, err
}

func (v *viridis) Max() float64       { return v.max }
func (v *viridis) SetMax(x float64)   { v.max = x }
func (v *viridis) Min() float64       { return v.min }
func (v *viridis) SetMin(x float64)   { v.min = x }
func (v *viridis) Alpha() float64     { return v.alpha }
func (v *viridis) SetAlpha(a float64) { v.alpha = a }

// Palette returns n evenly spaced colours from Min to Max.
func (v *viridis) Palette(n int) palette.Palette {
	cs := make([]color.Color, n)
	for i := range cs {
		t := 0.0
		if n > 1 {
			t = float64(i) / float64(n-1)
		}
		c, _ := v.At(v.min + t*(v.max-v.min))
		cs[i] = c
	}
	return colors(cs)
}

type colors []color.Color

func (c colors) Colors() []color.Color { return c }
