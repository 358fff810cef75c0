package lssr

// The formulas of Lee & Jang (ICLR 2023) that derive one quantity from
// others, each in one place: the trainer measures with them and the report
// fits and draws with them. Their arithmetic order is part of the contract:
// stored measurements and fits were computed in this order, and reordering a
// sum or a product can change the last bit of every number downstream.

// GammaNB is γ_{n,b} of eq. 1: (n−b)/(n−1) for sampling without replacement,
// 1 with replacement. b may be fractional, so that curves can be drawn
// between grid points; for an integer b it is exactly the integer formula.
// For n ≤ 1 without replacement the only batch is the whole set, so γ is 0.
// Without replacement no batch is larger than the set: for b > n the
// formula is taken as written (γ < 0), which is how the trainer's curvature
// over a Hessian subset smaller than b has always been computed; a caller
// that means the whole set passes b = n.
func GammaNB(n int, b float64, s Sampling) float64 {
	if s == SamplingWith {
		return 1
	}
	if n <= 1 {
		return 0
	}
	nf := float64(n)
	return (nf - b) / (nf - 1)
}

// BatchWeight is c_b = γ_{n,b}/b (eq. 1), the weight of S_1 in the batch
// gradient's second moment: C_b = S_b − S_n and C_b = c_b·C_1 give
// S_b = c_b·S_1 + (1 − c_b)·S_n (section 5, on the way to eq. 17).
func BatchWeight(n int, b float64, s Sampling) float64 {
	return GammaNB(n, b, s) / b
}

// TraceSb is tr(A·S_b) = c_b·tr(A·S_1) + (1 − c_b)·tr(A·S_n), which follows
// from S_b = c_b·S_1 + (1 − c_b)·S_n (BatchWeight gives c_b) for any matrix
// A. With A = I it is tr(S_b) from tr(S_1) and ‖∇L‖² = tr(S_n); with A = H
// it is tr(HS_b), the numerator of eq. 2 and 10, from tr(HS_1) and
// ∇LᵀH∇L = tr(HS_n).
func TraceSb(cb, trAS1, trASn float64) float64 {
	return cb*trAS1 + (1-cb)*trASn
}

// Concentration is ρ_b = tr(S_n)/tr(S_b) (Definition 2): how concentrated
// the batch gradients are, ‖∇L‖² over E_ξ‖g_ξ‖². With tr(S_1) it is ρ, the
// per-example gradients' concentration that eq. 17 starts from; with
// tr(S_b) measured at another b, a direct ρ_b. It is not guarded: a zero
// tr(S_b) gives what the division gives.
func Concentration(trSn, trSb float64) float64 {
	return trSn / trSb
}

// IAS is the interaction-aware sharpness tr(HS_b)/tr(S_b) (Definition 1):
// the curvature along the batch gradients, which plain SGD keeps at or
// below 2ρ_b/η. At b = n, S_n = ∇L∇Lᵀ and it is ∇LᵀH∇L/‖∇L‖². It is not
// guarded against a zero tr(S_b).
func IAS(trHSb, trSb float64) float64 {
	return trHSb / trSb
}

// InstabilityRatio is tr(HS_b)/tr(S_n), the quantity eq. 10 (and, with
// momentum, Theorem 2) compares with InstabilityThreshold: above it, one
// step increases the loss in expectation. It is not guarded against a zero
// tr(S_n).
func InstabilityRatio(trHSb, trSn float64) float64 {
	return trHSb / trSn
}

// RhoB is ρ_b of eq. 17 at an integer batch size b: RhoBAt with b as a
// float64, to the bit.
func RhoB(rho float64, n, b int, s Sampling) float64 {
	return RhoBAt(rho, n, float64(b), s)
}

// RhoBAt is ρ_b of eq. 17, 1 / (c_b/ρ + 1 − c_b) with c_b = γ_{n,b}/b: the
// batch gradient concentration tr(S_n)/tr(S_b) at a batch size b, which may
// be fractional, given ρ = ρ_1 = tr(S_n)/tr(S_1). It is 1 where γ_{n,b} = 0
// (b = n without replacement).
func RhoBAt(rho float64, n int, b float64, s Sampling) float64 {
	c := BatchWeight(n, b, s)
	return 1 / (c/rho + 1 - c)
}

// InstabilityThreshold is 2γ(β1, β2)/η with γ(β1, β2) = (1+β1)/(1+2β2)
// (Theorem 2): the instability ratio tr(HS_b)/tr(S_n) of eq. 10 above it
// marks the unstable region for generalised momentum (eq. 13–14) at
// learning rate η. Plain SGD (β1 = β2 = 0) has γ = 1 and the threshold 2/η
// of eq. 10.
func InstabilityThreshold(eta, beta1, beta2 float64) float64 {
	return 2 * (1 + beta1) / (1 + 2*beta2) / eta
}

// ExpectedLossChange is eq. 7 with ε = 0, the expected change of a
// quadratic loss over one plain SGD step of learning rate η:
// E_ξ[L_{t+1}] − L_t = (η²/2)·tr(S_n)·(tr(HS_b)/tr(S_n) − 2/η), computed as
// (η²/2)·tr(HS_b) − η·tr(S_n), which needs no division by tr(S_n).
func ExpectedLossChange(eta, trHSb, trSn float64) float64 {
	return eta*eta/2*trHSb - eta*trSn
}
