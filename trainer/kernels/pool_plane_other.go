//go:build !amd64 || purego

package kernels

func maxPool2PlaneAVX512(y *float32, am *int32, x *float32, outH, outW, inW, base int) {
	panic("unreachable")
}

func maxPool2SpreadAVX512(dst, grad *float32, am *int32, outH, inW, base int) {
	panic("unreachable")
}
