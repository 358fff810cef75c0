package trainer

import "github.com/lssr/lssr/trainer/kernels"

// poolLayer is a pool2d as a seqLayer on channel-major input (the conv
// stack's layout, see convLayer): the c·m input planes of m examples,
// channel ch of example i at plane ch·m + i. Its output is channel-major
// too, or, for the last pool of the stack (flat), example-major (i, ch, h,
// w): PyTorch's flatten order into the dense layers, so no separate
// transpose is needed. argmax holds, for each output of the last forward
// pass of up to rows examples, the index into the input of its maximum.
type poolLayer[F float] struct {
	p      pool2d[F]
	flat   bool
	argmax []int32
}

func newPoolLayer[F float](p pool2d[F], rows int, flat bool) *poolLayer[F] {
	l := &poolLayer[F]{p: p, flat: flat}
	if p.max {
		l.argmax = make([]int32, rows*p.outLen())
	}
	return l
}

func (l *poolLayer[F]) outLen() int    { return l.p.outLen() }
func (l *poolLayer[F]) numParams() int { return 0 }

// outPlane is the output plane of input plane q = ch·m + i.
func (l *poolLayer[F]) outPlane(q, m int) int {
	if !l.flat {
		return q
	}
	return (q%m)*l.p.c + q/m
}

func (l *poolLayer[F]) forward(_ *linalg[F], _, x []F, m int, y []F, _ bool) {
	p := l.p
	inHW, outHW := p.inH*p.inW, p.outH*p.outW
	checkLen("poolLayer.forward", "x", x, m*p.inLen())
	checkLen("poolLayer.forward", "y", y, m*p.outLen())
	inv := 1 / F(p.p*p.p)
	for q := range p.c * m {
		xq := x[q*inHW : (q+1)*inHW]
		o := l.outPlane(q, m) * outHW
		if x32, ok := any(xq).([]float32); ok && p.max && p.p == 2 && p.stride == 2 {
			kernels.MaxPool2Plane(any(y[o:o+outHW]).([]float32), l.argmax[o:o+outHW], x32, p.inH, p.inW, q*inHW)
			continue
		}
		for oh := range p.outH {
			for ow := range p.outW {
				top := oh*p.stride*p.inW + ow*p.stride
				if !p.max {
					var s F
					for ki := range p.p {
						for _, v := range xq[top+ki*p.inW : top+ki*p.inW+p.p] {
							s += v
						}
					}
					y[o] = s * inv
					o++
					continue
				}
				best, at := xq[top], top
				for ki := range p.p {
					row := top + ki*p.inW
					for j, v := range xq[row : row+p.p] {
						// NaN compares false with everything: the second
						// clause lets the first NaN win, as in PyTorch.
						if v > best || (v != v && best == best) {
							best, at = v, row+j
						}
					}
				}
				y[o], l.argmax[o] = best, int32(q*inHW+at)
				o++
			}
		}
	}
}

func (l *poolLayer[F]) backward(_ *linalg[F], _, _, _, dy []F, m int, _, dx []F) {
	if dx != nil {
		l.spread(dy, m, dx)
	}
}

// spread overwrites dx with the input gradient for output gradients dy:
// max pooling routes each to its argmax, average pooling spreads it over
// its window. A float32 2×2 stride-2 max pool writes a plane per
// kernels.MaxPool2Spread call; other pools clear and add.
func (l *poolLayer[F]) spread(dy []F, m int, dx []F) {
	p := l.p
	inHW, outHW := p.inH*p.inW, p.outH*p.outW
	if dx32, ok := any(dx).([]float32); ok && p.max && p.p == 2 && p.stride == 2 {
		// The windows do not overlap: each input position is written once,
		// 0 + its window's gradient or +0, bit for bit what the loop below
		// gives.
		dy32 := any(dy).([]float32)
		for q := range p.c * m {
			o := l.outPlane(q, m) * outHW
			kernels.MaxPool2Spread(dx32[q*inHW:(q+1)*inHW], dy32[o:o+outHW], l.argmax[o:o+outHW], p.inH, p.inW, q*inHW)
		}
		return
	}
	if p.max {
		// A plane at a time, cleared and then added to while it is in
		// cache: each output's argmax lies in its input plane.
		for q := range p.c * m {
			clear(dx[q*inHW : (q+1)*inHW])
			o := l.outPlane(q, m) * outHW
			for k, g := range dy[o : o+outHW] {
				dx[l.argmax[o+k]] += g
			}
		}
		return
	}
	clear(dx[:m*p.inLen()])
	inv := 1 / F(p.p*p.p)
	for q := range p.c * m {
		dxq := dx[q*inHW : (q+1)*inHW]
		o := l.outPlane(q, m) * outHW
		for oh := range p.outH {
			for ow := range p.outW {
				g := dy[o] * inv
				o++
				top := oh*p.stride*p.inW + ow*p.stride
				for ki := range p.p {
					row := dxq[top+ki*p.inW : top+ki*p.inW+p.p]
					for j := range row {
						row[j] += g
					}
				}
			}
		}
	}
}

// rForward: pooling is linear once the max positions are fixed, so R(y)
// pools R(x) through the same windows and positions.
func (l *poolLayer[F]) rForward(la *linalg[F], _, _, _, rx, _ []F, m int, ry []F) {
	switch {
	case rx == nil:
		clear(ry[:m*l.p.outLen()])
	case l.p.max:
		for o, at := range l.argmax[:m*l.p.outLen()] {
			ry[o] = rx[at]
		}
	default:
		l.forward(la, nil, rx, m, ry, false)
	}
}

func (l *poolLayer[F]) rBackward(_ *linalg[F], _, _, _, _, _, _, _, rdy []F, m int, _, rdx []F) {
	if rdx != nil {
		l.spread(rdy, m, rdx)
	}
}

func (l *poolLayer[F]) sqNorms(*linalg[F], []F, []F, []F, []F, int, []float64) {}
