package kernels

// Block sizes: a blockK×blockN panel of B (256 KiB) stays in L2 while every
// row block of A streams past it; for the dot-product form, blockRows rows of
// B stay in L2 while the rows of A stream past them.
const (
	blockK    = 128
	blockN    = 512
	blockRows = 64
)

// gemmNN: C = alpha·A·B + beta·C, A m×k, B k×n. Row i of C gathers rows of B scaled
// by A[i,p]: the inner loop runs along contiguous rows of B and C.
func gemmNN(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for j0 := 0; j0 < n; j0 += blockN {
		j1 := min(j0+blockN, n)
		for p0 := 0; p0 < k; p0 += blockK {
			p1 := min(p0+blockK, k)
			i := 0
			for ; i+4 <= m; i += 4 {
				c0 := c[i*ldc+j0 : i*ldc+j1]
				c1 := c[(i+1)*ldc+j0 : (i+1)*ldc+j1]
				c2 := c[(i+2)*ldc+j0 : (i+2)*ldc+j1]
				c3 := c[(i+3)*ldc+j0 : (i+3)*ldc+j1]
				if p0 == 0 { // scale C block by block, while it is in cache
					scaleRow(beta, c0)
					scaleRow(beta, c1)
					scaleRow(beta, c2)
					scaleRow(beta, c3)
				}
				p := p0
				for ; p+2 <= p1; p += 2 {
					axpy4x2(alpha*a[i*lda+p], alpha*a[(i+1)*lda+p], alpha*a[(i+2)*lda+p], alpha*a[(i+3)*lda+p],
						alpha*a[i*lda+p+1], alpha*a[(i+1)*lda+p+1], alpha*a[(i+2)*lda+p+1], alpha*a[(i+3)*lda+p+1],
						b[p*ldb+j0:p*ldb+j1], b[(p+1)*ldb+j0:(p+1)*ldb+j1], c0, c1, c2, c3)
				}
				if p < p1 {
					axpy4(alpha*a[i*lda+p], alpha*a[(i+1)*lda+p], alpha*a[(i+2)*lda+p], alpha*a[(i+3)*lda+p],
						b[p*ldb+j0:p*ldb+j1], c0, c1, c2, c3)
				}
			}
			for ; i < m; i++ {
				ci := c[i*ldc+j0 : i*ldc+j1]
				if p0 == 0 {
					scaleRow(beta, ci)
				}
				for p := p0; p < p1; p++ {
					axpy1(alpha*a[i*lda+p], b[p*ldb+j0:p*ldb+j1], ci)
				}
			}
		}
	}
}

// gemmTN: C = alpha·Aᵀ·B + beta·C, A stored k×m, B k×n. As gemmNN, with A read down
// its columns (one scalar per row of B, so the stride costs little).
func gemmTN(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for j0 := 0; j0 < n; j0 += blockN {
		j1 := min(j0+blockN, n)
		for p0 := 0; p0 < k; p0 += blockK {
			p1 := min(p0+blockK, k)
			i := 0
			for ; i+4 <= m; i += 4 {
				c0 := c[i*ldc+j0 : i*ldc+j1]
				c1 := c[(i+1)*ldc+j0 : (i+1)*ldc+j1]
				c2 := c[(i+2)*ldc+j0 : (i+2)*ldc+j1]
				c3 := c[(i+3)*ldc+j0 : (i+3)*ldc+j1]
				if p0 == 0 { // scale C block by block, while it is in cache
					scaleRow(beta, c0)
					scaleRow(beta, c1)
					scaleRow(beta, c2)
					scaleRow(beta, c3)
				}
				p := p0
				for ; p+2 <= p1; p += 2 {
					ap := a[p*lda+i : p*lda+i+4 : p*lda+i+4]
					aq := a[(p+1)*lda+i : (p+1)*lda+i+4 : (p+1)*lda+i+4]
					axpy4x2(alpha*ap[0], alpha*ap[1], alpha*ap[2], alpha*ap[3],
						alpha*aq[0], alpha*aq[1], alpha*aq[2], alpha*aq[3],
						b[p*ldb+j0:p*ldb+j1], b[(p+1)*ldb+j0:(p+1)*ldb+j1], c0, c1, c2, c3)
				}
				if p < p1 {
					ap := a[p*lda+i : p*lda+i+4 : p*lda+i+4]
					axpy4(alpha*ap[0], alpha*ap[1], alpha*ap[2], alpha*ap[3],
						b[p*ldb+j0:p*ldb+j1], c0, c1, c2, c3)
				}
			}
			for ; i < m; i++ {
				ci := c[i*ldc+j0 : i*ldc+j1]
				if p0 == 0 {
					scaleRow(beta, ci)
				}
				for p := p0; p < p1; p++ {
					axpy1(alpha*a[p*lda+i], b[p*ldb+j0:p*ldb+j1], ci)
				}
			}
		}
	}
}

// gemmNT: C = alpha·A·Bᵀ + beta·C, A m×k, B stored n×k. Each C[i,j] is a dot product
// of two contiguous rows; four columns of C share each load of A's row.
func gemmNT(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for j0 := 0; j0 < n; j0 += blockRows {
		j1 := min(j0+blockRows, n)
		for i := 0; i < m; i++ {
			ai := a[i*lda : i*lda+k]
			ci := c[i*ldc : i*ldc+n]
			scaleRow(beta, ci[j0:j1])
			j := j0
			for ; j+4 <= j1; j += 4 {
				s0, s1, s2, s3 := dot4(ai, b[j*ldb:j*ldb+k], b[(j+1)*ldb:(j+1)*ldb+k],
					b[(j+2)*ldb:(j+2)*ldb+k], b[(j+3)*ldb:(j+3)*ldb+k])
				cj := ci[j : j+4 : j+4]
				cj[0] += alpha * s0
				cj[1] += alpha * s1
				cj[2] += alpha * s2
				cj[3] += alpha * s3
			}
			for ; j < j1; j++ {
				ci[j] += alpha * dot1(ai, b[j*ldb:j*ldb+k])
			}
		}
	}
}

// gemmTT: C = alpha·Aᵀ·Bᵀ + beta·C, A stored k×m, B stored n×k. The trainer never
// needs it; it is here so Gemm covers every case, written for clarity.
func gemmTT(m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := 0; i < m; i++ {
		scaleRow(beta, c[i*ldc:i*ldc+n])
		for j := 0; j < n; j++ {
			bj := b[j*ldb : j*ldb+k]
			var s float32
			for p, bv := range bj {
				s += a[p*lda+i] * bv
			}
			c[i*ldc+j] += alpha * s
		}
	}
}

// axpy4x2 adds a_r·b + e_r·f to c_r for four rows at once: two rows of B per
// pass halve the loads and stores of C per flop.
func axpy4x2(a0, a1, a2, a3, e0, e1, e2, e3 float32, b, f, c0, c1, c2, c3 []float32) {
	f = f[:len(b)]
	c0 = c0[:len(b)]
	c1 = c1[:len(b)]
	c2 = c2[:len(b)]
	c3 = c3[:len(b)]
	for j, bj := range b {
		fj := f[j]
		c0[j] += a0*bj + e0*fj
		c1[j] += a1*bj + e1*fj
		c2[j] += a2*bj + e2*fj
		c3[j] += a3*bj + e3*fj
	}
}

// axpy4 adds a_r·b to c_r for four rows at once, so each b[j] is loaded once.
func axpy4(a0, a1, a2, a3 float32, b, c0, c1, c2, c3 []float32) {
	c0 = c0[:len(b)]
	c1 = c1[:len(b)]
	c2 = c2[:len(b)]
	c3 = c3[:len(b)]
	for j, bj := range b {
		c0[j] += a0 * bj
		c1[j] += a1 * bj
		c2[j] += a2 * bj
		c3[j] += a3 * bj
	}
}

func axpy1(a0 float32, b, c []float32) {
	c = c[:len(b)]
	for j, bj := range b {
		c[j] += a0 * bj
	}
}

// dot4 returns the dot products of a with four rows at once, so each a[p] is
// loaded once and the four sums are independent dependency chains.
func dot4(a, b0, b1, b2, b3 []float32) (s0, s1, s2, s3 float32) {
	b0 = b0[:len(a)]
	b1 = b1[:len(a)]
	b2 = b2[:len(a)]
	b3 = b3[:len(a)]
	for p, ap := range a {
		s0 += ap * b0[p]
		s1 += ap * b1[p]
		s2 += ap * b2[p]
		s3 += ap * b3[p]
	}
	return s0, s1, s2, s3
}

func dot1(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for p, ap := range a {
		s += ap * b[p]
	}
	return s
}
