package report

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

var curvMeta = Meta{Sweep: "eos", Dataset: "synthetic", N: 4096, Model: "MLP 32-64-10 tanh",
	Loss: lssr.LossMSE, Epochs: 12, Sampling: lssr.SamplingWithout}

// meas is a measurement at epoch e with eq. 17's ρ_b and, when sampled > 0,
// a curvature record carrying the sampled ρ_b and its SE.
func meas(e int, rhoB, sampled, se float64) lssr.Measurement {
	m := lssr.Measurement{Epoch: e, Step: int64(e) * 10, Rho: 0.01, RhoB: rhoB}
	if sampled > 0 {
		m.Curvature = &lssr.Curvature{SampledRhoB: sampled, SampledRhoBSE: se, Lambda1: 10, IASFull: 5,
			IASB: 2, Ratio: 15, Threshold: 20, GradSqNorm: 1, Examples: 64}
	}
	return m
}

// handRuns: two batch sizes whose medians are easy to compute by hand.
func handRuns() []Run {
	return []Run{
		// b = 8, eq. 17: {0.1, 0.3} and {0.2} in training; the final 0.9 is not.
		{JobID: "a", B: 8, LR: 0.1, State: lssr.StateDone, Epochs: 3, Measurements: []lssr.Measurement{
			meas(1, 0.1, 0.12, 0.01), meas(2, 0.3, 0.22, 0.01), meas(3, 0.9, 0.9, 0.01)}},
		{JobID: "b", B: 8, LR: 0.2, State: lssr.StateDone, Epochs: 3, Measurements: []lssr.Measurement{
			meas(1, 0.2, 0, 0)}},
		// A diverged run does not count.
		{JobID: "c", B: 8, LR: 0.4, State: lssr.StateDiverged, Epochs: 2, Measurements: []lssr.Measurement{
			meas(1, 0.05, 0.05, 0.01)}},
		// b = 16: eq. 17 {0.5, 0.7}; one sampled value, so its bar is ±SE.
		{JobID: "d", B: 16, LR: 0.1, State: lssr.StateDone, Epochs: 5, Measurements: []lssr.Measurement{
			meas(1, 0.5, 0, 0), meas(4, 0.7, 0.4, 0.05)}},
		// A run without measurements and one without curvature.
		{JobID: "e", B: 32, LR: 0.1, State: lssr.StateDone, Epochs: 5},
		{JobID: "f", B: 32, LR: 0.2, State: lssr.StatePending},
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestRhoBPoints(t *testing.T) {
	pts := RhoBPoints(handRuns())
	if len(pts) != 2 {
		t.Fatalf("got %d points, want 2 (b = 8, 16): %+v", len(pts), pts)
	}
	want := []RhoBPoint{
		{B: 8, Eq17: 0.2, Eq17Lo: 0.15, Eq17Hi: 0.25, Eq17Count: 3, Eq17Runs: 2,
			Sampled: 0.17, SampledLo: 0.145, SampledHi: 0.195, SampledCount: 2, SampledRuns: 1},
		{B: 16, Eq17: 0.6, Eq17Lo: 0.55, Eq17Hi: 0.65, Eq17Count: 2, Eq17Runs: 1,
			Sampled: 0.4, SampledLo: 0.35, SampledHi: 0.45, SampledCount: 1, SampledRuns: 1},
	}
	for i, w := range want {
		g := pts[i]
		if g.B != w.B || !near(g.Eq17, w.Eq17) || !near(g.Eq17Lo, w.Eq17Lo) || !near(g.Eq17Hi, w.Eq17Hi) ||
			g.Eq17Count != w.Eq17Count || g.Eq17Runs != w.Eq17Runs || !near(g.Sampled, w.Sampled) ||
			!near(g.SampledLo, w.SampledLo) || !near(g.SampledHi, w.SampledHi) ||
			g.SampledCount != w.SampledCount || g.SampledRuns != w.SampledRuns {
			t.Errorf("point %d = %+v\nwant      %+v", i, g, w)
		}
	}
}

func TestWriteFigures(t *testing.T) {
	dir := t.TempDir()
	runs := handRuns()
	s, err := Write(dir, curvMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	if s.RhoB == nil {
		t.Fatal("no ρ_b figure")
	}
	checkPNG(t, s.RhoB.Path)
	if got := s.RhoB.Points; len(got) != 2 || !near(got[0].Eq17, 0.2) || !near(got[0].Sampled, 0.17) ||
		!near(got[1].Eq17, 0.6) || !near(got[1].Sampled, 0.4) {
		t.Errorf("ρ_b figure draws %+v, want medians 0.2/0.17 at b = 8 and 0.6/0.4 at b = 16", got)
	}
	// Curvature figures for the jobs with curvature (a, c, d), none for b, e, f.
	if s.Curvature == nil || s.Curvature.Jobs != 3 || len(s.Curvature.Drawn) != 3 || s.Curvature.Nearest {
		t.Fatalf("curvature figures %+v, want jobs a, c, d", s.Curvature)
	}
	var ids []string
	for _, j := range s.Curvature.Drawn {
		ids = append(ids, j.JobID)
		checkPNG(t, j.Path)
	}
	if !slices.Equal(ids, []string{"a", "c", "d"}) {
		t.Errorf("curvature drawn for %v, want [a c d]", ids)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "curvature-*.png"))
	if len(matches) != 3 {
		t.Errorf("%d curvature files, want 3: %v", len(matches), matches)
	}
	if _, err := os.Stat(filepath.Join(dir, "curvature-b8-log2lr-3.3-s0.png")); err != nil {
		t.Errorf("job a's figure: %v", err)
	}
	// The hand runs hold no loss change: no figure, and the summary says so.
	if s.LossChange != nil {
		t.Errorf("loss-change figure without a loss change: %+v", s.LossChange)
	}
	md := readFile(t, s.SummaryPath)
	for _, want := range []string{"## ρ_b against b", "[rho_b.png](rho_b.png)", "| 8 | 0.2 | 3 | 2 | 0.17 |",
		"All 3 jobs that measured curvature are drawn", "[curvature-b8-log2lr-3.3-s0.png]",
		"Not drawn: no curvature measurement holds a one-step loss change"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
}

func TestLossChangeXY(t *testing.T) {
	// η = 0.1, tr(S_n) = 2, ratio 30 against 2/η = 20, measured change 0.05.
	c := &lssr.Curvature{GradSqNorm: 2, Ratio: 30, Threshold: 20, LossChange: 0.05, LossChangeSE: 0.01,
		LossChangeEq7: 0.01 / 2 * 2 * (30 - 20)}
	x, y, se, ok := LossChangeXY(c, 0.1)
	if !ok || !near(x, 1.5) || !near(y, 0.25) || !near(se, 0.05) {
		t.Errorf("LossChangeXY = %v, %v, %v, %v; want 1.5, 0.25, 0.05, true", x, y, se, ok)
	}
	// Eq. 7 in these units is y = x − 1.
	if eq7 := c.LossChangeEq7 / (0.1 * c.GradSqNorm); !near(eq7, x-1) {
		t.Errorf("eq. 7 normalised = %v, want x − 1 = %v", eq7, x-1)
	}
	for _, bad := range []*lssr.Curvature{nil, {GradSqNorm: 2, Ratio: 30, Threshold: 20},
		{GradSqNorm: 0, Ratio: 30, Threshold: 20, LossChange: 0.05}, {GradSqNorm: 2, Ratio: 30, LossChange: 0.05}} {
		if _, _, _, ok := LossChangeXY(bad, 0.1); ok {
			t.Errorf("LossChangeXY(%+v) ok, want not", bad)
		}
	}
}

func TestWriteCurvatureSweep(t *testing.T) {
	dir := t.TempDir()
	runs := defaultCurvSweep().runs()
	s, err := Write(dir, curvMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	if s.RhoB == nil || s.LossChange == nil || s.Curvature == nil {
		t.Fatalf("figures missing: ρ_b %v, loss change %v, curvature %v", s.RhoB, s.LossChange, s.Curvature)
	}
	checkPNG(t, s.RhoB.Path)
	checkPNG(t, s.LossChange.Path)
	if len(s.RhoB.Points) != 9 {
		t.Errorf("%d ρ_b points, want one per b (9)", len(s.RhoB.Points))
	}
	// Seed 0 of 9 b × 2 η measures curvature; the diverged jobs (η = 2^-3) do not.
	if s.Curvature.Jobs != 18 || len(s.Curvature.Drawn) != 18 {
		t.Errorf("curvature: %d jobs, %d drawn; want 18, 18", s.Curvature.Jobs, len(s.Curvature.Drawn))
	}
	if lc := s.LossChange; lc.Runs != 18 || len(lc.Points) != 18*12 || !slices.Equal(lc.Gammas, []float64{1}) {
		t.Errorf("loss change: %d runs, %d points, γ %v; want 18, 216, [1]", lc.Runs, len(lc.Points), lc.Gammas)
	}

	// A second report of the same folder without curvature removes the
	// figures that no longer have data.
	for i := range runs {
		runs[i].Measurements = nil
	}
	s2, err := Write(dir, curvMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	if s2.RhoB != nil || s2.Curvature != nil || s2.LossChange != nil {
		t.Errorf("figures without measurements: %+v %+v %+v", s2.RhoB, s2.Curvature, s2.LossChange)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v, want only heatmap, train-loss, CSV, fit.json and summary", names)
	}
}

func TestCurvatureCapNearestEdge(t *testing.T) {
	var runs []Run
	// 30 jobs; job k sits k/10 octaves above the edge.
	for k := range 30 {
		m := lssr.Measurement{Epoch: 1, Step: 10, Curvature: &lssr.Curvature{Lambda1: 1, IASFull: 1, IASB: 1,
			Threshold: 20, Ratio: 20 * math.Exp2(float64(k)/10)}}
		runs = append(runs, Run{JobID: string(rune('A' + k)), B: 8 << (k % 5), LR: 0.1, Seed: uint64(k), State: lssr.StateDone,
			Epochs: 2, Measurements: []lssr.Measurement{m}})
	}
	f := analyzeCurvature(runs)
	if f.Jobs != 30 || len(f.Drawn) != MaxCurvatureFiles || !f.Nearest {
		t.Fatalf("%d jobs, %d drawn, nearest %v; want 30, %d, true", f.Jobs, len(f.Drawn), f.Nearest, MaxCurvatureFiles)
	}
	for _, j := range f.Drawn {
		if j.Seed >= MaxCurvatureFiles {
			t.Errorf("drew job %s, %.1f octaves from the edge, over a nearer one", j.JobID, j.EdgeDistance)
		}
	}
}

func TestWriteNoMeasurements(t *testing.T) {
	dir := t.TempDir()
	s, err := Write(dir, sampleMeta, sampleSweep().runs())
	if err != nil {
		t.Fatal(err)
	}
	if s.RhoB != nil || s.Curvature != nil || s.LossChange != nil {
		t.Errorf("figures without measurements: %+v %+v %+v", s.RhoB, s.Curvature, s.LossChange)
	}
	md := readFile(t, s.SummaryPath)
	for _, want := range []string{"Not drawn: no run stored a measurement series", "Not drawn: no job measured curvature"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	// Measurements without curvature: ρ_b only.
	runs := []Run{{JobID: "a", B: 8, LR: 0.1, State: lssr.StateDone, Epochs: 2, RhoSeries: []float64{0.01},
		Measurements: []lssr.Measurement{meas(1, 0.05, 0, 0)}}}
	s, err = Write(t.TempDir(), curvMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	if s.RhoB == nil || s.Curvature != nil || s.LossChange != nil {
		t.Errorf("want the ρ_b figure only: %+v %+v %+v", s.RhoB, s.Curvature, s.LossChange)
	}
	checkPNG(t, s.RhoB.Path)
}

// TestWriteCurvatureSample renders the synthetic curvature sweep into
// $LSSR_REPORT_CURV_SAMPLE_DIR for a person to look at.
func TestWriteCurvatureSample(t *testing.T) {
	dir := os.Getenv("LSSR_REPORT_CURV_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set LSSR_REPORT_CURV_SAMPLE_DIR to render the curvature sample")
	}
	s, err := Write(dir, curvMeta, defaultCurvSweep().runs())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s, %s and %d curvature figures", s.RhoB.Path, s.LossChange.Path, len(s.Curvature.Drawn))
}

func TestAnalyzeLossChangeMomentum(t *testing.T) {
	point := func(thr float64) []lssr.Measurement {
		return []lssr.Measurement{{Epoch: 1, Step: 5, Curvature: &lssr.Curvature{GradSqNorm: 1, Ratio: 20,
			Threshold: thr, LossChange: 0.01, LossChangeEq7: 0.01}}}
	}
	runs := []Run{
		{JobID: "sgd", B: 8, LR: 0.1, State: lssr.StateDone, Measurements: point(20)},
		{JobID: "polyak", B: 16, LR: 0.1, State: lssr.StateDone, Measurements: point(30)}, // γ = 1.5
		{JobID: "none", B: 32, LR: 0.1, State: lssr.StateDone, Measurements: []lssr.Measurement{meas(1, 0.1, 0.1, 0)}},
	}
	f := analyzeLossChange(runs)
	if f == nil || len(f.Points) != 2 || f.Runs != 2 || !slices.Equal(f.Gammas, []float64{1, 1.5}) ||
		!slices.Equal(f.BatchSizes, []int{8, 16}) {
		t.Fatalf("analyzeLossChange = %+v; want 2 points of b 8, 16 with γ 1 and 1.5", f)
	}
	if !near(f.Points[0].X, 1) || !near(f.Points[1].X, 20.0/30) || !near(f.Points[0].Y, 0.1) {
		t.Errorf("points %+v", f.Points)
	}
	if err := renderLossChange(io.Discard, &Summary{Meta: curvMeta}, f); err != nil {
		t.Fatal(err)
	}
}
