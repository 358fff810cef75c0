// Package sweeps reads sweep specs: YAML files that say which small network
// to train on which data, and over which grid of batch sizes b, learning
// rates η and seeds. [Parse] validates a spec and fills in its defaults;
// [Load] also checks that the dataset files are there; [Spec.Jobs] expands
// the grid into one [lssr.Job] per (b, η, seed).
//
// # Format
//
// A spec is one YAML document, a mapping with these fields (defaults in
// brackets; fields without a default are required):
//
//	name: quickstart           # [A-Za-z0-9][A-Za-z0-9._-]{0,63}: used in file names
//	dataset:
//	  name: fashion-mnist      # fashion-mnist | mnist | cifar10 | synthetic
//	  dir: /some/folder        # folder of the data files [the dataset's default place; cifar10: required]
//	  n: 2048                  # training subset size, 1…60000 (cifar10: 1…50000; synthetic: 1…1000000)
//	  test_n: 2000             # test examples, 1…10000 [10000; synthetic: 1000, up to 1000000]
//	  balanced: true           # class-balanced subsets [true]
//	  subset_seed: 0           # picks the subsets [0]
//	  dim: 20                  # synthetic only, required there: input dimension, 1…65536
//	  classes: 4               # synthetic only, required there: 2…256
//	model:
//	  kind: mlp                # mlp | cnn (image data only)
//	  hidden: [128]            # hidden dense layer widths, 1…65536 each, at most 32 layers; [] is a linear model (mlp) or conv blocks then the output layer (cnn)
//	  activation: relu         # relu | tanh [relu]
//	  batch_norm: false        # batch norm after every conv and hidden dense layer, before the activation [false]
//	  channels: [16, 32]       # cnn only, required there: one conv-conv-pool block per width, 1…4096, at most 8 (4 for 28-pixel images, 5 for 32)
//	  kernel: 3                # cnn only: odd convolution size, padding kernel/2, stride 1 [3]
//	  pool: max                # cnn only: 2×2 pooling after each block, max | avg [max]
//	loss: cross-entropy        # cross-entropy | mse [cross-entropy]
//	training:
//	  epochs: 10               # 1…1000000
//	  sampling: without        # without | with (replacement) [without]
//	  measure_every: 2         # measure ρ every K epochs, 0…epochs; 0 = at the end only [0]
//	  eval_every: 1            # test loss and accuracy into the series every K epochs and at the end, 0…epochs [0: the final test only]
//	  momentum: 0.9            # generalised momentum β1, 0 ≤ β < 1 [0: plain SGD, the paper's protocol]
//	  nesterov: true           # look-ahead β2 = β1 (Nesterov); false: Polyak [false]
//	  curvature_every: 10      # measure ∇LᵀH∇L, IAS, tr(HS_b), λ1 every K epochs, 0…epochs [0: never]
//	  hessian_subset: 2048     # on this many training examples, 1…n [all]
//	  curvature_samples: 10    # Rademacher vectors for tr(HS_1) [10]
//	  stop_early: 0.25         # stop a run not below its initial loss after this fraction of its epochs, (0, 1] [never]
//	  save_weights: true       # keep each finished job's final weights for 'lssr export weights' [false]
//	  checkpoint_every: 5      # a mid-job checkpoint every K epochs, 1…epochs [0: about a minute of work apart]
//	grid:
//	  batch_sizes: [8, 16, 32] # a list, or a log2 range (below); each b in 1…dataset.n
//	  learning_rates: {log2_from: -10, log2_to: 0, log2_step: 0.5}
//	  seeds: [0, 1, 2]         # a list of integers ≥ 0 [[0]]
//	search:                    # which cells of the grid run [strategy: grid]
//	  strategy: lssr           # grid: every cell | lssr: guided by the scaling rule (below)
//	  band: 1                  # lssr: octaves of η run either side of the predicted best η, (0, 16] [1]
//	  scan_seeds: 1            # lssr: seeds a cell is scanned with, 1…len(seeds) [1]
//	workers: 2                 # worker processes, 1…1024 [runtime.NumCPU()]
//	executor:                  # where jobs run; command-line flags override [kind: local]
//	  kind: slurm              # local | slurm (sbatch --array on a cluster)
//	  dir: /shared/lssr/x      # slurm: the shared folder [lssr-slurm/NAME beside the database]
//	  partition: debug         # slurm: sbatch --partition
//	  time_limit: "2:00:00"    # slurm: sbatch --time per task
//	  cpus_per_task: 1         # slurm: sbatch --cpus-per-task [1]
//	  mem: 2G                  # slurm: sbatch --mem
//	  throttle: 16             # slurm: tasks at once, the array's %N [4]
//	  sbatch_args: [--qos=long]  # slurm: more sbatch arguments
//
// dataset.dir, if given, is used as written: a relative path is relative to
// the working directory of the lssr command, not to the spec file. Without
// it, Fashion-MNIST is looked for where Debian's dataset-fashion-mnist
// package installs it and MNIST in the Go module cache (see
// dataset.DefaultDir); their folder holds the four IDX files
// (train-images-idx3-ubyte.gz and so on, gzip or raw). No package ships
// CIFAR-10, so for cifar10 dir is required: the folder of the binary version
// (cifar-10-batches-bin, from https://www.cs.toronto.edu/~kriz/cifar.html),
// holding data_batch_1.bin … data_batch_5.bin and test_batch.bin. Its
// images are 3×32×32, kept channel-major (CHW) and scaled to [0, 1] like the
// MNISTs, with no mean/std normalisation. The synthetic set is generated, so
// it takes no dir; dim and classes are for it alone.
//
// # Grid axes
//
// batch_sizes and learning_rates are each either a non-empty list of
// distinct values or a log2 range
//
//	{log2_from: A, log2_to: B, log2_step: S}   # S defaults to 1
//
// which stands for the values 2^k with k = A + i·S for i = 0, 1, … while
// k ≤ B (+1e-9, to absorb rounding). Each k is computed from i, never by
// repeated addition, and 2^k with math.Exp2, so 2^-10 is exactly 1/1024. A
// range needs A ≤ B and S > 0, all finite. For batch sizes every 2^k must be
// a whole number (log2_from ≥ 0 and a whole step; 2^3.5 is an error).
// Learning rates must be finite and > 0. Seeds are a list only. List values
// keep the order given; duplicates are an error (0.1 and 1e-1 are the same
// value).
//
// # Guided search
//
// With search.strategy lssr the grid still expands into every job, but a
// guided search (package search) decides, round by round from the results
// stored so far, which of them run: it scans the smallest, middle and
// largest batch size coarse-to-fine with scan_seeds seeds, bisects their
// stability edges, fits ρ_b/η = C to them (measured and free ρ) and
// interpolates them, then runs at every other b only the cells within band
// octaves of the predicted best η and next to the predicted edge, widening
// where a column's best lands on the border. The cells next to each
// column's best get every seed. The cells it leaves out end as skipped,
// each with the reason ('lssr sweep status' shows it); a resumed search
// makes the same decisions. The search section enters no job ID and no
// configuration: switching a sweep back to grid runs the skipped cells and
// keeps everything that ran.
//
// # Jobs and IDs
//
// [Spec.Jobs] orders jobs b-major, then η, then seed. A spec may expand to
// at most [MaxJobs] (100,000) jobs, or [Options.MaxJobs] with [ParseOptions]
// and [LoadOptions]. Each job's ID is [lssr.Job.ContentID]: a
// hash of everything that decides the training outcome (dataset content,
// model, loss, protocol, b, η, seed). Comments, formatting, field order,
// writing a default out or leaving it to be filled in, the sweep name, the
// worker count, dataset.dir, training.save_weights, checkpoint_every and
// eval_every change no ID, so a renamed or reformatted sweep finds its
// finished jobs again; any change to η, b, seed, epochs, n, the model and
// so on gives new IDs.
//
// # Test series
//
// With training.eval_every: K, each job evaluates the test set after every
// K-th epoch and after the last, with the pass the final test accuracy
// comes from, into its per-epoch series (the test_loss and test_acc columns
// of 'lssr sweep export --series'); the last epoch's values are the job's
// final ones. The pass changes nothing trained, so the results are bit for
// bit those of eval_every 0, and eval_every is outside the job IDs and the
// sweep's configuration: setting it on a stored sweep and running the spec
// again applies it to the jobs still to run, and finished ones keep their
// series.
//
// # Early stopping
//
// With training.stop_early: F, a run that has made no progress after a
// fraction F of its epochs stops early: after each epoch e from ceil(F ·
// epochs) up to, not including, the last, a run whose mean minibatch
// training loss over e is not below its training loss at initialisation
// (the full pass before the first step) ends in state stopped, with the
// reason, e.g. "stopped early: training loss 2.3127 not below its initial
// 2.3026 after epoch 3 of 10 (stop_early 0.25)". Like a diverged run it is
// an outcome, not a failure: it keeps its series so far and has no test
// accuracy, final measurement or weights, and the report counts it as a
// run that does not train. A run the rule does not stop trains exactly as
// without it. The rule applies to every job of the grid; it is part of the
// job IDs when set, so adding it to a sweep is a change of configuration.
// F = 1 (or any F with ceil(F · epochs) = epochs) checks no epoch and stops
// nothing.
//
// # Weights
//
// With training.save_weights: true every job that finishes without
// diverging keeps its final weights in the database, as a safetensors file
// with PyTorch's state_dict names ("0.weight" [out, in], "0.bias", …) that
// 'lssr export weights SWEEP JOB' writes out. Weights are kept per job, not
// per epoch: a 784-512-512-10 MLP takes 2.7 MB a job. A job that already
// finished does not run again when the flag is turned on later; run the
// spec under a new name to train it again with its weights kept.
//
// # Errors
//
// Validation is strict: unknown fields at any level, wrong types (a string
// where a number goes, 8.0 for an integer, yes/no for a boolean — YAML 1.2
// reads those as strings, quoted numbers as strings), missing required
// fields, null values, out-of-range numbers, NaN or Inf (.nan, .inf), empty
// or duplicated grid values, unknown enum values, unsafe names, too many
// jobs, empty files, several YAML documents in one file, syntax errors and
// YAML aliases (refused, so no alias can blow up in size) are all errors.
// Parse reports the first problem it meets as one line that names the file,
// the line and the field path, quoting at most 40 runes of a value:
//
//	sweeps/x.yaml:14: grid.learning_rates[2]: must be a finite number > 0, got -0.1
//	sweeps/x.yaml:3: dataset.nn: unknown field (known: name, dir, n, test_n, balanced, subset_seed, dim, classes)
//	sweeps/x.yaml:9: training.epochs: want an integer, got "ten"
//
// A missing field is reported at the line of its section. Every error wraps
// [lssr.ErrBadInput], and one about a field carries it as a
// [lssr.FieldError] (errors.As finds its path). Parse has no side effects
// and reads no files; Load adds the dataset check, whose errors name the
// missing or bad data file.
package sweeps
