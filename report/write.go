package report

import (
	"bytes"
	"fmt"
	"github.com/lssr/lssr/internal/atomicfile"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/lssr/lssr"
)

// File names Write creates in its directory.
const (
	HeatmapFile = "heatmap.png"
	CSVFile     = "results.csv"
	SummaryFile = "summary.md"
)

// Write analyses the runs of one sweep and writes heatmap.png, results.csv and
// summary.md into dir, creating it. Each file is written atomically: a reader
// sees the old file or the new one, never half of one.
func Write(dir string, meta Meta, runs []Run) (*Summary, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	s := Analyze(meta, runs)
	s.HeatmapPath = filepath.Join(dir, HeatmapFile)
	s.CSVPath = filepath.Join(dir, CSVFile)
	s.SummaryPath = filepath.Join(dir, SummaryFile)

	var png bytes.Buffer
	if err := renderHeatmap(&png, s, runs); err != nil {
		return nil, fmt.Errorf("report: heatmap: %w", err)
	}
	files := []struct {
		path  string
		write func(io.Writer) error
	}{
		{s.HeatmapPath, func(w io.Writer) error { _, err := w.Write(png.Bytes()); return err }},
		{s.CSVPath, func(w io.Writer) error { return writeCSV(w, meta.Sweep, runs) }},
		{s.SummaryPath, func(w io.Writer) error { return writeSummary(w, s) }},
	}
	for _, f := range files {
		if err := atomicfile.Write(f.path, 0o644, f.write); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	return s, nil
}

// Analyze computes everything Write reports, without touching the disk: the
// grid, counts, ρ, the ridge and the fits. The file paths are left empty.
func Analyze(meta Meta, runs []Run) *Summary {
	g := buildGrid(runs)
	s := &Summary{
		Meta:       meta,
		Runs:       len(runs),
		States:     map[string]int{},
		BatchSizes: g.bs,
		LRs:        g.lrs,
		AccPercent: accPercent(runs),
		Rho:        EstimateRho(runs),
		Ridge:      g.ridge(),
	}
	for _, r := range runs {
		s.States[r.State]++
	}
	if meta.N <= 0 && meta.Sampling != lssr.SamplingWith {
		s.Notes = append(s.Notes, "The subset size n is unknown: ρ_b was computed as if n were infinite (γ_{n,b} = 1).")
	}
	if maxSeeds(g) == 1 {
		s.Notes = append(s.Notes, "One seed per cell: seed noise cannot be estimated from this sweep, so the ridge and the ranking of rules may be noise.")
	}
	if len(s.Ridge) < MinRidgePoints {
		s.Notes = append(s.Notes, fmt.Sprintf(
			"Only %d ridge point(s): at least %d batch sizes with a done run are needed to fit a rule, so no rule was fitted or drawn.",
			len(s.Ridge), MinRidgePoints))
		return s
	}
	var oneParam []Fit
	if isFinite(s.Rho.Value) {
		f := FitLSSR(s.Ridge, meta.N, meta.Sampling, s.Rho.Value)
		s.Fits = append(s.Fits, f)
		oneParam = append(oneParam, f)
	} else {
		s.Notes = append(s.Notes, "No ρ was measured, so LSSR was fitted with ρ free only and is not ranked.")
	}
	lsr, srsr := FitLSR(s.Ridge), FitSRSR(s.Ridge)
	s.Fits = append(s.Fits, FitLSSRFreeRho(s.Ridge, meta.N, meta.Sampling), lsr, srsr)
	oneParam = append(oneParam, lsr, srsr)
	if best, ok := Best(oneParam...); ok {
		s.Best = best.Rule
	}
	if len(s.Ridge) == MinRidgePoints {
		s.Notes = append(s.Notes, "Two ridge points: LSSR with ρ free fits them exactly; its RMSE says nothing.")
	}
	return s
}

// maxSeeds is the largest number of done seeds in a cell.
func maxSeeds(g grid) int {
	m := 0
	for _, c := range g.cells {
		m = max(m, c.done)
	}
	return m
}

// samplingText spells the sampling for people.
func samplingText(s lssr.Sampling) string {
	switch s {
	case lssr.SamplingWith:
		return "sampling with replacement"
	case lssr.SamplingWithout:
		return "sampling without replacement"
	}
	return "sampling " + strconv.Quote(string(s))
}

// accPercent reports whether test accuracies are fractions (to be shown as
// percent): true unless some done run reports more than 1.
func accPercent(runs []Run) bool {
	for _, r := range runs {
		if r.State == StateDone && r.TestAcc > 1 {
			return false
		}
	}
	return true
}

// accScale converts a stored accuracy to the percent shown in the report.
func (s *Summary) accScale() float64 {
	if s.AccPercent {
		return 100
	}
	return 1
}

// stateOrder lists states in the order the summary counts them; unknown
// states follow, sorted.
func stateOrder(states map[string]int) []string {
	order := []string{StateDone, StateDiverged, StateFailed, StateRunning, StatePending}
	var rest []string
	for _, k := range slices.Sorted(maps.Keys(states)) {
		if !slices.Contains(order, k) {
			rest = append(rest, k)
		}
	}
	return append(order, rest...)
}

// log2Str formats log2 of x with one decimal, e.g. "-6.1".
func log2Str(x float64) string {
	l := math.Log2(x)
	if math.Abs(l-math.Round(l)) < 0.05 {
		return fmt.Sprintf("%.0f", math.Round(l))
	}
	return fmt.Sprintf("%.1f", l)
}
