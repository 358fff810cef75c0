package trainer

import (
	"context"
	"fmt"

	"github.com/lssr/lssr"
)

// MeasureSpec describes a network given in PyTorch layout and what to
// measure on it (see MeasureTorch).
type MeasureSpec struct {
	Hidden     []int  // hidden layer widths
	Activation string // "relu" or "tanh"
	Loss       string // lssr.LossCrossEntropy or lssr.LossMSE
	// BatchSize, when > 0, adds ρ_b (eq. 17), tr(HS_b), IAS_b and, with LR,
	// the instability ratio against 2/η, for that b and Sampling.
	BatchSize int
	Sampling  lssr.Sampling
	LR        float64
	Samples   int // Rademacher vectors for tr(HS_1) (default 10)
}

// Measures is what MeasureTorch prints as JSON.
type Measures struct {
	N          int     `json:"n"`
	Params     int     `json:"params"`
	Loss       float64 `json:"loss"`
	Accuracy   float64 `json:"accuracy"`
	GradSqNorm float64 `json:"grad_sq_norm"`
	TrS1       float64 `json:"tr_s1"`
	Rho        float64 `json:"rho"`
	GHG        float64 `json:"gHg"`
	IASFull    float64 `json:"ias_full"`
	Lambda1    float64 `json:"lambda1"`
	Lambda1Its int     `json:"lambda1_iterations"`
	TrHS1      float64 `json:"tr_hs1"`
	TrHS1SE    float64 `json:"tr_hs1_se"`
	BatchSize  int     `json:"batch_size,omitempty"`
	RhoB       float64 `json:"rho_b,omitempty"`
	TrHSb      float64 `json:"tr_hs_b,omitempty"`
	IASB       float64 `json:"ias_b,omitempty"`
	Ratio      float64 `json:"instability_ratio,omitempty"`
	Threshold  float64 `json:"threshold_2_over_lr,omitempty"`
}

// MeasureTorch measures a network whose parameters come in PyTorch layout
// (weights(name) returns the tensor of a state_dict name such as "0.weight",
// with its shape; see TorchNames) on the examples x (n rows of dim features)
// with labels y < classes: loss and accuracy, ‖∇L‖², tr(S_1), ρ, ∇LᵀH∇L,
// IAS, λ1 and tr(HS_1), plus the batch-size quantities when spec.BatchSize
// is set. Errors about the inputs wrap lssr.ErrBadInput.
func MeasureTorch(ctx context.Context, spec MeasureSpec, weights func(name string) ([]float32, []int, error), x []float32, dim int, y []uint8, classes int) (Measures, error) {
	n := len(y)
	if n == 0 || dim < 1 || len(x) != n*dim {
		return Measures{}, lssr.BadInput("data: %d features for %d examples of dimension %d", len(x), n, dim)
	}
	for i, v := range y {
		if int(v) >= classes {
			return Measures{}, lssr.BadInput("data: label %d of example %d is not below the %d outputs of the model", v, i, classes)
		}
	}
	split := Split{X: x, Y: y, N: n}
	data := &Data{Train: split, Test: split, Dim: dim, Classes: classes}
	b, sampling, lr := spec.BatchSize, spec.Sampling, spec.LR
	if b == 0 {
		b, sampling = 1, lssr.SamplingWithout
	}
	if sampling == "" {
		sampling = lssr.SamplingWithout
	}
	if lr == 0 {
		lr = 1 // only the threshold uses it, and it is left out without a learning rate
	}
	cfg, err := parseJob(lssr.Job{
		Model: lssr.ModelSpec{Kind: "mlp", Hidden: spec.Hidden, Activation: spec.Activation},
		Loss:  spec.Loss, BatchSize: b, LR: lr,
		Training: lssr.TrainingSpec{Sampling: sampling, CurvatureSamples: spec.Samples},
	}, data)
	if err != nil {
		return Measures{}, err
	}
	r := newRun(cfg, data)
	if err := r.net.setTorch(weights); err != nil {
		return Measures{}, lssr.BadInput("weights: %v", err)
	}
	c, _, err := r.measureCurvature(ctx, split, cfg.curvatureSamples, nil)
	if err != nil {
		return Measures{}, err
	}
	st, err := r.pass(ctx, split, false)
	if err != nil {
		return Measures{}, err
	}
	m := Measures{
		N: n, Params: len(r.net.logical(r.net.params)), Loss: st.loss, Accuracy: st.acc,
		GradSqNorm: c.gradSqNorm, TrS1: c.trS1, GHG: c.gHg, IASFull: c.iasFull,
		Lambda1: c.lambda1, Lambda1Its: c.lambdaIter, TrHS1: c.trHS1, TrHS1SE: c.trHS1SE,
	}
	if c.trS1 > 0 {
		m.Rho = c.gradSqNorm / c.trS1
	}
	if spec.BatchSize > 0 {
		m.BatchSize = spec.BatchSize
		m.RhoB = lssr.RhoB(m.Rho, n, spec.BatchSize, sampling)
		m.TrHSb, m.IASB = c.trHSb, c.iasB
		if spec.LR > 0 {
			m.Ratio, m.Threshold = c.ratio, c.threshold
		}
	}
	if !finite(m.Loss) || !finite(m.GradSqNorm) || !finite(m.Lambda1) {
		return m, fmt.Errorf("measure: the loss or its derivatives are not finite (loss %v)", m.Loss)
	}
	return m, nil
}
