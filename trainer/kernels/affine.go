package kernels

import (
	"fmt"
	"math"
)

// AffineF64 sets y[j] = float32(float64(x[j])·scale + shift), the product
// and the sum each rounded in float64 (not fused) and the result rounded
// once to float32, and with relu then max(y[j], 0) as Go's max computes it
// (NaN stays NaN, −0 becomes +0). The results are those of the Go loop bit
// for bit: batch norm's forward pass, whose values must not change with
// the path.
func AffineF64(y, x []float32, scale, shift float64, relu bool) {
	if len(y) < len(x) {
		panic(fmt.Sprintf("kernels: AffineF64: len(y)=%d < len(x)=%d", len(y), len(x)))
	}
	n := 0
	r := 0
	if relu {
		r = 1
	}
	switch {
	case zmmExtras() && len(x) >= 8:
		n = len(x) &^ 7
		affineF64AVX512(&y[0], &x[0], n, scale, shift, r)
	case avx2Extras() && len(x) >= 4:
		n = len(x) &^ 3
		affineF64AVX2(&y[0], &x[0], n, scale, shift, r)
	}
	affineF64Go(y[n:len(x)], x[n:], scale, shift, relu)
}

func affineF64Go(y, x []float32, scale, shift float64, relu bool) {
	y = y[:len(x)]
	// The conversions round the product, so that no compiler fuses it with
	// the sum (Go may fuse x*y + z; the assembly does not).
	if relu {
		for j, v := range x {
			y[j] = max(float32(float64(float64(v)*scale)+shift), 0)
		}
		return
	}
	for j, v := range x {
		y[j] = float32(float64(float64(v)*scale) + shift)
	}
}

// Affine2F64 sets y[j] = float32(fma(b, x[j], fma(a, d[j], c))) in float64,
// the two multiply-adds fused, on every path (the Go loop with math.FMA):
// batch norm's input gradient, bit-identical whatever the kernel path.
func Affine2F64(y, d, x []float32, a, b, c float64) {
	if len(y) < len(d) || len(x) < len(d) {
		panic(fmt.Sprintf("kernels: Affine2F64: len(y)=%d, len(x)=%d < len(d)=%d", len(y), len(x), len(d)))
	}
	n := 0
	switch {
	case zmmExtras() && len(d) >= 8:
		n = len(d) &^ 7
		affine2F64AVX512(&y[0], &d[0], &x[0], n, a, b, c)
	case avx2Extras() && len(d) >= 4:
		n = len(d) &^ 3
		affine2F64AVX2(&y[0], &d[0], &x[0], n, a, b, c)
	}
	affine2F64Go(y[n:len(d)], d[n:], x[n:len(d)], a, b, c)
}

func affine2F64Go(y, d, x []float32, a, b, c float64) {
	y, x = y[:len(d)], x[:len(d)]
	for j, v := range d {
		y[j] = float32(math.FMA(b, float64(x[j]), math.FMA(a, float64(v), c)))
	}
}

// GradSums returns Σ d[j] and Σ d[j]·(x[j] − mu) in float64: batch norm's
// backward sums. The first len(d)&^15 elements are summed in 16 interleaved
// partial sums (element j into sum j mod 16, the products fused into theirs),
// folded as halves (sum i plus sum i+8, then i+4, i+2, i+1), and the rest
// in four; the assembly and the Go loops do exactly this, so the results
// are bit-identical whatever the kernel path.
func GradSums(d, x []float32, mu float64) (sumD, sumDX float64) {
	if len(x) < len(d) {
		panic(fmt.Sprintf("kernels: GradSums: len(x)=%d < len(d)=%d", len(x), len(d)))
	}
	n := len(d) &^ 15
	if n > 0 {
		switch {
		case zmmExtras():
			sumD, sumDX = gradSumsAVX512(&d[0], &x[0], n, mu)
		case avx2Extras():
			sumD, sumDX = gradSumsAVX2(&d[0], &x[0], n, mu)
		default:
			sumD, sumDX = gradSums16Go(d[:n], x[:n], mu)
		}
	}
	s, g := gradSumsGo(d[n:], x[n:len(d)], mu)
	return sumD + s, sumDX + g
}

// gradSums16Go is gradSumsAVX512 in Go: len(dy) a multiple of 16.
func gradSums16Go(dy, x []float32, mu float64) (sumD, sumDX float64) {
	var s, g [16]float64
	for j := 0; j+16 <= len(dy); j += 16 {
		d, xs := dy[j:j+16:j+16], x[j:j+16:j+16]
		for l := range 16 {
			v := float64(d[l])
			s[l] += v
			g[l] = math.FMA(v, float64(xs[l])-mu, g[l])
		}
	}
	return fold16(&s), fold16(&g)
}

// fold16 adds 16 partial sums as the assembly does: halves, then quarters…
func fold16(p *[16]float64) float64 {
	for w := 8; w >= 1; w /= 2 {
		for i := range w {
			p[i] += p[i+w]
		}
	}
	return p[0]
}

func gradSumsGo(dy, x []float32, mu float64) (sumD, sumDX float64) {
	x = x[:len(dy)]
	var s0, s1, s2, s3, g0, g1, g2, g3 float64
	j := 0
	for ; j+4 <= len(dy); j += 4 {
		d, xs := dy[j:j+4:j+4], x[j:j+4:j+4]
		d0, d1, d2, d3 := float64(d[0]), float64(d[1]), float64(d[2]), float64(d[3])
		s0 += d0
		s1 += d1
		s2 += d2
		s3 += d3
		g0 += float64(d0 * (float64(xs[0]) - mu))
		g1 += float64(d1 * (float64(xs[1]) - mu))
		g2 += float64(d2 * (float64(xs[2]) - mu))
		g3 += float64(d3 * (float64(xs[3]) - mu))
	}
	for ; j < len(dy); j++ {
		d := float64(dy[j])
		s0 += d
		g0 += float64(d * (float64(x[j]) - mu))
	}
	return (s0 + s1) + (s2 + s3), (g0 + g1) + (g2 + g3)
}
