//go:build !amd64 || purego

package kernels

func convTilesAVX512(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int) {
	panic("unreachable")
}

func convGradTAVX512(nv int, x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int) {
	panic("unreachable")
}

func convTilesAVX2(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, masks *int32) {
	panic("unreachable")
}

func convGradTAVX2N(nv int, x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32) {
	panic("unreachable")
}

func convTilesEdgeAVX512(tiles, kc int, a *float32, steps *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, edges *uint16, kk6 int) {
	panic("unreachable")
}

func convGradTAVX512T8(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int) {
	panic("unreachable")
}

func convGradTAVX512T3(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int) {
	panic("unreachable")
}
