//go:build !amd64 || purego

package kernels

func rowSumsF64AVX(acc *[8]float64, x *float32, stride, n int) { panic("unreachable") }

func rowSqDevsF64AVX(acc *[8]float64, x *float32, stride, n int, mu *[8]float64) {
	panic("unreachable")
}

func rowSumsAVX(acc *[8]float32, x *float32, stride, n int) { panic("unreachable") }

func rowBNGradF64AVX(gs, bs *[8]float64, x, dy *float32, stride, n int, mu, is float64) {
	panic("unreachable")
}
