package trainer

import (
	"context"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

func syntheticData(t testing.TB, n, testN int) *dataset.Data {
	t.Helper()
	data, err := dataset.Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: n, TestN: testN, SubsetSeed: 1, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func syntheticJob(b int, lr float64, epochs int) lssr.Job {
	return lssr.Job{
		Dataset:   lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 512, TestN: 1000, SubsetSeed: 1, Balanced: true},
		Model:     lssr.ModelSpec{Kind: "mlp", Hidden: []int{32}, Activation: "relu"},
		Loss:      lssr.LossCrossEntropy,
		Training:  lssr.TrainingSpec{Epochs: epochs, Sampling: lssr.SamplingWithout},
		BatchSize: b, LR: lr, Seed: 7,
	}
}

func TestTrainLearnsSynthetic(t *testing.T) {
	data := syntheticData(t, 512, 1000)
	for _, tt := range []struct {
		loss     lssr.Loss
		sampling lssr.Sampling
	}{
		{lssr.LossCrossEntropy, lssr.SamplingWithout},
		{lssr.LossMSE, lssr.SamplingWith},
	} {
		t.Run(string(tt.loss)+"/"+string(tt.sampling), func(t *testing.T) {
			job := syntheticJob(16, 0.1, 30)
			job.Loss, job.Training.Sampling = tt.loss, tt.sampling
			var progress []lssr.Progress
			res, err := Train(context.Background(), job, data, func(p lssr.Progress) { progress = append(progress, p) })
			if err != nil {
				t.Fatal(err)
			}
			if res.Diverged || res.TestAcc < 0.85 {
				t.Errorf("diverged=%v test accuracy %.3f, want ≥ 0.85 (chance 0.25)", res.Diverged, res.TestAcc)
			}
			if res.Epochs != 30 || res.Steps != 30*32 {
				t.Errorf("epochs=%d steps=%d, want 30 and %d", res.Epochs, res.Steps, 30*32)
			}
			if len(progress) != 30 || len(res.Series) != 30 || progress[29].Step != res.Steps {
				t.Errorf("%d progress reports and %d series points, want 30 each", len(progress), len(res.Series))
			}
			if first, last := res.Series[0].TrainLoss, res.Series[29].TrainLoss; !(last < first) {
				t.Errorf("epoch loss went from %v to %v", first, last)
			}
			if len(res.Measurements) != 1 || res.Measurements[0].Rho != res.Rho || res.Measurements[0].Epoch != 30 {
				t.Errorf("measurements %+v, want the final one only", res.Measurements)
			}
			if !(res.Rho > 0 && res.Rho < 1 && res.RhoB >= res.Rho && res.RhoB <= 1) {
				t.Errorf("ρ = %v, ρ_b = %v: want 0 < ρ ≤ ρ_b ≤ 1", res.Rho, res.RhoB)
			}
		})
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	data := syntheticData(t, 200, 100)
	for _, sampling := range []lssr.Sampling{lssr.SamplingWithout, lssr.SamplingWith} {
		job := syntheticJob(8, 0.05, 3)
		job.Training.Sampling, job.Training.MeasureEvery = sampling, 1
		a, err := Train(context.Background(), job, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Train(context.Background(), job, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		a.Seconds, b.Seconds = 0, 0
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two runs of one job differ:\n%+v\n%+v", sampling, a, b)
		}
		job.Seed++
		c, _ := Train(context.Background(), job, data, nil)
		if c.TrainLoss == a.TrainLoss {
			t.Errorf("%s: seeds %d and %d give the same train loss", sampling, job.Seed-1, job.Seed)
		}
	}
}

func TestTrainDoesNotModifyData(t *testing.T) {
	data := syntheticData(t, 64, 32)
	x, y := slices.Clone(data.Train.X), slices.Clone(data.Train.Y)
	if _, err := Train(context.Background(), syntheticJob(4, 0.1, 2), data, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(x, data.Train.X) || !slices.Equal(y, data.Train.Y) {
		t.Error("Train changed the training data")
	}
}

func TestTrainMeasuresOnSchedule(t *testing.T) {
	data := syntheticData(t, 64, 32)
	for _, tt := range []struct {
		epochs, every int
		want          []int
	}{
		{5, 2, []int{2, 4, 5}},
		{4, 2, []int{2, 4}},
		{3, 0, []int{3}},
		{0, 0, []int{0}},
	} {
		job := syntheticJob(8, 0.05, tt.epochs)
		job.Training.MeasureEvery = tt.every
		res, err := Train(context.Background(), job, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, m := range res.Measurements {
			got = append(got, m.Epoch)
			if m.Step != int64(m.Epoch*8) {
				t.Errorf("measurement at epoch %d says step %d, want %d", m.Epoch, m.Step, m.Epoch*8)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("epochs=%d every=%d: measured at epochs %v, want %v", tt.epochs, tt.every, got, tt.want)
		}
	}
}

func TestTrainDiverges(t *testing.T) {
	data := syntheticData(t, 128, 64)
	for _, loss := range []lssr.Loss{lssr.LossCrossEntropy, lssr.LossMSE} {
		job := syntheticJob(8, 1e6, 20)
		job.Loss = loss
		res, err := Train(context.Background(), job, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Diverged || res.Epochs >= 20 {
			t.Errorf("%s at η = 1e6: diverged=%v after %d epochs", loss, res.Diverged, res.Epochs)
		}
		for _, v := range []float64{res.TestAcc, res.TestLoss, res.TrainLoss, res.Rho, res.RhoB, res.GradSqNorm, res.TrS1} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: diverged result carries %v: %+v", loss, v, res)
			}
		}
	}
}

func TestTrainStopsWhenCancelled(t *testing.T) {
	data := syntheticData(t, 2048, 64)
	job := syntheticJob(1, 0.01, 1000)
	ctx, cancel := context.WithCancel(context.Background())
	epochs := 0
	start := time.Now()
	_, err := Train(ctx, job, data, func(p lssr.Progress) {
		if epochs++; epochs == 1 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if epochs != 1 || time.Since(start) > 5*time.Second {
		t.Errorf("stopped after %d epochs and %v", epochs, time.Since(start))
	}
}

func TestTrainRejectsBadJobs(t *testing.T) {
	data := syntheticData(t, 64, 32)
	tests := []struct {
		name  string
		edit  func(*lssr.Job)
		field string
	}{
		{"kind", func(j *lssr.Job) { j.Model.Kind = "cnn" }, "model.kind"},
		{"activation", func(j *lssr.Job) { j.Model.Activation = "gelu" }, "model.activation"},
		{"hidden", func(j *lssr.Job) { j.Model.Hidden = []int{4, 0} }, "model.hidden"},
		{"loss", func(j *lssr.Job) { j.Loss = "hinge" }, "loss"},
		{"sampling", func(j *lssr.Job) { j.Training.Sampling = "" }, "training.sampling"},
		{"batch size 0", func(j *lssr.Job) { j.BatchSize = 0 }, "batch_size"},
		{"batch size > n", func(j *lssr.Job) { j.BatchSize = 65 }, "batch_size"},
		{"lr 0", func(j *lssr.Job) { j.LR = 0 }, "lr"},
		{"lr NaN", func(j *lssr.Job) { j.LR = math.NaN() }, "lr"},
		{"epochs", func(j *lssr.Job) { j.Training.Epochs = -1 }, "training.epochs"},
		{"stop_early above 1", func(j *lssr.Job) { j.Training.StopEarly = 1.5 }, "training.stop_early"},
		{"stop_early negative", func(j *lssr.Job) { j.Training.StopEarly = -0.25 }, "training.stop_early"},
		{"stop_early NaN", func(j *lssr.Job) { j.Training.StopEarly = math.NaN() }, "training.stop_early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job := syntheticJob(8, 0.1, 1)
			tt.edit(&job)
			_, err := Train(context.Background(), job, data, nil)
			if !errors.Is(err, lssr.ErrBadInput) || !startsWith(err.Error(), tt.field+":") {
				t.Errorf("err = %v, want a bad input naming %s", err, tt.field)
			}
		})
	}
	job := syntheticJob(8, 0.1, 1)
	job.BatchSize = 65
	job.Training.Sampling = lssr.SamplingWith
	if _, err := Train(context.Background(), job, data, nil); err != nil {
		t.Errorf("b > n with replacement: %v", err)
	}
}

func startsWith(s, prefix string) bool { return len(s) >= len(prefix) && s[:len(prefix)] == prefix }
