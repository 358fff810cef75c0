//go:build !purego

package kernels

// sgdUpdateAVX512 is SGDUpdate for n, a multiple of 16, elements.
//
//go:noescape
func sgdUpdateAVX512(p, grad *float32, n int, rate float32)

// sgdUpdateAVX2 is SGDUpdate for n, a multiple of 8, elements.
//
//go:noescape
func sgdUpdateAVX2(p, grad *float32, n int, rate float32)
