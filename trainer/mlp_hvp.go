package trainer

import "github.com/lssr/lssr/trainer/kernels"

// hvpState holds what the fused MLP's Hessian-vector products need beyond
// the evaluation workspace: the directional derivatives R(·) of
// Pearlmutter's R-operator along v, per layer, for up to evalChunk rows,
// and v's transposed weights.
type hvpState struct {
	rz, ra   [][]float32 // R(z_l) before and R(a_l) after the activation
	rdelta   [][]float32 // R(δ_l), the R-op of the output gradient
	deltaPre [][]float32 // δ_{l}·W_{l+1}ᵀ before the activation derivative
	vT       [][]float32 // V_lᵀ in panel layout (layers l ≥ 1)
	packed   []float32   // a δ or R(δ) packed as the B operand
	chunk    []float32   // one chunk's Hv, parameter layout
}

// hvpState returns the Hessian-vector buffers, made on first use.
func (net *mlp) hvpState() *hvpState {
	if net.hvp != nil {
		return net.hvp
	}
	h := &hvpState{chunk: make([]float32, len(net.params))}
	maxPacked := 0
	for l, ly := range net.layers {
		h.rz = append(h.rz, make([]float32, evalChunk*ly.out))
		h.ra = append(h.ra, make([]float32, evalChunk*ly.out))
		h.rdelta = append(h.rdelta, make([]float32, evalChunk*ly.out))
		h.deltaPre = append(h.deltaPre, make([]float32, evalChunk*ly.out))
		var vt []float32
		if l > 0 {
			vt = make([]float32, kernels.PackedLen(ly.out, ly.in))
		}
		h.vT = append(h.vT, vt)
		maxPacked = max(maxPacked, kernels.PackedLen(evalChunk, ly.out))
	}
	h.packed = make([]float32, maxPacked)
	net.hvp = h
	return h
}

// layerSlices splits a vector in parameter layout into per-layer weight and
// bias views.
func (net *mlp) layerSlices(v []float32) (w, b [][]float32) {
	off := 0
	for _, ly := range net.layers {
		wlen := kernels.PackedLen(ly.in, ly.out)
		w = append(w, v[off:off+wlen])
		b = append(b, v[off+wlen:off+wlen+ly.out])
		off += wlen + ly.out
	}
	return w, b
}

// hvpChunks gives a chunk's H·v by forward-over-reverse differentiation
// (Pearlmutter's R-operator) through every layer, for the network
// interface. It transposes V and W once for all chunks.
//
// For y = σ(z), z = a·W + c and a direction (V, c'): R(z) = R(a)·W + a·V +
// c', R(a) = σ'(z)⊙R(z); backwards, with δ the gradient at z:
// R(∂W) = R(a)ᵀδ + aᵀR(δ), R(∂c) = Σ R(δ), and through an activation
// R(δ_prev) = (R(δ)·Wᵀ + δ·Vᵀ)⊙σ'(z) + (δ·Wᵀ)⊙σ″(z)⊙R(z) (σ″ = 0 for
// ReLU, −2a(1−a²) for tanh). At the loss: R(δ) = R(z) for MSE and
// p⊙(R(z) − ⟨p, R(z)⟩) for softmax cross-entropy.
func (net *mlp) hvpChunks(v []float32) func(x []float32, y []uint8, m int) []float32 {
	ws, h := net.evalWS, net.hvpState()
	last := len(net.layers) - 1
	vw, vb := net.layerSlices(v)
	hw, hb := net.layerSlices(h.chunk)
	for l := 1; l <= last; l++ {
		ly := net.layers[l]
		kernels.TransposePacked(h.vT[l], ly.in, ly.out, vw[l])
		kernels.TransposePacked(ly.wT, ly.in, ly.out, ly.w)
	}
	return func(x []float32, y []uint8, m int) []float32 {
		logits := net.forward(ws, x, m)

		// R-forward.
		for l, ly := range net.layers {
			in := ws.input(net, l, x, m)
			rz := h.rz[l][:m*ly.out]
			net.kern.GemmPacked(false, m, ly.out, ly.in, 1, in, ly.in, vw[l], 0, rz, ly.out, false, kernels.Epilogue{Bias: vb[l]})
			if l > 0 {
				ra := h.ra[l-1][:m*ly.in]
				net.kern.GemmPacked(false, m, ly.out, ly.in, 1, ra, ly.in, ly.w, 1, rz, ly.out, false, kernels.Epilogue{})
			}
			if l < last {
				ra := h.ra[l][:m*ly.out]
				copy(ra, rz)
				net.activationGrad(ra, ws.outs[l][:m*ly.out])
			}
		}

		// The loss's gradient δ_L and its R-op, per example (summed; the
		// mean over the split is taken by the caller).
		classes := net.classes()
		net.loss.eval(logits, y, classes, m, 1, ws.deltas[last])
		net.loss.rDelta(logits, h.rz[last][:m*classes], classes, m, h.rdelta[last])

		// R-backward.
		for l := last; l >= 0; l-- {
			ly := net.layers[l]
			in := ws.input(net, l, x, m)
			delta := ws.deltas[l][:m*ly.out]
			rdelta := h.rdelta[l][:m*ly.out]
			// R(∂W) = aᵀR(δ) + R(a)ᵀδ, straight into the chunk's Hv.
			kernels.PackB(h.packed, false, m, ly.out, rdelta, ly.out)
			net.kern.GemmPacked(true, ly.in, ly.out, m, 1, in, ly.in, h.packed, 0, hw[l], 0, true, kernels.Epilogue{})
			if l > 0 {
				kernels.PackB(h.packed, false, m, ly.out, delta, ly.out)
				ra := h.ra[l-1][:m*ly.in]
				net.kern.GemmPacked(true, ly.in, ly.out, m, 1, ra, ly.in, h.packed, 1, hw[l], 0, true, kernels.Epilogue{})
			}
			kernels.ColSums(hb[l], rdelta, m, ly.out, ly.out, 0)
			if l == 0 {
				break
			}
			// Into layer l−1: δ·Wᵀ, then R(δ)·Wᵀ + δ·Vᵀ.
			pre := h.deltaPre[l-1][:m*ly.in]
			net.kern.GemmPacked(false, m, ly.in, ly.out, 1, delta, ly.out, ly.wT, 0, pre, ly.in, false, kernels.Epilogue{})
			rprev := h.rdelta[l-1][:m*ly.in]
			net.kern.GemmPacked(false, m, ly.in, ly.out, 1, rdelta, ly.out, ly.wT, 0, rprev, ly.in, false, kernels.Epilogue{})
			net.kern.GemmPacked(false, m, ly.in, ly.out, 1, delta, ly.out, h.vT[l], 1, rprev, ly.in, false, kernels.Epilogue{})
			a := ws.outs[l-1][:m*ly.in]
			net.activationGrad(rprev, a)
			if net.act == tanh {
				rz := h.rz[l-1][:m*ly.in]
				for i, av := range a {
					rprev[i] += pre[i] * (-2 * av * (1 - av*av)) * rz[i]
				}
			}
			prev := ws.deltas[l-1][:m*ly.in]
			copy(prev, pre)
			net.activationGrad(prev, a)
		}
		return h.chunk
	}
}

// zeroPadding clears the padding columns of the packed weight blocks of v,
// which no parameter owns.
func (net *mlp) zeroPadding(v []float32) {
	w, _ := net.layerSlices(v)
	for l, ly := range net.layers {
		for c := ly.out; c < (ly.out+kernels.NR-1)/kernels.NR*kernels.NR; c++ {
			for r := range ly.in {
				w[l][kernels.PanelIndex(ly.in, r, c)] = 0
			}
		}
	}
}
