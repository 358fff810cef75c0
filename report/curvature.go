package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/lssr/lssr"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxCurvatureFiles caps the per-job curvature figures: with more jobs than
// this, the ones nearest the stability edge are drawn.
const MaxCurvatureFiles = 24

// CurvatureJob is one job's curvature figure (the paper's Figure 4).
type CurvatureJob struct {
	JobID string
	B     int
	LR    float64
	Seed  uint64
	State lssr.JobState
	// Points is the number of curvature measurements drawn.
	Points int
	// EdgeDistance is the median over them of |log2(Ratio/Threshold)|, in
	// octaves from the stability edge; +Inf when no ratio is positive.
	EdgeDistance float64
	// NonPositive counts values of λ1, IAS and the ratio that are ≤ 0 (H is
	// not positive definite) and so have no place on the log axis.
	NonPositive int
	File        string // base name in the report folder
	Path        string
}

// CurvatureFigures lists the per-job curvature figures.
type CurvatureFigures struct {
	Jobs  int            // jobs with at least one curvature measurement
	Drawn []CurvatureJob // in ascending b, η, seed
	// Nearest is true when there were more than MaxCurvatureFiles jobs and
	// Drawn holds those nearest the edge.
	Nearest bool
}

// curvatureSeries is the measurements of r that carry curvature, by step.
func curvatureSeries(r Run) []lssr.Measurement {
	var ms []lssr.Measurement
	for _, m := range r.Measurements {
		if m.Curvature != nil {
			ms = append(ms, m)
		}
	}
	slices.SortStableFunc(ms, func(a, b lssr.Measurement) int { return cmp.Compare(a.Step, b.Step) })
	return ms
}

// analyzeCurvature picks the jobs whose curvature is drawn, or returns nil
// when no job measured curvature.
func analyzeCurvature(runs []Run) *CurvatureFigures {
	var jobs []CurvatureJob
	for _, r := range runs {
		ms := curvatureSeries(r)
		if len(ms) == 0 {
			continue
		}
		j := CurvatureJob{JobID: r.JobID, B: r.B, LR: r.LR, Seed: r.Seed, State: r.State, Points: len(ms)}
		var dist []float64
		for _, m := range ms {
			c := m.Curvature
			if c.Ratio > 0 && c.Threshold > 0 {
				dist = append(dist, math.Abs(math.Log2(c.Ratio/c.Threshold)))
			}
			for _, v := range []float64{c.Lambda1, c.IASFull, c.IASB, c.Ratio} {
				if !(v > 0) {
					j.NonPositive++
				}
			}
		}
		j.EdgeDistance = math.Inf(1)
		if len(dist) > 0 {
			j.EdgeDistance = median(dist)
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return nil
	}
	f := &CurvatureFigures{Jobs: len(jobs)}
	if len(jobs) > MaxCurvatureFiles {
		f.Nearest = true
		slices.SortStableFunc(jobs, func(a, b CurvatureJob) int {
			return cmp.Or(cmp.Compare(a.EdgeDistance, b.EdgeDistance), compareJobs(a, b))
		})
		jobs = jobs[:MaxCurvatureFiles]
	}
	slices.SortStableFunc(jobs, compareJobs)
	seen := map[string]bool{}
	for i := range jobs {
		j := &jobs[i]
		j.File = fmt.Sprintf("curvature-b%d-log2lr%s-s%d.png", j.B, log2Str(j.LR), j.Seed)
		if seen[j.File] { // two jobs of one cell and seed: keep both
			j.File = fmt.Sprintf("curvature-b%d-log2lr%s-s%d-%s.png", j.B, log2Str(j.LR), j.Seed, j.JobID)
		}
		seen[j.File] = true
	}
	f.Drawn = jobs
	return f
}

func compareJobs(a, b CurvatureJob) int {
	return cmp.Or(cmp.Compare(a.B, b.B), cmp.Compare(a.LR, b.LR), cmp.Compare(a.Seed, b.Seed), cmp.Compare(a.JobID, b.JobID))
}

// curvatureFileRE matches the names analyzeCurvature gives, so that figures
// of an earlier report that are no longer drawn can be removed.
var curvatureFileRE = regexp.MustCompile(`^curvature-b\d+-log2lr-?[0-9.]+-s\d+(-[0-9A-Za-z_.-]+)?\.png$`)

// removeStaleFigures deletes the figures in dir, left by an earlier report,
// that s does not draw, so that none of them can be mistaken for this one's.
func removeStaleFigures(dir string, s *Summary) error {
	keep := map[string]bool{}
	if s.Curvature != nil {
		for _, j := range s.Curvature.Drawn {
			keep[j.File] = true
		}
	}
	keep[RhoBFile] = s.RhoB != nil
	keep[LossChangeFile] = s.LossChange != nil
	keep[CurvesFile] = s.Curves != nil
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		ours := curvatureFileRE.MatchString(e.Name()) || e.Name() == RhoBFile || e.Name() == LossChangeFile || e.Name() == CurvesFile
		if !e.IsDir() && ours && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// The curvature series: Okabe–Ito colours and distinct markers, so they
// read without colour too.
var curvatureLines = []struct {
	label  string
	value  func(*lssr.Curvature) float64
	style  draw.LineStyle
	marker marker
}{
	{"λ1 = ‖H‖, top eigenvalue", func(c *lssr.Curvature) float64 { return c.Lambda1 },
		draw.LineStyle{Color: okabeBlue, Width: vg.Points(1.8)},
		marker{shape: draw.BoxGlyph{}, fill: okabeBlue, radius: vg.Points(3)}},
	{"‖H‖_{S_n} = gᵀHg/‖g‖² (g full gradient), IAS at b = n", func(c *lssr.Curvature) float64 { return c.IASFull },
		draw.LineStyle{Color: okabeVermillion, Width: vg.Points(1.8)},
		marker{shape: draw.PyramidGlyph{}, fill: okabeVermillion, radius: vg.Points(3.5)}},
	{"‖H‖_{S_b} = tr(HS_b)/tr(S_b), IAS at the job's b", func(c *lssr.Curvature) float64 { return c.IASB },
		draw.LineStyle{Color: okabeOrange, Width: vg.Points(1.8)},
		marker{shape: draw.CircleGlyph{}, fill: okabeOrange, radius: vg.Points(3)}},
	{"tr(HS_b)/tr(S_n) = ‖H‖_{S_b}/ρ_b, instability ratio", func(c *lssr.Curvature) float64 { return c.Ratio },
		draw.LineStyle{Color: okabeBluishGrn, Width: vg.Points(2.8)},
		marker{shape: diamondGlyph{}, fill: okabeBluishGrn, radius: vg.Points(3.5)}},
}

var thresholdStyle = draw.LineStyle{Color: colHalo, Width: vg.Points(2), Dashes: []vg.Length{vg.Points(8), vg.Points(4)}}

// renderCurvature draws one job's curvature against the SGD step.
func renderCurvature(w io.Writer, s *Summary, j CurvatureJob, r Run) error {
	ms := curvatureSeries(r)
	p := newLinePlot("SGD step", "curvature (log10 scale)")
	steps := make([]float64, len(ms))
	for i, m := range ms {
		steps[i] = float64(m.Step)
	}
	yLo, yHi := math.Inf(1), math.Inf(-1)
	logOf := func(v float64) float64 {
		if v > 0 && isFinite(v) {
			l := math.Log10(v)
			yLo, yHi = math.Min(yLo, l), math.Max(yHi, l)
			return l
		}
		return math.NaN()
	}
	thr := make([]float64, len(ms))
	momentum := false
	for i, m := range ms {
		thr[i] = logOf(m.Curvature.Threshold)
		momentum = momentum || math.Abs(m.Curvature.Threshold*r.LR/2-1) > 1e-6
	}
	var legend legendColumns
	for _, line := range curvatureLines {
		ys := make([]float64, len(ms))
		for i, m := range ms {
			ys[i] = logOf(line.value(m.Curvature))
		}
		p.Add(&linePlotter{xs: steps, ys: ys, style: line.style}, &markerPlotter{xs: steps, ys: ys, marker: line.marker})
		m := line.marker
		legend.left = append(legend.left, legendEntry{thumb: plainLineThumb(line.style, &m), text: line.label})
	}
	thrLine := &linePlotter{xs: steps, ys: thr, style: thresholdStyle}
	thrText := fmt.Sprintf("2/η = %s: the edge of the ratio (eq. 10)", fmtG(2/r.LR))
	if momentum && len(ms) > 0 {
		thrText = fmt.Sprintf("2γ(β1,β2)/η = %s: the edge with momentum", fmtG(ms[0].Curvature.Threshold))
	}
	legend.right = append(legend.right, legendEntry{thumb: plainLineThumb(thresholdStyle, nil), text: thrText},
		legendEntry{text: fmt.Sprintf("%d measurement(s) on %d Hessian-subset examples", len(ms), ms[0].Curvature.Examples)})
	if j.NonPositive > 0 {
		legend.right = append(legend.right, legendEntry{text: fmt.Sprintf("%d values ≤ 0 not drawn (log axis)", j.NonPositive)})
	}

	if math.IsInf(yLo, 1) {
		yLo, yHi = 0, 1
	}
	pad := math.Max(0.08*(yHi-yLo), 0.15)
	p.Y.Min, p.Y.Max = yLo-pad, yHi+pad
	p.Y.Tick.Marker = plot.ConstantTicks(log10Ticks(p.Y.Min, p.Y.Max))
	xLo, xHi := steps[0], steps[len(steps)-1]
	if xHi <= xLo {
		xLo, xHi = xLo-1, xHi+1
	}
	xPad := 0.02 * (xHi - xLo)
	p.X.Min, p.X.Max = xLo-xPad, xHi+xPad
	if slices.Min(thr) == slices.Max(thr) { // the usual case: one η, one line across
		thrLine.xs, thrLine.ys = []float64{p.X.Min, p.X.Max}, []float64{thr[0], thr[0]}
	}
	p.Add(thrLine)

	fig := figure{
		title: fmt.Sprintf("Curvature against step: b = %d, η = 2^%s = %s, seed %d (%s)", j.B, log2Str(j.LR), fmtG(j.LR), j.Seed, j.State),
		subtitle: fmt.Sprintf("%s · job %s · unstable where the ratio exceeds the dashed line (Lee & Jang, Fig. 4)",
			s.Meta.Sweep, j.JobID),
		plot:   p,
		legend: legend,
	}
	return fig.render(w)
}
