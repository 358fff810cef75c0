//go:build amd64 && !purego

package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// scalarSink keeps scalarWork's result alive.
var scalarSink float64

// scalarWork is Go scalar float code of the kind the trainer runs between
// kernel calls (loss, norms, learning-rate arithmetic): SSE multiply-adds
// on four independent float64 chains, so that throughput rather than one
// chain's latency bounds it, and a square root, a divide, an int-to-float
// conversion and an exponential per step.
func scalarWork(x float64) float64 {
	a, b, c, d := x, x+1, x+2, x+3
	for i := 0; i < 256; i++ {
		a = a*0.999999 + 1e-7
		b = b*0.999998 + 2e-7
		c = c*0.999997 + 3e-7
		d = d*0.999996 + math.Sqrt(b)/(c+4)
		a += math.Exp(-float64(i&7)) * 1e-9
	}
	return a + b + c + d
}

// BenchmarkScalarAfterKernel times scalarWork right after an assembly call:
// after the real kernels of each path (which end with VZEROUPPER), after a
// routine that writes the upper zmm state and ends with VZEROUPPER (clean),
// and after the same routine without it (dirty). Each iteration runs every
// case once, in turn, timing each, so that all see the same share of a
// shared core; each case reports its fastest time (ns-…, call included),
// which a preempted iteration does not inflate. A kernel that forgot
// VZEROUPPER would look like dirty rather than clean.
func BenchmarkScalarAfterKernel(b *testing.B) {
	if !haveAsm {
		b.Skip("no assembly kernels")
	}
	r := rand.New(rand.NewPCG(61, 62))
	a := rndSlice(r, 2*MR*8)
	bp := rndSlice(r, 2*NR*8)
	c := make([]float32, 2*MR*2*NR)
	x := rndSlice(r, 64)
	y := make([]float32, 64)
	cases := []struct {
		name string
		call func()
	}{
		{"gemmTilesAVX2", func() { gemmTilesAVX2(1, 8, &a[0], &bp[0], &c[0], NR, 0, nil, 0) }},
		{"axpyAVX2", func() { axpyAVX2(0.5, &x[0], &y[0], len(x)) }},
	}
	if haveZmm {
		cases = append(cases, []struct {
			name string
			call func()
		}{
			{"gemmTilesAVX512", func() {
				gemmTilesAVX512(1, 8, &a[0], &bp[0], &bp[NR*8], &c[0], &c[NR], 2*NR, 0, nil, 0, NR, 4*MR, 4*MR*8, 8*MR*8)
			}},
			{"gemmStridedAVX512", func() { // 16 rows of Aᵀ with 4 columns, k = 4
				gemmStridedAVX512(1, 4, &a[0], 4, 16*4, &bp[0], &c[0], 16, 0, nil, 0, 10)
			}},
			{"clean", cleanUpperZmm},
			{"dirty", dirtyUpperZmm},
		}...)
	}
	best := make([]time.Duration, len(cases))
	for i := range best {
		best[i] = time.Hour
	}
	s := 0.0
	for b.Loop() {
		for i, tc := range cases {
			t0 := time.Now()
			tc.call()
			s += scalarWork(s * 1e-9)
			best[i] = min(best[i], time.Since(t0))
		}
	}
	scalarSink = s
	for i, tc := range cases {
		b.ReportMetric(float64(best[i].Nanoseconds()), "ns-"+tc.name)
	}
}
