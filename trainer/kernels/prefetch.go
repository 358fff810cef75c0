package kernels

// Prefetch asks the CPU to bring x into its caches, a 64-byte line at a
// time, without waiting for it: a pass that reads its operands out of
// order (ConvIndirectEdgesW, which reads many input planes far apart at
// once) calls it for the data it reads next, so that its loads hit the
// cache instead of each stalling on memory. It changes no value.
func Prefetch(x []float32) {
	if len(x) == 0 || !useAsm {
		return
	}
	prefetchLines(&x[0], (len(x)+15)/16)
}
