package trainer

import "fmt"

// pool2d is max or average pooling over p×p windows at a stride, without
// padding, applied to each channel of channel-major (c, h, w) example rows
// independently. Windows that would run past the input's edge are dropped,
// as in PyTorch's MaxPool2d and AvgPool2d with the default ceil_mode=false,
// so every window holds exactly p·p inputs.
type pool2d[F float] struct {
	c, inH, inW int
	p, stride   int
	outH, outW  int
	max         bool // max pooling; average pooling when false
}

// newPool2D returns max (isMax) or average pooling of c×inH×inW inputs over
// p×p windows at the given stride. It fails on non-positive sizes or a window
// larger than the input.
func newPool2D[F float](c, inH, inW, p, stride int, isMax bool) (pool2d[F], error) {
	if c < 1 || inH < 1 || inW < 1 || p < 1 || stride < 1 {
		return pool2d[F]{}, fmt.Errorf("pool2d: invalid shape in=%d×%d×%d p=%d stride=%d", c, inH, inW, p, stride)
	}
	if p > inH || p > inW {
		return pool2d[F]{}, fmt.Errorf("pool2d: %d×%d window larger than the %d×%d input", p, p, inH, inW)
	}
	return pool2d[F]{
		c: c, inH: inH, inW: inW, p: p, stride: stride,
		outH: (inH-p)/stride + 1, outW: (inW-p)/stride + 1,
		max: isMax,
	}, nil
}

// inLen is the length of one example's input row.
func (p pool2d[F]) inLen() int { return p.c * p.inH * p.inW }

// outLen is the length of one example's output row, and of its argmax row.
func (p pool2d[F]) outLen() int { return p.c * p.outH * p.outW }

// forward pools m examples: x is m rows of inLen floats, y m rows of outLen
// floats (overwritten). For max pooling argmax receives, for every output,
// the index within its example's input row of the maximum; the first
// maximum in row-major window order wins ties, and a NaN counts as larger
// than any number (the first NaN wins), so NaNs propagate as in PyTorch.
// Average pooling ignores argmax, which may then be nil. It allocates nothing
// and panics if a slice is too short.
func (p pool2d[F]) forward(x []F, m int, y []F, argmax []int32) {
	inLen, outLen := p.inLen(), p.outLen()
	checkLen("pool2d.forward", "x", x, m*inLen)
	checkLen("pool2d.forward", "y", y, m*outLen)
	if p.max && len(argmax) < m*outLen {
		panic(fmt.Sprintf("trainer: pool2d.forward: len(argmax)=%d < %d", len(argmax), m*outLen))
	}
	inv := 1 / F(p.p*p.p)
	for i := 0; i < m; i++ {
		xi := x[i*inLen : (i+1)*inLen]
		o := i * outLen
		for ch := 0; ch < p.c; ch++ {
			base := ch * p.inH * p.inW
			for oh := 0; oh < p.outH; oh++ {
				for ow := 0; ow < p.outW; ow++ {
					top := base + oh*p.stride*p.inW + ow*p.stride
					if p.max {
						best, at := xi[top], top
						for ki := 0; ki < p.p; ki++ {
							row := top + ki*p.inW
							for j, v := range xi[row : row+p.p] {
								// NaN compares false with everything: the
								// second clause lets the first NaN win.
								if v > best || (v != v && best == best) {
									best, at = v, row+j
								}
							}
						}
						y[o], argmax[o] = best, int32(at)
					} else {
						var s F
						for ki := 0; ki < p.p; ki++ {
							row := top + ki*p.inW
							for _, v := range xi[row : row+p.p] {
								s += v
							}
						}
						y[o] = s * inv
					}
					o++
				}
			}
		}
	}
}

// backward overwrites dx (m rows of inLen floats) with the input gradient
// for output gradients dy (m rows of outLen floats): max pooling routes each
// output's gradient to its argmax entry, as set by forward; average pooling
// spreads it evenly over its window. Overlapping windows (stride < p) add
// up. It allocates nothing and panics if a slice is too short.
func (p pool2d[F]) backward(dy []F, m int, argmax []int32, dx []F) {
	inLen, outLen := p.inLen(), p.outLen()
	checkLen("pool2d.backward", "dy", dy, m*outLen)
	checkLen("pool2d.backward", "dx", dx, m*inLen)
	if p.max && len(argmax) < m*outLen {
		panic(fmt.Sprintf("trainer: pool2d.backward: len(argmax)=%d < %d", len(argmax), m*outLen))
	}
	clear(dx[:m*inLen])
	inv := 1 / F(p.p*p.p)
	for i := 0; i < m; i++ {
		dxi := dx[i*inLen : (i+1)*inLen]
		dyi := dy[i*outLen : (i+1)*outLen]
		if p.max {
			for o, g := range dyi {
				dxi[argmax[i*outLen+o]] += g
			}
			continue
		}
		o := 0
		for ch := 0; ch < p.c; ch++ {
			base := ch * p.inH * p.inW
			for oh := 0; oh < p.outH; oh++ {
				for ow := 0; ow < p.outW; ow++ {
					g := dyi[o] * inv
					o++
					top := base + oh*p.stride*p.inW + ow*p.stride
					for ki := 0; ki < p.p; ki++ {
						row := dxi[top+ki*p.inW : top+ki*p.inW+p.p]
						for j := range row {
							row[j] += g
						}
					}
				}
			}
		}
	}
}
