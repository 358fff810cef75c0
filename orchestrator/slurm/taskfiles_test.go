package slurm

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/orchestrator"
)

func taskJob() lssr.Job {
	j := lssr.Job{Dataset: lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 64, Dim: 4, Classes: 2},
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{4}, Activation: "relu"}, Loss: lssr.LossCrossEntropy,
		BatchSize: 8, LR: 0.1, Training: lssr.TrainingSpec{Epochs: 2, Sampling: lssr.SamplingWithout}}
	j.ID = j.ContentID()
	return j
}

// TestResultFileValidation: a result file round-trips, and every way one
// can be wrong is refused with orchestrator.ErrBadResult before anything
// is stored.
func TestResultFileValidation(t *testing.T) {
	job := taskJob()
	res := lssr.Result{TestAcc: 0.8, TrainLoss: 0.3, Epochs: 2, Steps: 16, Rho: 0.1,
		Series: []lssr.EpochStats{{Epoch: 1, TrainLoss: 0.5}, {Epoch: 2, TrainLoss: 0.3}}}
	dir := t.TempDir()
	p := PathsOf(dir, job.ID)
	if _, err := ReadResult(p, job); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no file: %v, want ErrNotExist", err)
	}
	if err := WriteResult(p, job, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(p, job)
	if err != nil || got.TestAcc != res.TestAcc || len(got.Series) != 2 {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	raw, _ := os.ReadFile(p.Result)
	other := job
	other.Seed++
	other.ID = other.ContentID()
	for name, content := range map[string]string{
		"garbage":        "not json",
		"schema":         strings.Replace(string(raw), `"schema":1`, `"schema":2`, 1),
		"job id":         strings.Replace(string(raw), job.ID, other.ID, 1),
		"content hash":   strings.Replace(string(raw), `"content_id":"`+job.ID, `"content_id":"`+other.ID, 1),
		"not finite":     strings.Replace(string(raw), `"test_acc":0.8`, `"test_acc":1e999`, 1),
		"over the limit": string(raw) + strings.Repeat(" ", MaxResultBytes),
	} {
		if err := os.WriteFile(p.Result, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadResult(p, job); !errors.Is(err, orchestrator.ErrBadResult) {
			t.Errorf("%s: %v, want ErrBadResult", name, err)
		}
	}
	// A NaN the trainer produced is zeroed before writing, not refused.
	res.TrainLoss = math.Inf(1)
	if err := WriteResult(p, job, res); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadResult(p, job); err != nil || got.TrainLoss != 0 {
		t.Errorf("Inf train loss: %v %v, want zeroed", got.TrainLoss, err)
	}
	// A task file whose job does not hash to its ID is refused.
	tp := filepath.Join(dir, "jobs", job.ID+".json")
	if err := WriteTask(tp, job); err != nil {
		t.Fatal(err)
	}
	if j, err := ReadTask(tp); err != nil || j.ID != job.ID {
		t.Fatalf("task round trip: %v %v", j.ID, err)
	}
	bad := job
	bad.LR = 0.2
	if err := WriteTask(tp, bad); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadTask(tp); err == nil {
		t.Error("a task whose job does not hash to its ID was accepted")
	}
}

// TestStoppedResultFile: a run stopped early round-trips through its
// result file with its reason and series, and needs no weights file even
// when the job keeps weights. A file whose outcome does not hold together
// (diverged and stopped at once) or whose reason could not be shown as one
// line is refused.
func TestStoppedResultFile(t *testing.T) {
	job := taskJob()
	job.SaveWeights = true
	p := PathsOf(t.TempDir(), job.ID)
	res := lssr.Result{Stopped: "stopped early: training loss 0.71 not below its initial 0.69 after epoch 1 of 2 (stop_early 0.5)",
		InitialTrainLoss: 0.69, Epochs: 1, Steps: 8, Seconds: 0.5, Series: []lssr.EpochStats{{Epoch: 1, TrainLoss: 0.71, TrainAcc: 0.5}}}
	if err := WriteResult(p, job, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(p, job)
	if err != nil || !reflect.DeepEqual(got, res) {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, res)
	}
	for name, edit := range map[string]func(*lssr.Result){
		"diverged and stopped": func(r *lssr.Result) { r.Diverged = true },
		"two lines":            func(r *lssr.Result) { r.Stopped += "\nlssr: all jobs done" },
		"terminal escape":      func(r *lssr.Result) { r.Stopped = "\x1b[2J\x1b[Hstopped early" },
		"too long":             func(r *lssr.Result) { r.Stopped = strings.Repeat("x", MaxStoppedBytes+1) },
	} {
		bad := res
		edit(&bad)
		if err := writeJSON(p.Result, ResultFile{Schema: TaskSchema, JobID: job.ID, ContentID: job.ContentID(), Result: bad}); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadResult(p, job); !errors.Is(err, orchestrator.ErrBadResult) {
			t.Errorf("%s: %v, want ErrBadResult", name, err)
		}
	}
	// At the limit, in printable text of any script, it is fine.
	res.Stopped = strings.Repeat("ρ", MaxStoppedBytes/2)
	if err := WriteResult(p, job, res); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadResult(p, job); err != nil || got.Stopped != res.Stopped {
		t.Errorf("a reason of %d bytes: %v", len(res.Stopped), err)
	}
}

// TestTaskAndResultFilesCarryEvalSeries: eval_every reaches the task on the
// cluster (its ID still checks, as eval_every is outside it), and the
// series' steps and test values come back bit for bit in the result file.
func TestTaskAndResultFilesCarryEvalSeries(t *testing.T) {
	job := taskJob()
	job.Training.EvalEvery = 1
	if job.ContentID() != job.ID {
		t.Fatalf("eval_every changed the job ID")
	}
	dir := t.TempDir()
	p := PathsOf(dir, job.ID)
	if err := WriteTask(p.Task, job); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadTask(p.Task); err != nil || got.Training.EvalEvery != 1 {
		t.Fatalf("task: eval_every %d, %v; want 1", got.Training.EvalEvery, err)
	}
	series := []lssr.EpochStats{
		{Epoch: 1, Step: 8, TrainLoss: 0.5, TrainAcc: 0.75, Evaluated: true, TestLoss: math.Nextafter(0.6, 1), TestAcc: 0.1 + 0.2},
		{Epoch: 2, Step: 16, TrainLoss: 0.3, TrainAcc: 0.875, Evaluated: true, TestLoss: 0, TestAcc: 1.0 / 3},
	}
	res := lssr.Result{TestAcc: 1.0 / 3, Epochs: 2, Steps: 16, Series: series}
	if err := WriteResult(p, job, res); err != nil {
		t.Fatal(err)
	}
	got, err := ReadResult(p, job)
	if err != nil || !reflect.DeepEqual(got.Series, series) {
		t.Fatalf("round trip: %+v, %v; want %+v", got.Series, err, series)
	}
}
