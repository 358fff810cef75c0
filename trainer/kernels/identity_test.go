package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAVX512MatchesAVX2 asserts that the AVX-512 path's GEMM results are
// bit-identical to the AVX2 path's: every element of C is accumulated with
// the same FMAs in the same order and goes through the same epilogue. Shapes
// sweep m, n and k over 1…70 (full and edge tiles, odd panel counts, narrow
// last panels, the 16-row tiles of the ≤ 16-column kernel at n = 10), and
// larger ones cross the K and M block boundaries; each runs with and without
// transA, cPanels, bias and ReLU, for beta 0, 1 and 0.3 (inexact, so that
// beta·C fused into an FMA or rounded first would differ), with NaN,
// infinities and signed zeros planted in A and C.
func TestAVX512MatchesAVX2(t *testing.T) {
	if !haveZmm {
		t.Skip("no AVX-512 on this CPU or build")
	}
	r := rand.New(rand.NewPCG(51, 52))
	var shapes [][3]int
	for x := 1; x <= 70; x++ {
		shapes = append(shapes, [3]int{x, 48, 9}, [3]int{x, 70, 13}, [3]int{8, x, 17},
			[3]int{16, x, 5}, [3]int{9, 50, x}, [3]int{x, x, x}, [3]int{x, 10, 9})
	}
	shapes = append(shapes, [3]int{784, 512, 8}, [3]int{8, 512, 784}, [3]int{784, 512, 300},
		[3]int{131, 517, 263}, [3]int{600, 100, 600}, [3]int{24, 72, 3}, [3]int{1000, 49, 90},
		[3]int{17, 9, 260}, [3]int{33, 16, 70}, [3]int{128, 10, 512}, [3]int{512, 10, 128}, [3]int{70, 13, 300})
	ctx := new(Context)
	i := 0
	for _, sh := range shapes {
		for _, tA := range []bool{false, true} {
			for _, cP := range []bool{false, true} {
				// Every flag combination on the small shapes, a rotation of
				// them on the large ones.
				for combo := 0; combo < 12; combo++ {
					if sh[0]*sh[1]*sh[2] > 40000 && combo != i%12 {
						continue
					}
					beta := []float32{0, 1, 0.3}[combo%3]
					pc := packedCase{tA, cP, sh[0], sh[1], sh[2], 1, beta, combo/3%2 == 1, Act(combo / 6)}
					if i%7 == 3 {
						pc.alpha = -0.75
					}
					compareAVX512(t, ctx, r, pc, i)
					i++
				}
			}
		}
	}
}

// compareAVX512 runs one GemmPacked on the AVX2 and the AVX-512 path from
// the same operands and compares every bit of C, padding included.
func compareAVX512(t *testing.T, ctx *Context, r *rand.Rand, pc packedCase, off int) {
	t.Helper()
	m, n, k := pc.m, pc.n, pc.k
	ar, ac := m, k
	if pc.transA {
		ar, ac = k, m
	}
	lda := ac + off%3
	a := rndSlice(r, (ar-1)*lda+ac)
	bp := MakePacked(k, n)
	PackB(bp, false, k, n, rndSlice(r, k*n), n)
	var bias []float32
	if pc.bias {
		bias = rndSlice(r, n)
	}
	ldc := n + off%4
	clen := (m-1)*ldc + n + off%5
	if pc.cPanels {
		clen = PackedLen(m, n)
	}
	c := rndSlice(r, clen)
	if off%5 == 0 { // specials: NaN and ±Inf in A, −0 and NaN in C
		a[r.IntN(len(a))] = float32(math.NaN())
		a[r.IntN(len(a))] = float32(math.Inf(1 - 2*(off/5%2)))
		c[r.IntN(len(c))] = float32(math.Copysign(0, -1))
		c[r.IntN(len(c))] = float32(math.NaN())
	}
	epi := Epilogue{Bias: bias, Act: pc.act}
	got := map[string][]float32{}
	for _, p := range []string{PathAVX2, PathAVX512} {
		cc := append([]float32(nil), c...)
		restore := usePath(p)
		ctx.GemmPacked(pc.transA, m, n, k, pc.alpha, a, lda, bp, pc.beta, cc, ldc, pc.cPanels, epi)
		restore()
		got[p] = cc
	}
	for x := range c {
		if g, w := math.Float32bits(got[PathAVX512][x]), math.Float32bits(got[PathAVX2][x]); g != w {
			t.Fatalf("%v: C element %d: avx512 %v (%#08x), avx2 %v (%#08x)", pc, x, got[PathAVX512][x], g, got[PathAVX2][x], w)
		}
	}
}

// TestAVX512MatchesAVX2Gemm: the same for the row-major Gemm, all transposes.
func TestAVX512MatchesAVX2Gemm(t *testing.T) {
	if !haveZmm {
		t.Skip("no AVX-512 on this CPU or build")
	}
	r := rand.New(rand.NewPCG(53, 54))
	ctx := new(Context)
	for _, sh := range [][3]int{{1, 1, 1}, {8, 48, 8}, {67, 66, 65}, {131, 517, 263}, {40, 70, 600}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, sc := range scalarCases {
				a := rndSlice(r, m*k)
				b := rndSlice(r, k*n)
				c := rndSlice(r, m*n)
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				got := map[string][]float32{}
				for _, p := range []string{PathAVX2, PathAVX512} {
					cc := append([]float32(nil), c...)
					restore := usePath(p)
					ctx.Gemm(tr[0], tr[1], m, n, k, sc.alpha, a, lda, b, ldb, sc.beta, cc, n)
					restore()
					got[p] = cc
				}
				for x := range c {
					if math.Float32bits(got[PathAVX512][x]) != math.Float32bits(got[PathAVX2][x]) {
						t.Fatalf("%s: C element %d: avx512 %v, avx2 %v", fmt.Sprint(sh, tr, sc), x, got[PathAVX512][x], got[PathAVX2][x])
					}
				}
			}
		}
	}
}

// TestAVX512ElementwiseMatchesAVX2: the zmm element-wise loops give the AVX2
// loops' bits, for every length 0…200 (all tail lengths, the 64-wide main
// loop) with NaN, infinities, signed zeros and denormals planted, and
// ColSums over column counts 0…150 and a few row counts, beta 0, 1 and
// −0.5, with a row stride wider than the columns.
func TestAVX512ElementwiseMatchesAVX2(t *testing.T) {
	if !haveZmm {
		t.Skip("no AVX-512 on this CPU or build")
	}
	r := rand.New(rand.NewPCG(55, 56))
	both := func(name string, n int, run func() []uint64) {
		t.Helper()
		var got [2][]uint64
		for i, p := range []string{PathAVX2, PathAVX512} {
			restore := usePath(p)
			got[i] = run()
			restore()
		}
		for x := range got[0] {
			if got[0][x] != got[1][x] {
				t.Fatalf("%s n=%d: element %d: avx2 %#x, avx512 %#x", name, n, x, got[0][x], got[1][x])
			}
		}
	}
	bits32 := func(x []float32) []uint64 {
		b := make([]uint64, len(x))
		for i, v := range x {
			b[i] = uint64(math.Float32bits(v))
		}
		return b
	}
	for n := 0; n <= 200; n++ {
		x, _ := withSpecials(r, n, 0, true)
		y, _ := withSpecials(r, n+3, 0, true)
		h, _ := withSpecials(r, n+1, 0, true)
		both("Axpy", n, func() []uint64 {
			yy := append([]float32(nil), y...)
			Axpy(-0.375, x, yy)
			return bits32(yy)
		})
		both("ReLUGrad", n, func() []uint64 {
			d := append([]float32(nil), y...)
			ReLUGrad(d[:n], h)
			return bits32(d)
		})
		both("TanhGrad", n, func() []uint64 {
			d := append([]float32(nil), y...)
			TanhGrad(d[:n], h)
			return bits32(d)
		})
		both("AddTo64", n, func() []uint64 {
			dst := make([]float64, n+2)
			for i := range dst {
				dst[i] = float64(y[i%len(y)]) * 1.5
			}
			AddTo64(dst, x)
			b := make([]uint64, len(dst))
			for i, v := range dst {
				b[i] = math.Float64bits(v)
			}
			return b
		})
	}
	for cols := 0; cols <= 150; cols++ {
		for _, rows := range []int{1, 2, 9, 33} {
			for _, beta := range []float32{0, 1, -0.5} {
				ldx := cols + 3
				x, _ := withSpecials(r, (rows-1)*ldx+cols, 0, cols%7 == 2)
				dst0 := rndSlice(r, cols+1)
				both(fmt.Sprintf("ColSums rows=%d beta=%v", rows, beta), cols, func() []uint64 {
					dst := append([]float32(nil), dst0...)
					ColSums(dst, x, rows, cols, ldx, beta)
					return bits32(dst)
				})
			}
		}
	}
}
