package testutil

import "math"

// RelErr is |got − want| / |want|, the relative error of got. A want of
// zero is taken as 1e-300, so the error is 0 when got is 0 too and huge
// (or +Inf) otherwise, never NaN unless got or want is.
func RelErr(got, want float64) float64 {
	return math.Abs(got-want) / math.Max(math.Abs(want), 1e-300)
}
