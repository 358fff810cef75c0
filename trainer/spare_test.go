package trainer

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
)

// TestSpareBuffersChangeNoResult trains a batch-norm CNN job with fresh
// buffers, then again on the buffers the first run handed on, poisoned with
// NaN as a diverged job would leave them: the second result must be the
// first, bit for bit, and the buffers must really have been reused.
func TestSpareBuffersChangeNoResult(t *testing.T) {
	data := &dataset.Data{Train: quadrantImages(300, 1), Test: quadrantImages(100, 2), Dim: 64, Classes: 4, Shape: [3]int{1, 8, 8}}
	job := lssr.Job{
		Model: lssr.ModelSpec{Kind: "cnn", Channels: []int{4}, Hidden: []int{8}, BatchNorm: true, Activation: "relu"},
		Loss:  lssr.LossCrossEntropy, BatchSize: 16, LR: 0.1, Seed: 5,
		Training: lssr.TrainingSpec{Epochs: 2, Sampling: lssr.SamplingWithout, MeasureEvery: 1},
	}
	train := func() lssr.Result {
		t.Helper()
		res, err := Train(context.Background(), job, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		res.Seconds = 0
		return res
	}
	dropSpares := func() {
		spareBuffers.Lock()
		spareBuffers.acts, spareBuffers.ds = nil, nil
		spareBuffers.Unlock()
	}
	dropSpares()
	fresh := train()

	spareBuffers.Lock()
	acts, ds := spareBuffers.acts, spareBuffers.ds
	spareBuffers.Unlock()
	if acts == nil {
		t.Fatal("Train handed on no buffers")
	}
	nan := float32(math.NaN())
	for l := range acts {
		for i := range acts[l] {
			acts[l][i], ds[l][i] = nan, nan
		}
	}
	first := &acts[0][0]
	cfg, err := parseJob(job, data)
	if err != nil {
		t.Fatal(err)
	}
	r := newRun(cfg, data)
	if got := &r.net.(*seqNet[float32]).acts[0][0]; got != first {
		t.Fatal("a network of the same shape did not take the spare buffers")
	}
	r.release()

	if reused := train(); !reflect.DeepEqual(reused, fresh) {
		t.Errorf("on reused buffers:\n%+v\nwith fresh ones:\n%+v", reused, fresh)
	}
	dropSpares()
}
