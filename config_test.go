package lssr

import (
	"reflect"
	"testing"
)

func TestConfigDiffNamesSpecFields(t *testing.T) {
	base := Config{
		Dataset:  DatasetSpec{Name: DatasetFashionMNIST, N: 2048, TestN: 2000, Balanced: true},
		Model:    ModelSpec{Kind: ModelMLP, Hidden: []int{128}, Activation: ActivationReLU},
		Loss:     LossCrossEntropy,
		Training: TrainingSpec{Epochs: 5, Sampling: SamplingWithout, MeasureEvery: 2},
	}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want []Change
	}{
		{"same", func(*Config) {}, nil},
		{"dataset folder is not configuration", func(c *Config) { c.Dataset.Dir = "/elsewhere" }, nil},
		{"eval_every is not configuration", func(c *Config) { c.Training.EvalEvery = 1 }, nil},
		{"nil and empty hidden", func(c *Config) { c.Model.Hidden = nil }, []Change{{"model.hidden", "[128]", "[]"}}},
		{"epochs", func(c *Config) { c.Training.Epochs = 6 }, []Change{{"training.epochs", "5", "6"}}},
		{"two fields", func(c *Config) { c.Loss = LossMSE; c.Model.Hidden = []int{128, 64} },
			[]Change{{"loss", "cross-entropy", "mse"}, {"model.hidden", "[128]", "[128,64]"}}},
		{"momentum and nesterov", func(c *Config) { c.Training.Beta1, c.Training.Beta2 = 0.9, 0.9 },
			[]Change{{"training.momentum", "0", "0.9"}, {"training.nesterov", "false", "true"}}},
		{"an optional field left out of the JSON", func(c *Config) { c.Training.CurvatureEvery = 3 },
			[]Change{{"training.curvature_every", "0", "3"}}},
		{"stop_early added", func(c *Config) { c.Training.StopEarly = 0.25 },
			[]Change{{"training.stop_early", "0", "0.25"}}},
		{"a string-typed field left out of the JSON", func(c *Config) { c.Model.Pool = PoolAvg },
			[]Change{{"model.pool", "", "avg"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := base
			o.Model.Hidden = append([]int{}, base.Model.Hidden...)
			tc.edit(&o)
			o = Job{Dataset: o.Dataset, Model: o.Model, Loss: o.Loss, Training: o.Training}.Config()
			got := base.Diff(o)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Diff = %v, want %v", got, tc.want)
			}
			if base.Equal(o) != (len(tc.want) == 0) {
				t.Fatalf("Equal = %v with diff %v", base.Equal(o), got)
			}
		})
	}
	if got := (Change{"training.epochs", "5", "6"}).String(); got != "training.epochs: 5 → 6" {
		t.Errorf("String = %q", got)
	}
}
