// Package lssr holds the domain types every part of lssr speaks: a training
// job, its progress and its result. The sweep spec (package sweeps) expands
// into Jobs; the orchestrator hands Jobs to workers; workers run them on the
// trainer and send back Progress and a Result; the store keeps them and the
// report reads them. Implementation packages talk to each other in these
// terms, never in each other's types.
package lssr

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Dataset names.
const (
	DatasetCIFAR10      = "cifar10"
	DatasetFashionMNIST = "fashion-mnist"
	DatasetMNIST        = "mnist"
	DatasetSynthetic    = "synthetic"
)

// DatasetSpec says which examples a job trains and tests on.
type DatasetSpec struct {
	Name string `json:"name"`
	// Dir is the folder holding the dataset's files (IDX for the MNISTs,
	// the binary batches for CIFAR-10); empty means the default place for
	// the dataset (CIFAR-10 has none). It is where the data lives, not what it is, so it is
	// left out of the job ID.
	Dir string `json:"dir,omitempty"`
	// N is the training subset size (DATASET-n).
	N int `json:"n"`
	// TestN is the number of test examples evaluated.
	TestN int `json:"test_n"`
	// SubsetSeed picks the subsets; the same seed gives the same examples.
	SubsetSeed uint64 `json:"subset_seed"`
	// Balanced makes the subsets class-balanced (equal counts per class, as
	// far as n allows).
	Balanced bool `json:"balanced"`
	// Dim and Classes shape the synthetic Gaussian mixture; ignored otherwise.
	Dim     int `json:"dim,omitempty"`
	Classes int `json:"classes,omitempty"`
}

// ModelSpec describes the network.
type ModelSpec struct {
	Kind       ModelKind  `json:"kind"`
	Hidden     []int      `json:"hidden"` // hidden (dense) layer widths
	Activation Activation `json:"activation"`
	// Channels are the widths of a CNN's conv-conv-pool blocks (kind cnn).
	Channels []int `json:"channels,omitempty"`
	// Kernel is the CNN's square convolution size (0: 3); convolutions use
	// stride 1 and zero padding Kernel/2.
	Kernel int `json:"kernel,omitempty"`
	// Pool is the CNN's 2×2 pooling after each block: PoolMax (also for "")
	// or PoolAvg.
	Pool Pool `json:"pool,omitempty"`
	// BatchNorm puts batch normalisation after every convolution and
	// hidden dense layer, before the activation.
	BatchNorm bool `json:"batch_norm,omitempty"`
}

// TrainingSpec holds the optimisation protocol: plain SGD, constant η.
type TrainingSpec struct {
	Epochs   int      `json:"epochs"`
	Sampling Sampling `json:"sampling"`
	// MeasureEvery measures ρ every so many epochs (0: at the end only).
	MeasureEvery int `json:"measure_every,omitempty"`
	// Beta1 and Beta2 select generalised momentum (eq. 13–14):
	// δ_t = β1·δ_{t−1} − η·∇L(θ_t + β2·δ_{t−1}), θ_{t+1} = θ_t + δ_t.
	// Both 0 (the default, and the paper's protocol) is plain SGD; β2 = 0 is
	// Polyak momentum, β2 = β1 Nesterov. Zero values are left out of the JSON,
	// so jobs without momentum keep their IDs.
	Beta1 float64 `json:"beta1,omitempty"`
	Beta2 float64 `json:"beta2,omitempty"`
	// CurvatureEvery measures the Hessian's interaction with the gradient
	// distribution (∇LᵀH∇L, IAS, tr(HS_b), λ1) every so many epochs and at
	// the end, on a fixed Hessian subset of HessianSubset training examples
	// (all of them when 0), with CurvatureSamples Rademacher vectors for
	// tr(HS_1) (default 10). 0 measures no curvature.
	CurvatureEvery   int `json:"curvature_every,omitempty"`
	HessianSubset    int `json:"hessian_subset,omitempty"`
	CurvatureSamples int `json:"curvature_samples,omitempty"`
	// StopEarly, when set, is the fraction F in (0, 1] of the epochs after
	// which a run that has made no progress stops: after each epoch e with
	// ceil(F·Epochs) ≤ e < Epochs, a run whose mean minibatch training loss
	// over e is not below its InitialTrainLoss ends as StateStopped. It
	// changes outcomes, so it is part of the job ID when set; 0 (the
	// default: never stop) is left out of the JSON, so jobs without it keep
	// their IDs.
	StopEarly float64 `json:"stop_early,omitempty"`
	// EvalEvery evaluates the test set every so many epochs, into the
	// series (EpochStats.TestAcc, TestLoss); 0 (the default) evaluates at
	// the end only. It changes what is recorded, not what is trained, so it
	// is left out of the job ID.
	EvalEvery int `json:"eval_every,omitempty"`
}

// Job is one training run: one cell (b, η) of the grid with one seed.
type Job struct {
	ID        string       `json:"id"`
	Sweep     string       `json:"sweep"`
	Dataset   DatasetSpec  `json:"dataset"`
	Model     ModelSpec    `json:"model"`
	Loss      Loss         `json:"loss"`
	Training  TrainingSpec `json:"training"`
	BatchSize int          `json:"batch_size"`
	LR        float64      `json:"lr"`
	Seed      uint64       `json:"seed"`
	// SaveWeights asks the trainer to return the final weights with the
	// Result (Result.Weights). It changes what is kept, not what is
	// trained, so it is left out of the job ID.
	SaveWeights bool `json:"save_weights,omitempty"`
	// CheckpointEvery asks for a checkpoint every so many epochs (0: when
	// about a minute of work has passed since the last one). Checkpoints
	// change nothing trained, so it is left out of the job ID too.
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Resume is a checkpoint (Progress.Checkpoint) of this job to continue
	// from. It travels beside the job, never in its JSON or its ID.
	Resume []byte `json:"-"`
}

// ContentID derives the job's stable ID from what decides its training
// outcome: dataset content, model, loss, protocol, b, η and seed. The sweep
// name, the dataset folder, whether the weights are kept, how often the test
// set is evaluated and anything else
// that does not change a single bit of the result are left out, so renaming
// a sweep, moving the data, asking for the weights or changing the worker
// count keeps every ID.
func (j Job) ContentID() string {
	c := j
	c.ID, c.Sweep, c.Dataset.Dir, c.SaveWeights, c.CheckpointEvery = "", "", "", false, 0
	c.Training.EvalEvery = 0
	raw, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("lssr: job is not marshalable: %v", err)) // plain structs always marshal
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

// Progress is what a worker reports while a job trains, once per epoch.
type Progress struct {
	Epoch     int     `json:"epoch"`
	Epochs    int     `json:"epochs"`
	Step      int64   `json:"step"`
	TrainLoss float64 `json:"train_loss"` // mean minibatch loss over the epoch
	TrainAcc  float64 `json:"train_acc"`  // minibatch accuracy over the epoch
	// Checkpoint, when not nil, is the job's whole training state after
	// this epoch (a safetensors file, see package trainer): given back as
	// Job.Resume, it continues the job to the very result an uninterrupted
	// run gives.
	Checkpoint []byte `json:"-"`
	// Worker, when set (by an executor, or a worker about itself), names
	// what runs the job now, e.g. "slurm 4242_3 (running)"; the
	// orchestrator records it on the job.
	Worker string `json:"-"`
}

// Measurement is one measurement of the gradient distribution over the whole
// training subset (eq. 15, 17).
type Measurement struct {
	Epoch      int     `json:"epoch"`
	Step       int64   `json:"step"`
	GradSqNorm float64 `json:"grad_sq_norm"` // ‖∇L‖² = tr(S_n)
	TrS1       float64 `json:"tr_s1"`        // mean_i ‖∇ℓ_i‖²
	Rho        float64 `json:"rho"`          // tr(S_n)/tr(S_1)
	RhoB       float64 `json:"rho_b"`        // eq. 17 at the job's b
	TrainLoss  float64 `json:"train_loss"`   // full-pass loss at that point
	TrainAcc   float64 `json:"train_acc"`

	// Curvature, when the job asks for it (TrainingSpec.CurvatureEvery),
	// over the Hessian subset (eq. 2, 10, 16; Theorem 2).
	Curvature *Curvature `json:"curvature,omitempty"`
}

// Curvature is the Hessian H of the mean loss over the Hessian subset seen
// through the gradient distribution.
type Curvature struct {
	Examples   int     `json:"examples"`      // size of the Hessian subset
	GradSqNorm float64 `json:"grad_sq_norm"`  // ‖∇L‖² on the subset
	GHG        float64 `json:"ghg"`           // ∇LᵀH∇L
	IASFull    float64 `json:"ias_full"`      // ∇LᵀH∇L/‖∇L‖², IAS at b = n
	TrHS1      float64 `json:"tr_hs1"`        // tr(HS_1), Rademacher estimate
	TrHS1SE    float64 `json:"tr_hs1_se"`     // its standard error
	IASB       float64 `json:"ias_b"`         // tr(HS_b)/tr(S_b) at the job's b
	Ratio      float64 `json:"ratio"`         // tr(HS_b)/tr(S_n), the instability ratio
	Threshold  float64 `json:"threshold"`     // 2γ(β1, β2)/η: unstable when Ratio exceeds it
	Lambda1    float64 `json:"lambda1"`       // largest Hessian eigenvalue (Lanczos, relative residual bound 1e-4)
	Lambda1Its int     `json:"lambda1_iters"` // Hessian-vector products the Lanczos run took
	// SampledRhoB is ρ_b measured directly, ‖∇L‖²/mean ‖g_ξ‖² over sampled
	// batches of the job's b (eq. 15), with its standard error; eq. 17's
	// prediction from ρ is the Measurement's RhoB.
	SampledRhoB   float64 `json:"sampled_rho_b"`
	SampledRhoBSE float64 `json:"sampled_rho_b_se"`
	// LossChange is the mean over sampled batches of L(θ − η·g_ξ) − L(θ) on
	// the Hessian subset, one SGD step from here; LossChangeSE its standard
	// error; LossChangeEq7 the quadratic model's prediction
	// (η²/2)·tr(S_n)·(Ratio − 2/η) (eq. 7, plain SGD).
	LossChange    float64 `json:"loss_change"`
	LossChangeSE  float64 `json:"loss_change_se"`
	LossChangeEq7 float64 `json:"loss_change_eq7"`
}

// EpochStats is one point of a job's per-epoch series.
type EpochStats struct {
	Epoch int `json:"epoch"`
	// Step is the SGD steps taken by the end of the epoch (0 in series
	// stored before it was kept).
	Step      int64   `json:"step,omitempty"`
	TrainLoss float64 `json:"train_loss"` // mean minibatch loss over the epoch
	TrainAcc  float64 `json:"train_acc"`  // minibatch accuracy over the epoch
	// Evaluated says the test set was evaluated after this epoch
	// (TrainingSpec.EvalEvery), giving TestLoss and TestAcc.
	Evaluated bool    `json:"evaluated,omitempty"`
	TestLoss  float64 `json:"test_loss,omitempty"`
	TestAcc   float64 `json:"test_acc,omitempty"`
}

// Result is what a finished job reports.
type Result struct {
	// Diverged is true when a loss became NaN or Inf; the run ended early.
	// It is an outcome (a heatmap cell), not a failure.
	Diverged bool `json:"diverged"`
	// Stopped, when set, says in one line why the stall rule
	// (TrainingSpec.StopEarly) ended the run: its loss was not below the
	// initial one after a fraction of its epochs. Like a diverged run, a
	// stopped one reports Epochs, Steps, Series and Measurements as far as
	// it went, and no final measurement, test pass or weights. It is an
	// outcome, not a failure, and never comes with Diverged.
	Stopped   string  `json:"stopped,omitempty"`
	TestAcc   float64 `json:"test_acc"`
	TestLoss  float64 `json:"test_loss"`
	TrainLoss float64 `json:"train_loss"` // full pass over the subset at the end
	TrainAcc  float64 `json:"train_acc"`
	// InitialTrainLoss is the mean loss over the training subset at
	// initialisation, before the first step: the baseline that says whether
	// a run trained at all (the report's stability edge).
	InitialTrainLoss float64 `json:"initial_train_loss,omitempty"`
	// Final measurement at the end of training (zero when diverged or
	// stopped).
	GradSqNorm float64 `json:"grad_sq_norm"`
	TrS1       float64 `json:"tr_s1"`
	Rho        float64 `json:"rho"`
	RhoB       float64 `json:"rho_b"`
	Epochs     int     `json:"epochs"` // epochs completed
	Steps      int64   `json:"steps"`  // SGD steps taken
	Seconds    float64 `json:"seconds"`

	Series       []EpochStats  `json:"series,omitempty"`
	Measurements []Measurement `json:"measurements,omitempty"`

	// Weights, when the job asked for them (Job.SaveWeights) and trained to
	// the end (neither diverged nor stopped), is a safetensors file of the final parameters with
	// PyTorch state_dict names. It never goes into a JSON record or an
	// export: the store keeps it apart.
	Weights []byte `json:"-"`
	// ResumedFrom is the epoch of the checkpoint the last attempt continued
	// from (0: it started afresh).
	ResumedFrom int `json:"resumed_from,omitempty"`
	// Provenance says what computed these numbers; nil for results stored
	// before it was kept.
	Provenance *Provenance `json:"provenance,omitempty"`
}

// Provenance is what produced a job's numbers: the lssr build, the kernel
// path and CPU it trained on, and the host. The same job trains to the same
// bits only on the same build and kernel rounding (the avx512 and avx2
// assembly paths give the same bits; the pure-Go kernels round differently).
type Provenance struct {
	Version    string `json:"version"`     // lssr's version
	Commit     string `json:"commit"`      // lssr's commit
	GoVersion  string `json:"go_version"`  // the Go toolchain that built it
	KernelPath string `json:"kernel_path"` // the trainer's kernels: "avx512", "avx2", "purego", …
	CPU        string `json:"cpu"`         // the CPU model
	Host       string `json:"host"`        // the machine it ran on (the Slurm node, for Slurm)
}

// ErrBadInput marks errors caused by what the user gave (a spec, a flag, a
// file): the CLI prints them as one line and exits with status 2.
var ErrBadInput = errors.New("bad input")

// BadInput returns an error that wraps ErrBadInput with a message naming the
// problem.
func BadInput(format string, args ...any) error {
	return &badInput{msg: fmt.Sprintf(format, args...)}
}

type badInput struct{ msg string }

func (e *badInput) Error() string { return e.msg }
func (e *badInput) Unwrap() error { return ErrBadInput }

// FieldError is bad input in one field of a spec: Path names the field as
// the spec spells it ("dataset.n", "model.activation"), Msg says what is
// wrong with it. Its text is "path: msg". It wraps ErrBadInput like BadInput's
// errors, so errors.Is(err, ErrBadInput) holds, and a caller that knows where
// each field was written (the spec parser) finds the field with errors.As
// rather than by reading the text.
type FieldError struct {
	Path string
	Msg  string
}

// BadField returns a *FieldError for the field at path with a message
// naming the problem.
func BadField(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Error returns "path: msg".
func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Unwrap returns ErrBadInput: a FieldError is bad input.
func (e *FieldError) Unwrap() error { return ErrBadInput }
