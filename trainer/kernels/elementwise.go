package kernels

import "fmt"

// Axpy computes y += alpha·x over the first len(x) elements of y. It panics
// if y is shorter than x.
//
// Reference loop:
//
//	for i, v := range x {
//		y[i] += alpha * v
//	}
func Axpy(alpha float32, x, y []float32) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: Axpy: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	if len(x) == 0 {
		return
	}
	if useAsm && useZmm {
		axpyAVX512(alpha, &x[0], &y[0], len(x))
		return
	}
	if useAsm {
		axpyAVX2(alpha, &x[0], &y[0], len(x))
		return
	}
	axpyGo(alpha, x, y[:len(x)])
}

func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// ReLUGrad zeroes d[i] wherever h[i] is not positive (including NaN), for the
// first len(d) elements; h is the ReLU's output. It panics if h is shorter
// than d.
//
// Reference loop:
//
//	for i := range d {
//		if !(h[i] > 0) {
//			d[i] = 0
//		}
//	}
func ReLUGrad(d, h []float32) {
	if len(h) < len(d) {
		panic(fmt.Sprintf("kernels: ReLUGrad: len(h)=%d < len(d)=%d", len(h), len(d)))
	}
	if len(d) == 0 {
		return
	}
	if useAsm && useZmm {
		reluGradAVX512(&d[0], &h[0], len(d))
		return
	}
	if useAsm {
		reluGradAVX2(&d[0], &h[0], len(d))
		return
	}
	reluGradGo(d, h[:len(d)])
}

func reluGradGo(d, h []float32) {
	h = h[:len(d)]
	for i := range d {
		if !(h[i] > 0) {
			d[i] = 0
		}
	}
}

// TanhGrad computes d[i] *= 1 − h[i]² for the first len(d) elements; h is
// the tanh's output. It panics if h is shorter than d.
//
// Reference loop:
//
//	for i := range d {
//		d[i] *= 1 - h[i]*h[i]
//	}
func TanhGrad(d, h []float32) {
	if len(h) < len(d) {
		panic(fmt.Sprintf("kernels: TanhGrad: len(h)=%d < len(d)=%d", len(h), len(d)))
	}
	if len(d) == 0 {
		return
	}
	if useAsm && useZmm {
		tanhGradAVX512(&d[0], &h[0], len(d))
		return
	}
	if useAsm {
		tanhGradAVX2(&d[0], &h[0], len(d))
		return
	}
	tanhGradGo(d, h[:len(d)])
}

func tanhGradGo(d, h []float32) {
	h = h[:len(d)]
	for i := range d {
		d[i] *= 1 - h[i]*h[i]
	}
}

// SumSquares64 returns Σ x_i², each square and sum in float64 (a float32
// squared is exact in float64). The sum runs in a fixed order, the same on
// both paths: 16 interleaved partial sums over blocks of 16, then 4 over
// blocks of 4, combined pairwise, then the last len(x)%4 elements in turn.
//
// Reference loop (up to summation order):
//
//	var s float64
//	for _, v := range x {
//		s += float64(v) * float64(v)
//	}
func SumSquares64(x []float32) float64 {
	if len(x) == 0 {
		return 0
	}
	if useAsm {
		// No zmm version: a reduction, whose order the AVX2 loop fixes, and
		// not on the training step's path.
		return sumSquares64AVX2(&x[0], len(x))
	}
	return sumSquares64Go(x)
}

func sumSquares64Go(x []float32) float64 {
	var s [16]float64 // lane l of accumulator q is s[4q+l]
	i := 0
	for ; i+16 <= len(x); i += 16 {
		xs := x[i : i+16 : i+16]
		for l := range s {
			v := float64(xs[l])
			s[l] += v * v
		}
	}
	for ; i+4 <= len(x); i += 4 {
		xs := x[i : i+4 : i+4]
		for l := 0; l < 4; l++ {
			v := float64(xs[l])
			s[l] += v * v
		}
	}
	// (acc0+acc1) + (acc2+acc3) per lane, then lanes (0+2) + (1+3).
	var t [4]float64
	for l := 0; l < 4; l++ {
		t[l] = (s[l] + s[4+l]) + (s[8+l] + s[12+l])
	}
	r := (t[0] + t[2]) + (t[1] + t[3])
	for ; i < len(x); i++ {
		v := float64(x[i])
		r += v * v
	}
	return r
}

// AddTo64 computes dst[i] += float64(src[i]) for the first len(src)
// elements of dst. It panics if dst is shorter than src.
//
// Reference loop:
//
//	for i, v := range src {
//		dst[i] += float64(v)
//	}
func AddTo64(dst []float64, src []float32) {
	if len(dst) < len(src) {
		panic(fmt.Sprintf("kernels: AddTo64: len(dst)=%d < len(src)=%d", len(dst), len(src)))
	}
	if len(src) == 0 {
		return
	}
	if useAsm && useZmm {
		addTo64AVX512(&dst[0], &src[0], len(src))
		return
	}
	if useAsm {
		addTo64AVX2(&dst[0], &src[0], len(src))
		return
	}
	addTo64Go(dst[:len(src)], src)
}

func addTo64Go(dst []float64, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] += float64(v)
	}
}

// ColSums computes dst[j] = beta·dst[j] + Σ_i x[i*ldx+j] over the rows×cols
// matrix x (row stride ldx): the bias gradient, or with beta = 1 its
// accumulation. Each column is summed from row 0 down; beta = 0 does not
// read dst. It panics if a slice is too short.
//
// Reference loop:
//
//	for j := 0; j < cols; j++ {
//		var s float32
//		for i := 0; i < rows; i++ {
//			s += x[i*ldx+j]
//		}
//		dst[j] = beta*dst[j] + s
//	}
func ColSums(dst []float32, x []float32, rows, cols, ldx int, beta float32) {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("kernels: ColSums: negative shape rows=%d cols=%d", rows, cols))
	}
	if len(dst) < cols {
		panic(fmt.Sprintf("kernels: ColSums: len(dst)=%d < cols=%d", len(dst), cols))
	}
	if cols == 0 {
		return
	}
	checkMatrix("x", x, rows, cols, ldx)
	if rows == 0 {
		for j := range dst[:cols] {
			if beta == 0 {
				dst[j] = 0
			} else {
				dst[j] = beta*dst[j] + 0
			}
		}
		return
	}
	if useAsm && useZmm {
		colSumsAVX512(beta, &dst[0], &x[0], rows, cols, ldx)
		return
	}
	if useAsm {
		colSumsAVX2(beta, &dst[0], &x[0], rows, cols, ldx)
		return
	}
	colSumsGo(dst[:cols], x, rows, cols, ldx, beta)
}

func colSumsGo(dst []float32, x []float32, rows, cols, ldx int, beta float32) {
	dst = dst[:cols]
	for j := range dst {
		var s float32
		for i := 0; i < rows; i++ {
			s += x[i*ldx+j]
		}
		if beta == 0 {
			dst[j] = s
		} else {
			dst[j] = beta*dst[j] + s
		}
	}
}
