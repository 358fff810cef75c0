//go:build !purego

package kernels

// convTilesAVX512 runs tiles tiles of ConvIndirect for one block of 8 rows
// and kc steps: tile t takes slots[3t…3t+2]; a is the block's packed A
// micro-panel from the K block's first step, koff that step's offset;
// rows ≤ 8 rows of C are stored; beta is 0 or 1.
//
//go:noescape
func convTilesAVX512(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int)

// convGradTAVX512 runs convGradTAVX512N for N = nv, 1…4.
func convGradTAVX512(nv int, x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int) {
	switch nv {
	case 1:
		convGradTAVX5121(x, offs, runs, nruns, b, pstride, c, ldc, rows, mask, beta)
	case 2:
		convGradTAVX5122(x, offs, runs, nruns, b, pstride, c, ldc, rows, mask, beta)
	case 3:
		convGradTAVX5123(x, offs, runs, nruns, b, pstride, c, ldc, rows, mask, beta)
	default:
		convGradTAVX5124(x, offs, runs, nruns, b, pstride, c, ldc, rows, mask, beta)
	}
}

// convGradTAVX512N is ConvGradT's micro-kernel for N zmm vectors of
// columns over one K block (see conv_wgrad_avx512_amd64.s).
//
//go:noescape
func convGradTAVX5121(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

//go:noescape
func convGradTAVX5122(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

//go:noescape
func convGradTAVX5123(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

//go:noescape
func convGradTAVX5124(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

// convGradTAVX512T8 and T3 are convGradTAVX5121 for 24 and 9 rows in
// eight and three triples of consecutive elements, offs holding each
// triple's first offset (see conv_wgrad_avx512_amd64.s).
//
//go:noescape
func convGradTAVX512T8(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

//go:noescape
func convGradTAVX512T3(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, pstride int, c *float32, ldc, rows, mask, beta int)

// convTilesAVX2 is convTilesAVX512 on the avx2 path: 4 rows by three slots
// of 8 columns a tile; masks is laneMasks.
//
//go:noescape
func convTilesAVX2(tiles, kc int, a *float32, koff *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, masks *int32)

// convGradTAVX2N runs convGradTAVX2N for N = nv, 1…3.
func convGradTAVX2N(nv int, x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32) {
	switch nv {
	case 1:
		convGradTAVX21(x, offs, runs, nruns, b, c, ldc, rows, mask, beta, masks)
	case 2:
		convGradTAVX22(x, offs, runs, nruns, b, c, ldc, rows, mask, beta, masks)
	default:
		convGradTAVX23(x, offs, runs, nruns, b, c, ldc, rows, mask, beta, masks)
	}
}

// convGradTAVX2N is ConvGradT's micro-kernel on the avx2 path for N ymm
// vectors of one panel's columns (see conv_indirect_avx2_amd64.s).
//
//go:noescape
func convGradTAVX21(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)

//go:noescape
func convGradTAVX22(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)

//go:noescape
func convGradTAVX23(x *float32, offs *int32, runs *ConvRun, nruns int, b *float32, c *float32, ldc, rows, mask, beta int, masks *int32)

// convTilesEdgeAVX512 is convTilesAVX512 over planes without zero borders
// (see ConvIndirectEdgesW): steps holds each step's offset and 6·class,
// edges the tiles' masks by class, kk6 a tile's share of edges in bytes.
//
//go:noescape
func convTilesEdgeAVX512(tiles, kc int, a *float32, steps *int32, b *float32, slots *ConvSlot, c *float32, ldc, rows, beta int, edges *uint16, kk6 int)
