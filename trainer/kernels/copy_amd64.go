//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// useCopyAsm selects copyRunsAVX512 (with useAsm, which tests flip).
var useCopyAsm = cpu.X86.HasAVX512F && cpu.X86.HasBMI2

// copyRunsAVX512 is CopyRuns for arguments it has checked.
//
//go:noescape
func copyRunsAVX512(dst *float32, dstStride int, src *float32, srcStride int, n, count int)
