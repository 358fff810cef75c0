package dataset

import (
	"math/rand/v2"
	"slices"

	"github.com/lssr/lssr"
)

// PCG stream selectors: each use of a seed draws from its own stream, so the
// training subset, the test subset and the synthetic centres and examples
// are independent of each other and of how many numbers the others draw.
// Package trainer draws the initial weights and the batch order from
// streams of its own, distinct from these.
const (
	streamTrainSubset uint64 = 0x7375627365742d74 // "subset-t"
	streamTestSubset  uint64 = 0x7375627365742d65 // "subset-e"
	streamCentres     uint64 = 0x73796e2d63656e74 // "syn-cent"
	streamSynTrain    uint64 = 0x73796e2d74726169 // "syn-trai"
	streamSynTest     uint64 = 0x73796e2d74657374 // "syn-test"
)

func newRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream))
}

// classQuota is how many of n balanced examples belong to class c: n/classes
// each, the remainder one more for each of the first classes.
func classQuota(n, classes, c int) int {
	q := n / classes
	if c < n%classes {
		q++
	}
	return q
}

// checkBalanced reports whether labels hold enough examples of every class
// for a balanced subset of n.
func checkBalanced(labels []uint8, classes, n int, field string) error {
	counts := make([]int, classes)
	for _, y := range labels {
		if int(y) < classes {
			counts[y]++
		}
	}
	for c, have := range counts {
		if need := classQuota(n, classes, c); need > have {
			return lssr.BadField(field, "a balanced subset of %d needs %d of class %d, the file has %d", n, need, c, have)
		}
	}
	return nil
}

// pickSubset chooses n of the examples labelled by labels and returns their
// indices in ascending order. Balanced subsets take classQuota examples of
// each class, each class's chosen uniformly at random; otherwise n examples
// are chosen uniformly at random. Both use a partial Fisher–Yates shuffle
// driven by r, so the same r gives the same subset.
func pickSubset(labels []uint8, classes, n int, balanced bool, r *rand.Rand, field string) ([]int, error) {
	if n > len(labels) {
		return nil, lssr.BadField(field, "%d exceeds the %d examples in the file", n, len(labels))
	}
	if !balanced {
		all := make([]int, len(labels))
		for i := range all {
			all[i] = i
		}
		keep := partialShuffle(all, n, r)
		slices.Sort(keep)
		return keep, nil
	}
	if err := checkBalanced(labels, classes, n, field); err != nil {
		return nil, err
	}
	byClass := make([][]int, classes)
	for i, y := range labels {
		byClass[y] = append(byClass[y], i)
	}
	keep := make([]int, 0, n)
	for c, members := range byClass {
		keep = append(keep, partialShuffle(members, classQuota(n, classes, c), r)...)
	}
	slices.Sort(keep)
	return keep, nil
}

// partialShuffle moves a uniformly random k-subset of xs to its front, in
// random order, and returns that front.
func partialShuffle(xs []int, k int, r *rand.Rand) []int {
	for i := 0; i < k; i++ {
		j := i + r.IntN(len(xs)-i)
		xs[i], xs[j] = xs[j], xs[i]
	}
	return xs[:k]
}
