package trainer

import (
	"context"
	"fmt"
	"regexp"
	"strconv"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
)

// MeasureSpec describes a network whose weights come as a PyTorch
// state_dict and what to measure on it (see Measure).
type MeasureSpec struct {
	Model lssr.ModelSpec // the architecture, as in a sweep spec
	Loss  lssr.Loss      // one of lssr.Losses()
	// BatchSize, when > 0, adds ρ_b (eq. 17), tr(HS_b), IAS_b and, with LR,
	// the instability ratio against 2/η, for that b and Sampling.
	BatchSize int
	Sampling  lssr.Sampling
	LR        float64
	Samples   int  // Rademacher vectors for tr(HS_1) (default 10)
	Float32   bool // compute in float32 as training does, not float64
	// TopK is how many of the Hessian's algebraically largest eigenvalues
	// to compute (default 1: λ1 alone), each to a relative residual bound
	// of Tol (default DefaultEigenTol) by the Lanczos method, within
	// MaxEigenHVPs Hessian-vector products.
	TopK int
	Tol  float64
}

// DefaultEigenTol is Measure's relative tolerance for λ1 and the top
// eigenvalues: the residual bound of each Ritz value over its magnitude.
const DefaultEigenTol = 1e-6

// MaxEigenHVPs is the budget of Hessian-vector products of Measure's
// Lanczos run; one that spends it without meeting Tol says so in
// Measures.EigenConverged.
const MaxEigenHVPs = 300

// Measures is what Measure prints as JSON.
type Measures struct {
	Precision  string  `json:"precision"`
	N          int     `json:"n"`
	Params     int     `json:"params"`
	Loss       float64 `json:"loss"`
	Accuracy   float64 `json:"accuracy"`
	GradSqNorm float64 `json:"grad_sq_norm"`
	TrS1       float64 `json:"tr_s1"`
	Rho        float64 `json:"rho"`
	GHG        float64 `json:"gHg"`
	IASFull    float64 `json:"ias_full"`
	// Lambda1 is the Hessian's algebraically largest eigenvalue, by the
	// Lanczos method; Lambda1Residual its relative residual bound (H has
	// an eigenvalue within Lambda1Residual·|Lambda1| of it), Lambda1HVPs
	// the Hessian-vector products the run took. Lambda1Its is the same
	// count under the name the power iteration of earlier versions used.
	Lambda1         float64 `json:"lambda1"`
	Lambda1Residual float64 `json:"lambda1_residual"`
	Lambda1HVPs     int     `json:"lambda1_hvps"`
	Lambda1Its      int     `json:"lambda1_iterations"`
	// TopEigenvalues are the MeasureSpec.TopK largest eigenvalues, largest
	// first (Lambda1 the first), TopResiduals their bounds, Tol the
	// tolerance they were run to. EigenConverged is false when the budget
	// of MaxEigenHVPs products ran out before every bound met Tol.
	TopEigenvalues []float64 `json:"top_eigenvalues"`
	TopResiduals   []float64 `json:"top_residuals"`
	Tol            float64   `json:"tol"`
	EigenConverged bool      `json:"eigen_converged"`
	TrHS1          float64   `json:"tr_hs1"`
	TrHS1SE        float64   `json:"tr_hs1_se"`
	BatchSize      int       `json:"batch_size,omitempty"`
	RhoB           float64   `json:"rho_b,omitempty"`
	TrHSb          float64   `json:"tr_hs_b,omitempty"`
	IASB           float64   `json:"ias_b,omitempty"`
	Ratio          float64   `json:"instability_ratio,omitempty"`
	Threshold      float64   `json:"threshold_2_over_lr,omitempty"`
}

// Measure measures a network given by its state_dict (weights: PyTorch
// names and layouts, see torch.go; batch norm in eval mode with the
// stored running statistics) on the examples x, whose shape is [n, d] or
// [n, c, h, w], with labels y: loss and accuracy, ‖∇L‖², tr(S_1), ρ,
// ∇LᵀH∇L, IAS, λ1 (and the top spec.TopK eigenvalues) and tr(HS_1), plus
// the batch-size quantities when spec.BatchSize is set. The number of classes is the output width of the
// last Linear layer in weights. Errors about the inputs wrap
// lssr.ErrBadInput.
func Measure(ctx context.Context, spec MeasureSpec, weights *safetensors.File, x []float32, xShape []int, y []uint8) (Measures, error) {
	n := len(y)
	if len(xShape) != 2 && len(xShape) != 4 || xShape[0] != n || n == 0 {
		return Measures{}, lssr.BadInput("data: x has shape %v, want [n, d] or [n, c, h, w] with n = %d labels", xShape, n)
	}
	dim := numel(xShape[1:])
	var shape [3]int
	if len(xShape) == 4 {
		shape = [3]int{xShape[1], xShape[2], xShape[3]}
	}
	if len(x) != n*dim {
		return Measures{}, lssr.BadInput("data: %d features for %d examples of dimension %d", len(x), n, dim)
	}
	classes, err := outputWidth(weights)
	if err != nil {
		return Measures{}, err
	}
	for i, v := range y {
		if int(v) >= classes {
			return Measures{}, lssr.BadInput("data: label %d of example %d is not below the %d outputs of the model", v, i, classes)
		}
	}
	if spec.Samples == 0 {
		spec.Samples = defaultCurvatureSamples
	}
	if spec.TopK == 0 {
		spec.TopK = 1
	}
	if spec.Tol == 0 {
		spec.Tol = DefaultEigenTol
	}
	if !(spec.Tol > 0 && spec.Tol < 1) {
		return Measures{}, lssr.BadInput("tol: want a relative tolerance between 0 and 1 (exclusive), got %v", spec.Tol)
	}
	if spec.TopK < 1 {
		return Measures{}, lssr.BadInput("top-k: want at least 1 eigenvalue, got %d", spec.TopK)
	}
	if spec.Sampling == "" {
		spec.Sampling = lssr.SamplingWithout
	}
	if spec.Sampling != lssr.SamplingWithout && spec.Sampling != lssr.SamplingWith {
		return Measures{}, lssr.BadInput("sampling: unknown sampling %q (want %s or %s)", spec.Sampling, lssr.SamplingWithout, lssr.SamplingWith)
	}
	if spec.BatchSize < 0 || spec.BatchSize > n && spec.Sampling == lssr.SamplingWithout {
		return Measures{}, lssr.BadInput("batch size: must be between 1 and the %d examples, got %d", n, spec.BatchSize)
	}
	split := dataset.Split{X: x, Y: y, N: n}
	if spec.Float32 {
		return measureIn[float32](ctx, spec, weights, split, shape, dim, classes)
	}
	return measureIn[float64](ctx, spec, weights, split, shape, dim, classes)
}

// measureIn is Measure computed in F.
func measureIn[F float](ctx context.Context, spec MeasureSpec, weights *safetensors.File, split dataset.Split, shape [3]int, dim, classes int) (Measures, error) {
	loss, err := parseLoss(spec.Loss)
	if err != nil {
		return Measures{}, err
	}
	net, err := newSeqNet[F](spec.Model, shape, dim, classes, loss, min(split.N, evalChunk), newRand(0, streamInit))
	if err != nil {
		return Measures{}, err
	}
	if err := loadState(net, weights); err != nil {
		return Measures{}, lssr.BadInput("weights: %v", err)
	}
	if spec.TopK > len(net.params) {
		return Measures{}, lssr.BadInput("top-k: want at most the model's %d parameters, got %d", len(net.params), spec.TopK)
	}
	gradSum := make([]float64, len(net.params))
	st, err := fullPass(ctx, net, split, gradSum)
	if err != nil {
		return Measures{}, err
	}
	c := curvature{gradSqNorm: st.gradSqNorm, trS1: st.trS1}
	eig := lanczosSpec{topK: spec.TopK, tol: spec.Tol, maxHVPs: MaxEigenHVPs}
	if _, err := newHessianOps(net, split, 0).measure(ctx, &c, gradSum, spec.Samples, 0, nil, eig); err != nil {
		return Measures{}, err
	}
	m := Measures{
		Precision: fmt.Sprintf("float%d", 8*sizeOf[F]()), N: split.N, Params: len(net.params),
		Loss: st.loss, Accuracy: st.acc, GradSqNorm: c.gradSqNorm, TrS1: c.trS1, GHG: c.gHg,
		IASFull: c.iasFull, TrHS1: c.trHS1, TrHS1SE: c.trHS1SE,
		Lambda1: c.lambda1, Lambda1Residual: c.lambda1Residual, Lambda1HVPs: c.lambdaHVPs, Lambda1Its: c.lambdaHVPs,
		TopEigenvalues: c.topEigen, TopResiduals: c.topResiduals, Tol: spec.Tol, EigenConverged: c.eigenConverged,
	}
	if c.trS1 > 0 {
		m.Rho = lssr.Concentration(c.gradSqNorm, c.trS1)
	}
	if b := spec.BatchSize; b > 0 {
		lr := spec.LR
		if lr == 0 {
			lr = 1 // only the threshold uses it, and it is left out without a learning rate
		}
		c.atBatch(split.N, b, spec.Sampling, lr, 0, 0)
		m.BatchSize, m.RhoB = b, lssr.RhoB(m.Rho, split.N, b, spec.Sampling)
		m.TrHSb, m.IASB = c.trHSb, c.iasB
		if spec.LR > 0 {
			m.Ratio, m.Threshold = c.ratio, c.threshold
		}
	}
	if !finite(m.Loss) || !finite(m.GradSqNorm) || !finite(m.Lambda1) || !finite(m.Lambda1Residual) {
		return m, fmt.Errorf("measure: the loss or its derivatives are not finite (loss %v)", m.Loss)
	}
	return m, nil
}

func sizeOf[F float]() int {
	var f F
	if _, ok := any(f).(float32); ok {
		return 4
	}
	return 8
}

var weightName = regexp.MustCompile(`^(\d+)\.weight$`)

// outputWidth returns the rows of the 2-D weight with the highest module
// index: the last Linear layer's output width.
func outputWidth(f *safetensors.File) (int, error) {
	best, width := -1, 0
	for _, t := range f.Tensors {
		m := weightName.FindStringSubmatch(t.Name)
		if m == nil || len(t.Shape) != 2 {
			continue
		}
		if i, _ := strconv.Atoi(m[1]); i > best {
			best, width = i, t.Shape[0]
		}
	}
	if best < 0 {
		return 0, lssr.BadInput("weights: no Linear layer (a 2-D tensor \"<index>.weight\"): not a state_dict of an nn.Sequential")
	}
	return width, nil
}
