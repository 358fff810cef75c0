//go:build !amd64 || purego

package kernels

func sgdUpdateAVX512(p, grad *float32, n int, rate float32) { panic("unreachable") }

func sgdUpdateAVX2(p, grad *float32, n int, rate float32) { panic("unreachable") }
