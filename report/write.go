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
	FitJSONFile = "fit.json"
)

// Write analyses the runs of one sweep and writes heatmap.png, results.csv,
// fit.json and summary.md into dir, creating it, with the default bootstrap
// (Options). When runs carry Measurements it also
// writes rho_b.png (ρ_b against b), one curvature-….png per job with a
// curvature series (at most MaxCurvatureFiles) and, when the loss change was
// measured, loss-change.png. When runs carry their epoch series it writes
// curves.png (training loss and test accuracy over epochs of each batch
// size's best cell). Figures of an earlier report in dir that have
// no data now are removed. Each file is written atomically: a reader sees the
// old file or the new one, never half of one.
func Write(dir string, meta Meta, runs []Run) (*Summary, error) {
	return WriteWith(dir, meta, runs, Options{})
}

// WriteWith is Write with bootstrap options; it also writes fit.json, every
// number of the seed analysis (see FitJSON).
func WriteWith(dir string, meta Meta, runs []Run, opts Options) (*Summary, error) {
	if err := opts.heatmap().Check(); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	s := AnalyzeWith(meta, runs, opts)
	s.HeatmapPath = filepath.Join(dir, HeatmapFile)
	s.CSVPath = filepath.Join(dir, CSVFile)
	s.SummaryPath = filepath.Join(dir, SummaryFile)
	s.FitJSONPath = filepath.Join(dir, FitJSONFile)

	var png bytes.Buffer
	if _, err := renderHeatmap(&png, s, runs, heatKindFor(s, opts.Colour), opts.heatmap()); err != nil {
		return nil, fmt.Errorf("report: heatmap: %w", err)
	}
	s.TrainLossPath = filepath.Join(dir, TrainLossFile)
	files := []outFile{
		{s.HeatmapPath, func(w io.Writer) error { _, err := w.Write(png.Bytes()); return err }},
		{s.TrainLossPath, func(w io.Writer) error {
			_, err := renderHeatmap(w, s, runs, heatKindFor(s, colourLoss), HeatmapOptions{Format: FormatPNG, Values: opts.Values})
			return err
		}},
		{s.CSVPath, func(w io.Writer) error { return writeCSV(w, meta.Sweep, runs) }},
		{s.FitJSONPath, func(w io.Writer) error { return writeFitJSON(w, s) }},
	}
	if f := s.RhoB; f != nil {
		f.Path = filepath.Join(dir, RhoBFile)
		files = append(files, fileOf(f.Path, func(w io.Writer) error { return renderRhoB(w, s, f) }))
	}
	if f := s.Curvature; f != nil {
		byID := map[string]Run{}
		for _, r := range runs {
			byID[r.JobID] = r
		}
		for i := range f.Drawn {
			j := &f.Drawn[i]
			j.Path = filepath.Join(dir, j.File)
			files = append(files, fileOf(j.Path, func(w io.Writer) error { return renderCurvature(w, s, *j, byID[j.JobID]) }))
		}
	}
	if f := s.LossChange; f != nil {
		f.Path = filepath.Join(dir, LossChangeFile)
		files = append(files, fileOf(f.Path, func(w io.Writer) error { return renderLossChange(w, s, f) }))
	}
	if f := s.Curves; f != nil {
		f.Path = filepath.Join(dir, CurvesFile)
		files = append(files, fileOf(f.Path, func(w io.Writer) error { return renderCurves(w, s, f) }))
	}
	// The summary last: it names the files above.
	files = append(files, fileOf(s.SummaryPath, func(w io.Writer) error { return writeSummary(w, s) }))
	for _, f := range files {
		if err := atomicfile.Write(f.path, 0o644, f.write); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	if err := removeStaleFigures(dir, s); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return s, nil
}

// outFile is one file Write creates and how to fill it.
type outFile struct {
	path  string
	write func(io.Writer) error
}

func fileOf(path string, write func(io.Writer) error) outFile { return outFile{path, write} }

// Analyze computes everything Write reports, without touching the disk: the
// grid, counts, ρ, the ridge estimators, the stability edge and the fits,
// with the default bootstrap. The file paths are left empty.
func Analyze(meta Meta, runs []Run) *Summary { return AnalyzeWith(meta, runs, Options{}) }

// AnalyzeWith is Analyze with bootstrap options.
func AnalyzeWith(meta Meta, runs []Run, opts Options) *Summary {
	g := buildGrid(runs)
	s := &Summary{
		Meta:       meta,
		Runs:       len(runs),
		States:     map[lssr.JobState]int{},
		BatchSizes: g.bs,
		LRs:        g.lrs,
		AccPercent: accPercent(runs),
		Rho:        EstimateRho(runs),
		Ridge:      g.ridge(),
	}
	for _, r := range runs {
		s.States[r.State]++
	}
	s.RhoB = analyzeRhoB(s, runs)
	s.Curvature = analyzeCurvature(runs)
	s.LossChange = analyzeLossChange(runs)
	s.Curves = analyzeCurves(s, runs)
	s.analyzeSeeds(g, runs, opts)
	if meta.N <= 0 && meta.Sampling != lssr.SamplingWith {
		s.Notes = append(s.Notes, "The subset size n is unknown: ρ_b was computed as if n were infinite (γ_{n,b} = 1).")
	}
	if maxSeeds(g) == 1 {
		s.Notes = append(s.Notes, "One seed per cell: seed noise cannot be measured within a cell, so the bootstrap gives one-seed cells the noise estimated from neighbouring cells (Bootstrap.SeedSigmaFrom).")
	}
	if len(s.Fits) == 0 {
		s.Notes = append(s.Notes, fmt.Sprintf(
			"No rule was fitted to the ridge or drawn: %s. At least %d ridge points inside the grid are needed.",
			s.RidgeFits.Verdict, MinRidgeFitPoints))
		return s
	}
	if !isFinite(s.Rho.Value) {
		s.Notes = append(s.Notes, "No ρ was measured, so LSSR was fitted with ρ free only.")
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
		if r.State == lssr.StateDone && r.TestAcc > 1 {
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

// summaryStates is every job state (lssr.JobStates) in the order the
// summary counts runs: outcomes first.
var summaryStates = []lssr.JobState{lssr.StateDone, lssr.StateDiverged, lssr.StateStopped, lssr.StateFailed, lssr.StateRunning, lssr.StatePending, lssr.StateCancelled, lssr.StateSkipped}

// listedWhenSeen are the states the summary lists only when some run is in
// them: a sweep is seldom cancelled, stops early only when its spec asks
// (training.stop_early) and skips only in a guided search, so the table of
// a sweep that has none of these keeps the rows it always had.
var listedWhenSeen = []lssr.JobState{lssr.StateStopped, lssr.StateCancelled, lssr.StateSkipped}

// stateOrder lists the states the summary counts, in summaryStates order:
// every one but those listedWhenSeen that no run is in. States no lssr
// knows (counted all the same) follow, sorted.
func stateOrder(states map[lssr.JobState]int) []lssr.JobState {
	var order []lssr.JobState
	for _, st := range summaryStates {
		if !slices.Contains(listedWhenSeen, st) || states[st] > 0 {
			order = append(order, st)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(states)) {
		if !slices.Contains(summaryStates, k) {
			order = append(order, k)
		}
	}
	return order
}

// log2Str formats log2 of x with one decimal, e.g. "-6.1".
func log2Str(x float64) string {
	l := math.Log2(x)
	if math.Abs(l-math.Round(l)) < 0.05 {
		return fmt.Sprintf("%.0f", math.Round(l))
	}
	return fmt.Sprintf("%.1f", l)
}
