package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// planeSizes are the inH×inW planes the whole-plane pool kernels are tested
// on: the CNN's 28×28 and 14×14, tiny and odd ones (an odd last row or
// column belongs to no window), rows of outW not a multiple of 8 or 16,
// exact multiples (only full chunks), and planes without any window.
var planeSizes = [][2]int{
	{2, 2}, {2, 3}, {3, 2}, {3, 3}, {4, 4}, {5, 6}, {7, 7}, {8, 8},
	{14, 14}, {15, 14}, {14, 15}, {28, 28}, {27, 29}, {2, 18}, {4, 34},
	{6, 66}, {5, 64}, {3, 33}, {4, 65}, {2, 32}, {4, 30}, {9, 97},
	{1, 8}, {8, 1}, {1, 1},
}

// planeFills are the ways a test plane is filled: "mixed" draws half its
// values from specials (±0, ties, ±Inf, NaNs with distinct payloads and
// signs) and half from a normal distribution, "nans" makes half the values
// NaNs (so windows hold several), "ties" uses only ±0 and ±1, "normal"
// has no specials.
var planeFills = []string{"mixed", "nans", "ties", "normal"}

var (
	nanA = math.Float32frombits(0x7fc00001)
	nanB = math.Float32frombits(0xffc00002)
	nanC = math.Float32frombits(0x7fa00003) // signalling
	nanD = math.Float32frombits(0xff800004) // signalling, negative
)

// fillPlane fills x the way planeFills names.
func fillPlane(r *rand.Rand, x []float32, fill string) {
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	specials := []float32{-1, 0, negZero, 1, 2, 2, -3, -inf, inf, nanA, nanB, nanC, nanD}
	for i := range x {
		switch fill {
		case "mixed":
			if r.IntN(2) == 0 {
				x[i] = specials[r.IntN(len(specials))]
			} else {
				x[i] = float32(r.NormFloat64())
			}
		case "nans":
			if r.IntN(2) == 0 {
				x[i] = []float32{nanA, nanB, nanC, nanD}[r.IntN(4)]
			} else {
				x[i] = []float32{0, negZero, 1, -inf, inf, float32(r.NormFloat64())}[r.IntN(6)]
			}
		case "ties":
			x[i] = []float32{0, negZero, 1, -1}[r.IntN(4)]
		default:
			x[i] = float32(r.NormFloat64())
		}
	}
}

// refPlane is the forward reference: maxPool2RowGo, the Go loop behind
// maxPool2RowGo, on each output row.
func refPlane(x []float32, inH, inW, base int) ([]float32, []int32) {
	outH, outW := inH/2, inW/2
	y, am := make([]float32, outH*outW), make([]int32, outH*outW)
	for oh := range outH {
		r0 := x[2*oh*inW:]
		maxPool2RowGo(y[oh*outW:(oh+1)*outW], am[oh*outW:], r0, r0[inW:], inW, base+2*oh*inW)
	}
	return y, am
}

// refSpread is the backward reference, the trainer's loop before
// MaxPool2Spread: clear the plane, then add each gradient at its argmax.
func refSpread(dx, g []float32, am []int32, inH, inW, base int) {
	clear(dx[:inH*inW])
	for o, gv := range g[:(inH/2)*(inW/2)] {
		dx[int(am[o])-base] += gv
	}
}

// sameBits reports the first index where a and b differ in their bits.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return 0, true
}

// TestMaxPool2Plane checks MaxPool2Plane on every path bit for bit against
// maxPool2RowGo row by row, values and argmax, on every plane size and
// fill, at a nonzero base, and that it writes nothing past the outputs.
func TestMaxPool2Plane(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, sz := range planeSizes {
			for _, fill := range planeFills {
				inH, inW := sz[0], sz[1]
				t.Run(fmt.Sprintf("%dx%d/%s", inH, inW, fill), func(t *testing.T) {
					x := make([]float32, inH*inW)
					fillPlane(r, x, fill)
					base := 3 * inH * inW
					checkPlane(t, x, inH, inW, base)
				})
			}
		}
		// Every pattern of NaNs in a window, window k having NaNs (of
		// distinct payloads) where bit i of k is set, i in row order.
		for _, inW := range []int{32, 33} {
			x := make([]float32, 2*inW)
			fillPlane(r, x, "mixed")
			nans := []float32{nanA, nanB, nanC, nanD}
			for k := range 16 {
				for i, off := range []int{2 * k, 2*k + 1, inW + 2*k, inW + 2*k + 1} {
					if k>>i&1 != 0 {
						x[off] = nans[(i+k)%4]
					} else if math.IsNaN(float64(x[off])) {
						x[off] = float32(k - i)
					}
				}
			}
			checkPlane(t, x, 2, inW, 7)
		}
	})
}

// checkPlane runs MaxPool2Plane on x and compares it with refPlane.
func checkPlane(t *testing.T, x []float32, inH, inW, base int) {
	t.Helper()
	want, wantAm := refPlane(x, inH, inW, base)
	n := len(want)
	y, am := make([]float32, n+1), make([]int32, n+1)
	y[n], am[n] = 42, 42
	MaxPool2Plane(y, am, x, inH, inW, base)
	if i, ok := sameBits(y[:n], want); !ok {
		t.Fatalf("%d×%d: output %d = %v (%#x), want %v (%#x)", inH, inW, i, y[i], math.Float32bits(y[i]), want[i], math.Float32bits(want[i]))
	}
	for i := range wantAm {
		if am[i] != wantAm[i] {
			t.Fatalf("%d×%d: argmax %d = %d, want %d", inH, inW, i, am[i], wantAm[i])
		}
	}
	if y[n] != 42 || am[n] != 42 {
		t.Fatalf("%d×%d: wrote past the outputs", inH, inW)
	}
}

// TestMaxPool2Spread checks MaxPool2Spread on every path bit for bit
// against refSpread, for argmax from the forward pass and drawn at random
// within each window, gradients with NaNs, ±0 and ±Inf, over a dx full of
// garbage, and that it writes nothing past the plane.
func TestMaxPool2Spread(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	inf := float32(math.Inf(1))
	gvals := []float32{0, negZero, inf, -inf, nanA, nanB, nanC, nanD, 1, -2}
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		for _, sz := range planeSizes {
			for _, fill := range planeFills {
				for _, random := range []bool{false, true} {
					inH, inW := sz[0], sz[1]
					t.Run(fmt.Sprintf("%dx%d/%s/random=%v", inH, inW, fill, random), func(t *testing.T) {
						outH, outW := inH/2, inW/2
						base := 5 * inH * inW
						x := make([]float32, inH*inW)
						fillPlane(r, x, fill)
						_, am := refPlane(x, inH, inW, base)
						if random {
							for o := range am {
								top := base + 2*(o/outW)*inW + 2*(o%outW)
								am[o] = int32(top + []int{0, 1, inW, inW + 1}[r.IntN(4)])
							}
						}
						g := make([]float32, outH*outW)
						for o := range g {
							if r.IntN(2) == 0 {
								g[o] = gvals[r.IntN(len(gvals))]
							} else {
								g[o] = float32(r.NormFloat64())
							}
						}
						want := make([]float32, inH*inW)
						refSpread(want, g, am, inH, inW, base)
						dx := make([]float32, inH*inW+1)
						for i := range dx {
							dx[i] = math.Float32frombits(0x7fbadbad)
						}
						MaxPool2Spread(dx, g, am, inH, inW, base)
						if i, ok := sameBits(dx[:inH*inW], want); !ok {
							t.Fatalf("dx[%d] = %v (%#x), want %v (%#x)", i, dx[i], math.Float32bits(dx[i]), want[i], math.Float32bits(want[i]))
						}
						if math.Float32bits(dx[inH*inW]) != 0x7fbadbad {
							t.Fatal("wrote past the plane")
						}
					})
				}
			}
		}
	})
}

// TestMaxPool2PlanePanicsOnShortSlices checks that both kernels refuse
// slices too short for the plane rather than read or write past them.
func TestMaxPool2PlanePanicsOnShortSlices(t *testing.T) {
	const inH, inW, n = 5, 7, 2 * 3 // outputs: 2×3
	tests := []struct {
		name       string
		call       func(y, x []float32, am []int32)
		ny, nx, na int
	}{
		{"Plane/short y", func(y, x []float32, am []int32) { MaxPool2Plane(y, am, x, inH, inW, 0) }, n - 1, inH * inW, n},
		{"Plane/short am", func(y, x []float32, am []int32) { MaxPool2Plane(y, am, x, inH, inW, 0) }, n, inH * inW, n - 1},
		{"Plane/short x", func(y, x []float32, am []int32) { MaxPool2Plane(y, am, x, inH, inW, 0) }, n, inH*inW - 1, n},
		{"Spread/short g", func(g, dx []float32, am []int32) { MaxPool2Spread(dx, g, am, inH, inW, 0) }, n - 1, inH * inW, n},
		{"Spread/short am", func(g, dx []float32, am []int32) { MaxPool2Spread(dx, g, am, inH, inW, 0) }, n, inH * inW, n - 1},
		{"Spread/short dx", func(g, dx []float32, am []int32) { MaxPool2Spread(dx, g, am, inH, inW, 0) }, n, inH*inW - 1, n},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("did not panic")
				}
			}()
			tt.call(make([]float32, tt.ny), make([]float32, tt.nx), make([]int32, tt.na))
		})
	}
}
