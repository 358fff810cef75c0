package trainer

import (
	"fmt"
	"math"
)

// The stall rule (lssr.TrainingSpec.StopEarly, a fraction F in (0, 1]):
// after each epoch e with ceil(F·epochs) ≤ e < epochs, a run whose mean
// minibatch training loss over e is not below its initial training loss
// (the full pass before the first step, Result.InitialTrainLoss) stops. It
// has made no progress after a fraction F of its steps.
//
// The rule reads only numbers every run computes anyway, once an epoch, so
// it costs nothing, and those numbers are part of a checkpoint (the series
// and the initial loss), so a resumed run stops where an uninterrupted one
// does. A run whose epoch loss is below its initial loss never stops, nor
// does any run in its last epoch (it is about to end and be measured), so
// a run the rule does not stop gives exactly the Result it gives without
// the rule.

// stallCheckFrom returns the first epoch the stall rule checks,
// ceil(fraction·epochs) and at least 1, or 0 when fraction is 0 (no rule).
// In float64, 0.07·100 is 7.000000000000001: the product is rounded down
// by 1e-9 first, so that a fraction written in the spec gives the whole
// number it stands for.
func stallCheckFrom(fraction float64, epochs int) int {
	if fraction <= 0 {
		return 0
	}
	return max(1, int(math.Ceil(fraction*float64(epochs)-1e-9)))
}

// stalled reports whether the run stops after epoch, whose mean minibatch
// training loss was loss, given the run's initial training loss. A NaN
// initial loss gives no baseline and never stops a run.
func (c config) stalled(epoch int, loss, initial float64) bool {
	return c.stallFrom > 0 && epoch >= c.stallFrom && epoch < c.epochs && loss >= initial
}

// stallReason is Result.Stopped for a run that stalled after epoch.
func (c config) stallReason(epoch int, loss, initial float64) string {
	return fmt.Sprintf("stopped early: training loss %.5g not below its initial %.5g after epoch %d of %d (stop_early %g)",
		loss, initial, epoch, c.epochs, c.stopEarly)
}
