package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

const guard = 7 // padding elements around every slice, filled with a sentinel

var sentinel = float32(math.Float32frombits(0x7fc0dead)) // a NaN with a payload

// padded returns a slice of n values at offset off inside a guard-padded
// backing array, and a check that the guards are untouched.
func padded(r *rand.Rand, n, off int) (x []float32, check func(t *testing.T, name string)) {
	back := make([]float32, n+2*guard+off)
	for i := range back {
		back[i] = sentinel
	}
	x = back[guard+off : guard+off+n : guard+off+n]
	for i := range x {
		x[i] = float32(r.Float64()*2 - 1)
	}
	return x, func(t *testing.T, name string) {
		t.Helper()
		for i, v := range back {
			inside := i >= guard+off && i < guard+off+n
			if !inside && math.Float32bits(v) != math.Float32bits(sentinel) {
				t.Fatalf("%s: guard element %d overwritten with %v", name, i-guard-off, v)
			}
		}
	}
}

// refGemm is the float64 reference, with an error bound per element.
func refGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, bound []float64) {
	at := func(i, p int) float64 {
		if transA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	bt := func(p, j int) float64 {
		if transB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	want = make([]float64, m*n)
	bound = make([]float64, m*n)
	const eps = 1.0 / (1 << 23)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, abs float64
			for p := 0; p < k; p++ {
				s += at(i, p) * bt(p, j)
				abs += math.Abs(at(i, p) * bt(p, j))
			}
			old := 0.0
			if beta != 0 {
				old = float64(beta) * float64(c[i*ldc+j])
			}
			want[i*n+j] = float64(alpha)*s + old
			bound[i*n+j] = float64(k+3)*eps*(math.Abs(float64(alpha))*abs+math.Abs(old)) + 1e-30
		}
	}
	return want, bound
}

func TestGemm(t *testing.T) { forEachPath(t, testGemm) }

func testGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type shape struct{ m, n, k int }
	var shapes []shape
	for s := 1; s <= 17; s++ {
		shapes = append(shapes, shape{s, s, s}, shape{s, 18 - s, (s*7)%17 + 1}, shape{1, s, 17 - s + 1})
	}
	shapes = append(shapes, shape{0, 3, 4}, shape{3, 0, 4}, shape{5, 6, 0},
		shape{33, 65, 129}, shape{130, 7, 300}, shape{9, 600, 140}, shape{64, 513, 70})
	scalars := []struct{ alpha, beta float32 }{{1, 0}, {1, 1}, {-0.5, 2}, {0.25, -1}, {0, 0.5}}
	for _, sh := range shapes {
		for _, tr := range []struct{ a, b bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
			for si, sc := range scalars {
				name := fmt.Sprintf("%dx%dx%d/tA=%v/tB=%v/scalars%d", sh.m, sh.n, sh.k, tr.a, tr.b, si)
				ar, ac := sh.m, sh.k
				if tr.a {
					ar, ac = sh.k, sh.m
				}
				br, bc := sh.k, sh.n
				if tr.b {
					br, bc = sh.n, sh.k
				}
				// Strides wider than the rows, and varied offsets, to catch
				// kernels that assume packed or aligned storage.
				lda, ldb, ldc := ac+1+si%2, max(bc+si%3, 1), sh.n+2
				a, checkA := padded(r, max(ar*lda, 1), si%3)
				b, checkB := padded(r, max(br*ldb, 1), (si+1)%3)
				c, checkC := padded(r, max(sh.m*ldc, 1), (si+2)%3)
				if sc.beta == 0 {
					for i := range c {
						c[i] = float32(math.NaN()) // beta = 0 must not read C
					}
				}
				want, bound := refGemm(tr.a, tr.b, sh.m, sh.n, sh.k, sc.alpha, a, lda, b, ldb, sc.beta, c, ldc)
				cBefore := append([]float32(nil), c...)
				Gemm(tr.a, tr.b, sh.m, sh.n, sh.k, sc.alpha, a, lda, b, ldb, sc.beta, c, ldc)
				checkA(t, name+" A")
				checkB(t, name+" B")
				checkC(t, name+" C")
				for i := 0; i < sh.m; i++ {
					for j := 0; j < ldc; j++ {
						got := c[i*ldc+j]
						if j >= sh.n { // padding between rows of C
							if math.Float32bits(got) != math.Float32bits(cBefore[i*ldc+j]) {
								t.Fatalf("%s: C[%d,%d] beyond n overwritten", name, i, j)
							}
							continue
						}
						w, e := want[i*sh.n+j], bound[i*sh.n+j]
						if math.IsNaN(float64(got)) || math.Abs(float64(got)-w) > e {
							t.Fatalf("%s: C[%d,%d] = %v, want %v ± %g", name, i, j, got, w, e)
						}
					}
				}
			}
		}
	}
}

func TestGemmPanicsOnShortSlices(t *testing.T) {
	tests := []struct {
		name    string
		a, b, c int
	}{
		{"short A", 5, 6, 6},
		{"short B", 6, 5, 6},
		{"short C", 6, 6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("Gemm did not panic")
				}
			}()
			// 2×3 · 3×2 = 2×2 with strides 3, 2, 3: A needs 6, B 6, C 5.
			Gemm(false, false, 2, 2, 3, 1, make([]float32, tt.a), 3, make([]float32, tt.b), 2, 0, make([]float32, tt.c-1), 3)
		})
	}
}

func TestAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 19; n++ {
		x, checkX := padded(r, n, n%3)
		y, checkY := padded(r, n+2, 0)
		want := make([]float64, len(y))
		for i := range y {
			want[i] = float64(y[i])
			if i < n {
				want[i] += -0.75 * float64(x[i])
			}
		}
		Axpy(-0.75, x, y)
		checkX(t, "x")
		checkY(t, "y")
		for i := range y {
			if math.Abs(float64(y[i])-want[i]) > 1e-6 {
				t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, y[i], want[i])
			}
		}
	}
}
