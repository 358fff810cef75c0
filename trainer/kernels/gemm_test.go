package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// usePath switches the kernels to path p and returns a function restoring
// the path in use before.
func usePath(p string) (restore func()) {
	old := Path()
	setPath(p)
	return func() { setPath(old) }
}

// paths lists the kernel paths this build and CPU can run, whatever the CPU
// or EnvVar chose.
func paths() []string {
	ps := []string{PathPureGo}
	if haveAsm {
		ps = append(ps, PathAVX2)
	}
	if haveZmm {
		ps = append(ps, PathAVX512)
	}
	return ps
}

// forEachPath runs f on every kernel path this build and CPU can run, as
// subtests named by path, restoring the path in use afterwards.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range paths() {
		t.Run(p, func(t *testing.T) {
			defer usePath(p)()
			f(t)
		})
	}
}

// opMat returns element (i, p) of op(X) for X row-major with stride ld.
func opMat(x []float32, trans bool, ld, i, p int) float64 {
	if trans {
		return float64(x[p*ld+i])
	}
	return float64(x[i*ld+p])
}

// packedCase is one GemmPacked call with guard-padded operands.
type packedCase struct {
	transA, cPanels bool
	m, n, k         int
	alpha, beta     float32
	bias            bool
	act             Act
}

func (pc packedCase) String() string {
	return fmt.Sprintf("%dx%dx%d/tA=%v/cP=%v/a=%v/b=%v/bias=%v/act=%d", pc.m, pc.n, pc.k, pc.transA, pc.cPanels, pc.alpha, pc.beta, pc.bias, pc.act)
}

// runPacked runs the case against the float64 reference and checks guards,
// padding and bit-identical repetition.
func runPacked(t *testing.T, ctx *Context, r *rand.Rand, pc packedCase, off int) {
	t.Helper()
	m, n, k := pc.m, pc.n, pc.k
	ar, ac := m, k
	if pc.transA {
		ar, ac = k, m
	}
	lda := max(ac, 1) + off%3
	a, checkA := padded(r, max((ar-1)*lda+ac, 0), off%5)
	bRow := make([]float32, k*n)
	for i := range bRow {
		bRow[i] = float32(r.Float64()*2 - 1)
	}
	bp, checkB := padded(r, PackedLen(k, n), (off+1)%5)
	PackB(bp, false, k, n, bRow, n)
	var bias []float32
	var checkBias func(*testing.T, string)
	if pc.bias {
		bias, checkBias = padded(r, n, (off+2)%5)
	}
	ldc := max(n, 1) + off%4
	clen := max((m-1)*ldc+n, 0)
	if pc.cPanels {
		clen = PackedLen(m, n)
	}
	c, checkC := padded(r, clen, (off+3)%5)
	at := func(i, j int) int {
		if pc.cPanels {
			return PanelIndex(m, i, j)
		}
		return i*ldc + j
	}
	if pc.cPanels { // padding columns of C's last panel hold something else
		for i := 0; i < m; i++ {
			for j := n; j < (n+NR-1)/NR*NR; j++ {
				c[at(i, j)] = 12345
			}
		}
	}
	if pc.beta == 0 {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				c[at(i, j)] = float32(math.NaN())
			}
		}
	}
	c0 := append([]float32(nil), c...)

	const eps = 1.0 / (1 << 23)
	want := make([]float64, m*n)
	bound := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				v := opMat(a, pc.transA, lda, i, p) * float64(bRow[p*n+j])
				s += v
				abs += math.Abs(v)
			}
			rest := 0.0
			if pc.beta != 0 {
				rest = float64(pc.beta) * float64(c[at(i, j)])
			}
			if pc.bias {
				rest += float64(bias[j])
			}
			w := float64(pc.alpha)*s + rest
			if pc.act == ActReLU {
				w = max(w, 0)
			}
			want[i*n+j] = w
			bound[i*n+j] = float64(k+4)*eps*(math.Abs(float64(pc.alpha))*abs+math.Abs(rest)+math.Abs(float64(pc.beta)*float64(c[at(i, j)]))) + 1e-30
		}
	}
	epi := Epilogue{Bias: bias, Act: pc.act}
	ctx.GemmPacked(pc.transA, m, n, k, pc.alpha, a, lda, bp, pc.beta, c, ldc, pc.cPanels, epi)
	name := pc.String()
	checkA(t, name+" A")
	checkB(t, name+" B")
	checkC(t, name+" C")
	if checkBias != nil {
		checkBias(t, name+" bias")
	}
	inside := make([]bool, len(c))
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			inside[at(i, j)] = true
			got := float64(c[at(i, j)])
			w, e := want[i*n+j], bound[i*n+j]
			if math.IsNaN(got) || math.Abs(got-w) > e {
				t.Fatalf("%s: C[%d,%d] = %v, want %v ± %g", name, i, j, got, w, e)
			}
		}
	}
	for x := range c {
		if !inside[x] && math.Float32bits(c[x]) != math.Float32bits(c0[x]) {
			t.Fatalf("%s: C element %d outside the matrix overwritten", name, x)
		}
	}
	// The same call again, from the same C, gives the same bits.
	c1 := append([]float32(nil), c...)
	copy(c, c0)
	ctx.GemmPacked(pc.transA, m, n, k, pc.alpha, a, lda, bp, pc.beta, c, ldc, pc.cPanels, epi)
	for x := range c {
		if math.Float32bits(c[x]) != math.Float32bits(c1[x]) {
			t.Fatalf("%s: second call differs at %d: %v then %v", name, x, c1[x], c[x])
		}
	}
}

var scalarCases = []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {-0.5, 2}, {0.25, -1}, {-0.01, 1}, {2, 0.5}}

// packedShapes: every M, N and K in 1..67 (each swept with the others
// fixed at a few values that hit full and edge tiles), and larger odd shapes
// that cross the K and M block boundaries.
func packedShapes() [][3]int {
	var s [][3]int
	for x := 1; x <= 67; x++ {
		s = append(s,
			[3]int{x, 24, 7}, [3]int{x, 53, 30}, // all M
			[3]int{4, x, 9}, [3]int{7, x, 33}, // all N
			[3]int{8, 48, x}, [3]int{5, 29, x}, // all K
			[3]int{x, x, x})
	}
	return append(s,
		[3]int{131, 517, 263}, [3]int{784, 30, 8}, [3]int{33, 50, 600},
		[3]int{1000, 25, 70}, [3]int{9, 10, 513}, [3]int{128, 512, 20})
}

func TestGemmPacked(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		ctx := new(Context)
		for i, sh := range packedShapes() {
			sc := scalarCases[i%len(scalarCases)]
			pc := packedCase{
				transA: i%2 == 1, cPanels: i%3 == 2,
				m: sh[0], n: sh[1], k: sh[2],
				alpha: sc.alpha, beta: sc.beta,
				bias: i%4 >= 2, act: Act(i / 5 % 2),
			}
			runPacked(t, ctx, r, pc, i)
		}
	})
}

// TestGemmPackedCombos runs every flag combination on a few shapes.
func TestGemmPackedCombos(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		ctx := new(Context)
		i := 0
		for _, sh := range [][3]int{{8, 512, 784}, {13, 35, 300}, {64, 48, 8}, {3, 5, 2}, {50, 10, 300}, {128, 10, 512}, {512, 16, 40}} {
			for _, tA := range []bool{false, true} {
				for _, cP := range []bool{false, true} {
					for _, bias := range []bool{false, true} {
						for _, act := range []Act{ActNone, ActReLU} {
							for _, sc := range scalarCases {
								runPacked(t, ctx, r, packedCase{tA, cP, sh[0], sh[1], sh[2], sc.alpha, sc.beta, bias, act}, i)
								i++
							}
						}
					}
				}
			}
		}
	})
}

// TestGemmPackedNoProduct covers k = 0 and alpha = 0: C = act(beta·C + bias).
func TestGemmPackedNoProduct(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		ctx := new(Context)
		for i, sh := range [][3]int{{5, 30, 0}, {6, 7, 9}} {
			for _, beta := range []float32{0, 1, -2} {
				alpha := float32(0)
				if sh[2] == 0 {
					alpha = 1
				}
				runPacked(t, ctx, r, packedCase{i == 1, beta == 1, sh[0], sh[1], sh[2], alpha, beta, true, ActReLU}, i)
			}
		}
	})
}

// TestGemmNaN: NaNs in the product reach C through the epilogue (ReLU does
// not clamp them), and NaN in C is not read when beta = 0.
func TestGemmNaN(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		ctx := new(Context)
		for _, sh := range [][2]int{{4, 24}, {5, 30}} {
			m, n, k := sh[0], sh[1], 3
			a := make([]float32, m*k)
			a[0] = float32(math.NaN())
			bp := make([]float32, PackedLen(k, n))
			for i := range bp {
				bp[i] = -1
			}
			c := make([]float32, m*n)
			for i := range c {
				c[i] = float32(math.NaN())
			}
			ctx.GemmPacked(false, m, n, k, 1, a, k, bp, 0, c, n, false, Epilogue{Act: ActReLU})
			for j := 0; j < n; j++ {
				if !math.IsNaN(float64(c[j])) {
					t.Fatalf("%v: C[0,%d] = %v, want NaN", sh, j, c[j])
				}
			}
			for x := n; x < m*n; x++ {
				if c[x] != 0 || math.Signbit(float64(c[x])) {
					t.Fatalf("%v: C element %d = %v, want +0", sh, x, c[x])
				}
			}
		}
	})
}

// TestContextGemm checks Context.Gemm for all transposes against the
// reference used by TestGemm.
func TestContextGemm(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(27, 28))
		ctx := new(Context)
		shapes := [][3]int{{1, 1, 1}, {4, 24, 5}, {67, 66, 65}, {131, 517, 263}, {9, 70, 600}}
		for si, sh := range shapes {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for sci, sc := range scalarCases {
					name := fmt.Sprintf("%v/t=%v/%d", sh, tr, sci)
					ar, ac := m, k
					if tr[0] {
						ar, ac = k, m
					}
					br, bc := k, n
					if tr[1] {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+sci%2, bc+sci%3, n+1
					a, _ := padded(r, (ar-1)*lda+ac, si%3)
					b, _ := padded(r, (br-1)*ldb+bc, sci%3)
					c, checkC := padded(r, (m-1)*ldc+n, (si+sci)%3)
					if sc.beta == 0 {
						for i := range c {
							c[i] = float32(math.NaN())
						}
					}
					want, bound := refGemm(tr[0], tr[1], m, n, k, sc.alpha, a, lda, b, ldb, sc.beta, c, ldc)
					ctx.Gemm(tr[0], tr[1], m, n, k, sc.alpha, a, lda, b, ldb, sc.beta, c, ldc)
					checkC(t, name)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							got := float64(c[i*ldc+j])
							if math.IsNaN(got) || math.Abs(got-want[i*n+j]) > bound[i*n+j] {
								t.Fatalf("%s: C[%d,%d] = %v, want %v ± %g", name, i, j, got, want[i*n+j], bound[i*n+j])
							}
						}
					}
				}
			}
		}
	})
}

func TestPackB(t *testing.T) { forEachPath(t, testPackB) }

func testPackB(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	for _, sh := range [][2]int{{1, 1}, {3, 24}, {5, 25}, {17, 50}, {8, 512}, {0, 5}, {24, 24}, {50, 73}, {72, 48}, {97, 30}} {
		k, n := sh[0], sh[1]
		for _, trans := range []bool{false, true} {
			br, bc := k, n
			if trans {
				br, bc = n, k
			}
			ldb := bc + 3
			b, _ := padded(r, max((br-1)*ldb+bc, 0), 1)
			dst, checkDst := padded(r, PackedLen(k, n), 2)
			PackB(dst, trans, k, n, b, ldb)
			checkDst(t, "PackB dst")
			for rr := 0; rr < k; rr++ {
				for cc := 0; cc < (n+NR-1)/NR*NR; cc++ {
					want := float32(0)
					if cc < n {
						want = float32(opMat(b, trans, ldb, rr, cc))
					}
					if got := dst[PanelIndex(k, rr, cc)]; got != want {
						t.Fatalf("%v/t=%v: packed (%d,%d) = %v, want %v", sh, trans, rr, cc, got, want)
					}
				}
			}
			// PackBScaled stores alpha·op(B), padding still zero.
			scaled, checkScaled := padded(r, PackedLen(k, n), 2)
			PackBScaled(scaled, -0.375, trans, k, n, b, ldb)
			checkScaled(t, "PackBScaled dst")
			for x := range dst[:PackedLen(k, n)] {
				if want := -0.375 * dst[x]; scaled[x] != want {
					t.Fatalf("%v/t=%v: PackBScaled element %d = %v, want %v", sh, trans, x, scaled[x], want)
				}
			}
			// UnpackB inverts PackB; TransposePacked matches packing Bᵀ.
			ldd := n + 2
			back, checkBack := padded(r, max((k-1)*ldd+n, 0), 0)
			UnpackB(back, ldd, k, n, dst)
			checkBack(t, "UnpackB dst")
			for rr := 0; rr < k; rr++ {
				for cc := 0; cc < n; cc++ {
					if back[rr*ldd+cc] != dst[PanelIndex(k, rr, cc)] {
						t.Fatalf("%v: UnpackB (%d,%d) wrong", sh, rr, cc)
					}
				}
			}
			tp, checkTp := padded(r, PackedLen(n, k), 1)
			TransposePacked(tp, k, n, dst)
			checkTp(t, "TransposePacked dst")
			want := make([]float32, PackedLen(n, k))
			PackB(want, !trans, n, k, b, ldb)
			for x := range want {
				if tp[x] != want[x] {
					t.Fatalf("%v/t=%v: TransposePacked element %d = %v, want %v", sh, trans, x, tp[x], want[x])
				}
			}
		}
	}
	if p := MakePacked(5, 30); len(p) != PackedLen(5, 30) || len(p) != 5*48 {
		t.Fatalf("MakePacked: len %d", len(p))
	}
}

// TestGemmAllocs: no allocation once the Context has grown.
func TestGemmAllocs(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(31, 32))
		ctx := new(Context)
		m, n, k := 67, 130, 300
		a := rndSlice(r, m*k)
		b := rndSlice(r, k*n)
		bp := MakePacked(k, n)
		PackB(bp, false, k, n, b, n)
		c := make([]float32, m*n)
		bias := rndSlice(r, n)
		cp := MakePacked(m, n)
		run := func() {
			ctx.GemmPacked(false, m, n, k, 1, a, k, bp, 0, c, n, false, Epilogue{Bias: bias, Act: ActReLU})
			ctx.GemmPacked(true, m, n, k, -0.1, a, m, bp, 1, cp, 0, true, Epilogue{})
			ctx.Gemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
		}
		run()
		if allocs := testing.AllocsPerRun(10, run); allocs != 0 {
			t.Fatalf("%v allocations per run, want 0", allocs)
		}
	})
}
