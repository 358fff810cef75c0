package report

import "github.com/lssr/lssr"

// Meta describes the sweep a report is about; it feeds the title and the
// LSSR fit (N and Sampling enter eq. 1 and 17).
type Meta struct {
	Sweep    string
	Dataset  string
	N        int    // training subset size
	Model    string // e.g. "MLP 784-128-10 relu"
	Loss     lssr.Loss
	Epochs   int
	Sampling lssr.Sampling
	// Classes is the number of classes (0 when unknown). It sets the loss at
	// chance, the stability edge's reference when a run did not record its
	// initial training loss.
	Classes int
	// Search is the guided search that chose the runs (nil for a grid):
	// its predictions and band are drawn, and the summary counts the runs
	// against the grid's.
	Search *lssr.SearchState
}

// Run is one training run (one seed of one (b, η) cell) as the report sees it.
type Run struct {
	JobID string
	B     int
	LR    float64
	Seed  uint64
	State lssr.JobState

	TestAcc   float64 // fraction in [0, 1] (values above 1 are read as percent)
	TrainLoss float64
	TrainAcc  float64
	// InitialTrainLoss is the training loss at initialisation, before the
	// first step (0 when the run did not record it: older stores).
	InitialTrainLoss float64

	Rho       float64   // ρ at the end of the run
	RhoSeries []float64 // ρ measured on the schedule during training; may be empty

	// Measurements is the run's stored measurement series, the final one
	// included (Epoch equal to Epochs); Curvature is set on those of jobs
	// that measure it. It feeds the ρ_b, curvature and loss-change figures;
	// may be empty.
	Measurements []lssr.Measurement

	// Series is the run's per-epoch series: the mean minibatch training
	// loss of each epoch and, at the epochs the test set was evaluated
	// (training.eval_every), the test accuracy. It feeds curves.png; may
	// be empty.
	Series []lssr.EpochStats

	Epochs   int
	Steps    int64
	Seconds  float64
	Attempts int
}

// RidgePoint is the best learning rate of one batch size.
type RidgePoint struct {
	B       int
	LR      float64 // η with the highest mean test accuracy at this b
	MeanAcc float64 // mean test accuracy over the done seeds of that cell
	StdAcc  float64 // sample standard deviation over those seeds (0 with one seed)
	Seeds   int     // done seeds in that cell
	// NearLo and NearHi span the η values at this b whose mean accuracy is
	// within StdAcc of the best: how flat the optimum is. Equal to LR when
	// there is a single seed.
	NearLo, NearHi float64
}

// Rule names used in Fit.Rule.
const (
	RuleLSSR     = "LSSR"        // ρ_b/η = C with ρ given (measured)
	RuleLSSRFree = "LSSR free ρ" // ρ_b/η = C with ρ fitted too
	RuleLSR      = "LSR"         // b/η = C
	RuleSRSR     = "SRSR"        // √b/η = C
)

// MinRidgePoints is the fewest points a Fit function fits, and the fewest
// stability-edge points inside the grid the rules are fitted to.
const MinRidgePoints = 2

// MinRidgeFitPoints is the fewest ridge points inside the grid (not
// censored, see Censoring) the rules are fitted to. With fewer no rule can
// be ranked (MinComparePoints), and a curve through them would still read
// as a finding.
const MinRidgeFitPoints = MinComparePoints

// Fit is a scaling rule fitted to a ridge by least squares in log2 η.
// The caller leaves censored points out (Censoring). When there are fewer
// than MinRidgePoints points, or ρ is unusable, C and
// RMSE are NaN (see OK).
type Fit struct {
	Rule   string  `json:"rule"`   // one of the Rule constants
	C      float64 `json:"c"`      // the rule's constant: ρ_b/η, b/η or √b/η
	Rho    float64 `json:"rho"`    // ρ of the LSSR fits; 0 for LSR and SRSR
	RMSE   float64 `json:"rmse"`   // root mean squared residual in log2 η (octaves)
	Params int     `json:"params"` // fitted parameters: 1, or 2 for LSSR with free ρ
	Points int     `json:"points"` // ridge points fitted
}

// RhoEstimate is the ρ used for the LSSR curve and how it was obtained.
type RhoEstimate struct {
	Value     float64 // NaN when there is no measurement
	Statistic string  // human-readable: which values, which statistic
	Count     int     // measurements the statistic was taken over
	Runs      int     // done runs those measurements came from
}

// Summary is what Write found and wrote.
type Summary struct {
	Meta   Meta
	Runs   int
	States map[lssr.JobState]int // runs per state

	BatchSizes []int     // grid values of b seen in the runs, ascending
	LRs        []float64 // grid values of η, ascending

	AccPercent bool // accuracies in the report are percent (input was a fraction)

	Rho RhoEstimate
	// Ridge is the argmax ridge: per b, the η of the highest seed mean.
	Ridge []RidgePoint

	// Cells is every cell with runs, seeds aggregated, in ascending b then η.
	Cells []Cell
	// Ridges holds the ridge estimators, in the order of Estimators, with
	// bootstrap intervals.
	Ridges []RidgeEstimate
	// Edge is the stability edge per b.
	Edge Edge
	// RidgeFits compares the rules on the FitEstimator ridge, EdgeFits on
	// the stability edge.
	RidgeFits, EdgeFits Comparison
	// Bootstrap says how every interval was computed.
	Bootstrap BootstrapInfo

	// Fits holds the fits of RidgeFits without their intervals, in this
	// order: LSSR with the measured ρ (when there is one), LSSR with ρ free,
	// LSR and SRSR. Empty when the ridge has fewer than MinRidgeFitPoints
	// points inside the grid; RidgeFits.Verdict then says why.
	Fits []Fit
	// Best is RidgeFits.Winner: the rule that beats every other on the
	// ridge beyond bootstrap noise; empty when none does (or nothing was
	// fitted).
	Best string
	// Notes are caveats worth a line in the summary.
	Notes []string

	// The figures beyond the heatmap; nil when their data is absent (the
	// summary says so).
	RhoB       *RhoBFigure
	Curvature  *CurvatureFigures
	LossChange *LossChangeFigure
	Curves     *CurvesFigure

	HeatmapPath, CSVPath, SummaryPath, FitJSONPath string
	// TrainLossPath is the final-training-loss heatmap.
	TrainLossPath string
}

// RidgeBy returns the named estimator's ridge, if there is one.
func (s *Summary) RidgeBy(estimator string) (RidgeEstimate, bool) {
	for _, r := range s.Ridges {
		if r.Estimator == estimator {
			return r, true
		}
	}
	return RidgeEstimate{}, false
}

// FitFor returns the fit of the named rule, if there is one.
func (s *Summary) FitFor(rule string) (Fit, bool) {
	for _, f := range s.Fits {
		if f.Rule == rule {
			return f, true
		}
	}
	return Fit{}, false
}
