package trainer

import "math/rand/v2"

// PCG stream selectors: each use of a seed draws from its own stream, so the
// initial weights, the batch order and the measurements are independent of
// each other and of how many numbers the others draw. Package dataset draws
// the subsets and the synthetic data from streams of its own, distinct from
// these.
const (
	streamInit           uint64 = 0x696e69742d776569 // "init-wei"
	streamOrder          uint64 = 0x62617463682d6f72 // "batch-or"
	streamEigen          uint64 = 0x6569672d73746172 // "eig-star"
	streamRademacher     uint64 = 0x726164656d616368 // "rademach"
	streamHessian        uint64 = 0x686573732d737562 // "hess-sub"
	streamSampledBatches uint64 = 0x72686f622d626174 // "rhob-bat"
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}
