package report

import (
	"bytes"
	"errors"
	"image/png"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/lssr/lssr"
)

// jobRun is a run of 6 epochs at b=64, η=0.05: a test pass every evalEvery
// epochs (none for 0), ρ measured at epochs 0, 2, 4, 6, with curvature
// when curv is set. Epoch 3's training loss is NaN (left out of the loss
// panel, kept in accuracy).
func jobRun(evalEvery int, measured, curv bool) Run {
	r := Run{JobID: "j1", B: 64, LR: 0.05, Seed: 7, State: lssr.StateDone, Epochs: 6}
	for e := 1; e <= 6; e++ {
		s := lssr.EpochStats{Epoch: e, TrainLoss: 2 / float64(e), TrainAcc: 0.5 + 0.07*float64(e)}
		if e == 3 {
			s.TrainLoss = math.NaN()
		}
		if evalEvery > 0 && e%evalEvery == 0 {
			s.Evaluated, s.TestLoss, s.TestAcc = true, 2.5/float64(e), 0.45+0.06*float64(e)
		}
		r.Series = append(r.Series, s)
	}
	if measured {
		for e := 0; e <= 6; e += 2 {
			m := lssr.Measurement{Epoch: e, Rho: 0.004 * float64(e+1), RhoB: 0.2 / float64(e+1)}
			if curv {
				m.Curvature = &lssr.Curvature{IASB: 30 + 5*float64(e)}
			}
			r.Measurements = append(r.Measurements, m)
		}
	}
	return r
}

// TestJobCurvesData checks each panel's lines against the run's series,
// recomputed here, and that panels without data are left out.
func TestJobCurvesData(t *testing.T) {
	for _, tc := range []struct {
		name   string
		run    Run
		panels []string
		notes  int
	}{
		{"everything", jobRun(2, true, true), []string{"loss", "accuracy", "ρ and ρ_b (eq. 17)", "IAS_b against 2ρ_b/η"}, 0},
		{"no test pass", jobRun(0, true, true), []string{"loss", "accuracy", "ρ and ρ_b (eq. 17)", "IAS_b against 2ρ_b/η"}, 1},
		{"no curvature", jobRun(1, true, false), []string{"loss", "accuracy", "ρ and ρ_b (eq. 17)"}, 1},
		{"no measurement", jobRun(3, false, false), []string{"loss", "accuracy"}, 0},
		{"measurements only", func() Run { r := jobRun(1, true, true); r.Series = nil; return r }(), []string{"ρ and ρ_b (eq. 17)", "IAS_b against 2ρ_b/η"}, 0},
	} {
		f := JobCurves(tc.run)
		var titles []string
		for _, p := range f.Panels {
			titles = append(titles, p.Title)
		}
		if !slices.Equal(titles, tc.panels) {
			t.Errorf("%s: panels %q, want %q", tc.name, titles, tc.panels)
		}
		if len(f.Notes) != tc.notes {
			t.Errorf("%s: notes %q, want %d", tc.name, f.Notes, tc.notes)
		}
		// The expected lines, from the run directly.
		want := map[string][2][]float64{}
		put := func(name string, x, y float64) {
			w := want[name]
			w[0], w[1] = append(w[0], x), append(w[1], y)
			want[name] = w
		}
		for _, e := range tc.run.Series {
			if !math.IsNaN(e.TrainLoss) {
				put("loss/training (mean minibatch loss of the epoch)", float64(e.Epoch), e.TrainLoss)
			}
			put("accuracy/training (minibatch, over the epoch)", float64(e.Epoch), e.TrainAcc*100)
			if e.Evaluated {
				put("loss/test", float64(e.Epoch), e.TestLoss)
				put("accuracy/test", float64(e.Epoch), e.TestAcc*100)
			}
		}
		for _, m := range tc.run.Measurements {
			put("ρ and ρ_b (eq. 17)/ρ", float64(m.Epoch), m.Rho)
			put("ρ and ρ_b (eq. 17)/ρ_b at the job's b", float64(m.Epoch), m.RhoB)
			if m.Curvature != nil {
				put("IAS_b against 2ρ_b/η/IAS_b", float64(m.Epoch), m.Curvature.IASB)
				put("IAS_b against 2ρ_b/η/2ρ_b/η", float64(m.Epoch), 2*m.RhoB/0.05)
			}
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, w := range want {
			for _, x := range w[0] {
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			}
		}
		if f.FirstEpoch != lo || f.LastEpoch != hi {
			t.Errorf("%s: epochs %v–%v, want %v–%v, the span of every line", tc.name, f.FirstEpoch, f.LastEpoch, lo, hi)
		}
		got := 0
		for _, p := range f.Panels {
			drawn := panelYs(p)
			for i, l := range p.Lines {
				key := p.Title + "/" + l.Name
				w, ok := want[key]
				if !ok {
					t.Errorf("%s: unexpected line %s", tc.name, key)
					continue
				}
				got++
				if !closeTo(l.X, w[0]) || !closeTo(l.Y, w[1]) {
					t.Errorf("%s: %s is %v %v, want %v %v", tc.name, key, l.X, l.Y, w[0], w[1])
				}
				// The plot draws the same points, log10 on a log panel.
				ys := w[1]
				if p.Log {
					ys = nil
					for _, y := range w[1] {
						ys = append(ys, math.Log10(y))
					}
				}
				if !closeTo(drawn[i], ys) {
					t.Errorf("%s: %s drawn at y %v, want %v", tc.name, key, drawn[i], ys)
				}
			}
		}
		if got != len(want) {
			t.Errorf("%s: %d lines drawn, the series has %d", tc.name, got, len(want))
		}
	}
}

func closeTo(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(y)) })
}

// TestJobCurvesLayout checks, for one to four panels and long legend
// texts, that no text, legend thumb or panel's axes intersect another or
// leave the page, and that each axis, thinned as drawn, keeps two labels
// or more, a log axis's labels reading the values its ticks are at.
func TestJobCurvesLayout(t *testing.T) {
	long := jobRun(1, true, true)
	for i := range long.Series {
		long.Series[i].TrainLoss *= 1e-4 // four decades
	}
	for _, tc := range []struct {
		name string
		run  Run
	}{
		{"four panels", jobRun(2, true, true)},
		{"three panels", jobRun(1, true, false)},
		{"two panels", jobRun(0, false, false)},
		{"one panel", func() Run { r := jobRun(0, true, false); r.Series = nil; return r }()},
		{"one epoch", func() Run {
			r := jobRun(1, true, true)
			r.Series = r.Series[:1]
			r.Measurements = r.Measurements[:1]
			return r
		}()},
		{"wide ranges", long},
	} {
		f := JobCurves(tc.run)
		for i := range f.Panels {
			for j := range f.Panels[i].Lines {
				f.Panels[i].Lines[j].Name += strings.Repeat(" and a much longer legend text", 2)
			}
		}
		l := layoutJobCurves(f, "Learning curves — "+strings.Repeat("a long title ", 12))
		checkDisjoint(t, tc.name, l.boxes())
		for _, b := range l.boxes() {
			if b.Min.X < 0 || b.Min.Y < 0 || b.Max.X > l.width || b.Max.Y > l.height {
				t.Errorf("%s: box %v leaves the page %v × %v", tc.name, b, l.width, l.height)
			}
		}
		dc := draw.New(vgimg.New(l.width, l.height))
		for i, p := range f.Panels {
			pl := jobPanelPlot(p, f.FirstEpoch, f.LastEpoch)
			drawPlot(pl, draw.Canvas{Canvas: dc, Rectangle: l.panels[i].plot})
			for _, ax := range []struct {
				name   string
				lo, hi float64
			}{{"x", pl.X.Min, pl.X.Max}, {"y", pl.Y.Min, pl.Y.Max}} {
				marker := pl.X.Tick.Marker
				if ax.name == "y" {
					marker = pl.Y.Tick.Marker
				}
				labelled := 0
				for _, tk := range marker.Ticks(ax.lo, ax.hi) {
					if tk.Label == "" {
						continue
					}
					labelled++
					if ax.name == "y" && p.Log {
						v, err := strconv.ParseFloat(tk.Label, 64)
						if want := math.Pow(10, tk.Value); err != nil || math.Abs(v-want) > 0.05*want {
							t.Errorf("%s: %s tick at 10^%.3f labelled %q", tc.name, p.Title, tk.Value, tk.Label)
						}
					}
				}
				want := 2
				if ax.name == "x" && math.Floor(ax.hi)-math.Ceil(ax.lo) < 1 {
					want = 1 // a single epoch in range
				}
				if labelled < want {
					t.Errorf("%s: %s %s axis has %d labels", tc.name, p.Title, ax.name, labelled)
				}
			}
		}
	}
}

// TestRenderJobCurves checks both formats: a PNG of the layout's size, an
// SVG, and that a run without a curve writes nothing.
func TestRenderJobCurves(t *testing.T) {
	r := jobRun(2, true, true)
	var buf bytes.Buffer
	if err := RenderJobCurves(&buf, r, JobCurvesOptions{}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	l := layoutJobCurves(JobCurves(r), "t")
	wantW, wantH := int(math.Round(float64(l.width/vg.Inch*heatmapDPI))), int(math.Round(float64(l.height/vg.Inch*heatmapDPI)))
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("PNG %v, want %d × %d", b, wantW, wantH)
	}
	buf.Reset()
	if err := RenderJobCurves(&buf, r, JobCurvesOptions{Format: FormatSVG, Title: "job j1"}); err != nil {
		t.Fatal(err)
	}
	if s := buf.String(); !strings.Contains(s, "<svg") || !strings.Contains(s, "job j1") {
		t.Errorf("SVG lacks <svg or its title: %.200s", s)
	}
	buf.Reset()
	if err := RenderJobCurves(&buf, Run{B: 8, LR: 0.1}, JobCurvesOptions{}); !errors.Is(err, ErrNoCurves) || buf.Len() > 0 {
		t.Errorf("a run without curves: %v, %d bytes written", err, buf.Len())
	}
	if err := RenderJobCurves(&buf, r, JobCurvesOptions{Format: "gif"}); err == nil || buf.Len() > 0 {
		t.Errorf("format gif: %v, %d bytes written", err, buf.Len())
	}
}
