package kernels

import (
	"fmt"
	"unsafe"
)

// Cache blocking, for Zen 4 (L1d 32 KiB, L2 1 MiB per core).
//
// The loop nest is BLIS's with B already packed by the caller:
//
//	for each K block of kc ≤ kcMax rows             (k split evenly)
//	  for each M block of mc rows (mc·kc ≤ mcBudget) (m split evenly, MR multiple)
//	    pack alpha·op(A) block into ctx (mc×kc, in L2)
//	    for each NR panel of B                       (kc×NR micro-panel, in L1)
//	      for each MR row group                      (MR×kc micro-panel, from L2)
//	        micro-kernel: MR×NR tile of C
//
// kcMax = 256 keeps the B micro-panel (kc·NR·4 = 24 KiB at most; 784 splits
// into 4×196 = 18.4 KiB, 512 into 2×256) in L1 next to the A micro-panel
// (4 KiB) while the MR row groups reuse it. mcBudget = 64 Ki floats = 256 KiB
// keeps the packed A block in a quarter of L2, leaving room for the B block
// streaming through and for C; at the trainer's weight-update shapes
// (k = batch) it packs all 784 rows at once up to k = 83, and 784 splits
// into 4×196 rows at k = 256.
const (
	kcMax    = 256
	mcBudget = 64 * 1024
)

// Act is an activation fused into the store of C.
type Act int

const (
	ActNone Act = iota // identity
	ActReLU            // max(x, 0); NaN stays NaN
)

// Epilogue is applied as each tile of C is stored:
// C = act(alpha·op(A)·B + beta·C + Bias[j]).
type Epilogue struct {
	Bias []float32 // per column of C, len ≥ n; nil for none
	Act  Act
}

// Context holds the packing buffers of the GEMM routines, reused across
// calls so that a call allocates nothing once the buffers have grown to the
// largest shapes seen. The zero value is ready to use. A Context is not safe
// for concurrent use; its contents never affect results.
type Context struct {
	apack []float32           // packed alpha·op(A) block, 64-byte aligned
	bpack []float32           // packed op(B) for Gemm, 64-byte aligned
	tile  [MR*NR + 16]float32 // edge tiles are computed here, then copied
	// slotTail holds ConvIndirect's last, incomplete triple of slots.
	slotTail [3]ConvSlot
	// convW holds ConvIndirect's packed A.
	convW ConvWeights
	// edgeTail holds ConvIndirectEdgesW's masks of a last, incomplete
	// triple of slots.
	edgeTail []uint16
	// runBuf holds the runs of ConvGradT's K block.
	runBuf []ConvRun
}

func (ctx *Context) aBuf(n int) []float32 {
	if len(ctx.apack) < n {
		ctx.apack = alignedFloats(n)
	}
	return ctx.apack[:n]
}

func (ctx *Context) bBuf(n int) []float32 {
	if len(ctx.bpack) < n {
		ctx.bpack = alignedFloats(n)
	}
	return ctx.bpack[:n]
}

// tileBuf returns the MR×NR edge-tile scratch, 32-byte aligned.
func (ctx *Context) tileBuf() []float32 {
	off := 0
	if r := int(uintptr(unsafe.Pointer(&ctx.tile[0])) & 31); r != 0 {
		off = (32 - r) / 4
	}
	return ctx.tile[off : off+MR*NR : off+MR*NR]
}

// microKernel computes the MR×NR tile
//
//	C[r*ldc+j] = act(Σ_p a[p*MR+r]·b[p*NR+j] + beta·C[r*ldc+j] + bias[j])
//
// with a the kc×MR A micro-panel and b the kc×NR B micro-panel. beta = 0
// does not read C; bias may be nil. act is an Act.
type microKernel func(k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int)

// kernel is the micro-kernel in use: the AVX2+FMA assembly where the CPU has
// it, else kernelGo. setPath switches it with useAsm and useZmm.
var kernel microKernel = kernelGo

// tilesKernel, when set (the assembly path), runs the micro-kernel over tiles
// consecutive packed A micro-panels against one B micro-panel, C moving MR
// rows per tile: one call per column of tiles instead of one per tile.
var tilesKernel func(tiles, k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int)

// narrowKernel, when set (the assembly path), is tilesKernel for a last panel
// of B with at most 8 real columns: it computes and stores only those.
var narrowKernel func(tiles, k int, a, b, c *float32, ldc int, beta float32, bias *float32, act, nr int)

// stridedKernel, when set (the assembly path), is the micro-kernel that reads
// A in place: A(r, p) at a + r·rs + p·ks bytes. GemmPacked uses it instead of
// packing A when alpha is 1 (packing is where alpha is applied otherwise) and
// n ≤ NR.
var stridedKernel func(k int, a *float32, rs, ks int, b, c *float32, ldc int, beta float32, bias *float32, act int)

// GemmPacked computes C = act(alpha·op(A)·Bp + beta·C + bias), where op(A) is
// m×k (A stored m×k with stride lda, or k×m when transA is true) and Bp is a
// k×n matrix in panel layout (panel height k, len ≥ PackedLen(k, n)).
//
// C is row-major m×n with stride ldc when cPanels is false; when cPanels is
// true C is itself an m×n matrix in panel layout (panel height m, ldc
// ignored) and its padding columns are left untouched. beta = 0 does not read
// C, so NaNs in its old contents do not propagate. The epilogue's bias (len ≥
// n, or nil) and activation are applied once, as the final value is stored.
// GemmPacked allocates nothing once ctx's buffers have grown.
//
// Reference loop:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += opA(i, p) * Bp[PanelIndex(k, p, j)]
//			}
//			v := alpha*s + beta*C(i, j) + epi.Bias[j]
//			if epi.Act == ActReLU && v < 0 {
//				v = 0
//			}
//			C(i, j) = v
//		}
//	}
func (ctx *Context) GemmPacked(transA bool, m, n, k int, alpha float32, a []float32, lda int, bp []float32, beta float32, c []float32, ldc int, cPanels bool, epi Epilogue) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: GemmPacked: negative shape m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	if transA {
		checkMatrix("A", a, k, m, lda)
	} else {
		checkMatrix("A", a, m, k, lda)
	}
	if len(bp) < PackedLen(k, n) {
		panic(fmt.Sprintf("kernels: GemmPacked: len(Bp)=%d < %d", len(bp), PackedLen(k, n)))
	}
	if cPanels {
		if len(c) < PackedLen(m, n) {
			panic(fmt.Sprintf("kernels: GemmPacked: len(C)=%d < %d", len(c), PackedLen(m, n)))
		}
	} else {
		checkMatrix("C", c, m, n, ldc)
	}
	if epi.Bias != nil && len(epi.Bias) < n {
		panic(fmt.Sprintf("kernels: GemmPacked: len(Bias)=%d < n=%d", len(epi.Bias), n))
	}
	if epi.Act != ActNone && epi.Act != ActReLU {
		panic(fmt.Sprintf("kernels: GemmPacked: unknown activation %d", epi.Act))
	}
	if k == 0 || alpha == 0 {
		ctx.scaleC(m, n, beta, c, ldc, cPanels, epi)
		return
	}

	kern := kernel
	nkb := (k + kcMax - 1) / kcMax
	kcb := (k + nkb - 1) / nkb
	for pc := 0; pc < k; pc += kcb {
		kc := min(kcb, k-pc)
		bt := beta
		if pc > 0 {
			bt = 1
		}
		var bias []float32
		act := ActNone
		if pc+kc == k {
			bias, act = epi.Bias, epi.Act
		}
		// Split m evenly into blocks of at most mcBudget/kc rows, MR multiples.
		mcMax := max(mcBudget/kc/MR*MR, MR)
		nmb := (m + mcMax - 1) / mcMax
		mcb := ((m+nmb-1)/nmb + MR - 1) / MR * MR
		zmm := useAsm && useZmm
		if zmm {
			// The zmm kernel takes 2·MR rows per tile: keep blocks a
			// multiple of that (784 splits into 200+200+200+184, not
			// 4×196). Which rows share a block does not change any result.
			mcb = (mcb + 2*MR - 1) / (2 * MR) * (2 * MR)
		}
		// With one panel of B (n ≤ NR, the output layer) packing A costs as
		// much as the product, so A is read where it lies; only a last
		// micro-panel of fewer than MR rows is packed, zero-padded. For wider
		// products the packed A measured ~10% faster (W1 step, b = 8…512), so
		// they keep packing.
		direct := useAsm && stridedKernel != nil && alpha == 1 && n <= NR
		rs, ks := lda*4, 4 // bytes from A(r, p) to A(r+1, p) and A(r, p+1)
		if transA {
			rs, ks = 4, lda*4
		}
		// On the AVX-512 path a stored Aᵀ (the weight update's activations)
		// is read in place by the zmm kernel, whose 8 rows of a step of k are
		// 8 consecutive floats there, when alpha is 1 and the panels of B
		// pair up (no odd last panel needs the packed A): packing it cost
		// more than reading it strided.
		zDirect := zmm && !direct && transA && alpha == 1 && (n+NR-1)/NR%2 == 0
		for ic := 0; ic < m; ic += mcb {
			mc := min(mcb, m-ic)
			ap := ctx.aBuf((mc + MR - 1) / MR * MR * kc)
			// On the AVX-512 path, panels of B go in pairs (a full one and the
			// next, which may be narrow) through the 8×48 zmm kernel, for the
			// first zRows rows of the block; an odd last panel and the rows
			// after zRows take the paths below.
			zRows := 0
			if zmm && !direct {
				zRows = mc / (2 * MR) * (2 * MR)
			}
			switch {
			case zDirect:
				if zRows < mc {
					packA(ap[(zRows/MR)*kc*MR:], transA, a, lda, ic+zRows, mc-zRows, pc, kc, alpha)
				}
			case !direct:
				packA(ap, transA, a, lda, ic, mc, pc, kc, alpha)
			default:
				if tail := mc % MR; tail != 0 {
					packA(ap[(mc/MR)*kc*MR:], transA, a, lda, ic+mc-tail, tail, pc, kc, alpha)
				}
			}
			// The zmm kernel's A: packed micro-panel pairs, or Aᵀ in place.
			zA, aStep, aPair, aTile := &ap[0], 4*MR, 4*MR*kc, 8*MR*kc
			if zDirect && zRows > 0 {
				zA, aStep, aPair, aTile = &a[pc*lda+ic], 4*lda, 4*MR, 8*MR
			}
			for jr := 0; jr < n; jr += NR {
				nr := min(NR, n-jr)
				bpan := bp[(jr/NR)*k*NR+pc*NR : (jr/NR)*k*NR+(pc+kc)*NR]
				var biasP *float32
				if bias != nil && nr == NR {
					biasP = &bias[jr]
				}
				ir := 0
				if first := (jr/NR)%2 == 0; zRows > 0 && (!first || jr+NR < n) {
					ir = zRows
					if first {
						nr1 := min(NR, n-jr-NR)
						bpan1 := bp[(jr/NR+1)*k*NR+pc*NR:]
						var c0, c1 *float32
						ldcT := ldc
						if cPanels {
							c0, c1, ldcT = &c[(jr/NR)*m*NR+ic*NR], &c[(jr/NR+1)*m*NR+ic*NR], NR
						} else {
							c0, c1 = &c[ic*ldc+jr], &c[ic*ldc+jr+NR]
						}
						gemmTilesAVX512(zRows/(2*MR), kc, zA, &bpan[0], &bpan1[0], c0, c1, ldcT, bt, biasP, int(act), nr1, aStep, aPair, aTile)
					}
				}
				// The output layer (one panel of at most 16 columns, A read
				// in place) goes through a zmm kernel, 16 rows per tile, one
				// register per row.
				if t16 := (mc - ir) / 16; zmm && direct && nr <= 16 && t16 > 0 {
					var cPtr *float32
					ldcT := ldc
					if cPanels {
						cPtr, ldcT = &c[(jr/NR)*m*NR+(ic+ir)*NR], NR
					} else {
						cPtr = &c[(ic+ir)*ldc+jr]
					}
					var biasN *float32
					if bias != nil {
						biasN = &bias[jr]
					}
					gemmStridedAVX512(t16, kc, aAt(a, lda, transA, ic+ir, pc), rs, ks, &bpan[0], cPtr, ldcT, bt, biasN, int(act), nr)
					ir += t16 * 16
				}
				if full := (mc - ir) / MR; useAsm && tilesKernel != nil && !direct && (nr == NR || nr <= 8) && full > 0 {
					var cPtr *float32
					ldcT := ldc
					if cPanels {
						cPtr, ldcT = &c[(jr/NR)*m*NR+(ic+ir)*NR], NR
					} else {
						cPtr = &c[(ic+ir)*ldc+jr]
					}
					apan := &ap[(ir/MR)*kc*MR]
					if nr == NR {
						tilesKernel(full, kc, apan, &bpan[0], cPtr, ldcT, bt, biasP, int(act))
					} else {
						var biasN *float32
						if bias != nil {
							biasN = &bias[jr]
						}
						narrowKernel(full, kc, apan, &bpan[0], cPtr, ldcT, bt, biasN, int(act), nr)
					}
					ir += full * MR
				}
				for ; ir < mc; ir += MR {
					mr := min(MR, mc-ir)
					apan := ap[(ir/MR)*kc*MR : (ir/MR+1)*kc*MR]
					i := ic + ir
					if direct && mr == MR && nr == NR {
						aPtr := aAt(a, lda, transA, i, pc)
						var cPtr *float32
						ldcT := ldc
						if cPanels {
							cPtr, ldcT = &c[(jr/NR)*m*NR+i*NR], NR
						} else {
							cPtr = &c[i*ldc+jr]
						}
						stridedKernel(kc, aPtr, rs, ks, &bpan[0], cPtr, ldcT, bt, biasP, int(act))
						continue
					}
					if direct && mr == MR {
						// Edge columns: the full rows of A are in place; compute the
						// tile into the scratch tile as below.
						t := ctx.tileBuf()
						stridedKernel(kc, aAt(a, lda, transA, i, pc), rs, ks, &bpan[0], &t[0], NR, 0, nil, 0)
						ctx.storeEdge(t, mr, nr, i, jr, m, c, ldc, cPanels, bt, bias, act)
						continue
					}
					if mr == MR && nr == NR {
						if cPanels {
							kern(kc, &apan[0], &bpan[0], &c[(jr/NR)*m*NR+i*NR], NR, bt, biasP, int(act))
						} else {
							kern(kc, &apan[0], &bpan[0], &c[i*ldc+jr], ldc, bt, biasP, int(act))
						}
						continue
					}
					t := ctx.tileBuf()
					kern(kc, &apan[0], &bpan[0], &t[0], NR, 0, nil, 0)
					ctx.storeEdge(t, mr, nr, i, jr, m, c, ldc, cPanels, bt, bias, act)
				}
			}
		}
	}
}

// aAt points at op(A)(i, p) where A lies.
func aAt(a []float32, lda int, transA bool, i, p int) *float32 {
	if transA {
		return &a[p*lda+i]
	}
	return &a[i*lda+p]
}

// storeEdge stores the mr×nr corner of the scratch tile t at C(i, jr) with
// the epilogue: an edge tile, fewer than MR rows or NR columns.
func (ctx *Context) storeEdge(t []float32, mr, nr, i, jr, m int, c []float32, ldc int, cPanels bool, beta float32, bias []float32, act Act) {
	for r := 0; r < mr; r++ {
		var crow []float32
		if cPanels {
			crow = c[(jr/NR)*m*NR+(i+r)*NR : (jr/NR)*m*NR+(i+r)*NR+nr]
		} else {
			crow = c[(i+r)*ldc+jr : (i+r)*ldc+jr+nr]
		}
		var brow []float32
		if bias != nil {
			brow = bias[jr : jr+nr]
		}
		storeRow(crow, t[r*NR:r*NR+nr], beta, brow, act)
	}
}

// storeRow sets c = act(t + beta·c + bias) for a row of an edge tile.
func storeRow(c, t []float32, beta float32, bias []float32, act Act) {
	t = t[:len(c)]
	for j := range c {
		v := t[j]
		if beta != 0 {
			// Rounded before the add, never fused into an FMA (whatever
			// GOAMD64 allows): the zmm kernels repeat this bit for bit.
			v += float32(beta * c[j])
		}
		if bias != nil {
			v += bias[j]
		}
		if act == ActReLU && v < 0 {
			v = 0
		}
		c[j] = v
	}
}

// scaleC sets C = act(beta·C + bias): the product term vanishes (k = 0 or
// alpha = 0).
func (ctx *Context) scaleC(m, n int, beta float32, c []float32, ldc int, cPanels bool, epi Epilogue) {
	var zero [NR]float32
	for jr := 0; jr < n; jr += NR {
		nr := min(NR, n-jr)
		var brow []float32
		if epi.Bias != nil {
			brow = epi.Bias[jr : jr+nr]
		}
		for i := 0; i < m; i++ {
			var crow []float32
			if cPanels {
				crow = c[(jr/NR)*m*NR+i*NR : (jr/NR)*m*NR+i*NR+nr]
			} else {
				crow = c[i*ldc+jr : i*ldc+jr+nr]
			}
			storeRow(crow, zero[:nr], beta, brow, epi.Act)
		}
	}
}

// Gemm computes C = alpha·op(A)·op(B) + beta·C as the package-level Gemm
// does, packing op(B) into ctx's buffer and calling GemmPacked. It allocates
// nothing once ctx's buffers have grown.
func (ctx *Context) Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm: negative shape m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	if transB {
		checkMatrix("B", b, n, k, ldb)
	} else {
		checkMatrix("B", b, k, n, ldb)
	}
	if k == 0 || alpha == 0 {
		if transA {
			checkMatrix("A", a, k, m, lda)
		} else {
			checkMatrix("A", a, m, k, lda)
		}
		checkMatrix("C", c, m, n, ldc)
		ctx.scaleC(m, n, beta, c, ldc, false, Epilogue{})
		return
	}
	bp := ctx.bBuf(PackedLen(k, n))
	if transB {
		// The same panels, by register transposes where the path has them
		// (a dense layer's Wᵀ is most of a small batch's packing).
		PackBTrans(bp, k, n, b, ldb)
	} else {
		PackB(bp, false, k, n, b, ldb)
	}
	ctx.GemmPacked(transA, m, n, k, alpha, a, lda, bp, beta, c, ldc, false, Epilogue{})
}

// kernelGo is the portable micro-kernel. It sweeps the tile in 4×2 blocks
// of scalar accumulators, which fit the 16 registers Go uses for floats.
func kernelGo(k int, a, b, c *float32, ldc int, beta float32, bias *float32, act int) {
	as := unsafe.Slice(a, k*MR)
	bs := unsafe.Slice(b, k*NR)
	cs := unsafe.Slice(c, (MR-1)*ldc+NR)
	var bb []float32
	if bias != nil {
		bb = unsafe.Slice(bias, NR)
	}
	for j := 0; j < NR; j += 2 {
		var c00, c01, c10, c11, c20, c21, c30, c31 float32
		for p := 0; p < k; p++ {
			ap := as[p*MR : p*MR+MR : p*MR+MR]
			bv := bs[p*NR+j : p*NR+j+2 : p*NR+j+2]
			b0, b1 := bv[0], bv[1]
			a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
			c00 += a0 * b0
			c01 += a0 * b1
			c10 += a1 * b0
			c11 += a1 * b1
			c20 += a2 * b0
			c21 += a2 * b1
			c30 += a3 * b0
			c31 += a3 * b1
		}
		acc := [MR][2]float32{{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}}
		for r := 0; r < MR; r++ {
			row := cs[r*ldc+j : r*ldc+j+2 : r*ldc+j+2]
			for q := 0; q < 2; q++ {
				v := acc[r][q]
				if beta != 0 {
					v += beta * row[q]
				}
				if bb != nil {
					v += bb[j+q]
				}
				if act == int(ActReLU) && v < 0 {
					v = 0
				}
				row[q] = v
			}
		}
	}
}
