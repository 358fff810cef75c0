package trainer

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
)

// evalCases are jobs on both model paths, with momentum, sampling with
// replacement, batch norm (whose running statistics an eval-mode pass must
// leave alone) and mid-run ρ and curvature measurements.
func evalCases(t *testing.T) []struct {
	name string
	data *dataset.Data
	job  lssr.Job
} {
	t.Helper()
	images := &dataset.Data{Train: quadrantImages(96, 1), Test: quadrantImages(40, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	plain, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 120, TestN: 30, SubsetSeed: 3, Dim: 5, Classes: 3})
	if err != nil {
		t.Fatal(err)
	}
	spec := lssr.TrainingSpec{Epochs: 5, Sampling: lssr.SamplingWithout, MeasureEvery: 2, CurvatureEvery: 3, HessianSubset: 32, CurvatureSamples: 2}
	cases := []struct {
		name string
		data *dataset.Data
		job  lssr.Job
	}{
		{"mlp", plain, lssr.Job{Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{8}, Activation: "relu"}, BatchSize: 16, LR: 0.1, Training: spec}},
		{"mlp-nesterov-with-replacement", plain, lssr.Job{Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{8, 6}, Activation: "tanh"}, BatchSize: 8, LR: 0.05,
			Training: withMomentum(withSampling(spec, lssr.SamplingWith), 0.9, 0.9)}},
		{"cnn-bn", images, lssr.Job{Model: lssr.ModelSpec{Kind: "cnn", Channels: []int{3}, Hidden: []int{6}, BatchNorm: true, Activation: "relu"}, BatchSize: 8, LR: 0.1,
			Training: withMomentum(spec, 0.5, 0)}},
	}
	for i := range cases {
		c := &cases[i].job
		c.ID, c.Loss, c.Seed, c.SaveWeights = cases[i].name, lssr.LossCrossEntropy, 7, true
	}
	return cases
}

// withoutTests returns a copy of res with the series' test fields cleared
// and Seconds zeroed: what eval_every must not change.
func withoutTests(res lssr.Result) lssr.Result {
	res.Seconds = 0
	res.Series = append([]lssr.EpochStats(nil), res.Series...)
	for i := range res.Series {
		s := &res.Series[i]
		s.Evaluated, s.TestLoss, s.TestAcc = false, 0, 0
	}
	return res
}

// TestEvalEveryChangesNoTraining trains each job with eval_every 0, 1, 2
// and 5: the Result, weights included, must be bit for bit the same but
// for the series' test fields; those are set exactly on the epochs K
// divides and the last, the last with the final test pass's values; and
// Step is the steps taken so far, floor(n/b) an epoch.
func TestEvalEveryChangesNoTraining(t *testing.T) {
	for _, tc := range evalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			base, err := Train(context.Background(), tc.job, tc.data, nil)
			if err != nil || base.Diverged || len(base.Weights) == 0 {
				t.Fatalf("eval_every 0: %v diverged=%v weights=%d bytes", err, base.Diverged, len(base.Weights))
			}
			for _, s := range base.Series {
				if s.Evaluated || s.TestLoss != 0 || s.TestAcc != 0 {
					t.Errorf("eval_every 0: epoch %d has test values %+v", s.Epoch, s)
				}
			}
			perEpoch := int64(tc.data.Train.N / tc.job.BatchSize)
			for _, k := range []int{1, 2, 5} {
				job := tc.job
				job.Training.EvalEvery = k
				got, err := Train(context.Background(), job, tc.data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(withoutTests(got), withoutTests(base)) {
					t.Errorf("eval_every %d changed the run:\ngot  %+v\nwant %+v", k, withoutTests(got), withoutTests(base))
				}
				for i, s := range got.Series {
					e := i + 1
					if s.Epoch != e || s.Step != int64(e)*perEpoch {
						t.Errorf("eval_every %d: series[%d] is epoch %d at step %d, want epoch %d at step %d", k, i, s.Epoch, s.Step, e, int64(e)*perEpoch)
					}
					if want := e%k == 0 || e == job.Training.Epochs; s.Evaluated != want {
						t.Errorf("eval_every %d: epoch %d evaluated=%v, want %v", k, e, s.Evaluated, want)
					}
					if s.Evaluated && !(s.TestAcc >= 0 && s.TestAcc <= 1 && s.TestLoss > 0) {
						t.Errorf("eval_every %d: epoch %d test loss %v accuracy %v", k, e, s.TestLoss, s.TestAcc)
					}
				}
				last := got.Series[len(got.Series)-1]
				if last.TestAcc != got.TestAcc || last.TestLoss != got.TestLoss {
					t.Errorf("eval_every %d: last epoch test %v/%v, Result %v/%v", k, last.TestLoss, last.TestAcc, got.TestLoss, got.TestAcc)
				}
			}
		})
	}
}

// TestEvalSeriesMatchesShorterRuns: the test values at epoch K of a run
// with eval_every 1 are the final TestLoss and TestAcc of the same job
// trained for K epochs. The reference is sound because the first K epochs
// train the same whatever the epoch count (checked here on the series and
// steps): the count only decides when the loop ends and when the last
// measurement happens, and measurements draw nothing from the batch order.
func TestEvalSeriesMatchesShorterRuns(t *testing.T) {
	for _, tc := range evalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			job := tc.job
			job.Training.EvalEvery, job.Training.MeasureEvery, job.Training.CurvatureEvery = 1, 0, 0
			long, err := Train(context.Background(), job, tc.data, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k := 1; k <= job.Training.Epochs; k++ {
				short := job
				short.Training.Epochs, short.Training.EvalEvery = k, 0
				ref, err := Train(context.Background(), short, tc.data, nil)
				if err != nil || ref.Diverged {
					t.Fatalf("%d epochs: %v diverged=%v", k, err, ref.Diverged)
				}
				for i, s := range ref.Series {
					if l := long.Series[i]; l.TrainLoss != s.TrainLoss || l.TrainAcc != s.TrainAcc || l.Step != s.Step {
						t.Fatalf("%d epochs: epoch %d trains differently (%+v vs %+v); the reference does not hold", k, i+1, s, l)
					}
				}
				got := long.Series[k-1]
				if !got.Evaluated || got.TestAcc != ref.TestAcc || got.TestLoss != ref.TestLoss {
					t.Errorf("epoch %d: series test loss %v accuracy %v (evaluated %v), a %d-epoch run ends with %v and %v",
						k, got.TestLoss, got.TestAcc, got.Evaluated, k, ref.TestLoss, ref.TestAcc)
				}
			}
		})
	}
}

// TestResumeKeepsEvalSeries resumes runs with eval_every 2 from every
// checkpoint: each must end with the uninterrupted Result, the test values
// of the epochs before the checkpoint (carried in it) included.
func TestResumeKeepsEvalSeries(t *testing.T) {
	for _, tc := range evalCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			job := tc.job
			job.Training.EvalEvery, job.CheckpointEvery = 2, 1
			var ckpts [][]byte
			want, err := Train(context.Background(), job, tc.data, func(p lssr.Progress) {
				if p.Checkpoint != nil {
					ckpts = append(ckpts, p.Checkpoint)
				}
			})
			if err != nil || len(ckpts) != job.Training.Epochs-1 {
				t.Fatalf("uninterrupted: %v, %d checkpoints", err, len(ckpts))
			}
			if evaluated := fmt.Sprint(want.Series[1].Evaluated, want.Series[3].Evaluated); evaluated != "true true" {
				t.Fatalf("epochs 2 and 4 evaluated: %s", evaluated)
			}
			want.Seconds = 0
			for k, ck := range ckpts {
				resumed := job
				resumed.Resume = ck
				got, err := Train(context.Background(), resumed, tc.data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.ResumedFrom != k+1 {
					t.Fatalf("checkpoint %d: resumed from epoch %d", k+1, got.ResumedFrom)
				}
				got.Seconds, got.ResumedFrom = 0, 0
				if !reflect.DeepEqual(got.Series, want.Series) || !reflect.DeepEqual(got, want) {
					t.Errorf("resumed after epoch %d:\nseries %+v\nwant   %+v", k+1, got.Series, want.Series)
				}
			}
		})
	}
}

// TestResumeFillsStepsOfOlderCheckpoints: a checkpoint written before the
// series kept steps (its epochs' Step zero, which gob leaves out as an
// older lssr's type would) resumes to the uninterrupted run's Result,
// steps included.
func TestResumeFillsStepsOfOlderCheckpoints(t *testing.T) {
	tc := evalCases(t)[0]
	job := tc.job
	job.CheckpointEvery = 2
	var ckpt []byte
	want, err := Train(context.Background(), job, tc.data, func(p lssr.Progress) {
		if p.Checkpoint != nil && ckpt == nil {
			ckpt = p.Checkpoint
		}
	})
	if err != nil || ckpt == nil {
		t.Fatalf("uninterrupted: %v, checkpoint %v", err, ckpt != nil)
	}
	f, err := safetensors.Decode(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	var progress lssr.Result
	for i, tn := range f.Tensors {
		if tn.Name != "progress" {
			continue
		}
		raw, _ := tn.Uint8s()
		if err := gob.NewDecoder(bytes.NewReader(raw)).Decode(&progress); err != nil {
			t.Fatal(err)
		}
		if len(progress.Series) != 2 || progress.Series[1].Step == 0 {
			t.Fatalf("checkpoint series %+v, want 2 epochs with steps", progress.Series)
		}
		for j := range progress.Series {
			progress.Series[j].Step = 0
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(progress); err != nil {
			t.Fatal(err)
		}
		f.Tensors[i] = safetensors.FromUint8("progress", []int{buf.Len()}, buf.Bytes())
	}
	var old bytes.Buffer
	if err := safetensors.Encode(&old, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	job.Resume = old.Bytes()
	got, err := Train(context.Background(), job, tc.data, nil)
	if err != nil || got.ResumedFrom != 2 {
		t.Fatalf("resumed: %v, from epoch %d", err, got.ResumedFrom)
	}
	got.Seconds, got.ResumedFrom, want.Seconds = 0, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resumed from an older checkpoint:\nseries %+v\nwant   %+v", got.Series, want.Series)
	}
}
