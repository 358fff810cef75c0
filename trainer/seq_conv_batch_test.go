package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refPlane is the offset of channel ch of example i among m examples of
// c channels of hw values, channel-major (cm) or example-major.
func refPlane(cm bool, c, m, ch, i, hw int) int {
	if cm {
		return (ch*m + i) * hw
	}
	return (i*c + ch) * hw
}

// refBatchConv is a direct float64 convolution of m examples x (layout inCM)
// into the channel-major y: y[o][i][oh][ow] = b[o] + Σ w·x.
func refBatchConv(c conv2d[float64], inCM bool, m int, x, w, b []float64) []float64 {
	sp, inHW := c.outH*c.outW, c.inH*c.inW
	y := make([]float64, m*c.outLen())
	for o := range c.outC {
		for i := range m {
			for oh := range c.outH {
				for ow := range c.outW {
					s := 0.0
					if b != nil {
						s = b[o]
					}
					for ch := range c.inC {
						for ki := range c.k {
							for kj := range c.k {
								ih, iw := oh*c.stride-c.pad+ki, ow*c.stride-c.pad+kj
								if ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW {
									continue
								}
								s += w[((o*c.inC+ch)*c.k+ki)*c.k+kj] * x[refPlane(inCM, c.inC, m, ch, i, inHW)+ih*c.inW+iw]
							}
						}
					}
					y[(o*m+i)*sp+oh*c.outW+ow] = s
				}
			}
		}
	}
	return y
}

// refBatchConvGrads returns the weight, bias and input gradients of refBatchConv for
// the channel-major output gradient dy, by the same loops.
func refBatchConvGrads(c conv2d[float64], inCM bool, m int, x, w, dy []float64) (dw, db, dx []float64) {
	sp, inHW := c.outH*c.outW, c.inH*c.inW
	dw, db, dx = make([]float64, c.weightLen()), make([]float64, c.outC), make([]float64, m*c.inLen())
	for o := range c.outC {
		for i := range m {
			for oh := range c.outH {
				for ow := range c.outW {
					g := dy[(o*m+i)*sp+oh*c.outW+ow]
					db[o] += g
					for ch := range c.inC {
						for ki := range c.k {
							for kj := range c.k {
								ih, iw := oh*c.stride-c.pad+ki, ow*c.stride-c.pad+kj
								if ih < 0 || ih >= c.inH || iw < 0 || iw >= c.inW {
									continue
								}
								wi, xi := ((o*c.inC+ch)*c.k+ki)*c.k+kj, refPlane(inCM, c.inC, m, ch, i, inHW)+ih*c.inW+iw
								dw[wi] += g * x[xi]
								dx[xi] += g * w[wi]
							}
						}
					}
				}
			}
		}
	}
	return dw, db, dx
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

func toF[F float](v []float64) []F {
	out := make([]F, len(v))
	for i, e := range v {
		out[i] = F(e)
	}
	return out
}

// checkClose fails unless got is within tol of want relative to want's
// largest magnitude.
func checkClose[F float](t *testing.T, what string, got []F, want []float64, tol float64) {
	t.Helper()
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i, w := range want {
		if d := math.Abs(float64(got[i]) - w); !(d <= tol*max(scale, 1e-300)) {
			t.Errorf("%s[%d] = %v, want %v", what, i, got[i], w)
			return
		}
	}
}

// TestConvLayerBatched checks every pass of the batched conv layer (both
// input layouts, one group and several, float64 and float32) against a
// direct float64 convolution, over shapes with stride, padding, odd sizes
// and 1×1 kernels. The R-passes are linear in (V, R(x)) and (R(∂Y), ∂Y), so
// they are sums of the reference's forward and gradients.
func TestConvLayerBatched(t *testing.T) {
	for _, s := range []struct{ inC, h, w, outC, k, stride, pad int }{
		{1, 8, 8, 4, 3, 1, 1},
		{3, 7, 5, 4, 3, 2, 1},
		{2, 6, 6, 3, 1, 1, 0},
		{2, 5, 7, 3, 5, 1, 2},
		{4, 6, 6, 2, 2, 2, 0},
		{3, 5, 5, 5, 1, 2, 0},
		{3, 6, 5, 5, 3, 1, 0}, // the input gradient's convolution pads by 2
		{2, 5, 4, 3, 2, 1, 1}, // … and by 0, an even kernel
	} {
		for _, inCM := range []bool{false, true} {
			for _, group := range []int{1, 2, 3} {
				name := fmt.Sprintf("%+v/cm=%v/group=%d", s, inCM, group)
				t.Run(name+"/float64", func(t *testing.T) {
					convBatchedCase[float64](t, s.inC, s.h, s.w, s.outC, s.k, s.stride, s.pad, inCM, group, 1e-12)
				})
				t.Run(name+"/float32", func(t *testing.T) {
					convBatchedCase[float32](t, s.inC, s.h, s.w, s.outC, s.k, s.stride, s.pad, inCM, group, 1e-5)
				})
			}
		}
	}
}

func convBatchedCase[F float](t *testing.T, inC, h, w, outC, k, stride, pad int, inCM bool, group int, tol float64) {
	const m = 3
	c64, err := newConv2D[float64](inC, h, w, outC, k, stride, pad)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := newConv2D[F](inC, h, w, outC, k, stride, pad)
	l := newConvLayer(c, m, inCM)
	if !l.direct() {
		l.group = group
	}
	r := rand.New(rand.NewPCG(uint64(inC*100+k), 9))
	np := c64.weightLen() + outC
	p, v := randVec(r, np), randVec(r, np)
	x, rx := randVec(r, m*c64.inLen()), randVec(r, m*c64.inLen())
	dy, rdy := randVec(r, m*c64.outLen()), randVec(r, m*c64.outLen())
	wl := c64.weightLen()
	var la linalg[F]

	y := make([]F, m*c.outLen())
	l.forward(&la, toF[F](p), toF[F](x), m, y, true)
	checkClose(t, "y", y, refBatchConv(c64, inCM, m, x, p[:wl], p[wl:]), tol)

	g, dx := make([]F, np), make([]F, m*c.inLen())
	l.backward(&la, toF[F](p), toF[F](x), nil, toF[F](dy), m, g, dx)
	dw, db, dxRef := refBatchConvGrads(c64, inCM, m, x, p[:wl], dy)
	checkClose(t, "dw", g[:wl], dw, tol)
	checkClose(t, "db", g[wl:], db, tol)
	checkClose(t, "dx", dx, dxRef, tol)

	ry := make([]F, m*c.outLen())
	l.rForward(&la, toF[F](p), toF[F](v), toF[F](x), toF[F](rx), nil, m, ry)
	ryRef, ryW := refBatchConv(c64, inCM, m, x, v[:wl], v[wl:]), refBatchConv(c64, inCM, m, rx, p[:wl], nil)
	for i := range ryRef {
		ryRef[i] += ryW[i]
	}
	checkClose(t, "ry", ry, ryRef, tol)

	hv, rdx := make([]F, np), make([]F, m*c.inLen())
	l.rBackward(&la, toF[F](p), toF[F](v), toF[F](x), toF[F](rx), nil, nil, toF[F](dy), toF[F](rdy), m, hv, rdx)
	hw1, hb, rdx1 := refBatchConvGrads(c64, inCM, m, x, p[:wl], rdy)
	hw2, _, _ := refBatchConvGrads(c64, inCM, m, rx, p[:wl], dy)
	_, _, rdx2 := refBatchConvGrads(c64, inCM, m, x, v[:wl], dy)
	for i := range hw1 {
		hw1[i] += hw2[i]
	}
	for i := range rdx1 {
		rdx1[i] += rdx2[i]
	}
	checkClose(t, "hv weights", hv[:wl], hw1, tol)
	checkClose(t, "hv bias", hv[wl:], hb, tol)
	checkClose(t, "rdx", rdx, rdx1, tol)
}

// TestBNReLUFused checks the channel-major batch norm with its ReLU fused
// against the same batch norm followed by a separate ReLU layer, in both
// modes and through every pass; forward values must be bit-identical.
func TestBNReLUFused(t *testing.T) {
	const c, hw, m = 3, 5, 4
	n := c * hw
	r := rand.New(rand.NewPCG(4, 5))
	mk := func(relu bool) *bnLayer[float64] {
		bn, err := newBatchNorm[float64](c, hw)
		if err != nil {
			t.Fatal(err)
		}
		l := newBNLayer(bn)
		l.cm, l.relu = true, relu
		return l
	}
	fused, plain := mk(true), mk(false)
	act := activationLayer[float64]{act: relu, n: n}
	p, v := randVec(r, 2*c), randVec(r, 2*c)
	x, rx := randVec(r, m*n), randVec(r, m*n)
	dy, rdy := randVec(r, m*n), randVec(r, m*n)
	var la linalg[float64]
	for _, train := range []bool{true, false} {
		yF, z, yP := make([]float64, m*n), make([]float64, m*n), make([]float64, m*n)
		fused.forward(&la, p, x, m, yF, train)
		plain.forward(&la, p, x, m, z, train)
		act.forward(&la, nil, z, m, yP, train)
		checkClose(t, fmt.Sprintf("train=%v y", train), yF, yP, 0)

		gF, gP, dxF, dxP, dz := make([]float64, 2*c), make([]float64, 2*c), make([]float64, m*n), make([]float64, m*n), make([]float64, m*n)
		fused.backward(&la, p, x, yF, append([]float64(nil), dy...), m, gF, dxF)
		act.backward(&la, nil, z, yP, dy, m, nil, dz)
		plain.backward(&la, p, x, z, dz, m, gP, dxP)
		checkClose(t, fmt.Sprintf("train=%v g", train), gF, gP, 1e-15)
		checkClose(t, fmt.Sprintf("train=%v dx", train), dxF, dxP, 1e-15)
		if train {
			continue
		}
		ryF, rz, ryP := make([]float64, m*n), make([]float64, m*n), make([]float64, m*n)
		fused.rForward(&la, p, v, x, rx, yF, m, ryF)
		plain.rForward(&la, p, v, x, rx, z, m, rz)
		act.rForward(&la, nil, nil, z, rz, yP, m, ryP)
		checkClose(t, "ry", ryF, ryP, 1e-15)

		hvF, hvP, rdxF, rdxP, rdz := make([]float64, 2*c), make([]float64, 2*c), make([]float64, m*n), make([]float64, m*n), make([]float64, m*n)
		fused.rBackward(&la, p, v, x, rx, yF, ryF, append([]float64(nil), dy...), append([]float64(nil), rdy...), m, hvF, rdxF)
		act.rBackward(&la, nil, nil, z, rz, yP, ryP, dy, rdy, m, nil, rdz)
		plain.rBackward(&la, p, v, x, rx, z, rz, dz, rdz, m, hvP, rdxP)
		checkClose(t, "hv", hvF, hvP, 1e-15)
		checkClose(t, "rdx", rdxF, rdxP, 1e-15)

		accF, accP := make([]float64, m), make([]float64, m)
		fused.sqNorms(&la, p, x, yF, append([]float64(nil), dy...), m, accF)
		plain.sqNorms(&la, p, x, z, dz, m, accP)
		checkClose(t, "sqNorms", accF, accP, 1e-15)
	}
}

// TestPoolLayerChannelMajor checks the pool layer on channel-major input,
// with channel-major and flattened (example-major) output, against pool2d
// run one example at a time.
func TestPoolLayerChannelMajor(t *testing.T) {
	const c, h, w, m = 3, 6, 5, 4
	r := rand.New(rand.NewPCG(6, 7))
	for _, isMax := range []bool{true, false} {
		for _, flat := range []bool{false, true} {
			p, err := newPool2D[float64](c, h, w, 2, 2, isMax)
			if err != nil {
				t.Fatal(err)
			}
			l := newPoolLayer(p, m, flat)
			inHW, outHW := h*w, p.outH*p.outW
			x, dy := randVec(r, m*p.inLen()), randVec(r, m*p.outLen())
			y, dx := make([]float64, m*p.outLen()), make([]float64, m*p.inLen())
			var la linalg[float64]
			l.forward(&la, nil, x, m, y, true)
			l.backward(&la, nil, x, y, dy, m, nil, dx)
			for i := range m {
				xi, dyi := make([]float64, 0, p.inLen()), make([]float64, 0, p.outLen())
				for ch := range c {
					xi = append(xi, x[(ch*m+i)*inHW:(ch*m+i+1)*inHW]...)
					o := refPlane(!flat, c, m, ch, i, outHW)
					dyi = append(dyi, dy[o:o+outHW]...)
				}
				yi, dxi, am := make([]float64, p.outLen()), make([]float64, p.inLen()), make([]int32, p.outLen())
				p.forward(xi, 1, yi, am)
				p.backward(dyi, 1, am, dxi)
				for ch := range c {
					o := refPlane(!flat, c, m, ch, i, outHW)
					checkClose(t, fmt.Sprintf("max=%v flat=%v y", isMax, flat), y[o:o+outHW], yi[ch*outHW:(ch+1)*outHW], 0)
					q := (ch*m + i) * inHW
					checkClose(t, fmt.Sprintf("max=%v flat=%v dx", isMax, flat), dx[q:q+inHW], dxi[ch*inHW:(ch+1)*inHW], 0)
				}
			}
		}
	}
}

// TestBNSqNormsChannelMajor checks the per-example squared gradient norms
// of batch norm's parameters over channel-major float32 input (eight
// examples at a time in kernels.RowBNGradF64, then four, then one) bit for
// bit against the example-major loop, each example's sums in order: 19
// examples, planes of 49 (not a multiple of the kernel's four), NaN, ±Inf
// and −0 included.
func TestBNSqNormsChannelMajor(t *testing.T) {
	const c, hw, m = 3, 49, 19
	n := c * hw
	r := rand.New(rand.NewPCG(6, 7))
	mk := func(cm bool) *bnLayer[float32] {
		bn, err := newBatchNorm[float32](c, hw)
		if err != nil {
			t.Fatal(err)
		}
		l := newBNLayer(bn)
		l.cm = cm
		return l
	}
	cmL, emL := mk(true), mk(false)
	p := toF[float32](randVec(r, 2*c))
	var la linalg[float32]
	// Running statistics from a training pass, the same for both.
	warm := toF[float32](randVec(r, m*n))
	cmL.forward(&la, p, warm, m, make([]float32, m*n), true)
	emL.forward(&la, p, toEM(warm, c, m, hw), m, make([]float32, m*n), true)
	x, dy := toF[float32](randVec(r, m*n)), toF[float32](randVec(r, m*n))
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1))}
	for i, v := range specials {
		dy[(i*7+3)*hw+5*i] = v // examples 3, 10 (in a group of eight) and the rest
	}
	accCM, accEM := make([]float64, m), make([]float64, m)
	cmL.sqNorms(&la, p, x, nil, append([]float32(nil), dy...), m, accCM)
	emL.sqNorms(&la, p, toEM(x, c, m, hw), nil, toEM(dy, c, m, hw), m, accEM)
	for i := range accCM {
		if math.Float64bits(accCM[i]) != math.Float64bits(accEM[i]) && !(math.IsNaN(accCM[i]) && math.IsNaN(accEM[i])) {
			t.Errorf("example %d: channel-major %v, example-major %v", i, accCM[i], accEM[i])
		}
	}
}

// toEM returns the channel-major x (c channels of m examples of hw
// values) example-major.
func toEM[F float](x []F, c, m, hw int) []F {
	out := make([]F, len(x))
	for ch := range c {
		for i := range m {
			copy(out[(i*c+ch)*hw:(i*c+ch+1)*hw], x[(ch*m+i)*hw:(ch*m+i+1)*hw])
		}
	}
	return out
}
