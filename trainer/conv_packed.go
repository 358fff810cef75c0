package trainer

import "github.com/lssr/lssr/trainer/kernels"

// im2colPackedAt writes the im2col matrix of g examples — patchLen rows,
// g·spatial columns, example i in columns i·spatial… as colsOf lays them out
// — straight into the kernels' packed-B panel layout: element (r, j) at
// kernels.PanelIndex(patchLen, r, j), the padding columns of the last panel
// zero. Example i's input channel ch is the plane at
// x[i·exStride + ch·chStride:]. The product W·cols then runs on
// kernels.Context.GemmPacked without a separate packing pass over cols.
//
// Each panel of NR columns is filled row by row (so dst is written in
// order); its columns are cut once into runs that stay within one output
// row of one example, and each run of each row is a copy from one input row
// (stride 1) plus the zeros of the padding.
func (c conv2d[F]) im2colPackedAt(x []F, exStride, chStride, g int, dst []F) {
	const nr = kernels.NR
	if c.stride == 1 && c.pad == 0 {
		c.im2colPackedValid(x, exStride, chStride, g, dst)
		return
	}
	sp, patch := c.outH*c.outW, c.patchLen()
	n := g * sp
	type run struct {
		col, len int // columns [col, col+len) of the panel
		base     int // offset in x of the example's channel 0
		ih0, ow0 int // oh·stride − pad of the output row, its first output column
	}
	var runs [nr]run
	for j0 := 0; j0 < n; j0 += nr {
		panel := dst[(j0/nr)*patch*nr : (j0/nr+1)*patch*nr]
		w := min(nr, n-j0)
		nruns := 0
		for col := 0; col < w; {
			j := j0 + col
			i, pos := j/sp, j%sp
			oh, ow := pos/c.outW, pos%c.outW
			l := min(c.outW-ow, w-col)
			runs[nruns] = run{col: col, len: l, base: i * exStride, ih0: oh*c.stride - c.pad, ow0: ow}
			nruns++
			col += l
		}
		r := 0
		for ch := 0; ch < c.inC; ch++ {
			for ki := 0; ki < c.k; ki++ {
				for kj := 0; kj < c.k; kj++ {
					out := panel[r*nr : r*nr+nr : r*nr+nr]
					r++
					wlo, whi := validRange(c.outW, c.inW, c.stride, c.pad, kj)
					for _, ru := range runs[:nruns] {
						seg := out[ru.col : ru.col+ru.len]
						ih := ru.ih0 + ki
						if ih < 0 || ih >= c.inH {
							clear(seg)
							continue
						}
						lo, hi := max(wlo, ru.ow0), min(whi, ru.ow0+ru.len)
						if lo >= hi {
							clear(seg)
							continue
						}
						clear(seg[:lo-ru.ow0])
						clear(seg[hi-ru.ow0:])
						src := x[ru.base+ch*chStride+ih*c.inW:]
						iw := lo*c.stride - c.pad + kj
						d := seg[lo-ru.ow0 : hi-ru.ow0]
						if c.stride == 1 {
							copy(d, src[iw:iw+len(d)])
							continue
						}
						for t := range d {
							d[t] = src[iw]
							iw += c.stride
						}
					}
					clear(out[w:])
				}
			}
		}
	}
}

// im2colPackedValid is im2colPackedAt for stride 1 without padding: every
// run of every row is then one copy from one input row, with no edges to
// zero. The rows are visited kernel offset first, so that a run's source
// and destination are computed once for all input channels.
func (c conv2d[F]) im2colPackedValid(x []F, exStride, chStride, g int, dst []F) {
	const nr = kernels.NR
	sp, patch, kk := c.outH*c.outW, c.patchLen(), c.k*c.k
	n := g * sp
	type run struct{ col, len, src int }
	var runs [nr]run
	x32, _ := any(x).([]float32)
	dst32, is32 := any(dst).([]float32)
	for j0 := 0; j0 < n; j0 += nr {
		p0 := (j0 / nr) * patch * nr
		panel := dst[p0 : p0+patch*nr]
		w := min(nr, n-j0)
		nruns := 0
		for col := 0; col < w; {
			j := j0 + col
			i, pos := j/sp, j%sp
			oh, ow := pos/c.outW, pos%c.outW
			l := min(c.outW-ow, w-col)
			runs[nruns] = run{col: col, len: l, src: i*exStride + oh*c.inW + ow}
			nruns++
			col += l
		}
		if w < nr {
			for r := range patch {
				clear(panel[r*nr+w : r*nr+nr])
			}
		}
		for ki := range c.k {
			for kj := range c.k {
				off := ki*c.inW + kj
				for _, ru := range runs[:nruns] {
					src, d := ru.src+off, (ki*c.k+kj)*nr+ru.col
					if is32 {
						// One run of each input channel: rows kk apart.
						kernels.CopyRuns(dst32[p0+d:], kk*nr, x32[src:], chStride, ru.len, c.inC)
						continue
					}
					for range c.inC {
						copy(panel[d:d+ru.len], x[src:src+ru.len])
						src += chStride
						d += kk * nr
					}
				}
			}
		}
	}
}

// copyRuns copies count runs of n values, run t from src[t·srcStride:] to
// dst[t·dstStride:]: on kernels.CopyRuns for float32 runs of up to 32.
func copyRuns[F float](dst []F, dstStride int, src []F, srcStride int, n, count int) {
	if d32, ok := any(dst).([]float32); ok && n <= 32 {
		kernels.CopyRuns(d32, dstStride, any(src).([]float32), srcStride, n, count)
		return
	}
	for t := range count {
		copy(dst[t*dstStride:t*dstStride+n], src[t*srcStride:t*srcStride+n])
	}
}
