package testutil

import "math/rand/v2"

// RandomBytes returns n bytes from a PCG generator seeded with seed1 and
// seed2, the low byte of each Uint32 it draws: the same bytes for the same
// seeds, on every run and platform.
func RandomBytes(n int, seed1, seed2 uint64) []byte {
	r := rand.New(rand.NewPCG(seed1, seed2))
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(r.Uint32())
	}
	return out
}
