package kernels

import "math"

// maxPool2RowGo computes len(y) outputs of one output row of a 2×2 max
// pool at stride 2: output o is the maximum of r0[2o], r0[2o+1], r1[2o],
// r1[2o+1] (r1 the input row below r0, w floats on) and am[o] the index,
// base + the window element's offset in r0, of the first of those four in
// that order that is greater than all before it — or of the first NaN if
// the window has one, whose value y[o] is then. ±0 compare equal, so the
// first of them stays: the results of the scalar loop bit for bit (the
// rule MaxPool2Plane's assembly follows). Floats compare through integer keys
// ordered like the floats, ±0 equal (see floatKey), so that the selections
// compile to conditional moves rather than a mispredicted branch per
// element; a window with a NaN (found by one predictable test) takes the
// first NaN.
func maxPool2RowGo(y []float32, am []int32, r0, r1 []float32, w, base int) {
	am = am[:len(y)]
	r0, r1 = r0[:2*len(y)], r1[:2*len(y)]
	for o := range y {
		j := 2 * o
		ua, ub := math.Float32bits(r0[j]), math.Float32bits(r0[j+1])
		uc, ud := math.Float32bits(r1[j]), math.Float32bits(r1[j+1])
		const abs, inf = 0x7fffffff, 0x7f800000
		if max(ua&abs, ub&abs, uc&abs, ud&abs) > inf {
			at, v := j, r0[j]
			switch {
			case ua&abs > inf:
			case ub&abs > inf:
				at, v = j+1, r0[j+1]
			case uc&abs > inf:
				at, v = w+j, r1[j]
			default:
				at, v = w+j+1, r1[j+1]
			}
			y[o], am[o] = v, int32(base+at)
			continue
		}
		best, at, v := floatKey(ua), j, r0[j]
		if k := floatKey(ub); k > best {
			best, at, v = k, j+1, r0[j+1]
		}
		if k := floatKey(uc); k > best {
			best, at, v = k, w+j, r1[j]
		}
		if k := floatKey(ud); k > best {
			at, v = w+j+1, r1[j+1]
		}
		y[o], am[o] = v, int32(base+at)
	}
}

// floatKey maps the bits of a float32 that is not NaN to an int32 in the
// same order, −0 and +0 to the same key: non-negative floats keep their
// bits, negative ones map to −(bits without the sign).
func floatKey(u uint32) int32 {
	neg := int32(u) >> 31 // −1 if negative, else 0
	mag := int32(u & 0x7fffffff)
	return (mag ^ neg) - neg
}
