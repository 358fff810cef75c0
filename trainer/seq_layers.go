package trainer

import "math"

// seqLayer is one layer of a seqNet. Activations are m example rows; p is
// the layer's slice of the network's parameters (nil without parameters).
// Every method overwrites its outputs, and a nil output is skipped. The
// backward methods may overwrite dy and rdy with values that stand for the
// same gradient to the layer (a batch norm with a fused ReLU masks them).
//
// The R-methods give Pearlmutter's R-operator along a parameter direction v
// (the layer's slice of it): rx = R(x) is the input's directional
// derivative (nil where it is zero, at the network's input), and so on.
// They assume the forward pass ran in eval mode.
type seqLayer[F float] interface {
	outLen() int
	numParams() int
	// forward computes y from m rows of x; train selects batch statistics.
	forward(la *linalg[F], p, x []F, m int, y []F, train bool)
	// backward takes the output gradient dy and sets g, the parameter
	// gradient summed over the rows, and dx, the input gradient.
	backward(la *linalg[F], p, x, y, dy []F, m int, g, dx []F)
	// rForward sets ry = R(y).
	rForward(la *linalg[F], p, v, x, rx, y []F, m int, ry []F)
	// rBackward sets hv = R(g) and rdx = R(dx), given rdy = R(dy).
	rBackward(la *linalg[F], p, v, x, rx, y, ry, dy, rdy []F, m int, hv, rdx []F)
	// sqNorms adds ‖∂ℓ_i/∂θ‖² over this layer's parameters θ to acc[i]
	// for each row i, where dy holds each row's own loss gradient (y is
	// the layer's output).
	sqNorms(la *linalg[F], p, x, y, dy []F, m int, acc []float64)
}

// dense is y = x·Wᵀ + b with W in PyTorch's [out][in] layout, followed by
// the bias b[out] in the parameter slice.
type dense[F float] struct{ in, out int }

func (d dense[F]) outLen() int    { return d.out }
func (d dense[F]) numParams() int { return d.out*d.in + d.out }
func (d dense[F]) split(p []F) (w, b []F) {
	return p[:d.out*d.in], p[d.out*d.in : d.numParams()]
}

func (d dense[F]) forward(la *linalg[F], p, x []F, m int, y []F, _ bool) {
	w, b := d.split(p)
	la.gemm(false, true, m, d.out, d.in, 1, x, d.in, w, d.in, 0, y, d.out)
	addRows(y, b, m)
}

func (d dense[F]) backward(la *linalg[F], p, x, _, dy []F, m int, g, dx []F) {
	w, _ := d.split(p)
	if g != nil {
		gw, gb := d.split(g)
		la.gemm(true, false, d.out, d.in, m, 1, dy, d.out, x, d.in, 0, gw, d.in)
		colSums(gb, dy, m)
	}
	if dx != nil {
		la.gemm(false, false, m, d.in, d.out, 1, dy, d.out, w, d.in, 0, dx, d.in)
	}
}

// rForward: R(y) = R(x)·Wᵀ + x·Vᵀ + R(b).
func (d dense[F]) rForward(la *linalg[F], p, v, x, rx, _ []F, m int, ry []F) {
	w, _ := d.split(p)
	vw, vb := d.split(v)
	la.gemm(false, true, m, d.out, d.in, 1, x, d.in, vw, d.in, 0, ry, d.out)
	if rx != nil {
		la.gemm(false, true, m, d.out, d.in, 1, rx, d.in, w, d.in, 1, ry, d.out)
	}
	addRows(ry, vb, m)
}

// rBackward: R(∂W) = R(dy)ᵀx + dyᵀR(x), R(∂b) = Σ R(dy),
// R(dx) = R(dy)·W + dy·V.
func (d dense[F]) rBackward(la *linalg[F], p, v, x, rx, _, _, dy, rdy []F, m int, hv, rdx []F) {
	w, _ := d.split(p)
	vw, _ := d.split(v)
	hw, hb := d.split(hv)
	la.gemm(true, false, d.out, d.in, m, 1, rdy, d.out, x, d.in, 0, hw, d.in)
	if rx != nil {
		la.gemm(true, false, d.out, d.in, m, 1, dy, d.out, rx, d.in, 1, hw, d.in)
	}
	colSums(hb, rdy, m)
	if rdx != nil {
		la.gemm(false, false, m, d.in, d.out, 1, rdy, d.out, w, d.in, 0, rdx, d.in)
		la.gemm(false, false, m, d.in, d.out, 1, dy, d.out, vw, d.in, 1, rdx, d.in)
	}
}

// sqNorms uses ‖∂W‖² + ‖∂b‖² = ‖dy_i‖²·(‖x_i‖² + 1) for one row.
func (d dense[F]) sqNorms(_ *linalg[F], _, x, _, dy []F, m int, acc []float64) {
	for i := range m {
		acc[i] += sumSq64(dy[i*d.out:(i+1)*d.out]) * (sumSq64(x[i*d.in:(i+1)*d.in]) + 1)
	}
}

// addRows adds b to each of the m rows of y.
func addRows[F float](y, b []F, m int) {
	n := len(b)
	for i := range m {
		row := y[i*n : (i+1)*n]
		for j, v := range b {
			row[j] += v
		}
	}
}

// colSums sets dst to the column sums of the m rows of x (len(dst)
// columns), accumulated in float64, a few columns at a time so that it
// needs no buffer.
func colSums[F float](dst, x []F, m int) {
	n := len(dst)
	const w = 8
	for j0 := 0; j0 < n; j0 += w {
		var acc [w]float64
		cols := min(w, n-j0)
		for i := range m {
			for j, v := range x[i*n+j0 : i*n+j0+cols] {
				acc[j] += float64(v)
			}
		}
		for j := range cols {
			dst[j0+j] = F(acc[j])
		}
	}
}

// activationLayer is ReLU or tanh, elementwise.
type activationLayer[F float] struct {
	act activation
	n   int
}

func (a activationLayer[F]) outLen() int    { return a.n }
func (a activationLayer[F]) numParams() int { return 0 }

func (a activationLayer[F]) forward(_ *linalg[F], _, x []F, m int, y []F, _ bool) {
	for i, v := range x[:m*a.n] {
		if a.act == relu {
			y[i] = max(v, 0)
		} else {
			y[i] = F(math.Tanh(float64(v)))
		}
	}
}

// deriv is σ'(x) written in terms of the output y.
func (a activationLayer[F]) deriv(y F) F {
	if a.act == relu {
		if y > 0 {
			return 1
		}
		return 0
	}
	return 1 - y*y
}

func (a activationLayer[F]) backward(_ *linalg[F], _, _, y, dy []F, m int, _, dx []F) {
	if dx == nil {
		return
	}
	for i, v := range y[:m*a.n] {
		dx[i] = dy[i] * a.deriv(v)
	}
}

func (a activationLayer[F]) rForward(_ *linalg[F], _, _, _, rx, y []F, m int, ry []F) {
	if rx == nil {
		clear(ry[:m*a.n])
		return
	}
	for i, v := range y[:m*a.n] {
		ry[i] = rx[i] * a.deriv(v)
	}
}

// rBackward: R(dx) = R(dy)·σ'(x) + dy·σ”(x)·R(x); for tanh
// σ”(x)·R(x) = −2y·R(y), for ReLU σ” = 0.
func (a activationLayer[F]) rBackward(_ *linalg[F], _, _, _, _, y, ry, dy, rdy []F, m int, _, rdx []F) {
	if rdx == nil {
		return
	}
	for i, v := range y[:m*a.n] {
		rdx[i] = rdy[i] * a.deriv(v)
		if a.act == tanh {
			rdx[i] -= 2 * v * dy[i] * ry[i]
		}
	}
}

func (a activationLayer[F]) sqNorms(*linalg[F], []F, []F, []F, []F, int, []float64) {}
