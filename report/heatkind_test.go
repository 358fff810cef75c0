package report

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
)

// TestHeatmapSeries checks what each heatmap draws from its data, not its
// pixels: each kind's cell values against the runs and the seed statistics,
// and the overlays (edge, edge fit, rule curves, ridge with intervals)
// against the summary they come from.
func TestHeatmapSeries(t *testing.T) {
	runs := sampleSweep().runs()
	s := Analyze(sampleMeta, runs)
	g := buildGrid(runs)
	cells := summaryCells(s)
	for key, c := range g.cells {
		sc := cells[key]
		mean, okM := heatKindFor(s, ColourMean).value(c, sc)
		se, okS := heatKindFor(s, ColourSE).value(c, sc)
		loss, okL := heatKindFor(s, colourLoss).value(c, sc)
		if c.done == 0 {
			if okM || okS || okL {
				t.Errorf("cell %v without done seeds has a colour", key)
			}
			continue
		}
		var sumLoss float64
		for _, r := range c.decided {
			if r.State == lssr.StateDone {
				sumLoss += r.TrainLoss
			}
		}
		want := map[string][2]float64{
			"mean": {mean, c.meanAcc * s.accScale()},
			"se":   {se, sc.SEAcc * s.accScale()},
			"loss": {loss, math.Log10(sumLoss / float64(c.done))},
		}
		for name, v := range want {
			if math.Abs(v[0]-v[1]) > 1e-9*math.Max(1, math.Abs(v[1])) {
				t.Errorf("cell %v: %s colour value %v, want %v", key, name, v[0], v[1])
			}
		}
	}

	kinds := func(ps []any) (edge []EdgePoint, ridge []EstimatePoint, rules []string) {
		for _, p := range ps {
			switch p := p.(type) {
			case *edgePlotter:
				edge = p.points
			case *ridgePlotter:
				ridge = p.points
			case *curvePlotter:
				rules = append(rules, p.fit.Rule+map[bool]string{true: " (edge)"}[p.style.Color == edgeFitStyle.Color])
			}
		}
		return edge, ridge, rules
	}
	for _, colour := range []string{ColourMean, ColourSE, colourLoss} {
		var ps []any
		for _, p := range overlays(s, heatKindFor(s, colour)) {
			ps = append(ps, p)
		}
		edge, ridge, rules := kinds(ps)
		if !reflect.DeepEqual(edge, s.Edge.Points) || len(edge) == 0 {
			t.Errorf("%s: edge drawn %v, summary %v", colour, edge, s.Edge.Points)
		}
		parabola, _ := s.RidgeBy(EstimatorParabola)
		if colour == colourLoss {
			if ridge != nil || len(rules) != 0 {
				t.Errorf("train-loss heatmap draws a ridge or rule curves: %v %v", ridge, rules)
			}
			continue
		}
		if !reflect.DeepEqual(ridge, parabola.Points) {
			t.Errorf("%s: ridge drawn %v, want the parabola estimator's %v", colour, ridge, parabola.Points)
		}
		edgeRule := RuleLSSR
		if s.EdgeFits.Winner != "" {
			edgeRule = s.EdgeFits.Winner
		}
		want := []string{edgeRule + " (edge)", RuleLSSRFree, RuleLSR, RuleSRSR, RuleLSSR}
		if !reflect.DeepEqual(rules, want) {
			t.Errorf("%s: rule curves %v, want %v (measured-ρ LSSR last, on top)", colour, rules, want)
		}
	}
}

// TestReportPNGSizes: heatmap.png (mean and SE) and train-loss.png decode
// at the documented heatmapWidthPx × heatmapHeightPx.
func TestReportPNGSizes(t *testing.T) {
	runs := sampleSweep().runs()
	for _, colour := range []string{ColourMean, ColourSE} {
		dir := t.TempDir()
		s, err := WriteWith(dir, sampleMeta, runs, Options{Replicates: 50, Colour: colour})
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{s.HeatmapPath, filepath.Join(dir, TrainLossFile)} {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if b := img.Bounds(); b.Dx() != heatmapWidthPx || b.Dy() != heatmapHeightPx {
				t.Errorf("%s: %d×%d px, want %d×%d", path, b.Dx(), b.Dy(), heatmapWidthPx, heatmapHeightPx)
			}
		}
	}
}
