//go:build !purego

package kernels

// rowSumsF64AVX is RowSumsF64 for n, a multiple of 4, values per row (AVX
// instructions only: it runs on both assembly paths).
//
//go:noescape
func rowSumsF64AVX(acc *[8]float64, x *float32, stride, n int)

// rowSqDevsF64AVX is RowSqDevsF64 for n, a multiple of 4, values per row.
//
//go:noescape
func rowSqDevsF64AVX(acc *[8]float64, x *float32, stride, n int, mu *[8]float64)

// rowSumsAVX is RowSums for n, a multiple of 4, values per row.
//
//go:noescape
func rowSumsAVX(acc *[8]float32, x *float32, stride, n int)

// rowBNGradF64AVX is RowBNGradF64 for n, a multiple of 4, values per row.
//
//go:noescape
func rowBNGradF64AVX(gs, bs *[8]float64, x, dy *float32, stride, n int, mu, is float64)
