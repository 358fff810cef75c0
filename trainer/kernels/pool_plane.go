package kernels

import "fmt"

// MaxPool2Plane is the forward pass of a 2×2 max pool at stride 2 over one
// whole inH×inW input plane x (row-major): its outH = inH/2 rows of
// outW = inW/2 outputs go to y (row-major, outH·outW of them) and their
// argmax to am, each base + the offset in x of the window element that
// maxPool2RowGo picks (the first strict maximum in row order, ±0 equal, or
// the first NaN). An odd last row or column of x belongs to no window.
// The results are those of maxPool2RowGo on each output row, bit for
// bit; one call per plane rather than per row matters because the CNN's
// rows are only 7–14 outputs long, so a call's set-up dominated.
func MaxPool2Plane(y []float32, am []int32, x []float32, inH, inW, base int) {
	outH, outW := inH/2, inW/2
	if outH <= 0 || outW <= 0 {
		return
	}
	n := outH * outW
	if len(y) < n || len(am) < n || len(x) < inH*inW {
		panic(fmt.Sprintf("kernels: MaxPool2Plane: %d×%d: short slices (%d, %d, %d)", inH, inW, len(y), len(am), len(x)))
	}
	switch {
	case zmmExtras():
		maxPool2PlaneAVX512(&y[0], &am[0], &x[0], outH, outW, inW, base)
	default:
		maxPool2PlaneGo(y, am, x, outH, outW, inW, base)
	}
}

// maxPool2PlaneGo is MaxPool2Plane in Go: maxPool2RowGo on each output
// row, so its results are that loop's by construction.
func maxPool2PlaneGo(y []float32, am []int32, x []float32, outH, outW, inW, base int) {
	for oh := range outH {
		r0 := x[2*oh*inW:]
		maxPool2RowGo(y[oh*outW:(oh+1)*outW], am[oh*outW:], r0, r0[inW:], inW, base+2*oh*inW)
	}
}

// MaxPool2Spread writes the input gradient of one inH×inW plane of a 2×2
// max pool at stride 2 into dx[:inH·inW], for the output gradients g and
// argmax am (base + offset in the plane, as MaxPool2Plane writes them) of
// its outH·outW outputs: each input position gets 0 + g[o] if it is the
// argmax of its window o, else +0, and a position in an odd last row or
// column, which belongs to no window, +0. As the windows do not overlap,
// this is bit for bit what clearing dx and adding each g[o] at its argmax
// gives (0 + −0 is +0, 0 + NaN the same NaN); the assembly writes each
// position once, without the clear and the scattered read-modify-writes
// (the Go path is that loop). Each am[o] must lie in window o, as
// MaxPool2Plane writes it; for one that does not, no path writes outside
// dx[:inH·inW], but the paths may differ in where its gradient goes (the
// assembly drops it).
func MaxPool2Spread(dx, g []float32, am []int32, inH, inW, base int) {
	outH, outW := inH/2, inW/2
	if inH <= 0 || inW <= 0 {
		return
	}
	n := outH * outW
	if len(dx) < inH*inW || len(g) < n || len(am) < n {
		panic(fmt.Sprintf("kernels: MaxPool2Spread: %d×%d: short slices (%d, %d, %d)", inH, inW, len(dx), len(g), len(am)))
	}
	if n == 0 {
		clear(dx[:inH*inW])
		return
	}
	switch {
	case zmmExtras():
		maxPool2SpreadAVX512(&dx[0], &g[0], &am[0], outH, inW, base)
	default:
		maxPool2SpreadGo(dx, g, am, outH, outW, inW, base)
	}
	if inH&1 != 0 {
		clear(dx[2*outH*inW : inH*inW]) // the odd last row
	}
}

// maxPool2SpreadGo is MaxPool2Spread in Go for the 2·outH rows that hold
// windows (the caller clears an odd last row): the loop the trainer ran
// before, clear the rows and add each gradient at its argmax, which is
// what the masked writes give, since each window's argmax lies in it. An
// argmax outside the rows is skipped (a test that valid input always
// passes, so predicted).
func maxPool2SpreadGo(dx, g []float32, am []int32, outH, outW, inW, base int) {
	rows := dx[:2*outH*inW]
	clear(rows)
	for o, gv := range g[:outH*outW] {
		if at := int(am[o]) - base; uint(at) < uint(len(rows)) {
			rows[at] += gv
		}
	}
}
