package kernels

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// peaks caches PeakGFLOPS per path, the yardstick of the benchmarks' %peak.
var peaks sync.Map

func peakOf(p string) float64 {
	if v, ok := peaks.Load(p); ok {
		return v.(float64)
	}
	g := PeakGFLOPS(p)
	peaks.Store(p, g)
	return g
}

func rndSlice(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.Float64()*2 - 1)
	}
	return x
}

// reportGFLOPs reports the rate of flops per iteration, and its fraction of
// path p's measured peak (none for the Go path, which has no such peak).
func reportGFLOPs(b *testing.B, p string, flops float64) {
	g := flops * float64(b.N) / b.Elapsed().Seconds() / 1e9
	b.ReportMetric(g, "GFLOP/s")
	if peak := peakOf(p); peak > 0 {
		b.ReportMetric(100*g/peak, "%peak")
	}
}

// benchPaths runs f as a sub-benchmark per kernel path, named path=…,
// restoring the path in use afterwards. The Go path runs only where there is
// no assembly path: it is an order of magnitude slower, and the comparison
// of interest is avx2 against avx512.
//
// Each also reports cpu%, the process's CPU time over the wall time of the
// run: on a shared machine, below 100 says the GFLOP/s (wall-clock) were
// cut by time slices lost to other processes, and by how much.
func benchPaths(b *testing.B, f func(b *testing.B, p string)) {
	for _, p := range paths() {
		if p == PathPureGo && haveAsm {
			continue
		}
		peakOf(p) // measured once, outside any timed run
		b.Run("path="+p, func(b *testing.B) {
			defer usePath(p)()
			c0, w0 := processCPU(), time.Now()
			f(b, p)
			if c, w := processCPU()-c0, time.Since(w0); c > 0 && w > 0 {
				b.ReportMetric(100*c.Seconds()/w.Seconds(), "cpu%")
			}
		})
	}
}

// w1Layers are the (in, out) sizes of the reference MLP 784-512-512-10.
var w1Layers = [][2]int{{784, 512}, {512, 512}, {512, 10}}

type gemmCase struct {
	name    string
	m, n, k int
	run     func()
}

// w1Cases builds the GEMMs of one SGD step of W1 at batch size bs, as the
// trainer issues them: forward with bias and ReLU into row-major
// activations, weight update straight into the packed weights (δ packed
// first), input gradient against Wᵀ packed (the transposition is timed
// separately).
func w1Cases(ctx *Context, bs int) []gemmCase {
	r := rand.New(rand.NewPCG(5, 6))
	var cases []gemmCase
	for li, l := range w1Layers {
		in, out := l[0], l[1]
		w := MakePacked(in, out)
		PackB(w, false, in, out, rndSlice(r, in*out), out)
		wt := MakePacked(out, in)
		TransposePacked(wt, in, out, w)
		bias := rndSlice(r, out)
		x := rndSlice(r, bs*in)
		h := make([]float32, bs*out)
		delta := rndSlice(r, bs*out)
		stepDelta := make([]float32, len(delta))
		for i, v := range delta {
			stepDelta[i] = -1e-9 * v
		}
		dp := MakePacked(bs, out)
		dx := make([]float32, bs*in)
		act := ActReLU
		if li == len(w1Layers)-1 {
			act = ActNone
		}
		cases = append(cases,
			gemmCase{fmt.Sprintf("fwd/b=%d/%dx%dx%d", bs, bs, out, in), bs, out, in, func() {
				ctx.GemmPacked(false, bs, out, in, 1, x, in, w, 0, h, out, false, Epilogue{Bias: bias, Act: act})
			}},
			gemmCase{fmt.Sprintf("wupd/b=%d/%dx%dx%d", bs, in, out, bs), in, out, bs, func() {
				// As the trainer does: δ already carries −η/b, alpha is 1.
				PackB(dp, false, bs, out, stepDelta, out)
				ctx.GemmPacked(true, in, out, bs, 1, x, in, dp, 1, w, 0, true, Epilogue{})
			}})
		if li > 0 {
			cases = append(cases, gemmCase{fmt.Sprintf("igrad/b=%d/%dx%dx%d", bs, bs, in, out), bs, in, out, func() {
				ctx.GemmPacked(false, bs, in, out, 1, delta, out, wt, 0, dx, in, false, Epilogue{})
			}})
		}
	}
	return cases
}

var benchBatches = []int{8, 32, 128, 512}

// BenchmarkGemm times each GEMM of a W1 training step.
func BenchmarkGemm(b *testing.B) {
	for _, bs := range benchBatches {
		ctx := new(Context)
		for _, tc := range w1Cases(ctx, bs) {
			b.Run(tc.name, func(b *testing.B) {
				benchPaths(b, func(b *testing.B, p string) {
					b.ReportAllocs()
					for b.Loop() {
						tc.run()
					}
					reportGFLOPs(b, p, 2*float64(tc.m*tc.n*tc.k))
				})
			})
		}
	}
}

// BenchmarkStep times all GEMMs of one W1 step (plus the transposition of
// the two weight matrices the input gradient needs): the effective rate of
// the GEMM part of training.
func BenchmarkStep(b *testing.B) {
	for _, bs := range benchBatches {
		ctx := new(Context)
		cases := w1Cases(ctx, bs)
		var flops float64
		for _, tc := range cases {
			flops += 2 * float64(tc.m*tc.n*tc.k)
		}
		r := rand.New(rand.NewPCG(7, 8))
		var ws, wts [][]float32
		for _, l := range w1Layers[1:] {
			ws = append(ws, rndSlice(r, PackedLen(l[0], l[1])))
			wts = append(wts, make([]float32, PackedLen(l[1], l[0])))
		}
		b.Run(fmt.Sprintf("b=%d", bs), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				b.ReportAllocs()
				for b.Loop() {
					for i, l := range w1Layers[1:] {
						TransposePacked(wts[i], l[0], l[1], ws[i])
					}
					for _, tc := range cases {
						tc.run()
					}
				}
				reportGFLOPs(b, p, flops)
			})
		})
	}
}

// BenchmarkTransposePacked times Wᵀ for the 512×512 layer.
func BenchmarkTransposePacked(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	src := rndSlice(r, PackedLen(512, 512))
	dst := make([]float32, PackedLen(512, 512))
	for b.Loop() {
		TransposePacked(dst, 512, 512, src)
	}
	b.ReportMetric(float64(512*512*4*2)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
}

// BenchmarkMicroKernel runs the micro-kernel alone on packed panels that
// stay in L1, with kc as in the GEMM's K blocks: its fraction of peak. On
// the AVX-512 path that is the 8×48 zmm kernel (two A and two B
// micro-panels), on the others the MR×NR kernel.
func BenchmarkMicroKernel(b *testing.B) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, kc := range []int{8, 64, 196, 256} {
		a := rndSlice(r, 2*MR*kc)
		bp := rndSlice(r, 2*NR*kc)
		c := rndSlice(r, 2*MR*2*NR)
		b.Run(fmt.Sprintf("kc=%d", kc), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				if p == PathAVX512 {
					for b.Loop() {
						gemmTilesAVX512(1, kc, &a[0], &bp[0], &bp[NR*kc], &c[0], &c[NR], 2*NR, 1, nil, 0, NR, 4*MR, 4*MR*kc, 8*MR*kc)
					}
					reportGFLOPs(b, p, 2*float64(4*MR*NR*kc))
					return
				}
				for b.Loop() {
					kernel(kc, &a[0], &bp[0], &c[0], NR, 1, nil, 0)
				}
				reportGFLOPs(b, p, 2*float64(MR*NR*kc))
			})
		})
	}
}

// BenchmarkElementwise times the element-wise kernels per path at W1's
// sizes: ReLUGrad and ColSums over a b×512 layer (b = 32: 64 KiB, in L1/L2;
// b = 512: 1 MiB), Axpy and AddTo64 over all 669,706 parameters (the
// momentum step and the full-pass gradient sum: from memory).
func BenchmarkElementwise(b *testing.B) {
	r := rand.New(rand.NewPCG(13, 14))
	const params = 784*512 + 512 + 512*512 + 512 + 512*10 + 10
	for _, bs := range []int{32, 512} {
		d := rndSlice(r, bs*512)
		h := rndSlice(r, bs*512)
		d0 := append([]float32(nil), d...)
		bias := make([]float32, 512)
		b.Run(fmt.Sprintf("ReLUGrad/%dx512", bs), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				for b.Loop() {
					copy(d, d0)
					ReLUGrad(d, h)
				}
			})
		})
		b.Run(fmt.Sprintf("ColSums/%dx512", bs), func(b *testing.B) {
			benchPaths(b, func(b *testing.B, p string) {
				for b.Loop() {
					ColSums(bias, d0, bs, 512, 512, 1)
				}
			})
		})
	}
	x := rndSlice(r, params)
	y := rndSlice(r, params)
	acc := make([]float64, params)
	b.Run("Axpy/669706", func(b *testing.B) {
		benchPaths(b, func(b *testing.B, p string) {
			for b.Loop() {
				Axpy(1e-9, x, y)
			}
		})
	})
	b.Run("AddTo64/669706", func(b *testing.B) {
		benchPaths(b, func(b *testing.B, p string) {
			for b.Loop() {
				AddTo64(acc, x)
			}
		})
	})
}
