package trainer

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/trainer/kernels"
)

// config is a job checked against the data it runs on.
type config struct {
	model        lssr.ModelSpec
	layered      bool // the model is a seqNet (a CNN, or batch norm), not the fused MLP
	hidden       []int
	act          activation
	loss         lossKind
	sampling     lssr.Sampling
	batchSize    int
	lr           float64
	epochs       int
	measureEvery int
	evalEvery    int // test-set evaluations into the series (0: none before the end)
	seed         uint64
	beta1, beta2 float64 // generalised momentum (eq. 13–14); 0, 0 is plain SGD
	// Curvature schedule: every curvatureEvery epochs on hessianSubset
	// examples (0: all) with curvatureSamples Rademacher vectors.
	curvatureEvery, hessianSubset, curvatureSamples int
	// stopEarly is the stall rule's fraction of the epochs (0: no rule),
	// stallFrom the first epoch it checks (see stop.go).
	stopEarly float64
	stallFrom int
}

func parseJob(job lssr.Job, data *dataset.Data) (config, error) {
	if err := checkData(data); err != nil {
		return config{}, err
	}
	cfg := config{
		hidden: job.Model.Hidden, sampling: job.Training.Sampling, batchSize: job.BatchSize,
		lr: job.LR, epochs: job.Training.Epochs, measureEvery: job.Training.MeasureEvery, seed: job.Seed,
		evalEvery: job.Training.EvalEvery, beta1: job.Training.Beta1, beta2: job.Training.Beta2,
		curvatureEvery: job.Training.CurvatureEvery, hessianSubset: job.Training.HessianSubset,
		curvatureSamples: job.Training.CurvatureSamples, stopEarly: job.Training.StopEarly,
	}
	cfg.model = job.Model
	cfg.layered = job.Model.Kind != lssr.ModelMLP || job.Model.BatchNorm || len(job.Model.Channels) > 0
	if cfg.layered {
		// Building the network checks the spec against the data's shape.
		if _, err := seqLayers[float32](job.Model, data.Shape, data.Dim, data.Classes, crossEntropy, 1); err != nil {
			return config{}, err
		}
	}
	if !slices.Contains(lssr.ModelKinds(), job.Model.Kind) {
		return config{}, lssr.BadInput("model.kind: unknown model %q (want %s)", job.Model.Kind, lssr.OneOf(lssr.ModelKinds()))
	}
	for _, w := range job.Model.Hidden {
		if w < 1 {
			return config{}, lssr.BadInput("model.hidden: layer widths must be at least 1, got %v", job.Model.Hidden)
		}
	}
	var err error
	if cfg.act, err = parseActivation(job.Model.Activation); err != nil {
		return config{}, err
	}
	if cfg.loss, err = parseLoss(job.Loss); err != nil {
		return config{}, err
	}
	n := data.Train.N
	switch {
	case cfg.sampling != lssr.SamplingWithout && cfg.sampling != lssr.SamplingWith:
		return config{}, lssr.BadInput("training.sampling: unknown sampling %q (want %s or %s)", cfg.sampling, lssr.SamplingWithout, lssr.SamplingWith)
	case job.Model.BatchNorm && cfg.batchSize < 2 && job.Model.Kind == lssr.ModelMLP:
		return config{}, lssr.BadInput("batch_size: batch norm after a dense layer needs at least 2 examples per batch, got %d", cfg.batchSize)
	case cfg.batchSize < 1:
		return config{}, lssr.BadInput("batch_size: must be at least 1, got %d", cfg.batchSize)
	case cfg.sampling == lssr.SamplingWithout && cfg.batchSize > n:
		return config{}, lssr.BadInput("batch_size: %d exceeds the %d training examples (sampling without replacement)", cfg.batchSize, n)
	case !(cfg.lr > 0) || math.IsInf(cfg.lr, 0):
		return config{}, lssr.BadInput("lr: must be positive and finite, got %v", cfg.lr)
	case cfg.epochs < 0:
		return config{}, lssr.BadInput("training.epochs: must not be negative, got %d", cfg.epochs)
	case cfg.measureEvery < 0:
		return config{}, lssr.BadInput("training.measure_every: must not be negative, got %d", cfg.measureEvery)
	case cfg.evalEvery < 0:
		return config{}, lssr.BadInput("training.eval_every: must not be negative, got %d", cfg.evalEvery)
	case !(cfg.beta1 >= 0 && cfg.beta1 < 1):
		return config{}, lssr.BadInput("training.beta1: momentum must be in [0, 1), got %v", cfg.beta1)
	case !(cfg.beta2 >= 0 && cfg.beta2 < 1):
		return config{}, lssr.BadInput("training.beta2: look-ahead must be in [0, 1), got %v", cfg.beta2)
	case cfg.curvatureEvery < 0 || cfg.hessianSubset < 0 || cfg.curvatureSamples < 0:
		return config{}, lssr.BadInput("training: curvature_every, hessian_subset and curvature_samples must not be negative")
	case !(cfg.stopEarly >= 0 && cfg.stopEarly <= 1):
		return config{}, lssr.BadInput("training.stop_early: must be a fraction in (0, 1] (0: never stop), got %v", cfg.stopEarly)
	}
	cfg.stallFrom = stallCheckFrom(cfg.stopEarly, cfg.epochs)
	if cfg.curvatureSamples == 0 {
		cfg.curvatureSamples = defaultCurvatureSamples
	}
	return cfg, nil
}

// checkData guards against a Data that was not made by dataset.Load.
func checkData(d *dataset.Data) error {
	if d == nil || d.Dim < 1 || d.Classes < 2 || d.Classes > 256 || d.Train.N < 1 {
		return fmt.Errorf("trainer: data is empty or malformed")
	}
	for _, s := range []dataset.Split{d.Train, d.Test} {
		if s.N < 0 || len(s.X) != s.N*d.Dim || len(s.Y) != s.N {
			return fmt.Errorf("trainer: split of %d examples has %d features and %d labels, want %d and %d", s.N, len(s.X), len(s.Y), s.N*d.Dim, s.N)
		}
		for i, y := range s.Y {
			if int(y) >= d.Classes {
				return fmt.Errorf("trainer: label %d of example %d is not below %d classes", y, i, d.Classes)
			}
		}
	}
	return nil
}

// run is the state of one training job.
type run struct {
	cfg    config
	data   *dataset.Data
	net    network[float32]
	batchX []float32
	batchY []uint8
	order  *rand.Rand
	// orderSrc is order's source, whose state a checkpoint keeps.
	orderSrc *rand.PCG
	perm     []int // without replacement: this epoch's permutation
	idx      []int // with replacement: the current batch
	// gradSum accumulates Σ_i ∇ℓ_i over a full pass, in float64.
	gradSum []float64
	// With momentum: vel is δ_{t−1} of eq. 13, and saved holds θ_t while
	// the gradient is taken at the look-ahead point θ_t + β2·δ_{t−1}.
	vel, saved []float32
	// hessian is the fixed Hessian subset of the curvature measurements,
	// and eigVec the last top eigenvector, to warm-start the next.
	hessian *dataset.Split
	eigVec  []float32
}

// newNetwork builds the job's network, initialised from the job's seed:
// the fused MLP for a plain MLP, whose speed the sweeps depend on, and a
// layer list for everything else.
func newNetwork(cfg config, data *dataset.Data) network[float32] {
	init := newRand(cfg.seed, streamInit)
	if !cfg.layered {
		return newMLP(data.Dim, cfg.hidden, data.Classes, cfg.act, cfg.loss, cfg.batchSize, init)
	}
	net, err := newSeqNet[float32](cfg.model, data.Shape, data.Dim, data.Classes, cfg.loss, max(cfg.batchSize, evalChunk), init)
	if err != nil {
		panic(err) // parseJob built the same network
	}
	return net
}

func newRun(cfg config, data *dataset.Data) *run {
	r := &run{cfg: cfg, data: data, net: newNetwork(cfg, data)}
	r.batchX = make([]float32, cfg.batchSize*data.Dim)
	r.batchY = make([]uint8, cfg.batchSize)
	r.orderSrc = rand.NewPCG(cfg.seed, streamOrder)
	r.order = rand.New(r.orderSrc)
	r.perm = make([]int, data.Train.N)
	for i := range r.perm {
		r.perm[i] = i
	}
	r.idx = make([]int, cfg.batchSize)
	size := len(r.net.parameters())
	r.gradSum = make([]float64, size)
	if cfg.beta1 != 0 || cfg.beta2 != 0 {
		r.vel = make([]float32, size)
		r.saved = make([]float32, size)
	}
	return r
}

// release hands the network's buffers to the next run's (see
// spareBuffers); r must not be used after.
func (r *run) release() {
	if net, ok := r.net.(*seqNet[float32]); ok {
		net.releaseBuffers()
	}
}

// stepsPerEpoch is floor(n/b), at least 1.
func (r *run) stepsPerEpoch() int {
	return max(1, r.data.Train.N/r.cfg.batchSize)
}

// startEpoch reshuffles the permutation batches are cut from.
func (r *run) startEpoch() {
	if r.cfg.sampling == lssr.SamplingWithout {
		r.order.Shuffle(len(r.perm), func(i, j int) { r.perm[i], r.perm[j] = r.perm[j], r.perm[i] })
	}
}

// batch returns the indices of step s of the epoch: a slice of the
// permutation without replacement (the tail past floor(n/b)·b is skipped),
// b independent uniform draws with replacement.
func (r *run) batch(s int) []int {
	b := r.cfg.batchSize
	if r.cfg.sampling == lssr.SamplingWithout {
		return r.perm[s*b : (s+1)*b]
	}
	for j := range r.idx {
		r.idx[j] = r.order.IntN(r.data.Train.N)
	}
	return r.idx
}

// gather copies the training examples idx into the batch buffers.
func (r *run) gather(idx []int) {
	dim := r.data.Dim
	for j, i := range idx {
		copy(r.batchX[j*dim:(j+1)*dim], r.data.Train.X[i*dim:(i+1)*dim])
		r.batchY[j] = r.data.Train.Y[i]
	}
}

// gradient sets the network's gradient vector to the gradient of the mean
// loss over the examples idx, and returns that mean loss and how many of
// them are classified right.
func (r *run) gradient(idx []int) (loss float64, correct int) {
	r.gather(idx)
	return r.net.gradient(r.batchX, r.batchY, len(idx))
}

// step takes one SGD step on the examples idx unless their loss is NaN or
// Inf, and returns that loss.
func (r *run) step(idx []int) (loss float64, correct int) {
	if r.vel != nil {
		return r.momentumStep(idx)
	}
	r.gather(idx)
	return r.net.step(r.batchX, r.batchY, len(idx), r.cfg.lr)
}

// momentumStep takes one step of generalised momentum (eq. 13–14):
// δ_t = β1·δ_{t−1} − η·g(θ_t + β2·δ_{t−1}), θ_{t+1} = θ_t + δ_t, with g the
// minibatch gradient of the examples idx. The look-ahead point is set up in
// place and θ_t is restored from a copy, not by subtracting, so no rounding
// drifts into the weights. A NaN or Inf loss leaves θ and δ unchanged.
func (r *run) momentumStep(idx []int) (loss float64, correct int) {
	params := r.net.parameters()
	if r.cfg.beta2 != 0 {
		copy(r.saved, params)
		kernels.Axpy(float32(r.cfg.beta2), r.vel, params)
	}
	loss, correct = r.gradient(idx)
	if r.cfg.beta2 != 0 {
		copy(params, r.saved)
	}
	if !finite(loss) {
		return loss, correct
	}
	beta1, lr := float32(r.cfg.beta1), float32(r.cfg.lr)
	for i, g := range r.net.gradients() {
		r.vel[i] = beta1*r.vel[i] - lr*g
	}
	kernels.Axpy(1, r.vel, params)
	return loss, correct
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Train runs job on data and returns its result. See the package
// documentation for the protocol. Train reads data and never modifies it.
//
// A job that diverges (a NaN or Inf loss) returns a Result with Diverged set
// and a nil error; one that its stall rule stops (TrainingSpec.StopEarly,
// see stop.go) returns a Result with Stopped set and a nil error. A job or
// data that does not make sense returns an lssr.BadInput error. When ctx is
// cancelled Train returns ctx.Err() within one SGD step. progress, if not
// nil, is called after every epoch but one that ends the run early.
func Train(ctx context.Context, job lssr.Job, data *dataset.Data, progress func(lssr.Progress)) (lssr.Result, error) {
	start := time.Now()
	cfg, err := parseJob(job, data)
	if err != nil {
		return lssr.Result{}, err
	}
	r := newRun(cfg, data)
	defer func() { r.release() }() // the r of the moment: a restore may replace it
	var res lssr.Result
	if job.Resume != nil {
		if res, err = r.restore(job, job.Resume); err != nil {
			// A damaged or foreign checkpoint costs time, not correctness:
			// start afresh.
			r.release()
			r, res = newRun(cfg, data), lssr.Result{}
		} else {
			res.ResumedFrom = res.Epochs
		}
	}
	if res.Epochs == 0 {
		init, err := r.pass(ctx, data.Train, false)
		if err != nil {
			return lssr.Result{}, err
		}
		res.InitialTrainLoss = init.loss
	}
	lastCheckpoint := time.Now()
	diverged := func() (lssr.Result, error) {
		res.Diverged = true
		res.Seconds = time.Since(start).Seconds()
		return res, nil
	}
	done := ctx.Done()
	steps := r.stepsPerEpoch()
	for epoch := res.Epochs + 1; epoch <= cfg.epochs; epoch++ {
		r.startEpoch()
		var lossSum float64
		var correct int
		for s := range steps {
			select {
			case <-done:
				return lssr.Result{}, ctx.Err()
			default:
			}
			loss, c := r.step(r.batch(s))
			if !finite(loss) {
				return diverged()
			}
			res.Steps++
			lossSum += loss
			correct += c
		}
		res.Epochs = epoch
		stats := lssr.EpochStats{
			Epoch:     epoch,
			Step:      res.Steps,
			TrainLoss: lossSum / float64(steps),
			TrainAcc:  float64(correct) / float64(steps*cfg.batchSize),
		}
		// The last epoch's test values are the final test pass's, below.
		if cfg.evalEvery > 0 && epoch%cfg.evalEvery == 0 && epoch < cfg.epochs {
			test, err := r.pass(ctx, data.Test, false)
			if err != nil {
				return lssr.Result{}, err
			}
			stats.Evaluated, stats.TestLoss, stats.TestAcc = true, test.loss, test.acc
		}
		res.Series = append(res.Series, stats)
		if cfg.stalled(epoch, stats.TrainLoss, res.InitialTrainLoss) {
			// Like a diverged run: no measurement, test pass or weights.
			res.Stopped = cfg.stallReason(epoch, stats.TrainLoss, res.InitialTrainLoss)
			res.Seconds = time.Since(start).Seconds()
			return res, nil
		}
		rhoDue := cfg.measureEvery > 0 && epoch%cfg.measureEvery == 0
		curvDue := cfg.curvatureEvery > 0 && epoch%cfg.curvatureEvery == 0
		if (rhoDue || curvDue) && epoch < cfg.epochs {
			m, err := r.measure(ctx, epoch, res.Steps)
			if errors.Is(err, errDiverged) {
				return diverged()
			}
			if err != nil {
				return lssr.Result{}, err
			}
			if curvDue {
				if m.Curvature, err = r.curvatureAt(ctx, job); err != nil {
					return lssr.Result{}, err
				}
			}
			res.Measurements = append(res.Measurements, *m)
		}
		if progress != nil {
			p := lssr.Progress{Epoch: epoch, Epochs: cfg.epochs, Step: res.Steps, TrainLoss: stats.TrainLoss, TrainAcc: stats.TrainAcc}
			if r.checkpointDue(job, epoch, lastCheckpoint) {
				if p.Checkpoint, err = r.checkpoint(job, epoch, res); err != nil {
					return lssr.Result{}, err
				}
				lastCheckpoint = time.Now()
			}
			progress(p)
		}
	}

	final, err := r.measure(ctx, cfg.epochs, res.Steps)
	if errors.Is(err, errDiverged) {
		return diverged()
	}
	if err == nil && cfg.curvatureEvery > 0 {
		final.Curvature, err = r.curvatureAt(ctx, job)
	}
	if err != nil {
		return lssr.Result{}, err
	}
	res.Measurements = append(res.Measurements, *final)
	res.TrainLoss, res.TrainAcc = final.TrainLoss, final.TrainAcc
	res.GradSqNorm, res.TrS1, res.Rho, res.RhoB = final.GradSqNorm, final.TrS1, final.Rho, final.RhoB
	test, err := r.pass(ctx, data.Test, false)
	if err != nil {
		return lssr.Result{}, err
	}
	if !finite(test.loss) {
		return diverged()
	}
	res.TestLoss, res.TestAcc = test.loss, test.acc
	if last := len(res.Series) - 1; cfg.evalEvery > 0 && last >= 0 {
		// Every eval_every epochs and at the end, as ρ is measured.
		res.Series[last].Evaluated = true
		res.Series[last].TestLoss, res.Series[last].TestAcc = test.loss, test.acc
	}
	if job.SaveWeights {
		if res.Weights, err = r.stateDict(job); err != nil {
			return lssr.Result{}, err
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}
