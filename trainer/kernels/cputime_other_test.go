//go:build !unix

package kernels

import "time"

// processCPU is unknown here: the benchmarks then report no cpu%.
func processCPU() time.Duration { return 0 }
