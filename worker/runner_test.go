package worker

import (
	"context"
	"errors"
	"github.com/lssr/lssr/internal/buildinfo"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/trainer"
)

func init() {
	serveModes["trainer"] = func() { Serve(&TrainerRunner{}) }
}

// realJob is a small job the real trainer finishes in milliseconds.
func realJob(epochs int) lssr.Job {
	job := lssr.Job{
		Sweep:     "worker-test",
		Dataset:   lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 256, TestN: 128, Balanced: true, Dim: 10, Classes: 3},
		Model:     lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{16}, Activation: lssr.ActivationTanh},
		Loss:      lssr.LossCrossEntropy,
		Training:  lssr.TrainingSpec{Epochs: epochs, Sampling: lssr.SamplingWithout},
		BatchSize: 32,
		LR:        0.1,
		Seed:      7,
	}
	job.ID = job.ContentID()
	return job
}

// TestTrainerOverProcess trains a job in a worker process and in this one,
// and wants the same progress and the same result, saved weights included,
// bit for bit.
func TestTrainerOverProcess(t *testing.T) {
	job := realJob(3)
	job.SaveWeights = true
	data, err := dataset.Load(job.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	var wantProgress []lssr.Progress
	want, err := trainer.Train(t.Context(), job, data, func(p lssr.Progress) { wantProgress = append(wantProgress, p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Weights) == 0 {
		t.Fatal("the job asked for its weights and got none")
	}

	p := startTestWorker(t, "trainer")
	for run := range 2 { // the second run takes the dataset from the cache
		var gotProgress []lssr.Progress
		got, err := p.Run(t.Context(), job, func(pr lssr.Progress) { gotProgress = append(gotProgress, pr) })
		if err != nil {
			t.Fatal(err)
		}
		if len(gotProgress) != job.Training.Epochs {
			t.Errorf("run %d: %d progress reports, want one per epoch (%d)", run, len(gotProgress), job.Training.Epochs)
		}
		for i, pr := range gotProgress {
			if pr.Epoch != i+1 || pr.Epochs != job.Training.Epochs {
				t.Errorf("run %d: progress %d is epoch %d/%d", run, i, pr.Epoch, pr.Epochs)
			}
		}
		if bits(gotProgress) != bits(wantProgress) {
			t.Errorf("run %d: progress\n got %s\nwant %s", run, bits(gotProgress), bits(wantProgress))
		}
		if run == 0 {
			logged := got
			logged.Weights = nil
			t.Logf("result: %+v and %d bytes of weights", logged, len(got.Weights))
		}
		if got.Seconds <= 0 {
			t.Errorf("run %d: Seconds = %v", run, got.Seconds)
		}
		// The worker says what trained the job: this build, on this machine.
		if got.Provenance == nil || *got.Provenance != *buildinfo.Provenance() {
			t.Errorf("run %d: provenance %+v, want %+v", run, got.Provenance, buildinfo.Provenance())
		}
		got.Seconds, want.Seconds = 0, 0
		got.Provenance = nil
		if bits(got) != bits(want) {
			t.Errorf("run %d: result\n got %s\nwant %s", run, bits(got), bits(want))
		}
	}
}

func TestTrainerOverProcessErrors(t *testing.T) {
	p := startTestWorker(t, "trainer")

	t.Run("bad input", func(t *testing.T) {
		job := realJob(1)
		job.Dataset = lssr.DatasetSpec{Name: lssr.DatasetFashionMNIST, Dir: t.TempDir(), N: 100, TestN: 100}
		job.ID = job.ContentID()
		_, err := p.Run(t.Context(), job, nil)
		var jobErr *JobError
		if !errors.As(err, &jobErr) || !errors.Is(err, lssr.ErrBadInput) {
			t.Fatalf("got %v, want a bad-input *JobError", err)
		}
		t.Logf("error: %v", err)
	})

	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		start := time.Now()
		_, err := p.Run(ctx, realJob(1_000_000), func(lssr.Progress) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		// The worker is still good for the next job. (That the Runner's
		// context is cancelled with the host's is TestAdapterCancel.)
		if _, err := p.Run(t.Context(), realJob(3), nil); err != nil {
			t.Fatalf("after the cancel: %v", err)
		}
		t.Logf("cancel and the next job took %v", time.Since(start).Round(time.Millisecond))
	})

	t.Run("crash", func(t *testing.T) {
		var once sync.Once
		var killed time.Time
		_, err := p.Run(t.Context(), realJob(1_000_000), func(lssr.Progress) {
			once.Do(func() {
				killed = time.Now()
				if proc, err := os.FindProcess(p.PID()); err == nil {
					_ = proc.Kill()
				}
			})
		})
		if !errors.Is(err, ErrLost) {
			t.Fatalf("got %v, want ErrLost", err)
		}
		// The broken connection ends Run, not a timer: log how long.
		t.Logf("Run returned %v after the kill", time.Since(killed).Round(time.Millisecond))
	})
}

func TestTrainerRunnerCache(t *testing.T) {
	var r TrainerRunner
	spec := realJob(1).Dataset
	load := func(s lssr.DatasetSpec) *dataset.Data {
		t.Helper()
		d, err := r.data(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := load(spec)
	if load(spec) != first {
		t.Error("the same spec loaded twice")
	}
	moved := spec
	moved.Dir = t.TempDir() // same job ID, but maybe other data: a new load
	if load(moved) == first {
		t.Error("a spec with another Dir got the cached data")
	}
	if load(spec) != first {
		t.Error("the first spec was evicted with only two in use")
	}
	other := spec
	other.SubsetSeed++
	load(other) // evicts the least recently used: moved
	if len(r.loaded) != keepDatasets {
		t.Errorf("%d datasets kept, want %d", len(r.loaded), keepDatasets)
	}
	for _, l := range r.loaded {
		if l.spec == moved {
			t.Error("the least recently used spec was kept")
		}
	}
	if load(spec) != first {
		t.Error("the most recently used spec was evicted")
	}

	bad := spec
	bad.N = -1
	if _, err := r.data(bad); err == nil {
		t.Error("a bad spec loaded")
	}
}
