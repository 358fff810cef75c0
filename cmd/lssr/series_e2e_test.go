package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// seriesSpec evaluates the test set every 2 epochs, ρ every 3 and the
// curvature at the end, so the columns fill on different epochs.
const seriesSpec = `name: ser
dataset: {name: synthetic, n: 512, test_n: 128, dim: 8, classes: 3}
model: {kind: mlp, hidden: [16], activation: tanh}
training: {epochs: 5, eval_every: 2, measure_every: 3, curvature_every: 5, hessian_subset: 64, curvature_samples: 2}
grid: {batch_sizes: [16, 64], learning_rates: [0.05, 0.2], seeds: [0]}
workers: 2
`

// TestSeriesExport runs a small sweep and exports its series as CSV and
// JSON: the header, one row per job and epoch, and every value as the store
// holds it, read back through the store package; empty where nothing was
// measured.
func TestSeriesExport(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), seriesSpec)
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	const jobs, epochs = 4, 5
	stored := storedSeries(t, filepath.Join(dir, "x.db"), "ser")

	r := runLSSR(t, dir, "--db", "x.db", "sweep", "export", "ser", "--series")
	if r.code != 0 {
		t.Fatalf("export --series: exit %d: %s", r.code, r.stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	const header = "job_id,b,lr,seed,epoch,step,train_loss,train_acc,test_loss,test_acc,rho,rho_b,ias"
	if got := strings.Join(rows[0], ","); got != header {
		t.Fatalf("header %s\nwant   %s", got, header)
	}
	if len(rows)-1 != jobs*epochs {
		t.Fatalf("%d rows, want %d jobs × %d epochs", len(rows)-1, jobs, epochs)
	}
	csvRows := make([]map[string]string, 0, len(rows)-1)
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		csvRows = append(csvRows, m)
	}
	checkSeriesRows(t, "csv", csvRows, stored, epochs)

	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "export", "ser", "--series", "--format", "json", "--out", "s.json"); r.code != 0 {
		t.Fatalf("export --series --format json: exit %d: %s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "s.json"))
	if err != nil {
		t.Fatal(err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(raw, &objs); err != nil {
		t.Fatalf("JSON export: %v", err)
	}
	jsonRows := make([]map[string]string, 0, len(objs))
	for _, o := range objs {
		if len(o) != len(strings.Split(header, ",")) {
			t.Errorf("JSON row has %d keys, want every column: %v", len(o), o)
		}
		m := map[string]string{}
		for k, v := range o {
			switch v := v.(type) {
			case nil:
				m[k] = ""
			case string:
				m[k] = v
			case float64:
				m[k] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		jsonRows = append(jsonRows, m)
	}
	if len(jsonRows) != jobs*epochs {
		t.Fatalf("JSON: %d rows, want %d", len(jsonRows), jobs*epochs)
	}
	checkSeriesRows(t, "json", jsonRows, stored, epochs)
}

type jobSeries struct {
	rec    store.JobRecord
	series store.Series
}

func storedSeries(t *testing.T, path, sweep string) []jobSeries {
	t.Helper()
	db, err := store.Open(path, store.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []jobSeries
	err = db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(sweep)
		for _, j := range jobs {
			s, err := tx.Series(sweep, j.Job.ID)
			if err != nil {
				return err
			}
			out = append(out, jobSeries{j, s})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSeriesRows compares the exported rows, job after job and epoch after
// epoch, with the stored series: train values every epoch, test values on
// epochs 2, 4 and 5 (eval_every 2 and the last), ρ on 3 and 5, the IAS at b
// on 5.
func checkSeriesRows(t *testing.T, format string, rows []map[string]string, stored []jobSeries, epochs int) {
	t.Helper()
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for i, js := range stored {
		if len(js.series.Epochs) != epochs {
			t.Fatalf("job %s: %d stored epochs, want %d", js.rec.Job.ID, len(js.series.Epochs), epochs)
		}
		for e := 1; e <= epochs; e++ {
			row := rows[i*epochs+e-1]
			st := js.series.Epochs[e-1]
			want := map[string]string{
				"job_id": js.rec.Job.ID, "b": strconv.Itoa(js.rec.Job.BatchSize), "lr": f(js.rec.Job.LR), "seed": "0",
				"epoch": strconv.Itoa(e), "step": strconv.FormatInt(st.Step, 10),
				"train_loss": f(st.TrainLoss), "train_acc": f(st.TrainAcc),
				"test_loss": "", "test_acc": "", "rho": "", "rho_b": "", "ias": "",
			}
			if e == 2 || e == 4 || e == 5 {
				if !st.Evaluated {
					t.Fatalf("job %s: epoch %d not evaluated in the store", js.rec.Job.ID, e)
				}
				want["test_loss"], want["test_acc"] = f(st.TestLoss), f(st.TestAcc)
			}
			for _, m := range js.series.Measurements {
				if m.Epoch == e {
					want["rho"], want["rho_b"] = f(m.Rho), f(m.RhoB)
					if m.Curvature != nil {
						want["ias"] = f(m.Curvature.IASB)
					}
				}
			}
			if (e == 3 || e == 5) != (want["rho"] != "") || (e == 5) != (want["ias"] != "") {
				t.Fatalf("job %s epoch %d: the stored measurements are not the spec's: %+v", js.rec.Job.ID, e, js.series.Measurements)
			}
			if e == 5 && want["test_acc"] != f(js.rec.Result.TestAcc) {
				t.Errorf("job %s: last epoch's test accuracy %s, the job's %v", js.rec.Job.ID, want["test_acc"], js.rec.Result.TestAcc)
			}
			for k, v := range want {
				if row[k] != v {
					t.Errorf("%s: job %d epoch %d %s = %q, stored %q", format, i, e, k, row[k], v)
				}
			}
			if v, err := strconv.ParseFloat(row["train_loss"], 64); err != nil || v != st.TrainLoss || math.IsNaN(v) {
				t.Errorf("%s: train_loss %q does not parse back to %v", format, row["train_loss"], st.TrainLoss)
			}
		}
	}
}

// TestSeriesExportRefusals: an unknown format, or an --out that exists,
// is one line, exit status 2, and nothing written.
func TestSeriesExportRefusals(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), seriesSpec)
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	testutil.WriteFile(t, filepath.Join(dir, "taken.csv"), "mine\n")
	for _, tc := range []struct {
		args []string
		frag string
	}{
		{[]string{"--series", "--format", "parquet", "--out", "new.csv"}, `--format: want csv or json with --series, got "parquet"`},
		{[]string{"--series", "--format", "", "--out", "new.csv"}, `--format: want csv or json with --series, got ""`},
		{[]string{"--series", "--out", "taken.csv"}, "taken.csv exists; pass --force to replace it"},
		{[]string{"--series", "--out", "no-such-folder/x.csv"}, "does not exist"},
	} {
		r := runLSSR(t, dir, append([]string{"--db", "x.db", "sweep", "export", "ser"}, tc.args...)...)
		if r.code != 2 || r.stdout != "" || strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 || !strings.Contains(r.stderr, tc.frag) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", tc.args, r.code, r.stdout, r.stderr, tc.frag)
		}
		if _, err := os.Stat(filepath.Join(dir, "new.csv")); err == nil {
			t.Errorf("%v wrote new.csv", tc.args)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "taken.csv")); string(b) != "mine\n" {
		t.Errorf("taken.csv was changed: %q", b)
	}
	if r := runLSSR(t, dir, "--db", "x.db", "sweep", "export", "ser", "--series", "--out", "taken.csv", "--force"); r.code != 0 {
		t.Errorf("--force: exit %d: %s", r.code, r.stderr)
	}
}

// TestSeriesSurviveKillAndResume: a sweep with eval_every killed (-9) after
// a job stored a checkpoint past its first evaluations, then resumed from
// that checkpoint, exports the same series, test values included, as an
// uninterrupted run, byte for byte.
func TestSeriesSurviveKillAndResume(t *testing.T) {
	dir := t.TempDir()
	spec := syntheticSpec("ek", 40)
	spec.EvalEvery, spec.MeasureEvery, spec.CheckpointEvery = 3, 5, 2
	spec.BatchSizes, spec.LearningRates, spec.Workers = "[8]", "[0.0625]", 1
	testutil.WriteFile(t, filepath.Join(dir, "s.yaml"), spec.YAML())
	if r := runLSSR(t, dir, "--db", "a.db", "sweep", "run", "s.yaml"); r.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s", r.code, r.stderr)
	}
	want := runLSSR(t, dir, "--db", "a.db", "sweep", "export", "ek", "--series")

	p := startProc(t, dir, nil, "--db", "b.db", "sweep", "run", "s.yaml", "--plain")
	ck, ok := p.next(func(e event) bool { return e.what == "ckpt" && e.epoch >= 6 })
	if !ok {
		t.Fatalf("the sweep ended before a checkpoint at epoch 6: %v\n%s", p.err, p.stderr.String())
	}
	p.kill()
	for _, j := range readJobs(t, filepath.Join(dir, "b.db"), "ek") {
		if j.State.Finished() || j.CheckpointEpoch < 6 {
			t.Fatalf("job %s is %s with a checkpoint at epoch %d after the kill; the test interrupted nothing", j.Job.ID, j.State, j.CheckpointEpoch)
		}
	}
	if r := runLSSR(t, dir, "--db", "b.db", "sweep", "resume", "ek"); r.code != 0 {
		t.Fatalf("resume: exit %d\n%s", r.code, r.stderr)
	}
	for _, j := range readJobs(t, filepath.Join(dir, "b.db"), "ek") {
		if j.Result == nil || j.Result.ResumedFrom < 6 {
			t.Fatalf("job %s did not resume from its checkpoint (epoch %d): %+v", j.Job.ID, ck.epoch, j.Result)
		}
	}
	got := runLSSR(t, dir, "--db", "b.db", "sweep", "export", "ek", "--series")
	if want.code != 0 || got.code != 0 || strings.Count(want.stdout, "\n") != 41 {
		t.Fatalf("exports: exit %d and %d, %d lines", want.code, got.code, strings.Count(want.stdout, "\n"))
	}
	if got.stdout != want.stdout {
		t.Errorf("resumed series differ:\n got %s\nwant %s", got.stdout, want.stdout)
	}
	rows, err := csv.NewReader(strings.NewReader(got.stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var evaluated []string
	for _, row := range rows[1:] {
		if row[9] != "" { // test_acc
			evaluated = append(evaluated, row[4])
		}
	}
	// Every third epoch and the last; those before the checkpoint came
	// through it.
	if epochs := strings.Join(evaluated, " "); epochs != "3 6 9 12 15 18 21 24 27 30 33 36 39 40" {
		t.Errorf("epochs with test values: %s, want every third and the last (40)", epochs)
	}
}
