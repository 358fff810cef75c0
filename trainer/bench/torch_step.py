#!/usr/bin/env python3
"""PyTorch reference for the lssr trainer's speed yardsticks.

Workloads (--work NAME:B1,B2,...; the names are the lssr benchmarks'):
  w1               MLP 784-512-512-10 (669,706 parameters), ReLU
  c16-32-bn-h128   CNN: two blocks of two 3×3 convs (16, then 32 channels),
                   each conv followed by BatchNorm2d and ReLU, 2×2 max pool
                   after each block, then Linear 1568-128, BatchNorm1d, ReLU,
                   Linear 128-10; 28×28×1 inputs (lssr's `kind: cnn`,
                   `channels: [16, 32]`, `hidden: [128]`, `batch_norm: true`)
  c32-64-bn-h256   the same with 32 and 64 channels and 256 hidden units
All use softmax cross-entropy, plain SGD (lr 1e-3, no momentum, no weight
decay), float32, one thread, training mode (batch statistics). One timed
step is a full training step (forward, loss, backward, update) on a
shuffled minibatch of b that is already in memory: the data set is a
pre-made random tensor shaped like MNIST, shuffled and cut into batches
before the clock starts, so no data loading or gathering is timed.
Gradients are freed each step (zero_grad(set_to_none=True)) and glibc
malloc is told to keep freed memory (see keep_heap; --system-malloc undoes
it), so torch does not pay page faults that lssr, reusing its buffers,
does not.

stdout gets one line per workload and batch size, e.g.
`work=w1 b=128 samples_per_s=26700.0 flops_per_example=3211264` (the best
of --repeats timed runs; flops_per_example counts the multiply-adds of the
forward pass, the weight gradients and the input gradients of every layer
but the first, two flops each: the same work for lssr and torch);
everything else goes to stderr.
Run it with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 set
(compare.sh does); it also calls torch.set_num_threads(1) itself.
"""

import argparse
import ctypes
import math
import os
import sys
import time

import torch
from torch import nn


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def loaded_blas_libs():
    """Paths of BLAS/LAPACK shared libraries mapped into this process."""
    libs = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) < 6:
                    continue
                path = parts[-1]
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "blis", "lapack", "mkl", "atlas")) and path not in libs:
                    libs.append(path)
    except OSError:
        pass
    return libs


def report_config():
    """Print torch's build, threading and the BLAS it actually runs with."""
    log(f"torch {torch.__version__} python {sys.version.split()[0]} ({sys.executable})")
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE"):
        log(f"  env {k}={os.environ.get(k, '(unset)')}")
    for line in torch.__config__.show().splitlines():
        if any(k in line for k in ("BLAS", "LAPACK", "CPU capability", "OpenMP", "MKL", "PyTorch built with")):
            log("  config:" + line.rstrip())
    for line in torch.__config__.parallel_info().splitlines():
        if line.strip() and not line.startswith("-"):
            log("  parallel:" + line.rstrip())
    for path in loaded_blas_libs():
        real = os.path.realpath(path)
        desc = f"  loaded: {path}" + (f" -> {real}" if real != path else "")
        try:  # OpenBLAS can describe itself; other BLASes lack these symbols.
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            desc += (f" [OpenBLAS config: {lib.openblas_get_config().decode()};"
                     f" core: {lib.openblas_get_corename().decode()};"
                     f" threads: {lib.openblas_get_num_threads()}]")
        except (OSError, AttributeError):
            pass
        log(desc)


def keep_heap():
    """Stop glibc malloc from handing torch's per-step buffers back to the OS.

    Each step allocates and frees MB-sized tensors (gradients, activations).
    With glibc's defaults they are often mmap'ed and unmapped, or the heap
    is trimmed, every step, so each step pays hundreds of page faults; that
    made torch up to 2-3x slower and very noisy at some batch sizes on this
    machine. lssr reuses its buffers (0 allocs/op), so the reference gets
    the same: the largest mmap threshold (32 MiB, no dynamic adjustment)
    and a 1 GiB trim threshold, i.e. what GLIBC_TUNABLES=
    glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824
    does. Returns whether both settings took.
    """
    try:
        libc = ctypes.CDLL(None)
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
        return bool(libc.mallopt(M_MMAP_THRESHOLD, 32 << 20)) and bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30))
    except (OSError, AttributeError):
        return False


def cnn_model(c1, c2, hidden):
    layers, c = [], 1
    for ch in (c1, c2):
        for _ in range(2):
            layers += [nn.Conv2d(c, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU()]
            c = ch
        layers.append(nn.MaxPool2d(2))
    layers += [nn.Flatten(), nn.Linear(c * 7 * 7, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, 10)]
    return nn.Sequential(*layers)


# Each workload: (model builder, input shape of one example).
WORKLOADS = {
    "w1": (lambda: nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, 10),
    ), (784,)),
    "c16-32-bn-h128": (lambda: cnn_model(16, 32, 128), (1, 28, 28)),
    "c32-64-bn-h256": (lambda: cnn_model(32, 64, 256), (1, 28, 28)),
}


def flops_per_example(model, shape):
    """Training flops of one example: 2 per multiply-add of the forward
    pass, of the weight gradients and of the input gradients (not of the
    first layer, whose input gradient nobody needs), for Linear and Conv2d
    layers; the element-wise layers are not counted."""
    x = torch.zeros((1,) + shape)
    macs = []
    hooks = []

    def hook(m, inp, out):
        if isinstance(m, nn.Linear):
            macs.append(m.in_features * m.out_features)
        elif isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1]
            macs.append(out.shape[1] * out.shape[2] * out.shape[3] * m.in_channels * k)

    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            hooks.append(m.register_forward_hook(hook))
    model.eval()
    with torch.no_grad():
        model(x)
    model.train()
    for h in hooks:
        h.remove()
    return 2 * (3 * sum(macs) - macs[0])


def bench_batch(work, b, x, y, seconds, repeats, warmup_s, gen):
    """Best samples/s over `repeats` timed runs of the workload's steps at
    batch size b."""
    torch.manual_seed(1)
    model = WORKLOADS[work][0]()  # float32 by default
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0, weight_decay=0)
    n = x.shape[0]

    # One epoch of shuffled minibatches (contiguous copies, the tail past
    # floor(n/b)*b dropped) made before any timing; the loop cycles over them.
    perm = torch.randperm(n, generator=gen)[: (n // b) * b]
    xs = x.index_select(0, perm).split(b)
    ys = y.index_select(0, perm).split(b)
    nb = len(xs)

    def steps(k, start):
        for i in range(start, start + k):
            xb, yb = xs[i % nb], ys[i % nb]
            opt.zero_grad(set_to_none=True)  # the default from torch 2.0 on
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss

    # Warm-up: at least 10 steps and warmup_s seconds; it also sizes the runs.
    k, done, t0 = 10, 0, time.perf_counter()
    while True:
        steps(k, done)
        done += k
        el = time.perf_counter() - t0
        if el >= warmup_s:
            break
        k = done
    per_step = el / done
    count = max(10, math.ceil(seconds / repeats / per_step))

    best, pos = 0.0, done
    for _ in range(repeats):
        t0 = time.perf_counter()
        loss = steps(count, pos)
        el = time.perf_counter() - t0
        pos += count
        best = max(best, b * count / el)
    if not torch.isfinite(loss):
        raise SystemExit(f"{work} b={b}: loss is not finite ({loss.item()})")
    log(f"  {work} b={b}: {repeats} runs of {count} steps, best {best:.1f} samples/s, last loss {loss.item():.4f}")
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", action="append", metavar="NAME:B1,B2,...",
                    help="a workload (" + ", ".join(WORKLOADS) + ") and its batch sizes; repeatable "
                    "(default: w1:8,32,128,512)")
    ap.add_argument("--seconds", type=float, default=2.0, help="timed seconds per batch size, all repeats together")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per batch size; the best counts")
    ap.add_argument("--warmup", type=float, default=0.3, help="warm-up seconds per batch size")
    ap.add_argument("--examples", type=int, default=4096, help="synthetic examples")
    ap.add_argument("--system-malloc", action="store_true",
                    help="keep glibc's default malloc thresholds (see keep_heap)")
    ap.add_argument("--quiet", action="store_true", help="do not print the torch/BLAS configuration")
    args = ap.parse_args()

    heap = "glibc defaults (--system-malloc)" if args.system_malloc else (
        "kept: mmap threshold 32 MiB, trim threshold 1 GiB" if keep_heap() else "mallopt failed, glibc defaults")
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    if not args.quiet:
        report_config()
        log(f"  malloc: {heap}")

    works = []
    for w in args.work or ["w1:8,32,128,512"]:
        name, _, bs = w.partition(":")
        if name not in WORKLOADS:
            raise SystemExit(f"--work {w}: unknown workload {name!r} (want one of {', '.join(WORKLOADS)})")
        try:
            batches = [int(s) for s in bs.split(",")]
        except ValueError:
            raise SystemExit(f"--work {w}: batch sizes must be comma-separated integers")
        works.append((name, batches))

    gen = torch.Generator().manual_seed(1)
    n = args.examples
    for name, batches in works:
        build, shape = WORKLOADS[name]
        flops = flops_per_example(build(), shape)
        x = torch.rand((n,) + shape, generator=gen, dtype=torch.float32)  # pixels in [0,1); requires_grad False
        y = torch.randint(0, 10, (n,), generator=gen, dtype=torch.int64)
        for b in batches:
            if not 1 <= b <= n:
                raise SystemExit(f"batch size {b} must be between 1 and --examples={n}")
            sps = bench_batch(name, b, x, y, args.seconds, args.repeats, args.warmup, gen)
            print(f"work={name} b={b} samples_per_s={sps:.1f} flops_per_example={flops}", flush=True)
    if not args.quiet:
        log(f"  torch threads after run: intra-op {torch.get_num_threads()}, inter-op {torch.get_num_interop_threads()}")


if __name__ == "__main__":
    main()
