package kernels

import "fmt"

// Sums over eight rows at once, each row's in order: the statistics of
// batch norm over a channel-major batch (a row is a channel's values of
// the whole batch) and the conv bias gradient (a row is one example's
// plane of a channel). A running sum is a chain of dependent additions,
// so one row alone is bound by the add latency; eight rows' chains run
// side by side instead, in the lanes of two vector registers, after 4×4
// transposes of the rows' values. Each lane adds its row's values in the
// row's order, one rounding per addition, as the Go loop over that row
// alone does, so the sums are the same bits on every path.

// checkRows8 panics unless x holds 8 rows of n values stride apart.
func checkRows8(name string, x []float32, stride, n int) {
	if n < 0 || stride < n {
		panic(fmt.Sprintf("kernels: %s: n=%d, stride=%d: want 0 ≤ n ≤ stride", name, n, stride))
	}
	if len(x) < 7*stride+n {
		panic(fmt.Sprintf("kernels: %s: 8 rows of %d at stride %d need len(x) ≥ %d, have %d", name, n, stride, 7*stride+n, len(x)))
	}
}

// RowSumsF64 adds to acc[r], for r < 8, the values x[r·stride+j], j < n,
// converted to float64, in order of j.
func RowSumsF64(acc *[8]float64, x []float32, stride, n int) {
	checkRows8("RowSumsF64", x, stride, n)
	done := 0
	if useAsm && n >= 4 {
		done = n &^ 3
		rowSumsF64AVX(acc, &x[0], stride, done)
	}
	for r := range acc {
		s := acc[r]
		for _, v := range x[r*stride+done : r*stride+n] {
			s += float64(v)
		}
		acc[r] = s
	}
}

// RowSqDevsF64 adds to acc[r], for r < 8, the squares (x[r·stride+j] −
// mu[r])², in float64 and in order of j: the difference and the square
// each rounded, not fused with the addition.
func RowSqDevsF64(acc *[8]float64, x []float32, stride, n int, mu *[8]float64) {
	checkRows8("RowSqDevsF64", x, stride, n)
	done := 0
	if useAsm && n >= 4 {
		done = n &^ 3
		rowSqDevsF64AVX(acc, &x[0], stride, done, mu)
	}
	for r := range acc {
		s, m := acc[r], mu[r]
		for _, v := range x[r*stride+done : r*stride+n] {
			d := float64(v) - m
			s += float64(d * d) // the conversion keeps Go from fusing
		}
		acc[r] = s
	}
}

// RowSums adds to acc[r], for r < 8, the values x[r·stride+j], j < n, in
// float32 and in order of j.
func RowSums(acc *[8]float32, x []float32, stride, n int) {
	checkRows8("RowSums", x, stride, n)
	done := 0
	if useAsm && n >= 4 {
		done = n &^ 3
		rowSumsAVX(acc, &x[0], stride, done)
	}
	for r := range acc {
		s := acc[r]
		for _, v := range x[r*stride+done : r*stride+n] {
			s += v
		}
		acc[r] = s
	}
}

// RowBNGradF64 adds to g[r] and b[r], for r < 8, the sums over j < n, in
// float64 and in order of j, of dy·(x − mu)·is and of dy, with x and dy
// the values x[r·stride+j] and dy[r·stride+j] widened to float64: the
// per-example gradients of batch norm's scale and shift, r an example's
// plane of one channel. Each product and difference is rounded before
// the next operation (as ((dy·(x − mu))·is) in Go without fused
// multiply-adds), so the sums are the same bits on every path.
func RowBNGradF64(g, b *[8]float64, x, dy []float32, stride, n int, mu, is float64) {
	checkRows8("RowBNGradF64", x, stride, n)
	checkRows8("RowBNGradF64", dy, stride, n)
	done := 0
	if useAsm && n >= 4 {
		done = n &^ 3
		rowBNGradF64AVX(g, b, &x[0], &dy[0], stride, done, mu, is)
	}
	for r := range g {
		sg, sb := g[r], b[r]
		xr, dr := x[r*stride+done:r*stride+n], dy[r*stride+done:r*stride+n]
		for j, v := range dr {
			d := float64(v)
			sg += float64(float64(d*(float64(xr[j])-mu)) * is) // the conversions keep Go from fusing
			sb += d
		}
		g[r], b[r] = sg, sb
	}
}
