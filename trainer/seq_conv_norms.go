package trainer

import "github.com/lssr/lssr/trainer/kernels"

// sqNorms computes each example's ‖∂W‖² = ‖dy_i·cols_iᵀ‖² either by
// materialising that outC × inC·k·k matrix or by the ghost norm
// ⟨cols_iᵀcols_i, dy_iᵀdy_i⟩ of two spatial×spatial Gram matrices,
// whichever takes fewer multiplications for the layer's shape, plus
// ‖∂b‖² = Σ_o (Σ_s dy_i[o][s])². Each example's products read its columns
// of the batch's im2col matrix and of the channel-major dy in place, so
// im2col runs once per group of examples, as in the other passes.
func (l *convLayer[F]) sqNorms(la *linalg[F], _, x, _, dy []F, m int, acc []float64) {
	c := l.c
	patch, sp, n := c.patchLen(), l.spatial(), m*l.spatial()
	ghost := l.useGhost()
	var mat []F
	if ghost {
		if l.gram == nil {
			l.gram = make([]F, 2*sp*sp)
		}
	} else if l.dyp == nil {
		mat = l.scratchOf(c.outC * patch)
	}
	if !ghost && l.dyp != nil && l.implicitGrad(la) {
		// As below, with the example's im2col matrix read from its
		// zero-bordered planes (weightGradImplicit: the same sums).
		// The planes are padded a group at a time, not once per example.
		ldw := l.gwLd()
		gI := implicitGroup(c, m)
		for i0 := 0; i0 < m; i0 += gI {
			g := min(gI, m-i0)
			in, ex, ch, row := l.planesOf(x, i0, g, m)
			for e := range g {
				i := i0 + e
				l.weightGradPlanes(la, in[e*ex:], ex, ch, row, 1, dy[i*sp:], n, 0)
				var s float64
				for r := range patch {
					s += sumSq64(l.gwT[r*ldw : r*ldw+c.outC])
				}
				acc[i] += addBiasSqNorm(s, dy, i, m, sp, c.outC)
			}
		}
		return
	}
	l.groups(m, func(i0, g int) {
		cols, ld := l.colsOf(x, i0, g, m, l.cols)
		for j := range g {
			i := i0 + j
			ci, dyi := cols[j*sp:], dy[i*sp:]
			var s float64
			if ghost {
				a, b := l.gram[:sp*sp], l.gram[sp*sp:]
				la.gemm(true, false, sp, sp, patch, 1, ci, ld, ci, ld, 0, a, sp)
				la.gemm(true, false, sp, sp, c.outC, 1, dyi, n, dyi, n, 0, b, sp)
				for k, e := range a {
					s += float64(e) * float64(b[k])
				}
			} else if l.dyp != nil {
				// As weightGradT, transposed: only dy_i is packed, the
				// example's columns are read in place. Summed a row of outC
				// at a time, so that the sum does not depend on gwT's width,
				// which differs between kernel paths.
				l.weightGradT(la, ci, ld, dyi, n, 1, 0)
				ldw := l.gwLd()
				for r := range patch {
					s += sumSq64(l.gwT[r*ldw : r*ldw+c.outC])
				}
			} else {
				la.gemm(false, true, c.outC, patch, sp, 1, dyi, n, ci, ld, 0, mat, patch)
				s = sumSq64(mat)
			}
			acc[i] += addBiasSqNorm(s, dy, i, m, sp, c.outC)
		}
	})
}

// addBiasSqNorm adds to s, term by term in channel order, ‖∂b‖² of example
// i: Σ_o (Σ_s dy_i[o][s])², each channel's sum in order in float64, four
// channels' sums interleaved (sums4), or eight side by side in float32
// (kernels.RowSumsF64, the same sums).
func addBiasSqNorm[F float](s float64, dy []F, i, m, sp, outC int) float64 {
	plane := func(o int) []F { return dy[(o*m+i)*sp : (o*m+i+1)*sp] }
	o := 0
	if d32, ok := any(dy).([]float32); ok {
		for ; o+8 <= outC; o += 8 {
			var bs [8]float64
			kernels.RowSumsF64(&bs, d32[(o*m+i)*sp:], m*sp, sp)
			for _, b := range bs {
				s += b * b
			}
		}
	}
	for ; o+4 <= outC; o += 4 {
		b0, b1, b2, b3 := sums4[float64](plane(o), plane(o+1), plane(o+2), plane(o+3))
		s += b0 * b0
		s += b1 * b1
		s += b2 * b2
		s += b3 * b3
	}
	for ; o < outC; o++ {
		var bs float64
		for _, e := range plane(o) {
			bs += float64(e)
		}
		s += bs * bs
	}
	return s
}

// useGhost reports whether the ghost norm, about spatial²·(inC·k·k + outC)
// multiplications per example, is cheaper than materialising the weight
// gradient, outC·inC·k·k·spatial.
func (l *convLayer[F]) useGhost() bool {
	if l.norm != 0 {
		return l.norm > 0
	}
	c := l.c
	spatial := c.outH * c.outW
	return spatial*(c.patchLen()+c.outC) < c.outC*c.patchLen()
}
