package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-plugin"

	"github.com/lssr/lssr"
)

// fakeRunner plays back known values. The job's Sweep, which is not part of
// its ID, picks what it does.
type fakeRunner struct {
	sawCancel chan struct{} // closed when a "block" job sees ctx.Done()
}

var (
	fakeProgress = []lssr.Progress{
		{Epoch: 1, Epochs: 2, Step: 3, TrainLoss: 0.1 + 0.2, TrainAcc: 1.0 / 3, Checkpoint: []byte("ckpt\x01\xff one"), Worker: "slurm 7_1 (running)"},
		{Epoch: 2, Epochs: 2, Step: 6, TrainLoss: math.Inf(1), TrainAcc: math.SmallestNonzeroFloat64, Checkpoint: []byte{0x80}, Worker: "pid 42"},
	}
	fakeResult = lssr.Result{
		Diverged: true, Stopped: "stopped early: ünïcode ρ 2.5 ≥ 2.4", TestAcc: 0.123456789012345678, TestLoss: math.NaN(),
		TrainLoss: math.Inf(-1), TrainAcc: 0.5, GradSqNorm: 1e-300, TrS1: 2.5e300,
		Rho: math.Nextafter(0.01, 1), RhoB: 0.7, Epochs: 7, Steps: 1 << 40, Seconds: 3.25,
		Series: []lssr.EpochStats{
			{Epoch: 1, Step: 1 << 33, TrainLoss: 2.3, TrainAcc: 0.1, Evaluated: true, TestLoss: math.Nextafter(2.5, 3), TestAcc: 0.1 + 0.2},
			{Epoch: 2, Step: 3, TrainLoss: math.NaN(), TrainAcc: 0.2, Evaluated: true, TestLoss: math.Inf(1), TestAcc: math.SmallestNonzeroFloat64},
		},
		Measurements: []lssr.Measurement{
			{Epoch: 3, Step: 9, GradSqNorm: 0.5, TrS1: 5, Rho: 0.1, RhoB: 0.9, TrainLoss: 1.5, TrainAcc: 0.6,
				Curvature: &lssr.Curvature{Examples: 64, GradSqNorm: 0.4, GHG: 1.5, IASFull: 3.75, TrHS1: 20, TrHS1SE: 0.5,
					IASB: 4, Ratio: 12, Threshold: 20, Lambda1: 7.5, Lambda1Its: 13,
					SampledRhoB: 0.25, SampledRhoBSE: 0.01, LossChange: -0.5, LossChangeSE: 0.05, LossChangeEq7: -0.45}},
			{Epoch: 4, Step: 12, GradSqNorm: -0.0001, TrS1: 4, Rho: 0.2, RhoB: 0.8, TrainLoss: 1.25, TrainAcc: 0.65,
				Curvature: &lssr.Curvature{Examples: 64, GradSqNorm: 0.3, GHG: math.Inf(1), IASFull: math.NaN(), TrHS1: 21, TrHS1SE: 0.25,
					IASB: 5, Ratio: 13, Threshold: 20, Lambda1: -7.5, Lambda1Its: 100,
					SampledRhoB: 0.5, SampledRhoBSE: 0.02, LossChange: 0.25, LossChangeSE: 0.125, LossChangeEq7: 0.375}},
		},
		Weights:          []byte("safetensors\x01\xff\x80 bytes, not text"),
		ResumedFrom:      5,
		InitialTrainLoss: 2.302585,
		Provenance: &lssr.Provenance{Version: "v1.2.3-4-gabc", Commit: "abc1234", GoVersion: "go1.26.8",
			KernelPath: "avx2", CPU: "AMD EPYC 9B45 ünïcode", Host: "node-17"},
	}
)

func (f *fakeRunner) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	switch job.Sweep {
	case "ok":
		for _, p := range fakeProgress {
			progress(p)
		}
		return fakeResult, nil
	case "echo-resume":
		return lssr.Result{Weights: job.Resume}, nil
	case "error":
		return lssr.Result{}, errors.New("trainer: loss exploded at epoch 3: \"quoted\"\nsecond line")
	case "bad-input":
		return lssr.Result{}, lssr.BadInput("dataset.dir: /nowhere: no such folder")
	case "panic":
		progress(fakeProgress[0])
		panic("index out of range [7] with length 7")
	case "block":
		progress(fakeProgress[0])
		<-ctx.Done()
		close(f.sawCancel)
		return lssr.Result{}, ctx.Err()
	}
	return lssr.Result{}, fmt.Errorf("fakeRunner: unknown mode %q", job.Sweep)
}

// fakeJob returns a valid job whose Sweep selects the fakeRunner mode.
func fakeJob(mode string) lssr.Job {
	job := lssr.Job{
		Sweep:     mode,
		Dataset:   lssr.DatasetSpec{Name: lssr.DatasetSynthetic, Dir: "/somewhere", N: 64, TestN: 32, Dim: 4, Classes: 2},
		Model:     lssr.ModelSpec{Kind: lssr.ModelMLP, Hidden: []int{8}, Activation: lssr.ActivationTanh},
		Loss:      lssr.LossCrossEntropy,
		Training:  lssr.TrainingSpec{Epochs: 2, Sampling: lssr.SamplingWithout},
		BatchSize: 8, LR: 0.1, Seed: 1,
	}
	job.ID = job.ContentID()
	return job
}

// testRunner connects a Runner client to impl through go-plugin's in-process
// gRPC pair.
func testRunner(t *testing.T, impl Runner) Runner {
	t.Helper()
	client, _ := plugin.TestPluginGRPCConn(t, false, pluginMap(impl, nil))
	// Close also stops the server, through go-plugin's controller service;
	// stopping it here as well would race with that.
	t.Cleanup(func() { client.Close() })
	raw, err := client.Dispense(PluginName)
	if err != nil {
		t.Fatal(err)
	}
	return raw.(Runner)
}

// bits formats v so that two values print the same exactly when every
// field has the same bits (NaN equals NaN, -0 differs from 0), following
// pointers.
func bits(v any) string {
	var b strings.Builder
	writeBits(&b, reflect.ValueOf(v))
	return b.String()
}

func writeBits(b *strings.Builder, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		writeBits(b, v.Elem())
	case reflect.Struct:
		b.WriteString("{")
		for i := range v.NumField() {
			fmt.Fprintf(b, "%s:", v.Type().Field(i).Name)
			writeBits(b, v.Field(i))
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice:
		b.WriteString("[")
		for i := range v.Len() {
			writeBits(b, v.Index(i))
			b.WriteString(" ")
		}
		b.WriteString("]")
	case reflect.Float32, reflect.Float64:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	default:
		fmt.Fprint(b, v.Interface())
	}
}

// requireNoZeroField fails when a field of v is zero, so that a field added
// to lssr's types but not to the wire fails the round trip instead of
// passing as 0 == 0.
func requireNoZeroField(t *testing.T, name string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("fixture %s is nil", name)
			return
		}
		requireNoZeroField(t, name, v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			requireNoZeroField(t, name+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice:
		if v.Len() == 0 {
			t.Errorf("fixture %s is empty", name)
		}
		for i := range v.Len() {
			requireNoZeroField(t, fmt.Sprintf("%s[%d]", name, i), v.Index(i))
		}
	default:
		if v.IsZero() {
			t.Errorf("fixture %s is zero", name)
		}
	}
}

func TestAdapterRoundTrip(t *testing.T) {
	requireNoZeroField(t, "fakeResult", reflect.ValueOf(fakeResult))
	for i, p := range fakeProgress {
		requireNoZeroField(t, fmt.Sprint("fakeProgress", i), reflect.ValueOf(p))
	}
	r := testRunner(t, &fakeRunner{})
	var got []lssr.Progress
	res, err := r.Run(t.Context(), fakeJob("ok"), func(p lssr.Progress) { got = append(got, p) })
	if err != nil {
		t.Fatal(err)
	}
	if bits(got) != bits(fakeProgress) {
		t.Errorf("progress:\n got %s\nwant %s", bits(got), bits(fakeProgress))
	}
	if bits(res) != bits(fakeResult) {
		t.Errorf("result:\n got %s\nwant %s", bits(res), bits(fakeResult))
	}
	// A checkpoint to resume from reaches the Runner unchanged.
	job := fakeJob("echo-resume")
	job.Resume = []byte("a checkpoint\x00\xfe")
	if res, err := r.Run(t.Context(), job, nil); err != nil || string(res.Weights) != string(job.Resume) {
		t.Errorf("resume: the runner saw %q (%v), want %q", res.Weights, err, job.Resume)
	}
	// A nil progress func is allowed.
	if _, err := r.Run(t.Context(), fakeJob("ok"), nil); err != nil {
		t.Fatal(err)
	}
}

func TestAdapterErrors(t *testing.T) {
	r := testRunner(t, &fakeRunner{})
	wrongID := fakeJob("ok")
	wrongID.Seed++ // content changed, ID kept
	tests := []struct {
		name     string
		job      lssr.Job
		wantMsg  string // exact, or a substring when prefixed by "~"
		badInput bool
	}{
		{name: "error", job: fakeJob("error"), wantMsg: "trainer: loss exploded at epoch 3: \"quoted\"\nsecond line"},
		{name: "bad input", job: fakeJob("bad-input"), wantMsg: "dataset.dir: /nowhere: no such folder", badInput: true},
		{name: "panic", job: fakeJob("panic"), wantMsg: "~panicked: index out of range [7] with length 7"},
		{name: "ID mismatch", job: wrongID, wantMsg: "~its content hashes to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.Run(t.Context(), tt.job, func(lssr.Progress) {})
			var jobErr *JobError
			if !errors.As(err, &jobErr) {
				t.Fatalf("got %v (%T), want a *JobError", err, err)
			}
			if want, ok := strings.CutPrefix(tt.wantMsg, "~"); ok && !strings.Contains(err.Error(), want) ||
				!ok && err.Error() != tt.wantMsg {
				t.Errorf("got %q, want %q", err, tt.wantMsg)
			}
			if errors.Is(err, lssr.ErrBadInput) != tt.badInput {
				t.Errorf("errors.Is(err, ErrBadInput) = %v, want %v", !tt.badInput, tt.badInput)
			}
			if errors.Is(err, ErrLost) {
				t.Error("a job error must not read as a lost worker")
			}
		})
	}
	// The panic did not take the server down.
	if _, err := r.Run(t.Context(), fakeJob("ok"), nil); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
}

func TestAdapterCancel(t *testing.T) {
	fake := &fakeRunner{sawCancel: make(chan struct{})}
	r := testRunner(t, fake)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(ctx, fakeJob("block"), func(lssr.Progress) { cancel() })
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	case <-time.After(2 * time.Minute): // a guard against a hang, not a speed limit
		t.Fatal("Run did not return after the cancel")
	}
	select {
	case <-fake.sawCancel:
	case <-time.After(2 * time.Minute): // a guard against a hang, not a speed limit
		t.Fatal("the Runner's context was not cancelled")
	}
}
