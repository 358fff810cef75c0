package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// predictJSON is the part of lssr predict --json the tests read.
type predictJSON struct {
	Sweep  string  `json:"sweep"`
	Level  float64 `json:"level"`
	NoFit  string  `json:"no_fit"`
	BestLR struct {
		Target string `json:"target"`
		Why    string `json:"why"`
		Fit    struct {
			Rule string  `json:"rule"`
			C    float64 `json:"c"`
		} `json:"fit"`
		Winner     bool `json:"winner"`
		BMin       int  `json:"b_min"`
		BMax       int  `json:"b_max"`
		Replicates int  `json:"replicates"`
	} `json:"best_lr"`
	Points []struct {
		B      int              `json:"b"`
		BestLR predictEstimate  `json:"best_lr"`
		Edge   *predictEstimate `json:"edge"`
	} `json:"points"`
}

type predictEstimate struct {
	Log2LR       float64              `json:"log2_lr"`
	LR           float64              `json:"lr"`
	Log2Interval struct{ Lo, Hi any } `json:"log2_interval"`
	Extrapolated bool                 `json:"extrapolated"`
	Others       []struct {
		Rule   string  `json:"rule"`
		Log2LR float64 `json:"log2_lr"`
	} `json:"others"`
}

// TestPredict runs a 5 × 10 sweep with two seeds on synthetic data (b = 8
// … 128) and predicts at b = 64 (inside) and 256 and 1024 (beyond): a
// header per target, a line per b in ascending order with both intervals,
// "extrapolated" exactly where b lies outside the fitted batch sizes, and
// the same numbers in --json. A grid whose optimum lies above its top fits
// no rule: one line says why, exit 0, and --json has it in no_fit. Bad
// input exits 2 with one line and prints nothing else.
func TestPredict(t *testing.T) {
	dir := t.TempDir()
	spec := syntheticSpec("syn", 2)
	spec.BatchSizes = "[8, 16, 32, 64, 128]"
	spec.LearningRates = "{log2_from: -6, log2_to: 3}"
	spec.Seeds = "[0, 1]"
	testutil.WriteFile(t, filepath.Join(dir, "syn.yaml"), spec.YAML())
	top := syntheticSpec("top", 2)
	top.LearningRates = "[0.0001220703125, 0.000244140625]"
	testutil.WriteFile(t, filepath.Join(dir, "top.yaml"), top.YAML())
	for _, f := range []string{"syn.yaml", "top.yaml"} {
		if r := runLSSR(t, dir, "sweep", "run", "--plain", f); r.code != 0 {
			t.Fatalf("sweep run %s: exit %d: %s", f, r.code, r.stderr)
		}
	}

	r := runLSSR(t, dir, "predict", "syn", "--b", "1024,256", "--b", "64")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("predict: exit %d, stderr %q", r.code, r.stderr)
	}
	t.Logf("lssr predict syn --b 1024,256 --b 64:\n%s", r.stdout)
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	header := regexp.MustCompile(`^syn: (best η|stability edge) by (LSSR|LSSR free ρ|LSR|SRSR), \S+/η = C: C = 2\^-?\d+\.\d\d \[2\^-?\d+\.\d\d, 2\^-?\d+\.\d\d\].*; fitted at b = (\d+)…(\d+) \(\d+ points\); 95% intervals over \d+ bootstrap replicates$`)
	estimate := `2\^(-?\d+\.\d\d) = [0-9.e+-]+ \[2\^(-?\d+\.\d\d), 2\^(-?\d+\.\d\d)\]( extrapolated)?( \([^)]*\))?`
	point := regexp.MustCompile(`^b = (\d+): best η ` + estimate + `; edge ` + estimate + `$`)
	if len(lines) != 7 {
		t.Fatalf("%d lines, want 2 per target and 3 points:\n%s", len(lines), r.stdout)
	}
	var ranges [2][2]int // per target, the fitted b range
	for i, target := range []string{"best η", "stability edge"} {
		m := header.FindStringSubmatch(lines[2*i])
		if m == nil || m[1] != target || !strings.HasPrefix(lines[2*i+1], "  ") {
			t.Fatalf("header of the %s:\n%s\n%s", target, lines[2*i], lines[2*i+1])
		}
		fmt.Sscan(m[3], &ranges[i][0])
		fmt.Sscan(m[4], &ranges[i][1])
	}

	r = runLSSR(t, dir, "predict", "syn", "--json", "--b", "64", "--b", "256", "--b", "1024")
	var doc predictJSON
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("predict --json: exit %d, stderr %q", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("predict --json: %v\n%s", err, r.stdout)
	}
	if doc.Sweep != "syn" || doc.Level != 0.95 || doc.NoFit != "" || doc.BestLR.Fit.Rule == "" || doc.BestLR.Replicates < 500 ||
		doc.BestLR.BMin != ranges[0][0] || doc.BestLR.BMax != ranges[0][1] || len(doc.Points) != 3 {
		t.Fatalf("predict --json: %+v", doc)
	}
	for i, b := range []int{64, 256, 1024} {
		m := point.FindStringSubmatch(lines[4+i])
		if m == nil {
			t.Fatalf("point line %q", lines[4+i])
		}
		p := doc.Points[i]
		if m[1] != fmt.Sprint(b) || p.B != b || p.Edge == nil {
			t.Fatalf("line %q and JSON point %+v: want b = %d with an edge", lines[4+i], p, b)
		}
		for k, e := range []predictEstimate{p.BestLR, *p.Edge} {
			lo, hi := ranges[k][0], ranges[k][1]
			got := m[2+5*k : 7+5*k] // log2 η, interval ends, extrapolated, others
			wantExtra := b < lo || b > hi
			if e.Extrapolated != wantExtra || (got[3] != "") != wantExtra {
				t.Errorf("b = %d, fitted at %d…%d: extrapolated %v in JSON, %q in the line", b, lo, hi, e.Extrapolated, got[3])
			}
			if got[0] != fmt.Sprintf("%.2f", e.Log2LR) || math.Abs(e.LR-math.Exp2(e.Log2LR)) > 1e-12*e.LR {
				t.Errorf("b = %d: line says 2^%s, JSON 2^%v = %v", b, got[0], e.Log2LR, e.LR)
			}
			elo, ehi := e.Log2Interval.Lo.(float64), e.Log2Interval.Hi.(float64)
			if got[1] != fmt.Sprintf("%.2f", elo) || got[2] != fmt.Sprintf("%.2f", ehi) || !(elo <= ehi) {
				t.Errorf("b = %d: line's interval [%s, %s], JSON's [%v, %v]", b, got[1], got[2], elo, ehi)
			}
			if (got[4] != "") != (len(e.Others) > 0) {
				t.Errorf("b = %d: other rules %q in the line, %d in JSON", b, got[4], len(e.Others))
			}
		}
	}
	if !doc.Points[2].BestLR.Extrapolated || !doc.Points[2].Edge.Extrapolated {
		t.Errorf("b = 1024, above the grid's 128, is not extrapolated: %+v", doc.Points[2])
	}

	want := "top: no rule fits, so nothing is predicted: no rule was fitted to the ridge: 0 of 3 points inside the grid; extend learning_rates above 2^-12\n"
	if r := runLSSR(t, dir, "predict", "top", "--b", "256"); r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("predict top: exit %d\n%q\nwant %q (stderr %q)", r.code, r.stdout, want, r.stderr)
	}
	r = runLSSR(t, dir, "predict", "top", "--b", "256", "--json", "--all")
	doc = predictJSON{}
	if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != 0 || err != nil || doc.NoFit != strings.TrimSuffix(strings.TrimPrefix(want, "top: no rule fits, so nothing is predicted: "), "\n") ||
		len(doc.Points) != 0 || doc.BestLR.Why != doc.NoFit || !strings.Contains(r.stdout, `"points": []`) {
		t.Errorf("predict top --json: exit %d, %v:\n%s", r.code, err, r.stdout)
	}

	// Bad input, run from an empty folder: nothing is written there.
	empty := t.TempDir()
	db := filepath.Join(dir, "lssr.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"predict", "syn"}, "lssr: predict: want at least one --b batch size (see 'lssr predict --help')"},
		{[]string{"predict", "--b", "64"}, "lssr: predict: want exactly one SWEEP argument, got 0"},
		{[]string{"predict", "syn", "--b", "0"}, `lssr: predict: --b "0": want a whole batch size of at least 1`},
		{[]string{"predict", "syn", "--b", "-64"}, `lssr: predict: --b "-64": want a whole batch size`},
		{[]string{"predict", "syn", "--b", "256.5"}, `lssr: predict: --b "256.5": want a whole batch size`},
		{[]string{"predict", "syn", "--b", "many"}, `lssr: predict: --b "many": want a whole batch size`},
		{[]string{"predict", "syn", "--b", "64", "--b"}, "lssr: predict: flag --b needs a value"},
		{[]string{"predict", "syn", "--b", strings.Repeat("8,", 64) + "8"}, "lssr: predict: want at most 64 --b batch sizes, got 65"},
		{[]string{"predict", "syn", "--b", "4096"}, "lssr: --b: batch size 4096: above the training subset size n = 2048"},
		{[]string{"predict", "nosuch", "--b", "64"}, "nosuch"},
		{[]string{"predict", "syn", "--b", "64", "--bs", "8"}, "lssr: predict: unknown flag --bs"},
	} {
		args := append([]string{"--db", db}, tc.args...)
		checkUsageError(t, args, runLSSR(t, empty, args...), empty, tc.want)
	}
}
