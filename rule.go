package lssr

// GammaNB is γ_{n,b} of eq. 1: (n−b)/(n−1) for sampling without replacement,
// 1 with replacement. For n = 1 without replacement the only batch is the
// whole set, so γ is 0.
func GammaNB(n, b int, s Sampling) float64 {
	if s == SamplingWith {
		return 1
	}
	if n <= 1 {
		return 0
	}
	return float64(n-b) / float64(n-1)
}

// RhoB is ρ_b of eq. 17: 1 / ((γ_{n,b}/b)/ρ + 1 − γ_{n,b}/b), the batch
// gradient concentration at batch size b given ρ = ρ_1.
func RhoB(rho float64, n, b int, s Sampling) float64 {
	c := GammaNB(n, b, s) / float64(b)
	return 1 / (c/rho + 1 - c)
}
