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
// last panels), and larger ones cross the K and M block boundaries; each
// runs with and without transA, cPanels, bias and ReLU, for beta 0, 1 and
// 0.5, with NaN, infinities and signed zeros planted in A and C.
func TestAVX512MatchesAVX2(t *testing.T) {
	if !haveZmm {
		t.Skip("no AVX-512 on this CPU or build")
	}
	r := rand.New(rand.NewPCG(51, 52))
	var shapes [][3]int
	for x := 1; x <= 70; x++ {
		shapes = append(shapes, [3]int{x, 48, 9}, [3]int{x, 70, 13}, [3]int{8, x, 17},
			[3]int{16, x, 5}, [3]int{9, 50, x}, [3]int{x, x, x})
	}
	shapes = append(shapes, [3]int{784, 512, 8}, [3]int{8, 512, 784}, [3]int{784, 512, 300},
		[3]int{131, 517, 263}, [3]int{600, 100, 600}, [3]int{24, 72, 3}, [3]int{1000, 49, 90})
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
					beta := []float32{0, 1, 0.5}[combo%3]
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
