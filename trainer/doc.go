// Package trainer trains small neural networks with plain SGD on the CPU,
// measuring the gradient concentration ρ of Lee & Jang (ICLR 2023) along the
// way. It trains on the data package dataset loads.
//
// # Training protocol
//
// The model is an MLP of dense layers with ReLU or tanh between them, or a
// CNN of conv-conv-pool blocks (k×k convolutions at stride 1 with padding
// k/2, then 2×2 max or average pooling) followed by dense layers; either
// may put batch norm after every convolution and hidden dense layer, before
// the activation. Layers are initialised like PyTorch's nn.Linear and
// nn.Conv2d (weights and biases uniform in ±1/√fan_in; batch norm γ = 1,
// β = 0) and numbered as in an nn.Sequential, so their state_dict names and
// layouts are PyTorch's (torch.go). The plain MLP runs on a fused float32
// path (mlp); the others are layer lists (seqNet) that run in float32 to
// train and in float64 to measure against references. Both implement one
// interface, network, against which training and every measurement are
// written once. Training
// is SGD at a constant learning rate, with generalised momentum (eq. 13–14)
// when the spec asks; no weight decay. The loss of a step is the mean over its batch of
// softmax cross-entropy or of the paper's 0.5‖f(x) − onehot(y)‖².
//
// Every epoch has floor(n/b) steps (at least 1), each on exactly b examples.
// Without replacement, the batches are consecutive slices of a permutation
// of the training subset reshuffled at the start of every epoch, and the last
// n mod b examples of that permutation are skipped for the epoch (drop_last):
// every step then has the batch size that γ_{n,b} of eq. 1 assumes, and the
// reshuffle makes each example equally likely to be the one skipped. With
// replacement, each batch is b independent uniform draws. Batch size b > n is
// rejected without replacement.
//
// A NaN or Inf loss, in a step or in a full pass, ends the run: the Result
// says Diverged and how many epochs and steps were completed, its other
// metrics are left zero, and Train returns no error.
//
// A job with a stall rule (TrainingSpec.StopEarly, a fraction F of its
// epochs) also ends when, after an epoch e with ceil(F·epochs) ≤ e < epochs,
// the mean minibatch loss of e is not below the initial training loss (the
// full pass before the first step): the Result says Stopped, with the
// reason, the epochs, steps, series and measurements so far and no final
// measurement, test pass or weights, and Train returns no error. A run the
// rule does not stop gives the same Result, bit for bit, as without it.
//
// # Measurements
//
// After the last epoch, and every TrainingSpec.MeasureEvery epochs before it,
// a full pass over the training subset measures the loss, the accuracy,
// ‖∇L‖² = tr(S_n), tr(S_1) = mean_i ‖∇ℓ_i‖², ρ = tr(S_n)/tr(S_1) (eq. 15) and
// ρ_b by eq. 17. Per-example gradient norms use the dense-layer identity
// ‖∇_W ℓ_i‖² = ‖δ_i‖²·‖a_i‖²; for a convolution, with U_i example i's
// unfolded input (im2col) and B_i its output gradient, ‖B_iU_iᵀ‖² is either
// materialised or taken as the 'ghost norm' ⟨U_iᵀU_i, B_iᵀB_i⟩, whichever
// costs fewer multiplications for the layer's shape. Sums over examples are
// accumulated in float64.
//
// λ1 is the algebraically largest eigenvalue of the Hessian of the mean
// loss, by the Lanczos method with full reorthogonalisation on exact
// Hessian-vector products (lanczos), run until its residual bound over |λ1|
// is at most 1e-4 during training and 1e-6 in Measure (MeasureSpec.Tol).
//
// With TrainingSpec.EvalEvery K > 0, the test set is evaluated after every
// K-th epoch and the last one, by the same eval-mode pass as the final test
// (whose values the last epoch's EpochStats carry: Evaluated, TestLoss,
// TestAcc). The pass draws no random number and leaves the weights, the
// batch-norm running statistics and the batch order as they were, so the
// run trains bit for bit as it does with K = 0.
//
// Batch norm couples the examples of a batch, so a per-example gradient is
// not defined in train mode. Every measurement (ρ, ρ_b, Hessian-vector
// products, λ1, IAS) therefore runs the network in eval mode: batch norm
// normalises with its running statistics, which are constants, and each
// example's loss depends on that example alone. Training steps use batch
// statistics and update the running ones as PyTorch does (momentum 0.1,
// unbiased variance).
//
// # Determinism
//
// Train is single-threaded and draws every random number from PCG streams of
// job.Seed (one for the initial weights, one for the batch order); nothing
// depends on time, map order or scheduling. The same job on the same data and
// the same binary gives a bit-identical Result, apart from Seconds, on every
// CPU whose kernel path rounds the same (package kernels picks AVX-512 or
// AVX2+FMA assembly, which give the same bits, or its pure-Go fallback, which
// rounds differently, once at start-up; see kernels.Rounding).
//
// # Speed
//
// Weights are kept in the kernels' panel layout, so the forward product
// packs nothing, and an SGD step scales the loss gradient by −η/b so that the
// backward pass's weight-gradient products add the update straight into the
// weights (see mlp.backward and docs/PERFORMANCE.md).
//
// The linear algebra lives behind the small interface of package
// trainer/kernels.
package trainer
