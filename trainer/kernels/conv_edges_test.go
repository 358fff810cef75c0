package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// edgesMargin is how many NaN lie before and after newEdgesProblem's planes.
const edgesMargin = 64

// edgesProblem is a convProblem's input without the zero borders, between
// margins of NaN that no lane may read, and the ConvEdges that reads it.
type edgesProblem struct {
	b     []float32
	edges ConvEdges
}

// newEdgesProblem derives from p, for cc, the planes without borders and
// the offsets, classes (the window position ki·k + kj) and masks by which
// ConvIndirectEdgesW reads them: a lane's mask bit is set where its input
// row and column lie inside the plane.
func newEdgesProblem(cc convCase, p convProblem) edgesProblem {
	const margin = edgesMargin
	hp, wp := cc.h+2*cc.pad, cc.w+2*cc.pad
	plane := cc.h * cc.w
	var q edgesProblem
	q.b = make([]float32, margin+cc.g*cc.inC*plane+margin)
	for i := range q.b {
		q.b[i] = float32(math.NaN())
	}
	for e := range cc.g {
		for ch := range cc.inC {
			for y := range cc.h {
				for x := range cc.w {
					q.b[margin+(e*cc.inC+ch)*plane+y*cc.w+x] = p.b[((e*cc.inC+ch)*hp+y+cc.pad)*wp+x+cc.pad]
				}
			}
		}
	}
	var koff, class []int32
	for ch := range cc.inC {
		for ki := range cc.k {
			for kj := range cc.k {
				koff = append(koff, int32(ch*plane+(ki-cc.pad)*cc.w+kj-cc.pad))
				class = append(class, int32(ki*cc.k+kj))
			}
		}
	}
	kk := cc.k * cc.k
	slots := make([]ConvSlot, len(p.slots))
	masks := make([]uint16, len(p.slots)*kk)
	for i, s := range p.slots {
		e, rem := int(s.In)/(cc.inC*hp*wp), int(s.In)%(cc.inC*hp*wp)
		y, x0 := rem/wp, rem%wp
		slots[i] = ConvSlot{In: int32(margin + e*cc.inC*plane + y*cc.w + x0), Out: s.Out, Mask: s.Mask}
		for ki := range cc.k {
			for kj := range cc.k {
				row := y + ki - cc.pad
				var m uint16
				for j := range 16 {
					col := x0 + j + kj - cc.pad
					if s.Mask>>j&1 == 1 && row >= 0 && row < cc.h && col >= 0 && col < cc.w {
						m |= 1 << j
					}
				}
				masks[i*kk+ki*cc.k+kj] = m
			}
		}
	}
	q.edges.Build(koff, class, kk, slots, masks)
	return q
}

// TestConvIndirectEdges checks on every path that ConvIndirectEdgesW over
// planes without borders gives, bit for bit, what ConvIndirect gives over
// the same planes with zero borders (the assembly on avx512, where the
// trainer uses it; the Go loop elsewhere, against ConvIndirect's Go loop),
// that the NaN around the planes never leaks in, and that C outside the
// slots does not change. It also runs a prefix of the slots, as the
// trainer's last, smaller group of examples does.
func TestConvIndirectEdges(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(13, 14))
		ctx := new(Context)
		var w ConvWeights
		for _, cc := range convCases() {
			p := newConvProblem(r, cc)
			q := newEdgesProblem(cc, p)
			for _, n := range []int{len(p.slots), len(p.slots) - 1, 1} {
				if n <= 0 {
					continue
				}
				ldc := p.n + 3
				c := make([]float32, (cc.m+1)*ldc)
				for i := range c {
					c[i] = float32(r.NormFloat64())
				}
				want := append([]float32(nil), c...)
				if ConvEdgesFast() {
					ctx.ConvIndirect(cc.m, p.kk, p.a, p.kk, p.koff, p.b, p.slots[:n], cc.beta, want, ldc)
				} else {
					convIndirectGo(cc.m, p.kk, p.a, p.kk, p.koff, p.b, p.slots[:n], cc.beta, want, ldc)
				}
				w.Pack(cc.m, p.kk, p.a, p.kk)
				ctx.ConvIndirectEdgesW(&w, &q.edges, n, q.b, cc.beta, c, ldc)
				for i := range c {
					same := math.Float32bits(c[i]) == math.Float32bits(want[i]) || c[i] != c[i] && want[i] != want[i]
					if !same {
						t.Fatalf("%v, %d slots: C[%d] = %v (%#x), over bordered planes %v (%#x)", cc, n, i, c[i], math.Float32bits(c[i]), want[i], math.Float32bits(want[i]))
					}
				}
				if n != len(p.slots) || cc.h+2*cc.pad-cc.k+1 != cc.h || cc.w+2*cc.pad-cc.k+1 != cc.w {
					continue
				}
				// The same planes with slots of 16 positions across rows, as
				// the trainer runs a convolution that keeps the planes' size.
				// BuildPlanes' B starts at the planes, past the NaN margin.
				var fe ConvEdges
				fe.BuildPlanes(cc.inC, cc.h, cc.w, cc.k, cc.pad, cc.g)
				pre := append([]float32(nil), c...) // C before the call: any values
				flat := append([]float32(nil), pre...)
				ctx.ConvIndirectEdgesW(&w, &fe, len(fe.slots), q.b[edgesMargin:], cc.beta, flat, ldc)
				wantFlat := append([]float32(nil), pre...)
				if ConvEdgesFast() {
					ctx.ConvIndirect(cc.m, p.kk, p.a, p.kk, p.koff, p.b, p.slots, cc.beta, wantFlat, ldc)
				} else {
					convIndirectGo(cc.m, p.kk, p.a, p.kk, p.koff, p.b, p.slots, cc.beta, wantFlat, ldc)
				}
				for i := range flat {
					same := math.Float32bits(flat[i]) == math.Float32bits(wantFlat[i]) || flat[i] != flat[i] && wantFlat[i] != wantFlat[i]
					if !same {
						t.Fatalf("%v, slots across rows: C[%d] = %v (%#x), over bordered planes %v (%#x)", cc, i, flat[i], math.Float32bits(flat[i]), wantFlat[i], math.Float32bits(wantFlat[i]))
					}
				}
			}
		}
	})
}
