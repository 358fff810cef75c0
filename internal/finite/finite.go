// Package finite deals with the floats that are not finite (NaN, +Inf,
// −Inf), which JSON cannot hold: lssr keeps its records, its task and result
// files and fit.json as JSON. A run that diverges ends with such numbers.
//
// Every function here reaches the same floats: those encoding/json would
// write for a value, that is through exported struct fields not tagged "-",
// pointers, interfaces, slices, arrays and maps. So what is checked or
// changed is exactly what would be encoded, and a field JSON never sees
// (Result.Weights) is not walked.
package finite

import (
	"math"
	"reflect"
)

// Zero sets to 0 every float that is not finite in *ptr, among the floats
// encoding/json would write. ptr must be a non-nil pointer.
func Zero(ptr any) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("finite.Zero: want a non-nil pointer, got " + v.Kind().String())
	}
	w := walker{set: true, leaf: func(f reflect.Value) any {
		if !isFinite(f.Float()) {
			f.SetFloat(0)
		}
		return nil
	}}
	w.walk(v.Elem())
}

// All reports whether every float encoding/json would write for v is
// finite.
func All(v any) bool {
	all := true
	w := walker{leaf: func(f reflect.Value) any {
		all = all && isFinite(f.Float())
		return nil
	}}
	w.walk(reflect.ValueOf(v))
	return all
}

// JSON returns a value that encoding/json writes as it writes v, with
// struct fields in their order, except that a float that is not finite is
// written as null (json.Marshal fails on it). Three more differences are
// part of fit.json's format: a nil slice is written as [], a nil map as {},
// and omitempty leaves out every zero value (reflect.Value.IsZero), structs
// included.
func JSON(v any) any {
	w := walker{mirror: true, leaf: func(f reflect.Value) any {
		if x := f.Float(); isFinite(x) {
			return x
		}
		return nil
	}}
	return w.walk(reflect.ValueOf(v))
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
