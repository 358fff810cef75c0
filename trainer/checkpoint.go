package trainer

import (
	"bytes"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
)

// A checkpoint is a job's whole training state after an epoch, as the bytes
// of a safetensors file:
//
//	params                  F32  the parameter vector (the model's own layout)
//	velocity                F32  momentum's δ_{t−1}, with momentum only
//	eigvec                  F32  the last top eigenvector (λ1's warm start), if any
//	perm                    I64  the order the next epoch's shuffle starts from
//	bn.<k>.running_mean     F32  batch norm k's running statistics, and
//	bn.<k>.running_var      F32
//	bn.<k>.batches          I64  its num_batches_tracked
//	progress                U8   the Result so far (series, measurements,
//	                             epochs, steps), gob-encoded
//
// with metadata lssr.job (the job ID), lssr.epoch and lssr.rng (the batch
// order's PCG state, hex). Restoring it and training on gives bit for bit
// the Result of an uninterrupted run, apart from Seconds and ResumedFrom.

// checkpointInterval is how much wall time passes between checkpoints when
// the job does not set CheckpointEvery.
var checkpointInterval = 60 * time.Second

// errCheckpoint marks a checkpoint that does not belong to the job or is
// damaged; Train then starts afresh.
var errCheckpoint = errors.New("unusable checkpoint")

// checkpointDue reports whether a checkpoint is due after epoch, given when
// the last one (or the start) was.
func (r *run) checkpointDue(job lssr.Job, epoch int, last time.Time) bool {
	if epoch >= r.cfg.epochs {
		return false // the Result follows at once
	}
	if job.CheckpointEvery > 0 {
		return epoch%job.CheckpointEvery == 0
	}
	return time.Since(last) >= checkpointInterval
}

// checkpoint encodes the run's state after epoch, with res the Result so far.
func (r *run) checkpoint(job lssr.Job, epoch int, res lssr.Result) ([]byte, error) {
	rng, err := r.orderSrc.MarshalBinary()
	if err != nil {
		return nil, err
	}
	var progress bytes.Buffer
	res.Weights = nil
	if err := gob.NewEncoder(&progress).Encode(res); err != nil {
		return nil, fmt.Errorf("trainer: checkpoint of job %s: %w", job.ID, err)
	}
	perm := make([]int64, len(r.perm))
	for i, p := range r.perm {
		perm[i] = int64(p)
	}
	params := r.net.parameters()
	tensors := []safetensors.Tensor{
		safetensors.FromFloat32("params", []int{len(params)}, params),
		safetensors.FromInt64("perm", []int{len(perm)}, perm),
		safetensors.FromUint8("progress", []int{progress.Len()}, progress.Bytes()),
	}
	if r.vel != nil {
		tensors = append(tensors, safetensors.FromFloat32("velocity", []int{len(r.vel)}, r.vel))
	}
	if r.eigVec != nil {
		tensors = append(tensors, safetensors.FromFloat32("eigvec", []int{len(r.eigVec)}, r.eigVec))
	}
	_, bns := r.net.norms()
	for k, bn := range bns {
		name := "bn." + strconv.Itoa(k) + "."
		tensors = append(tensors,
			safetensors.FromFloat32(name+"running_mean", []int{len(bn.runMean)}, bn.runMean),
			safetensors.FromFloat32(name+"running_var", []int{len(bn.runVar)}, bn.runVar),
			safetensors.FromInt64(name+"batches", []int{1}, []int64{bn.batches}))
	}
	meta := map[string]string{"lssr.job": job.ID, "lssr.epoch": strconv.Itoa(epoch), "lssr.rng": hex.EncodeToString(rng)}
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors, meta); err != nil {
		return nil, fmt.Errorf("trainer: checkpoint of job %s: %w", job.ID, err)
	}
	return buf.Bytes(), nil
}

// restore loads a checkpoint of job into the fresh run r and returns the
// Result so far, whose Epochs is the epoch to continue after. Any mismatch
// wraps errCheckpoint and leaves r unusable.
func (r *run) restore(job lssr.Job, raw []byte) (lssr.Result, error) {
	bad := func(format string, args ...any) (lssr.Result, error) {
		return lssr.Result{}, fmt.Errorf("%w: %s", errCheckpoint, fmt.Sprintf(format, args...))
	}
	f, err := safetensors.Decode(raw)
	if err != nil {
		return bad("%v", err)
	}
	if got := f.Metadata["lssr.job"]; got != job.ID {
		return bad("it belongs to job %q", got)
	}
	var res lssr.Result
	if t, ok := f.Get("progress"); !ok {
		return bad("no progress")
	} else if b, err := t.Uint8s(); err != nil {
		return bad("progress: %v", err)
	} else if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&res); err != nil {
		return bad("progress: %v", err)
	}
	if epoch, err := strconv.Atoi(f.Metadata["lssr.epoch"]); err != nil || epoch != res.Epochs || epoch < 1 || epoch >= r.cfg.epochs {
		return bad("epoch %q of %d (progress says %d)", f.Metadata["lssr.epoch"], r.cfg.epochs, res.Epochs)
	}
	for i, s := range res.Series {
		if s.Step == 0 {
			// A checkpoint written before the series kept steps: every
			// epoch takes the same number, so the uninterrupted run's
			// values follow.
			res.Series[i].Step = int64(s.Epoch) * int64(r.stepsPerEpoch())
		}
	}
	rng, err := hex.DecodeString(f.Metadata["lssr.rng"])
	if err != nil || r.orderSrc.UnmarshalBinary(rng) != nil {
		return bad("batch order state %q", f.Metadata["lssr.rng"])
	}
	type vector struct {
		name string
		dst  []float32
	}
	vectors := []vector{{"params", r.net.parameters()}}
	if r.vel != nil {
		vectors = append(vectors, vector{"velocity", r.vel})
	}
	if t, ok := f.Get("eigvec"); ok {
		r.eigVec = make([]float32, t.NumElements())
		vectors = append(vectors, vector{"eigvec", r.eigVec})
	}
	_, bns := r.net.norms()
	for k, bn := range bns {
		name := "bn." + strconv.Itoa(k) + "."
		vectors = append(vectors, vector{name + "running_mean", bn.runMean}, vector{name + "running_var", bn.runVar})
		n, err := int64s(f, name+"batches", 1)
		if err != nil {
			return bad("%v", err)
		}
		bn.batches = n[0]
	}
	for _, v := range vectors {
		t, ok := f.Get(v.name)
		if !ok {
			return bad("no tensor %s", v.name)
		}
		got, err := t.Float32s()
		if err != nil || len(got) != len(v.dst) {
			return bad("%s: %d values, want %d (%v)", v.name, len(got), len(v.dst), err)
		}
		copy(v.dst, got)
	}
	perm, err := int64s(f, "perm", len(r.perm))
	if err != nil {
		return bad("%v", err)
	}
	for i, p := range perm {
		r.perm[i] = int(p)
	}
	sorted := slices.Clone(r.perm)
	slices.Sort(sorted)
	for i, p := range sorted {
		if p != i {
			return bad("perm is not a permutation of the %d examples", len(r.perm))
		}
	}
	return res, nil
}

// int64s returns the n values of f's I64 tensor name.
func int64s(f *safetensors.File, name string, n int) ([]int64, error) {
	t, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("no tensor %s", name)
	}
	v, err := t.Int64s()
	if err != nil || len(v) != n {
		return nil, fmt.Errorf("%s: %d values, want %d (%v)", name, len(v), n, err)
	}
	return v, nil
}
