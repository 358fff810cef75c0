package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convCase is a stride-1 convolution of g examples, inC channels of h×w,
// zero-padded by pad, with m k×k filters, computed by ConvIndirect over the
// zero-bordered planes.
type convCase struct {
	m, inC, h, w, k, pad, g int
	beta                    float32
	special                 bool // plant NaN, ±Inf and −0 in the input
}

func (cc convCase) String() string {
	return fmt.Sprintf("m=%d/in=%d/%dx%d/k=%d/pad=%d/g=%d/beta=%v/special=%v", cc.m, cc.inC, cc.h, cc.w, cc.k, cc.pad, cc.g, cc.beta, cc.special)
}

// convProblem is a convCase's operands: the padded input planes b, the
// offsets and slots ConvIndirect reads them by, the im2col matrix cols
// (K×N, row-major) they stand for, and the filters a (m×K).
type convProblem struct {
	b, cols, a []float32
	koff       []int32
	slots      []ConvSlot
	kk, n, sp  int // K, N = g·sp, output positions per example
}

func newConvProblem(r *rand.Rand, cc convCase) convProblem {
	hp, wp := cc.h+2*cc.pad, cc.w+2*cc.pad
	oh, ow := hp-cc.k+1, wp-cc.k+1
	var p convProblem
	p.kk, p.sp = cc.inC*cc.k*cc.k, oh*ow
	p.n = cc.g * p.sp
	p.b = make([]float32, cc.g*cc.inC*hp*wp+ConvSlack())
	for e := range cc.g {
		for ch := range cc.inC {
			for y := range cc.h {
				for x := range cc.w {
					v := float32(r.NormFloat64())
					if cc.special && r.IntN(40) == 0 {
						v = []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}[r.IntN(4)]
					}
					p.b[((e*cc.inC+ch)*hp+y+cc.pad)*wp+x+cc.pad] = v
				}
			}
		}
	}
	for ch := range cc.inC {
		for ki := range cc.k {
			for kj := range cc.k {
				p.koff = append(p.koff, int32(ch*hp*wp+ki*wp+kj))
			}
		}
	}
	sw := ConvSlotWidth()
	for e := range cc.g {
		for y := range oh {
			for x0 := 0; x0 < ow; x0 += sw {
				p.slots = append(p.slots, ConvSlot{
					In:   int32(e*cc.inC*hp*wp + y*wp + x0),
					Out:  int32(e*p.sp + y*ow + x0),
					Mask: 1<<min(sw, ow-x0) - 1,
				})
			}
		}
	}
	p.cols = make([]float32, p.kk*p.n)
	for q, o := range p.koff {
		for _, s := range p.slots {
			for j := range 16 {
				if s.Mask>>j&1 == 1 {
					p.cols[q*p.n+int(s.Out)+j] = p.b[int(o)+int(s.In)+j]
				}
			}
		}
	}
	p.a = make([]float32, cc.m*p.kk)
	for i := range p.a {
		p.a[i] = float32(r.NormFloat64())
	}
	return p
}

func convCases() []convCase {
	var cs []convCase
	geoms := [][4]int{{28, 28, 3, 1}, {14, 14, 3, 1}, {5, 7, 3, 1}, {1, 1, 1, 0}, {3, 20, 3, 0},
		{9, 33, 5, 2}, {6, 17, 1, 0}, {4, 4, 5, 1}, {2, 40, 3, 2}}
	i := 0
	for _, gm := range geoms {
		for _, m := range []int{1, 5, 8, 16, 17, 32} {
			for _, inC := range []int{1, 3, 16} {
				cs = append(cs, convCase{m, inC, gm[0], gm[1], gm[2], gm[3], 1 + i%3, float32(i % 2), i%5 == 2})
				i++
			}
		}
	}
	// K past one block of kcMax: two and three blocks.
	cs = append(cs, convCase{32, 32, 14, 14, 3, 1, 2, 0, false}, convCase{16, 64, 7, 7, 3, 1, 3, 1, true},
		convCase{9, 30, 10, 10, 3, 1, 1, 1, false})
	return cs
}

// TestConvIndirect checks ConvIndirect on every path: bit for bit (NaNs as
// NaNs) against
// GemmPacked of the packed im2col matrix where it runs in assembly (the
// promise the trainer's avx512 path relies on), and against the float64
// product elsewhere; C outside the slots' lanes and rows must not change.
func TestConvIndirect(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(7, 8))
		ctx := new(Context)
		for _, cc := range convCases() {
			p := newConvProblem(r, cc)
			ldc := p.n + 3
			c := make([]float32, (cc.m+1)*ldc)
			for i := range c {
				c[i] = float32(r.NormFloat64())
			}
			want := append([]float32(nil), c...)
			old := append([]float32(nil), c...)
			ctx.ConvIndirect(cc.m, p.kk, p.a, p.kk, p.koff, p.b, p.slots, cc.beta, c, ldc)
			for i := range c {
				if row, col := i/ldc, i%ldc; row >= cc.m || col >= p.n {
					if math.Float32bits(c[i]) != math.Float32bits(old[i]) {
						t.Fatalf("%v: C[%d] (row %d, column %d) outside the product changed: %v → %v", cc, i, row, col, old[i], c[i])
					}
				}
			}
			if ConvIndirectFast() {
				bp := MakePacked(p.kk, p.n)
				PackB(bp, false, p.kk, p.n, p.cols, p.n)
				ctx.GemmPacked(false, cc.m, p.n, p.kk, 1, p.a, p.kk, bp, cc.beta, want, ldc, false, Epilogue{})
				for i := range c {
					// A NaN's sign and payload are no number: only that it is one must agree.
					same := math.Float32bits(c[i]) == math.Float32bits(want[i]) || c[i] != c[i] && want[i] != want[i]
					if !same {
						t.Fatalf("%v: C[%d] = %v (%#x), GemmPacked of the im2col matrix gives %v (%#x)", cc, i, c[i], math.Float32bits(c[i]), want[i], math.Float32bits(want[i]))
					}
				}
				continue
			}
			for i := range cc.m {
				for j := range p.n {
					var s, bound float64
					for q := range p.kk {
						v := float64(p.a[i*p.kk+q]) * float64(p.cols[q*p.n+j])
						s += v
						bound += math.Abs(v)
					}
					if cc.beta == 1 {
						s += float64(old[i*ldc+j])
						bound += math.Abs(float64(old[i*ldc+j]))
					}
					got := float64(c[i*ldc+j])
					if math.IsNaN(s) || math.IsInf(s, 0) {
						if !math.IsNaN(got) && got != s {
							t.Fatalf("%v: C(%d, %d) = %v, want %v", cc, i, j, got, s)
						}
						continue
					}
					if math.Abs(got-s) > float64(p.kk+2)*0x1p-23*bound {
						t.Fatalf("%v: C(%d, %d) = %v, float64 gives %v (bound %g)", cc, i, j, got, s, bound)
					}
				}
			}
		}
	})
}

// TestConvIndirectPanics checks that out-of-range operands panic, naming
// the problem, instead of reading or writing past a slice.
func TestConvIndirectPanics(t *testing.T) { forEachPath(t, testConvIndirectPanics) }

func testConvIndirectPanics(t *testing.T) {
	b, c, a := make([]float32, 40), make([]float32, 40), make([]float32, 4)
	koff := []int32{0, 1, 10, 11}
	ok := []ConvSlot{{In: 0, Out: 0, Mask: 0xff}}
	for _, tc := range []struct {
		name  string
		slots []ConvSlot
		beta  float32
		m     int
	}{
		{"reads past B", []ConvSlot{{In: 25, Out: 0, Mask: 0xff}}, 0, 1},
		{"reads before B", []ConvSlot{{In: -1, Out: 0, Mask: 1}}, 0, 1},
		{"writes past C", []ConvSlot{{In: 0, Out: 35, Mask: 0xff}}, 0, 1},
		{"mask too wide", []ConvSlot{{In: 0, Out: 0, Mask: 1 << 16}}, 0, 1},
		{"mask not the low lanes on avx2", []ConvSlot{{In: 0, Out: 0, Mask: 0b10}}, 0, 1},
		{"beta", ok, 0.5, 1},
		{"rows past C", ok, 0, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "mask not the low lanes on avx2" && ConvSlack() == 0 {
				t.Skip("any mask is fine off the avx2 path")
			}
			defer func() {
				if recover() == nil {
					t.Errorf("no panic")
				}
			}()
			ldc := 36
			new(Context).ConvIndirect(tc.m, 4, a, 4, koff, b, tc.slots, tc.beta, c, ldc)
		})
	}
}

// TestConvGradT checks ConvGradT bit for bit (NaNs as NaNs) against
// GemmPacked with the im2col matrix materialised as A, over convolution
// geometries, widths of one to four vectors and K blocks, and that it runs
// only where ConvGradTFits says so.
func TestConvGradT(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		if !ConvGradTFits(16) {
			if Path() != PathPureGo {
				t.Fatalf("ConvGradTFits is false on the %s path", Path())
			}
			t.Skip("ConvGradT runs only on the assembly paths")
		}
		r := rand.New(rand.NewPCG(9, 10))
		ctx := new(Context)
		for i, cc := range convCases() {
			p := newConvProblem(r, cc)
			hp, wp := cc.h+2*cc.pad, cc.w+2*cc.pad
			oh, ow := hp-cc.k+1, wp-cc.k+1
			var runs []ConvRun
			for e := range cc.g {
				for y := range oh {
					runs = append(runs, ConvRun{int32(e*cc.inC*hp*wp + y*wp), int32(ow)})
				}
			}
			for _, n := range []int{1, 5, 8, 16, 20, 24, 25, 32, 40, 48, 64, 70} {
				if (i+n)%3 != 0 && n != 32 && n != 16 || !ConvGradTFits(n) {
					continue
				}
				bm := make([]float32, p.n*n)
				for j := range bm {
					bm[j] = float32(r.NormFloat64())
				}
				bp := MakePacked(p.n, n)
				PackB(bp, false, p.n, n, bm, n)
				ldc := n + 2
				c := make([]float32, p.kk*ldc)
				for j := range c {
					c[j] = float32(r.NormFloat64())
				}
				want := append([]float32(nil), c...)
				ctx.ConvGradT(p.kk, n, p.n, p.koff, p.b, runs, bp, cc.beta, c, ldc)
				ctx.GemmPacked(false, p.kk, n, p.n, 1, p.cols, p.n, bp, cc.beta, want, ldc, false, Epilogue{})
				for j := range c {
					same := math.Float32bits(c[j]) == math.Float32bits(want[j]) || c[j] != c[j] && want[j] != want[j]
					if !same {
						t.Fatalf("%v/n=%d: C[%d] (row %d, column %d) = %v, GemmPacked gives %v", cc, n, j, j/ldc, j%ldc, c[j], want[j])
					}
				}
			}
		}
	})
}

// TestConvIndirectNoLanes: slots without lanes read and write nothing, even
// where their offsets lie outside B and C.
func TestConvIndirectNoLanes(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		b, c, a := make([]float32, 8), []float32{1, 2, 3, 4}, make([]float32, 3*4)
		new(Context).ConvIndirect(3, 4, a, 4, []int32{0, 1, 2, 3}, b, []ConvSlot{{In: 1000, Out: 1000}, {In: -5, Out: -5}}, 0, c, 100)
		if c[0] != 1 || c[1] != 2 || c[2] != 3 || c[3] != 4 {
			t.Errorf("C = %v, want it untouched", c)
		}
	})
}
