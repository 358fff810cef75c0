//go:build !purego

package kernels

// prefetchLines prefetches lines 64-byte lines from x on.
//
//go:noescape
func prefetchLines(x *float32, lines int)
