// Package dataset owns lssr's data: it reads MNIST and Fashion-MNIST from
// IDX files (gzip or raw) and CIFAR-10 from its binary batches, draws the
// synthetic Gaussian mixture, picks the seeded training and test subsets a
// job trains and tests on (Load), checks a lssr.DatasetSpec cheaply
// before a sweep starts (Check), and writes and reads a split as the x/y
// exchange file of 'lssr export data' and 'lssr measure --data'
// (EncodeXY, DecodeXY). It knows nothing of models or training,
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
// An error caused by the spec or by the files' contents is a
// *lssr.FieldError: one line, "field: problem", naming the spec field to
// fix (dataset.n, dataset.dir for anything about the files, …), and bad
// input for errors.Is(err, lssr.ErrBadInput). The spec parser finds the
// field with errors.As to point at its line. An IDX file that is there but
// cannot be opened (no permission, say) gives the operating system's error.
package dataset
