// Package dataset owns lssr's data: it reads MNIST and Fashion-MNIST from
// IDX files (gzip or raw) and CIFAR-10 from its binary batches, draws the
// synthetic Gaussian mixture, picks the seeded training and test subsets a
// job trains and tests on (Load), and checks a lssr.DatasetSpec cheaply
// before a sweep starts (Check). It knows nothing of models or training,
// so the spec parser (package sweeps) can check data without linking the
// trainer's kernels.
//
// # Subsets
//
// Load picks a training subset of DatasetSpec.N examples and a test subset
// of TestN. Balanced subsets hold n/classes examples of every class, the
// remainder n mod classes going one each to the first classes; unbalanced
// ones are uniform random subsets. The choice is driven by SubsetSeed
// through math/rand/v2's PCG, with separate streams for the training and
// the test subset, and the examples keep their file order. Image pixels are
// scaled to [0, 1].
//
// # Errors
//
// Errors caused by the spec or the files wrap lssr.ErrBadInput and are one
// line that starts with the spec field to fix ("dataset.dir: …").
package dataset
