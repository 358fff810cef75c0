package report

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

func rect(x0, y0, x1, y1 vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}
}

func boxesOf(ts []placedText) []vg.Rectangle {
	var bs []vg.Rectangle
	for _, t := range ts {
		bs = append(bs, t.box)
	}
	return bs
}

// checkDisjoint fails for each pair of boxes that overlap.
func checkDisjoint(t *testing.T, name string, boxes []vg.Rectangle) {
	t.Helper()
	for i := range boxes {
		for j := i + 1; j < len(boxes); j++ {
			if overlaps(boxes[i], boxes[j]) {
				t.Errorf("%s: boxes %d %v and %d %v overlap", name, i, boxes[i], j, boxes[j])
			}
		}
	}
}

// TestLegendLayoutNoOverlap lays out legends with long texts, the way the
// heatmap, the line figures and panels.png draw them, and checks that no
// text or thumb runs into another or out of the frame.
func TestLegendLayoutNoOverlap(t *testing.T) {
	runs := sampleSweep().runs()
	s := Analyze(sampleMeta, runs)
	g := buildGrid(runs)
	real := legendEntriesOn(s, g, heatKindFor(s, ColourMean), newViridis(0, 1), true)
	long := func(n int, what string) string { return strings.Repeat(what+" ", n) + "end" }
	with := func(l legendColumns, left, right []string) legendColumns {
		l.left = append(append([]legendEntry(nil), l.left...), entriesOf(left)...)
		l.right = append(append([]legendEntry(nil), l.right...), entriesOf(right)...)
		return l
	}
	heatW := vg.Length(heatmapWidthPx)*vg.Inch/heatmapDPI - 2*margin
	sty := textStyle(legendFontMax, draw.XLeft, draw.YCenter)
	if end := legendInset + legendThumbW + legendTextGap + sty.Width(real.left[5].text); len(real.right) < 6 || end < legendInset+heatW/2 {
		t.Fatalf("the sample's sixth left line ends at %v, before the middle %v: it tests no overlap", end, legendInset+heatW/2)
	}
	for _, tc := range []struct {
		name     string
		width    vg.Length
		l        legendColumns
		fontSize float64 // 0: do not check
		wrapped  bool
	}{
		// Its sixth left line, the edge fit, ran into the right column
		// when the right column started at the middle (checked below).
		{"the sample's legend", heatW, real, 0, false},
		// The first left line reaches past the middle, beside the right
		// column: the right column moves right.
		{"a long left line beside the right column", heatW,
			legendColumns{left: entriesOf([]string{long(8, "LSSR fitted")}), right: entriesOf([]string{"short"})}, legendFontMax, false},
		// Long on both sides: the font shrinks.
		{"long on both sides", heatW, with(real, []string{long(6, "left column")}, []string{long(5, "right")}), 0, false},
		// Longer than two half-widths even at the smallest font: wraps.
		{"too long to fit: wraps", heatW, with(real, []string{long(20, "left column")}, []string{long(20, "right column")}), legendFontMin, true},
		{"a narrow frame", 300, with(real, nil, []string{long(4, "right")}), legendFontMin, true},
		{"panels' width", vg.Length(3*panelWidthPx+140)*vg.Inch/heatmapDPI - 2*margin, with(real, []string{long(12, "left")}, nil), 0, false},
	} {
		frame := rect(margin, 0, margin+tc.width, 600)
		p := planLegend(frame, tc.l)
		boxes := p.boxes()
		checkDisjoint(t, tc.name, boxes)
		lines := 0
		for _, it := range p.items {
			lines += len(it.lines)
			for _, ln := range it.lines {
				if tc.fontSize > 0 && ln.sty.Font.Size != vg.Points(tc.fontSize) {
					t.Errorf("%s: font %v, want %v pt", tc.name, ln.sty.Font.Size, tc.fontSize)
				}
			}
		}
		if wrapped := lines > len(tc.l.left)+len(tc.l.right); wrapped != tc.wrapped {
			t.Errorf("%s: wrapped %v, want %v", tc.name, wrapped, tc.wrapped)
		}
		for _, b := range boxes {
			if b.Min.X < frame.Min.X || b.Max.X > frame.Max.X || b.Max.Y > frame.Max.Y || b.Min.Y < frame.Max.Y-p.height {
				t.Errorf("%s: box %v leaves the frame %v (height %v)", tc.name, b, frame, p.height)
			}
		}
	}
}

func entriesOf(texts []string) []legendEntry {
	var es []legendEntry
	for _, s := range texts {
		es = append(es, legendEntry{thumb: lineThumb(ruleStyle(RuleLSR)), text: s})
	}
	return es
}

// TestTickThinning checks that crowded axis labels are thinned until no
// two come within tickLabelGap, and that labels with room are kept.
func TestTickThinning(t *testing.T) {
	var bs []int
	for k := 10; k <= 30; k++ {
		bs = append(bs, 1<<k)
	}
	ts := batchTicks(bs) // 21 values: every other one labelled, "1073741824" the widest
	lo, hi := math.Log2(float64(bs[0]))-0.5, math.Log2(float64(bs[len(bs)-1]))+0.5
	sty := newStyledPlot().X.Tick.Label
	for _, tc := range []struct {
		length  vg.Length
		changed bool
	}{{3000, false}, {600, true}, {250, true}} {
		tr := func(v float64) vg.Length { return tc.length * vg.Length((v-lo)/(hi-lo)) }
		got, changed := thinTicks(ts, tr, sty, true)
		if changed != tc.changed {
			t.Errorf("axis %v pt: changed %v, want %v", tc.length, changed, tc.changed)
		}
		var boxes []vg.Rectangle
		for _, tk := range got {
			if tk.Label != "" {
				w := sty.Width(tk.Label)
				x := tr(tk.Value)
				boxes = append(boxes, rect(x-w/2-tickLabelGap/2, 0, x+w/2+tickLabelGap/2, 10))
			}
		}
		if len(boxes) < 2 {
			t.Errorf("axis %v pt: %d labels left", tc.length, len(boxes))
		}
		checkDisjoint(t, fmt.Sprintf("axis %v pt", tc.length), boxes)
		if len(got) != len(ts) {
			t.Errorf("axis %v pt: %d ticks, want all %d", tc.length, len(got), len(ts))
		}
	}
	// Vertical: heights, not widths.
	ys := []plot.Tick{{Value: 0, Label: "2^0"}, {Value: 1, Label: "2^1"}, {Value: 2, Label: "2^2"}}
	if got, changed := thinTicks(ys, func(v float64) vg.Length { return vg.Length(v) * 10 }, sty, false); !changed || got[1].Label != "" || got[2].Label == "" {
		t.Errorf("labels 10 pt apart: %v (changed %v), want the middle one dropped", got, changed)
	}
}

// TestCellValueLayout checks that --values text stays in its cell, clear
// of the near-best outline when there is room, and is left out of cells
// too small for it.
func TestCellValueLayout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		r     vg.Rectangle
		texts int
	}{
		{"a large cell: value and n", rect(0, 0, 170, 55), 2},
		{"a narrow cell: the value only", rect(0, 0, 30, 20), 1},
		{"a tiny cell: nothing", rect(0, 0, 10, 6), 0},
	} {
		ts := cellValueLayout(tc.r, color.Black, "78.3", 3)
		if len(ts) != tc.texts {
			t.Errorf("%s: %d texts, want %d", tc.name, len(ts), tc.texts)
		}
		checkDisjoint(t, tc.name, boxesOf(ts))
		for _, x := range ts {
			b := x.box
			if b.Min.X < tc.r.Min.X || b.Max.X > tc.r.Max.X || b.Min.Y < tc.r.Min.Y || b.Max.Y > tc.r.Max.Y {
				t.Errorf("%s: %q at %v leaves the cell %v", tc.name, x.text, b, tc.r)
			}
		}
		if len(ts) > 0 && tc.r.Max.X > 100 {
			in := nearBestInset(tc.r)
			if ts[0].box.Min.X < tc.r.Min.X+in || ts[0].box.Min.Y < tc.r.Min.Y+in {
				t.Errorf("%s: value at %v crosses the outline %v inside the cell", tc.name, ts[0].box, in)
			}
		}
	}
}

// TestFitLine checks titles: shrunk to fit, and cut short with "…" only
// when even 8 pt is too wide.
func TestFitLine(t *testing.T) {
	sty := textStyle(15, draw.XCenter, draw.YTop)
	short := "quickstart: fashion-mnist-2048, MLP 784-128-10 relu"
	if s, txt := fitLine(sty, short, 772); txt != short || s.Font.Size != vg.Points(15) {
		t.Errorf("a title with room: %q at %v, want it whole at 15 pt", txt, s.Font.Size)
	}
	long := strings.Repeat("CNN [16 32 64 128] k3 max, dense 256-128-10 relu, BN ", 4)
	s, txt := fitLine(sty, long, 300)
	if s.Width(txt) > 300 || !strings.HasSuffix(txt, "…") || !strings.HasPrefix(long, strings.TrimSuffix(txt, "…")) || s.Font.Size != vg.Points(8) {
		t.Errorf("a long title in 300 pt: %q (%v wide at %v)", txt, s.Width(txt), s.Font.Size)
	}
}
