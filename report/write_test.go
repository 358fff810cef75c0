package report

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

var sampleMeta = Meta{Sweep: "quickstart", Dataset: "fashion-mnist", N: 8192, Model: "MLP 784-128-10 relu",
	Loss: lssr.LossCrossEntropy, Epochs: 10, Sampling: lssr.SamplingWithout}

// sampleSweep is an LSSR sweep with seed noise, a diverged corner, and some
// unfinished cells.
func sampleSweep() synthSweep {
	return synthSweep{
		bs: octaves(8, 4096), log2EtaLo: -10, log2EtaHi: 2, log2EtaStep: 0.5, seeds: 3,
		peak:         lssrPeak(math.Exp2(-7), 8, 8192, lssr.SamplingWithout),
		noise:        0.01,
		divergeAbove: 2.6, divergeSpread: 0.5,
		pending: func(b int, l float64) bool { return b >= 2048 && l < -7 },
		rho:     math.Exp2(-7),
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != heatmapWidthPx || b.Dy() != heatmapHeightPx {
		t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), heatmapWidthPx, heatmapHeightPx)
	}
}

func TestWrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	runs := sampleSweep().runs()
	s, err := Write(dir, sampleMeta, runs)
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, s.HeatmapPath)

	// results.csv: header and one row per run, floats at full precision.
	rows, err := csv.NewReader(strings.NewReader(readFile(t, s.CSVPath))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "sweep,job_id,b,lr,seed,state,attempts,test_acc,train_loss,train_acc,rho,epochs,steps,seconds" {
		t.Errorf("header = %s", got)
	}
	if len(rows) != len(runs)+1 {
		t.Errorf("%d rows, want %d", len(rows), len(runs)+1)
	}
	byID := map[string]Run{}
	for _, r := range runs {
		byID[r.JobID] = r
	}
	for _, row := range rows[1:] {
		r := byID[row[1]]
		acc, _ := strconv.ParseFloat(row[7], 64)
		if row[0] != "quickstart" || row[5] != string(r.State) || acc != r.TestAcc {
			t.Fatalf("row %v does not match run %+v", row, r)
		}
	}

	// counts and the summary.
	if s.States[lssr.StateDiverged] == 0 || s.States[lssr.StatePending] == 0 || s.States[lssr.StateDone] == 0 {
		t.Fatalf("sample lacks a state: %v", s.States)
	}
	if s.Best != RuleLSSR {
		t.Errorf("best = %q, want LSSR; fits %+v", s.Best, s.Fits)
	}
	l := legendEntries(s, buildGrid(runs), heatKindFor(s, ColourMean))
	var texts []string
	for _, e := range append(l.left, l.right...) {
		texts = append(texts, e.text)
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"LSSR ρ_b/η=C, measured ρ", "LSR b/η=C", "SRSR √b/η=C", "ridge: LSSR fits best beyond seed noise",
		"parabola through the top 3", "within 1 standard error", "stability edge", "diverged (every finished seed", "some seeds diverged", "no finished run"} {
		if !strings.Contains(all, want) {
			t.Errorf("legend lacks %q:\n%s", want, all)
		}
	}
	if loss := legendEntries(s, buildGrid(runs), heatKindFor(s, colourLoss)); len(loss.left) != 0 {
		t.Errorf("the train-loss legend lists %d rule fits, want none", len(loss.left))
	}
	md := readFile(t, s.SummaryPath)
	for _, want := range []string{"# quickstart: fashion-mnist-8192, MLP 784-128-10 relu, cross-entropy, 10 epochs",
		"**Verdict: LSSR ρ_b/η = C (measured ρ).**", "heatmap.png", statSeries, "| diverged |", "| LSR b/η = C |",
		"## Stability edge", "## Fits to the stability edge", "B_simple = 1/ρ − 1", "fit.json"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	fj := readFitJSON(t, s.FitJSONPath)
	if cells, _ := fj["cells"].([]any); len(cells) != len(s.Cells) || len(cells) == 0 {
		t.Errorf("fit.json has %d cells, want %d", len(cells), len(s.Cells))
	}
	if w := fj["ridge_fits"].(map[string]any)["winner"]; w != RuleLSSR {
		t.Errorf("fit.json ridge winner %v, want LSSR", w)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("dir holds %d entries, want the 5 files (no temp files)", len(entries))
	}
}

func TestWriteWithoutEnoughRidge(t *testing.T) {
	tests := []struct {
		name string
		runs []Run
	}{
		{"no runs", nil},
		{"one ridge point", []Run{
			{JobID: "a", B: 8, LR: 0.1, State: lssr.StateDone, TestAcc: 0.5, RhoSeries: []float64{0.01}},
			{JobID: "b", B: 8, LR: 0.2, State: lssr.StateDiverged},
			{JobID: "c", B: 16, LR: 0.1, State: lssr.StatePending},
		}},
		{"only diverged", []Run{{JobID: "a", B: 8, LR: 0.1, State: lssr.StateDiverged}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Write(t.TempDir(), sampleMeta, tc.runs)
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, s.HeatmapPath)
			if len(s.Fits) != 0 || s.Best != "" {
				t.Errorf("fits %+v, best %q: want none", s.Fits, s.Best)
			}
			readFitJSON(t, s.FitJSONPath)
			if md := readFile(t, s.SummaryPath); !strings.Contains(md, "No rule was fitted") {
				t.Errorf("summary.md does not say no rule was fitted:\n%s", md)
			}
		})
	}
}

// readFitJSON parses fit.json: NaN must have become null, or it does not
// parse.
func readFitJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	var fj map[string]any
	if err := json.Unmarshal([]byte(readFile(t, path)), &fj); err != nil {
		t.Fatalf("fit.json: %v", err)
	}
	return fj
}

// A three-point ridge without ρ and one seed per cell: fits exist, some
// numbers are NaN (ρ), and fit.json still parses with them as null.
func TestFitJSONWritesNaNAsNull(t *testing.T) {
	var runs []Run
	for i, b := range []int{8, 16, 32} {
		for j, acc := range []float64{0.5, 0.6, 0.55} { // best η inside the grid
			runs = append(runs, Run{JobID: fmt.Sprint(b, j), B: b, LR: 0.1 * math.Exp2(float64(j+i)/4), State: lssr.StateDone,
				TestAcc: acc, TrainLoss: 0.1})
		}
	}
	s, err := WriteWith(t.TempDir(), sampleMeta, runs, Options{Replicates: 20})
	if err != nil {
		t.Fatal(err)
	}
	fj := readFitJSON(t, s.FitJSONPath)
	fits := fj["ridge_fits"].(map[string]any)["fits"].([]any)
	if len(fits) != 3 {
		t.Fatalf("fit.json holds %d ridge fits, want 3 (no measured ρ): %v", len(fits), fits)
	}
	lsr := fits[1].(map[string]any)
	if lsr["rule"] != RuleLSR || lsr["rho_interval"].(map[string]any)["lo"] != 0.0 {
		t.Errorf("LSR entry %v", lsr)
	}
	if !strings.Contains(readFile(t, s.FitJSONPath), "null") {
		t.Error("fit.json has no null although the sweep measured no ρ")
	}
}

// TestWriteSample renders the sample sweep into $LSSR_REPORT_SAMPLE_DIR for a
// person to look at.
func TestWriteSample(t *testing.T) {
	dir := os.Getenv("LSSR_REPORT_SAMPLE_DIR")
	if dir == "" {
		t.Skip("set LSSR_REPORT_SAMPLE_DIR to render the sample report")
	}
	s, err := Write(dir, sampleMeta, sampleSweep().runs())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", s.HeatmapPath)
}
