package trainer

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
)

func TestStallCheckFrom(t *testing.T) {
	for _, tc := range []struct {
		fraction float64
		epochs   int
		want     int
	}{
		{0, 10, 0}, // no rule
		{0.25, 10, 3},
		{0.3, 10, 3},
		{0.3, 8, 3}, // 2.4 rounds up
		{0.25, 8, 2},
		{0.07, 100, 7}, // 7.000000000000001 in float64
		{0.57, 100, 57},
		{1.0 / 3, 3, 1},
		{0.01, 10, 1},
		{1e-12, 10, 1}, // at least the first epoch
		{1, 10, 10},    // the last epoch, which is never checked
		{0.5, 1, 1},
		{0.1, 1_000_000, 100_000},
	} {
		if got := stallCheckFrom(tc.fraction, tc.epochs); got != tc.want {
			t.Errorf("stallCheckFrom(%v, %d) = %d, want %d", tc.fraction, tc.epochs, got, tc.want)
		}
	}
}

func TestStalled(t *testing.T) {
	rule := config{epochs: 10, stopEarly: 0.25, stallFrom: 3}
	const initial = 2.3
	for _, tc := range []struct {
		name    string
		cfg     config
		epoch   int
		loss    float64
		initial float64
		want    bool
	}{
		{"before the first checked epoch", rule, 2, 5, initial, false},
		{"first checked epoch, above", rule, 3, 2.31, initial, true},
		{"first checked epoch, equal", rule, 3, initial, initial, true},
		{"first checked epoch, below", rule, 3, math.Nextafter(initial, 0), initial, false},
		{"the epoch before the last", rule, 9, 2.31, initial, true},
		{"the last epoch is never checked", rule, 10, 2.31, initial, false},
		{"no rule", config{epochs: 10}, 5, 2.31, initial, false},
		{"no baseline", rule, 5, 2.31, math.NaN(), false},
	} {
		if got := tc.cfg.stalled(tc.epoch, tc.loss, tc.initial); got != tc.want {
			t.Errorf("%s: stalled(%d, %v, %v) = %v, want %v", tc.name, tc.epoch, tc.loss, tc.initial, got, tc.want)
		}
	}
	want := "stopped early: training loss 2.31 not below its initial 2.3 after epoch 3 of 10 (stop_early 0.25)"
	if got := rule.stallReason(3, 2.31, 2.3); got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

// stallJob is a tanh MLP on 128 synthetic examples, 16 steps an epoch. At
// η = 30 its epoch loss stays above the initial loss (1.50) in every one of
// its 8 epochs without going non-finite; at η = 2 it is above in epochs 1
// and 2 (2.54, 1.78) and below from epoch 3 on (0.89, …).
func stallJob(lr, stopEarly float64) lssr.Job {
	job := syntheticJob(8, lr, 8)
	job.Dataset.N, job.Dataset.TestN = 128, 64
	job.Model.Activation = lssr.ActivationTanh
	job.Training.StopEarly = stopEarly
	job.SaveWeights = true
	return job
}

// TestTrainStopsEarly: a run stops at the first checked epoch whose loss is
// not below its initial loss, with what it had so far and nothing more; a
// run the rule does not stop gives the very Result it gives without the
// rule. The premises are checked on the run without the rule, so a change
// in the dynamics fails here with the reason.
func TestTrainStopsEarly(t *testing.T) {
	data := syntheticData(t, 128, 64)
	const steps = 16
	for _, tc := range []struct {
		name      string
		lr, frac  float64
		from      int // the first epoch checked, ceil(frac·8)
		wantEpoch int // the epoch it stops after; 0: it runs to the end
	}{
		{"above from the start, first checked epoch 2", 30, 0.25, 2, 2},
		{"above from the start, first checked epoch 7", 30, 0.875, 7, 7},
		{"only the last epoch checked, which never is", 30, 1, 8, 0},
		{"above in epoch 1, first checked epoch 1", 2, 0.125, 1, 1},
		{"above in epoch 2, first checked epoch 2", 2, 0.25, 2, 2},
		{"below from epoch 3, first checked epoch ceil(2.4)", 2, 0.3, 3, 0},
		{"trains normally", 0.1, 0.25, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, err := Train(context.Background(), stallJob(tc.lr, 0), data, nil)
			if err != nil || base.Diverged || base.Epochs != 8 || len(base.Weights) == 0 {
				t.Fatalf("without the rule: %v, diverged %v after %d epochs", err, base.Diverged, base.Epochs)
			}
			for e := tc.from; e < 8; e++ {
				above := base.Series[e-1].TrainLoss >= base.InitialTrainLoss
				if above != (e == tc.wantEpoch) {
					t.Fatalf("premise: epoch %d loss %v, initial %v; the first checked epoch not below it should be %d",
						e, base.Series[e-1].TrainLoss, base.InitialTrainLoss, tc.wantEpoch)
				}
				if above {
					break
				}
			}
			var reported []int
			got, err := Train(context.Background(), stallJob(tc.lr, tc.frac), data, func(p lssr.Progress) { reported = append(reported, p.Epoch) })
			if err != nil {
				t.Fatal(err)
			}
			base.Seconds, got.Seconds = 0, 0
			if tc.wantEpoch == 0 {
				if !reflect.DeepEqual(got, base) {
					t.Errorf("not stopped, yet the Result differs from the run without the rule\ngot  %+v\nwant %+v", got, base)
				}
				return
			}
			e := tc.wantEpoch
			want := lssr.Result{
				Stopped: fmt.Sprintf("stopped early: training loss %.5g not below its initial %.5g after epoch %d of 8 (stop_early %g)",
					base.Series[e-1].TrainLoss, base.InitialTrainLoss, e, tc.frac),
				InitialTrainLoss: base.InitialTrainLoss,
				Epochs:           e, Steps: int64(e * steps),
				Series: base.Series[:e],
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("stopped Result\ngot  %+v\nwant %+v", got, want)
			}
			if len(reported) != e-1 {
				t.Errorf("progress after epochs %v, want the %d before the stop", reported, e-1)
			}
		})
	}
}

// TestStopEarlyAfterResume: a run resumed from any of its checkpoints
// reaches the stall rule's decision of the uninterrupted run, stopped or
// not, which takes the initial loss from the checkpoint (a resumed run
// makes no initial pass).
func TestStopEarlyAfterResume(t *testing.T) {
	data := syntheticData(t, 128, 64)
	for _, tc := range []struct {
		name     string
		lr, frac float64
		stopped  bool
	}{
		{"stops after epoch 6", 30, 0.75, true},
		{"never stops", 2, 0.375, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := stallJob(tc.lr, tc.frac)
			job.ID, job.CheckpointEvery = job.ContentID(), 1
			var ckpts [][]byte
			want, err := Train(context.Background(), job, data, func(p lssr.Progress) {
				if p.Checkpoint != nil {
					ckpts = append(ckpts, p.Checkpoint)
				}
			})
			if err != nil || (want.Stopped != "") != tc.stopped || len(ckpts) < 3 {
				t.Fatalf("uninterrupted: %v, stopped %q after %d checkpoints", err, want.Stopped, len(ckpts))
			}
			want.Seconds = 0
			for k, ck := range ckpts {
				resumed := job
				resumed.Resume = ck
				got, err := Train(context.Background(), resumed, data, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got.ResumedFrom != k+1 {
					t.Fatalf("checkpoint %d: resumed from epoch %d", k+1, got.ResumedFrom)
				}
				got.Seconds, got.ResumedFrom = 0, 0
				if !reflect.DeepEqual(got, want) {
					t.Errorf("resumed after epoch %d: the Result differs from the uninterrupted run's\ngot  %+v\nwant %+v", k+1, got, want)
				}
			}
		})
	}
}
