package trainer

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
)

// TestTrainSavesWeights: the weights a job returns, loaded into a fresh
// network, reproduce the test and training metrics the job reported, bit
// for bit, and the file says what model, loss, job and data they are for.
func TestTrainSavesWeights(t *testing.T) {
	data := syntheticData(t, 512, 1000)
	job := syntheticJob(32, 0.1, 3)
	job.Model.Hidden = []int{16, 8}
	job.ID = job.ContentID()
	job.SaveWeights = true
	res, err := Train(t.Context(), job, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Diverged || len(res.Weights) == 0 {
		t.Fatalf("diverged=%v, %d bytes of weights", res.Diverged, len(res.Weights))
	}
	f, err := safetensors.Decode(res.Weights)
	if err != nil {
		t.Fatal(err)
	}
	model, _ := json.Marshal(job.Model)
	wantMeta := map[string]string{
		"lssr.model": string(model), "lssr.loss": string(job.Loss), "lssr.job": job.ID,
		"lssr.dim": fmt.Sprint(data.Dim), "lssr.classes": fmt.Sprint(data.Classes), "lssr.shape": "[0,0,0]",
	}
	if !reflect.DeepEqual(f.Metadata, wantMeta) {
		t.Errorf("metadata\n got %v\nwant %v", f.Metadata, wantMeta)
	}
	widths := []int{data.Dim, 16, 8, data.Classes}
	if len(f.Tensors) != 2*(len(widths)-1) {
		t.Errorf("%d tensors, want %d", len(f.Tensors), 2*(len(widths)-1))
	}
	for l := range len(widths) - 1 {
		wName, bName := TorchNames(l)
		w, okW := f.Get(wName)
		b, okB := f.Get(bName)
		if !okW || !okB || fmt.Sprint(w.Shape) != fmt.Sprint([]int{widths[l+1], widths[l]}) ||
			fmt.Sprint(b.Shape) != fmt.Sprint([]int{widths[l+1]}) || w.DType != safetensors.F32 {
			t.Errorf("layer %d: %s %v %v, %s %v", l, wName, w.Shape, w.DType, bName, b.Shape)
		}
	}

	// A fresh network of the same shape, its parameters cleared, then set
	// from the file.
	cfg, err := parseJob(job, data)
	if err != nil {
		t.Fatal(err)
	}
	loaded := newRun(cfg, data)
	clear(loaded.net.parameters())
	if err := loadState(loaded.net, f); err != nil {
		t.Fatal(err)
	}
	test, err := loaded.pass(t.Context(), data.Test, false)
	if err != nil {
		t.Fatal(err)
	}
	if test.loss != res.TestLoss || test.acc != res.TestAcc {
		t.Errorf("loaded weights: test loss %v acc %v, the job reported %v %v", test.loss, test.acc, res.TestLoss, res.TestAcc)
	}
	train, err := loaded.pass(t.Context(), data.Train, true)
	if err != nil {
		t.Fatal(err)
	}
	if train.loss != res.TrainLoss || train.gradSqNorm != res.GradSqNorm {
		t.Errorf("loaded weights: train loss %v ‖∇L‖² %v, the job reported %v %v", train.loss, train.gradSqNorm, res.TrainLoss, res.GradSqNorm)
	}
}

// TestStateDictRoundTrip: the file's tensors, mapped back to parameter
// layout with loadVector, are the network's parameters, bit for bit.
func TestStateDictRoundTrip(t *testing.T) {
	r := smallRun(t, 12, 4, []int{7, 5}, "tanh", lssr.LossMSE, lssr.SamplingWithout)
	r.step(r.perm[:4]) // away from the initialisation
	raw, err := r.stateDict(lssr.Job{ID: "abc", Model: lssr.ModelSpec{Kind: "mlp", Hidden: []int{7, 5}, Activation: "tanh"}, Loss: lssr.LossMSE})
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, len(r.net.parameters()))
	if err := loadVector(r.net, f, "", got); err != nil {
		t.Fatal(err)
	}
	for i, p := range r.net.parameters() {
		if got[i] != p {
			t.Fatalf("parameter %d: %v from the file, %v in the network", i, got[i], p)
		}
	}
}

// TestTrainWeightsOnlyWhenAskedAndFinished: no weights without
// SaveWeights, and none for a diverged job, whose parameters are NaN or Inf.
func TestTrainWeightsOnlyWhenAskedAndFinished(t *testing.T) {
	data := syntheticData(t, 512, 1000)
	res, err := Train(t.Context(), syntheticJob(32, 0.1, 1), data, nil)
	if err != nil || res.Weights != nil {
		t.Errorf("without SaveWeights: %d bytes of weights, %v", len(res.Weights), err)
	}
	job := syntheticJob(8, 1e6, 20)
	job.SaveWeights = true
	res, err = Train(t.Context(), job, data, nil)
	if err != nil || !res.Diverged || res.Weights != nil {
		t.Errorf("diverged=%v with %d bytes of weights, %v; want diverged without weights", res.Diverged, len(res.Weights), err)
	}
}
