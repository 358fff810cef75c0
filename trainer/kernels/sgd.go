package kernels

import "fmt"

// SGDUpdate sets p[i] = p[i] − lr·g[i] for the first len(g) elements of
// p: the product rounded to float32, then the difference (not one fused
// multiply-add), as the Go loop below computes it, on every path.
//
//	for i, v := range g {
//		p[i] -= float32(lr * v)
//	}
func SGDUpdate(p, g []float32, lr float32) {
	if len(p) < len(g) {
		panic(fmt.Sprintf("kernels: SGDUpdate: len(p)=%d < len(g)=%d", len(p), len(g)))
	}
	n := 0
	switch {
	case useAsm && useZmm && len(g) >= 16:
		n = len(g) &^ 15
		sgdUpdateAVX512(&p[0], &g[0], n, lr)
	case useAsm && len(g) >= 8:
		n = len(g) &^ 7
		sgdUpdateAVX2(&p[0], &g[0], n, lr)
	}
	sgdUpdateGo(p[n:len(g)], g[n:], lr)
}

func sgdUpdateGo(p, g []float32, lr float32) {
	p = p[:len(g)]
	for i, v := range g {
		p[i] -= float32(lr * v) // the conversion keeps Go from fusing
	}
}
