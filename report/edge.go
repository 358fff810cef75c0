package report

import (
	"math"
	"strconv"

	"github.com/lssr/lssr"
)

// TrainMargin is the fraction of the reference loss a run's final training
// loss must reach to count as training: final ≤ TrainMargin × reference.
// A run that merely did not blow up but sits near its starting loss has
// not trained.
const TrainMargin = 0.9

// MSEChanceLoss is the MSE loss 0.5‖f(x) − onehot(y)‖² of a zero output:
// the reference when the initial loss is unknown.
const MSEChanceLoss = 0.5

// ReferenceLoss is the loss a run must fall below (times TrainMargin) to
// count as training: its InitialTrainLoss when recorded, else the loss at
// chance, ln(classes) for cross-entropy (Meta.Classes) and MSEChanceLoss
// for MSE. It is 0 when neither is known.
func ReferenceLoss(meta Meta, r Run) float64 {
	if r.InitialTrainLoss > 0 && isFinite(r.InitialTrainLoss) {
		return r.InitialTrainLoss
	}
	return ChanceLoss(meta.Loss, meta.Classes)
}

// ChanceLoss is the training loss of a model that knows nothing: ln(classes)
// for cross-entropy, MSEChanceLoss for MSE; 0 when unknown (another loss,
// or cross-entropy with fewer than two classes known).
func ChanceLoss(loss lssr.Loss, classes int) float64 {
	switch loss {
	case lssr.LossCrossEntropy:
		if classes >= 2 {
			return math.Log(float64(classes))
		}
	case lssr.LossMSE:
		return MSEChanceLoss
	}
	return 0
}

// RunTrains reports whether a finished run trained: it is done (it neither
// diverged nor was stopped early by the stall rule), its final training
// loss is finite and, when a reference loss is known (ReferenceLoss), at
// most TrainMargin times that reference. Without a reference only
// divergence and early stops count. Unfinished runs do not train (callers
// leave them out).
func RunTrains(meta Meta, r Run) bool {
	if r.State != lssr.StateDone || !isFinite(r.TrainLoss) {
		return false
	}
	ref := ReferenceLoss(meta, r)
	return ref <= 0 || r.TrainLoss <= TrainMargin*ref
}

// EdgePoint is the stability edge of one batch size: the largest η at which
// the cell still trains (a strict majority of its done, diverged and
// stopped seeds train, RunTrains), below the first η from which no cell of that b trains.
// Cells that do not train below the edge (too small an η to get anywhere in
// the epochs given, or a stray seed) are holes, counted but not the edge.
type EdgePoint struct {
	B      int     `json:"b"`
	LR     float64 `json:"lr"`      // the largest η that trains
	NextLR float64 `json:"next_lr"` // the next judged η above it, which does not train; 0 when Censored
	// Censoring is set when the largest judged η of this b trains: the edge
	// is at or above LR, and it is not fitted.
	Censoring
	Holes int `json:"holes"` // judged cells below LR that do not train
	// Log2Mid is the middle of [log2 LR, log2 NextLR], where the fits put
	// the edge; Log2Interval its bootstrap interval (seeds resampled within
	// cells, the edge drawn uniformly within its bracket).
	Log2Mid      float64  `json:"log2_mid"`
	Log2Interval Interval `json:"log2_interval"`
}

// Edge is the stability edge over the batch sizes, and how it was judged.
type Edge struct {
	Margin float64 `json:"margin"` // TrainMargin
	// Reference says which loss the margin applied to.
	Reference string      `json:"reference"`
	Points    []EdgePoint `json:"points"` // ascending b; batch sizes where some cell trains
}

// edgeAt finds the edge of one row from the training flags of its cells
// (index into the grid's η). ok is false when no cell trains.
func edgeAt(trains [][]bool) (edge, next, holes int, censored, ok bool) {
	var judged []int
	for li, flags := range trains {
		if len(flags) > 0 {
			judged = append(judged, li)
		}
	}
	// first is the position in judged from which no cell trains.
	first := len(judged)
	for first > 0 && !majority(trains[judged[first-1]]) {
		first--
	}
	if first == 0 {
		return -1, -1, 0, false, false
	}
	for _, li := range judged[:first-1] {
		if !majority(trains[li]) {
			holes++
		}
	}
	edge, next = judged[first-1], -1
	if first < len(judged) {
		next = judged[first]
	}
	return edge, next, holes, next < 0, true
}

// referenceText says which reference loss the runs of a sweep used.
func referenceText(meta Meta, runs []Run) string {
	initial, chance, none := 0, 0, 0
	for _, r := range runs {
		if r.State != lssr.StateDone {
			continue
		}
		switch {
		case r.InitialTrainLoss > 0 && isFinite(r.InitialTrainLoss):
			initial++
		case ChanceLoss(meta.Loss, meta.Classes) > 0:
			chance++
		default:
			none++
		}
	}
	var s string
	add := func(n int, what string) {
		if n == 0 {
			return
		}
		if s != "" {
			s += "; "
		}
		s += strconv.Itoa(n) + " done run(s): " + what
	}
	add(initial, "their initial training loss")
	add(chance, "the loss at chance, "+chanceText(meta))
	add(none, "no reference known (loss or number of classes unknown): only divergence and a non-finite loss count as not training")
	if s == "" {
		s = "no done run"
	}
	return s
}

func chanceText(meta Meta) string {
	if meta.Loss == lssr.LossMSE {
		return "0.5 for MSE with one-hot targets"
	}
	return "ln " + strconv.Itoa(meta.Classes) + " for cross-entropy"
}
