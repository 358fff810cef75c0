package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"testing"

	"github.com/lssr/lssr"
)

func TestParseColourRange(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   ColourRange
		errHas string // "" for no error
	}{
		{in: "60,80", want: ColourRange{60, 80}},
		{in: " 60 , 80.5 ", want: ColourRange{60, 80.5}},
		{in: "-1.5,2e1", want: ColourRange{-1.5, 20}},
		{in: "60", errHas: "two numbers"},
		{in: "", errHas: "two numbers"},
		{in: "60,80,90", errHas: "two numbers"},
		{in: "a,80", errHas: "two numbers"},
		{in: "60,", errHas: "two numbers"},
		{in: "80,60", errHas: "LO < HI"},
		{in: "60,60", errHas: "LO < HI"},
		{in: "NaN,80", errHas: "finite"},
		{in: "60,Inf", errHas: "finite"},
		{in: "-inf,80", errHas: "finite"},
	} {
		got, err := ParseColourRange(tc.in)
		switch {
		case tc.errHas == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.errHas == "" && got != tc.want:
			t.Errorf("%q: got %+v, want %+v", tc.in, got, tc.want)
		case tc.errHas != "" && (err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.errHas))):
			t.Errorf("%q: error %v, want one saying %q", tc.in, err, tc.errHas)
		}
	}
}

func TestHeatmapOptionsCheck(t *testing.T) {
	for _, tc := range []struct {
		o  HeatmapOptions
		ok bool
	}{
		{HeatmapOptions{}, true},
		{HeatmapOptions{Range: ColourRange{60, 80}}, true},
		{HeatmapOptions{Clip: true, Values: true, Format: FormatSVG}, true},
		{HeatmapOptions{Range: ColourRange{80, 60}}, false},
		{HeatmapOptions{Range: ColourRange{math.NaN(), 60}}, false},
		{HeatmapOptions{Range: ColourRange{0, math.Inf(1)}}, false},
		{HeatmapOptions{Range: ColourRange{60, 80}, Clip: true}, false},
		{HeatmapOptions{Format: "gif"}, false},
	} {
		if err := tc.o.Check(); (err == nil) != tc.ok {
			t.Errorf("%+v: Check() = %v, want ok %v", tc.o, err, tc.ok)
		}
		if tc.ok {
			continue
		}
		// Refused options write nothing.
		runs := sampleSweep().runs()
		var buf bytes.Buffer
		if _, err := RenderHeatmap(&buf, Analyze(sampleMeta, runs), runs, tc.o); err == nil || buf.Len() > 0 {
			t.Errorf("%+v: RenderHeatmap wrote %d bytes, err %v", tc.o, buf.Len(), err)
		}
	}
}

// gridOf is a one-seed sweep with the given test accuracies (percent), one
// row per η (the lowest first), one column per b.
func gridOf(accs [][]float64) ([]Run, grid) {
	var runs []Run
	for j, row := range accs {
		for i, acc := range row {
			runs = append(runs, Run{JobID: fmt.Sprintf("%d-%d", i, j), B: 8 << i, LR: math.Exp2(float64(j - 6)),
				State: lssr.StateDone, TestAcc: acc / 100, TrainLoss: 0.1, InitialTrainLoss: 2.3, Epochs: 1})
		}
	}
	return runs, buildGrid(runs)
}

// TestScaleRangeAndClip checks the colour scale of --range and --clip
// against hand computations, and which ends it cuts for values at, inside
// and outside its range.
func TestScaleRangeAndClip(t *testing.T) {
	// Columns (b = 8, 16, 32): bests 80, 76 and 60, overall 10 to 80.
	runs, g := gridOf([][]float64{
		{10, 20, 30},
		{70, 76, 60},
		{80, 50, 40},
	})
	s := Analyze(Meta{Sweep: "hand", N: 1024, Sampling: lssr.SamplingWithout}, runs)
	cells := summaryCells(s)
	mean := heatKindFor(s, ColourMean)
	// clip: m = 60 (lowest column best), top 80, bottom 10:
	// lo = 60 − max(80 − 60, (80 − 10)/10) = 40.
	for _, tc := range []struct {
		name        string
		o           HeatmapOptions
		lo, hi      float64
		under, over bool
	}{
		{"automatic: the range of the cells", HeatmapOptions{}, 10, 80, false, false},
		{"range at the cells' ends: nothing cut", HeatmapOptions{Range: ColourRange{10, 80}}, 10, 80, false, false},
		{"range around them: nothing cut", HeatmapOptions{Range: ColourRange{0, 100}}, 0, 100, false, false},
		{"range inside: both ends cut", HeatmapOptions{Range: ColourRange{30, 70}}, 30, 70, true, true},
		{"range above the top: low end cut", HeatmapOptions{Range: ColourRange{60, 90}}, 60, 90, true, false},
		{"clip: band of the column bests", HeatmapOptions{Clip: true}, 40, 80, true, false},
	} {
		sc := scaleFor(g, cells, mean, tc.o)
		if math.Abs(sc.lo-tc.lo) > 1e-9 || math.Abs(sc.hi-tc.hi) > 1e-9 || sc.under != tc.under || sc.over != tc.over {
			t.Errorf("%s: scale %+v, want [%v, %v] under %v over %v", tc.name, sc, tc.lo, tc.hi, tc.under, tc.over)
		}
		// A value beyond an end takes that end's colour.
		cmap := newViridis(sc.lo, sc.hi)
		below, _ := cmap.At(sc.lo - 5)
		atLo, _ := cmap.At(sc.lo)
		above, _ := cmap.At(sc.hi + 5)
		atHi, _ := cmap.At(sc.hi)
		if below != atLo || above != atHi {
			t.Errorf("%s: values beyond the ends are not drawn in the end colours", tc.name)
		}
	}

	// A flat ridge (every column's best 80) keeps a tenth of the range
	// below it: lo = 80 − (80 − 10)/10 = 73.
	runs, g = gridOf([][]float64{{10, 20}, {80, 80}, {75, 72}})
	s = Analyze(Meta{Sweep: "flat", N: 1024, Sampling: lssr.SamplingWithout}, runs)
	if sc := scaleFor(g, summaryCells(s), heatKindFor(s, ColourMean), HeatmapOptions{Clip: true}); math.Abs(sc.lo-73) > 1e-9 || sc.hi != 80 {
		t.Errorf("flat ridge: clip %v..%v, want 73..80", sc.lo, sc.hi)
	}
	// A band reaching below every cell is no cut: lo stays at the bottom.
	runs, g = gridOf([][]float64{{50, 52}, {80, 60}})
	s = Analyze(Meta{Sweep: "wide", N: 1024, Sampling: lssr.SamplingWithout}, runs)
	if sc := scaleFor(g, summaryCells(s), heatKindFor(s, ColourMean), HeatmapOptions{Clip: true}); sc.lo != 50 || sc.hi != 80 || sc.under {
		t.Errorf("wide band: clip %+v, want 50..80 uncut", sc)
	}
}

// TestColorBarEnds checks the labels of a cut colour bar: "≤ lo" and
// "≥ hi" in the colour's format, and no tick label over them.
func TestColorBarEnds(t *testing.T) {
	s := Analyze(sampleMeta, sampleSweep().runs())
	bar := rect(700, 100, 716, 500)
	for _, tc := range []struct {
		sc   colourScale
		ends []string
	}{
		{colourScale{lo: 60, hi: 80}, nil},
		{colourScale{lo: 60, hi: 80, under: true}, []string{"≤ 60.0"}},
		{colourScale{lo: 60, hi: 80, under: true, over: true}, []string{"≤ 60.0", "≥ 80.0"}},
	} {
		l := layoutColorBar(bar, tc.sc, heatKindFor(s, ColourMean))
		var got []string
		for _, e := range l.ends {
			got = append(got, e.text)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.ends) {
			t.Errorf("%+v: end labels %q, want %q", tc.sc, got, tc.ends)
		}
		checkDisjoint(t, fmt.Sprintf("colour bar %+v", tc.sc), boxesOf(l.texts()))
		if (l.underCap != nil) != tc.sc.under || (l.overCap != nil) != tc.sc.over {
			t.Errorf("%+v: caps under %v over %v", tc.sc, l.underCap != nil, l.overCap != nil)
		}
	}
}

// TestLossBarTicks checks the colour bar of train-loss.png: ticks at log10
// of the loss, labelled with the loss itself.
func TestLossBarTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64 // losses
		want   string  // the labelled ticks
	}{
		{0.01, 1, "[0.01 0.1 1]"},
		{1e-4, 10, "[0.0001 0.001 0.01 0.1 1 10]"},
		{0.01, 0.5, "[0.01 0.02 0.05 0.1 0.2 0.5]"},
		{0.28, 2.3, "[0.3 0.4 0.5 0.6 0.7 0.8 0.9 1 2]"},
		{0.31, 0.39, "[0.31 0.39]"},
	} {
		var got []string
		for _, tk := range lossBarTicks(math.Log10(tc.lo), math.Log10(tc.hi)) {
			if tk.Label == "" {
				continue
			}
			got = append(got, tk.Label)
			if want := math.Log10(mustFloat(t, tk.Label)); math.Abs(tk.Value-want) > 0.02 {
				t.Errorf("%v..%v: label %s at log10 %v, want %v", tc.lo, tc.hi, tk.Label, tk.Value, want)
			}
		}
		if fmt.Sprint(got) != tc.want {
			t.Errorf("%v..%v: labels %v, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
	s := Analyze(sampleMeta, sampleSweep().runs())
	if k := heatKindFor(s, colourLoss); k.barLabel != "final training loss (log scale)" || k.format(math.Log10(0.031)) != "0.031" {
		t.Errorf("loss bar label %q, value 0.031 printed as %q", k.barLabel, k.format(math.Log10(0.031)))
	}
}

func mustFloat(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	if _, err := fmt.Sscan(s, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestTextColourOnViridis checks the black-or-white choice of --values
// against WCAG luminances worked out by hand.
func TestTextColourOnViridis(t *testing.T) {
	for _, tc := range []struct {
		name string
		bg   color.NRGBA
		lum  float64 // by hand, from the sRGB transfer function
		want color.Color
	}{
		{"black", color.NRGBA{0, 0, 0, 0xff}, 0, color.White},
		{"white", color.NRGBA{0xff, 0xff, 0xff, 0xff}, 1, color.Black},
		{"pure red", color.NRGBA{0xff, 0, 0, 0xff}, 0.2126, color.Black},
		// viridis' dark end #440154: 0.2126·0.0578 + 0.7152·0.0003 + 0.0722·0.0887.
		{"viridis 0 (purple)", viridisAnchors[0], 0.0189, color.White},
		// #21908c: 0.2126·0.0152 + 0.7152·0.2789 + 0.0722·0.2623.
		{"viridis 1/2 (teal)", viridisAnchors[4], 0.2216, color.Black},
		// #3b528b: 0.2126·0.0437 + 0.7152·0.0844 + 0.0722·0.2582.
		{"viridis 1/4 (blue)", viridisAnchors[2], 0.0883, color.White},
		// #fde725: 0.2126·0.9823 + 0.7152·0.7991 + 0.0722·0.0185.
		{"viridis 1 (yellow)", viridisAnchors[8], 0.7817, color.Black},
	} {
		n := tc.bg
		if got := relativeLuminance(n.R, n.G, n.B); math.Abs(got-tc.lum) > 2e-3 {
			t.Errorf("%s: luminance %.4f, want %.4f", tc.name, got, tc.lum)
		}
		if got := textColourOn(tc.bg); got != tc.want {
			t.Errorf("%s: text %v, want %v", tc.name, got, tc.want)
		}
	}
	// The switch lies where the contrasts with black and white are equal,
	// (y+0.05)/0.05 = 1.05/(y+0.05): y = √0.0525 − 0.05 ≈ 0.1791.
	if y := math.Sqrt(0.0525) - 0.05; darkText(y-1e-3) || !darkText(y+1e-3) {
		t.Errorf("the switch is not at %.4f", y)
	}
}
