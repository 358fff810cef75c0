#!/usr/bin/python3
"""Reference values for lssr's measurements on CNNs and BatchNorm models.

Each case is one torch.nn.Sequential, built exactly as lssr builds it, so the
module indices give the state_dict names:
  kind "cnn", input [n, c, h, w]: per width c in channels
    Conv2d(in, c, k, padding=k//2), [BatchNorm2d(c)], act,
    Conv2d(c, c, k, padding=k//2), [BatchNorm2d(c)], act,
    MaxPool2d(2) or AvgPool2d(2);
  then Flatten(); per width h in hidden: Linear(in, h), [BatchNorm1d(h)], act;
  then Linear(in, classes).
  kind "mlp", input [n, d]: the same without the convolutional part and
  without Flatten.
act is ReLU or Tanh; every module (act, pool, Flatten, BN) takes an index,
e.g. channels [3] with BN: 0 Conv2d, 1 BN, 2 ReLU, 3 Conv2d, 4 BN, 5 ReLU,
6 MaxPool2d, 7 Flatten, 8 Linear, ...

BN layers get weight = 1 + 0.3·randn, bias = 0.2·randn and running
statistics from 3 train-mode forward passes on random batches, so none of
them are the defaults.

Per case one safetensors file holds:
  the float32 state_dict under its names: parameters, and for BN also
  "N.running_mean", "N.running_var" (float32) and "N.num_batches_tracked"
  (int64, shape []);
  the data "x" float32 ([n, c, h, w] or [n, d]) and "y" int64 [n];
  a direction "v.<param>" float32 per parameter (not per buffer);
  expected values in EVAL mode (running statistics as constants), computed in
  float64 from those float32 numbers (F64, shape [1]): "expected.loss",
  "expected.grad_sq_norm" ‖∇L‖², "expected.tr_s1" (1/n)Σ‖∇ℓ_i‖² (one
  example at a time), "expected.ghg" ∇LᵀH∇L, "expected.lambda1" (the
  eigenvalue of largest magnitude of the dense Hessian), and "hv.<param>"
  (F64): H·v by double backward (no finite differences);
  TRAIN-mode references, in float64 with all n examples as one batch:
  "train_grad.<param>" (F64) the gradient of the mean loss (for models
  without BN the same as the eval gradient), and for BN models
  "train_running_mean.<N>", "train_running_var.<N>" (F64): the running
  statistics of BN module N after that one train-mode forward pass, starting
  from the stored ones (PyTorch's update: momentum 0.1, the unbiased batch
  variance for running_var).
The loss is cross-entropy or 0.5·‖f(x) − onehot(y)‖² per example, averaged.
"__metadata__" has "model" (JSON: kind, channels, hidden, kernel, pool,
batch_norm, activation), "loss", "shape" (JSON [c, h, w], [0, 0, 0] for mlp),
"dim" (features per example), "classes" and "torch".

Run: /usr/bin/python3 trainer/testdata/torch/gen_cnn_fixtures.py (Debian's
python3-torch). The safetensors files are written with struct and json, so
the safetensors Python package is not needed.
"""
import copy
import json
import os
import struct

import numpy as np
import torch
from torch.nn.utils.stateless import functional_call

torch.manual_seed(20261125)
HERE = os.path.dirname(os.path.abspath(__file__))


def write_safetensors(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    dt = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dt[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """A minimal reader, to check the files: {name: numpy array}, metadata."""
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen])
    meta = header.pop("__metadata__", {})
    body = data[8 + hlen:]
    npdt = {"F32": np.float32, "F64": np.float64, "I64": np.int64}
    out, end = {}, 0
    for name, e in header.items():
        a, b = e["data_offsets"]
        dt = npdt[e["dtype"]]
        assert b - a == int(np.prod(e["shape"], dtype=np.int64)) * np.dtype(dt).itemsize, name
        out[name] = np.frombuffer(body[a:b], dtype=dt).reshape(e["shape"])
        end = max(end, b)
    assert end == len(body), path
    return out, meta


def loss_fn(kind, out, y, classes):
    if kind == "cross-entropy":
        return torch.nn.functional.cross_entropy(out, y, reduction="none")
    onehot = torch.nn.functional.one_hot(y, classes).to(out.dtype)
    return 0.5 * ((out - onehot) ** 2).sum(dim=1)


def build(kind, shape, channels, hidden, kernel, pool, bn, act, classes):
    def a():
        return torch.nn.ReLU() if act == "relu" else torch.nn.Tanh()
    layers = []
    if kind == "cnn":
        c_in, h, w = shape
        for c in channels:
            for ci in (c_in, c):
                layers.append(torch.nn.Conv2d(ci, c, kernel, stride=1, padding=kernel // 2, bias=True))
                if bn:
                    layers.append(torch.nn.BatchNorm2d(c))
                layers.append(a())
            layers.append(torch.nn.MaxPool2d(2) if pool == "max" else torch.nn.AvgPool2d(2))
            c_in, h, w = c, h // 2, w // 2
        layers.append(torch.nn.Flatten())
        d = c_in * h * w
    else:
        d = shape
    for hw in hidden:
        layers.append(torch.nn.Linear(d, hw))
        if bn:
            layers.append(torch.nn.BatchNorm1d(hw))
        layers.append(a())
        d = hw
    layers.append(torch.nn.Linear(d, classes))
    return torch.nn.Sequential(*layers)


def case(name, kind, shape, channels, hidden, kernel, pool, bn, act, loss, classes, n):
    net32 = build(kind, shape, channels, hidden, kernel, pool, bn, act, classes)
    in_shape = list(shape) if kind == "cnn" else [shape]
    bn_idx = [i for i, m in enumerate(net32) if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if bn:
        with torch.no_grad():
            for i in bn_idx:
                m = net32[i]
                m.weight.copy_(1 + 0.3 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))
            net32.train()
            for _ in range(3):
                net32(torch.rand(n, *in_shape, dtype=torch.float32))
    net32.eval()
    x32 = torch.rand(n, *in_shape, dtype=torch.float32)
    y = torch.randint(0, classes, (n,), dtype=torch.int64)
    state32 = {k: t.detach().clone() for k, t in net32.state_dict().items()}
    names = [k for k, _ in net32.named_parameters()]
    v32 = [torch.randn_like(p, dtype=torch.float32) for _, p in net32.named_parameters()]
    v = [t.double() for t in v32]

    # Eval mode, float64, on a deep copy so the stored buffers stay as they are.
    net = copy.deepcopy(net32).double().eval()
    x = x32.double()
    params = [p for _, p in net.named_parameters()]

    per_example = []
    for i in range(n):
        li = loss_fn(loss, net(x[i:i + 1]), y[i:i + 1], classes).sum()
        per_example.append(torch.autograd.grad(li, params))
    tr_s1 = sum(sum((g ** 2).sum() for g in gs) for gs in per_example) / n

    L = loss_fn(loss, net(x), y, classes).mean()
    grads = torch.autograd.grad(L, params, create_graph=True)
    grad_sq_norm = sum((g ** 2).sum() for g in grads)
    dot = sum((g * u).sum() for g, u in zip(grads, v))
    hv = torch.autograd.grad(dot, params, retain_graph=True)
    gdet = [g.detach() for g in grads]
    gdot = sum((g * u).sum() for g, u in zip(grads, gdet))
    hg = torch.autograd.grad(gdot, params, retain_graph=True)
    ghg = sum((a * b).sum() for a, b in zip(gdet, hg))

    # Sanity: ‖∇L‖² against the mean of the per-example gradients.
    mean_g = [sum(gs[j] for gs in per_example) / n for j in range(len(params))]
    gsq2 = sum((g ** 2).sum() for g in mean_g)
    rel = abs(float(gsq2) - float(grad_sq_norm)) / abs(float(grad_sq_norm))
    assert rel < 1e-10, (name, rel)

    # λ1: the eigenvalue of largest magnitude of the dense Hessian.
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    def loss_of(theta):
        off, ps = 0, {}
        for k, p in zip(names, params):
            ps[k] = theta[off:off + p.numel()].reshape(p.shape)
            off += p.numel()
        return loss_fn(loss, functional_call(net, ps, (x,)), y, classes).mean()
    assert abs(float(loss_of(flat)) - float(L)) < 1e-12
    H = torch.autograd.functional.hessian(loss_of, flat)
    asym = float((H - H.T).abs().max())
    eig = torch.linalg.eigvalsh((H + H.T) / 2)
    lambda1 = eig[eig.abs().argmax()]
    # H·v from the dense Hessian against the double-backward one.
    hv_dense = H @ torch.cat([t.reshape(-1) for t in v])
    hv_flat = torch.cat([t.reshape(-1) for t in hv])
    hv_rel = float((hv_dense - hv_flat).norm() / hv_flat.norm())
    assert hv_rel < 1e-10, (name, hv_rel)

    # Train mode, float64, all n examples as one batch, from the stored buffers.
    tnet = copy.deepcopy(net32).double().train()
    tparams = [p for _, p in tnet.named_parameters()]
    Lt = loss_fn(loss, tnet(x), y, classes).mean()
    tgrads = torch.autograd.grad(Lt, tparams)
    if not bn:
        tdiff = max(float((a - b).abs().max()) for a, b in zip(tgrads, gdet))
        assert tdiff < 1e-12, (name, tdiff)

    tensors = dict(state32)
    tensors["x"], tensors["y"] = x32, y
    for k, t in zip(names, v32):
        tensors["v." + k] = t
    for k, t in zip(names, hv):
        tensors["hv." + k] = t.detach()
    for k, t in zip(names, tgrads):
        tensors["train_grad." + k] = t.detach()
    for i in bn_idx:
        tensors[f"train_running_mean.{i}"] = tnet[i].running_mean.detach().clone()
        tensors[f"train_running_var.{i}"] = tnet[i].running_var.detach().clone()
    for k, val in [("loss", L), ("grad_sq_norm", grad_sq_norm), ("tr_s1", tr_s1), ("ghg", ghg), ("lambda1", lambda1)]:
        tensors["expected." + k] = torch.tensor([float(val)], dtype=torch.float64)
    model = {"kind": kind, "channels": channels, "hidden": hidden, "kernel": kernel, "pool": pool,
             "batch_norm": bn, "activation": act}
    meta = {
        "model": json.dumps(model),
        "loss": loss,
        "shape": json.dumps(list(shape) if kind == "cnn" else [0, 0, 0]),
        "dim": str(int(np.prod(in_shape))),
        "classes": str(classes),
        "torch": torch.__version__,
    }
    path = os.path.join(HERE, name + ".safetensors")
    write_safetensors(path, tensors, meta)

    # Read back and compare.
    back, bmeta = read_safetensors(path)
    assert bmeta == meta and set(back) == set(tensors), name
    for k, t in tensors.items():
        assert list(back[k].shape) == list(t.shape), k
        assert np.array_equal(back[k], t.detach().numpy()), k

    print(name, "params", flat.numel(), "loss", float(L), "λ1", float(lambda1), "ghg", float(ghg),
          "‖g‖²", float(grad_sq_norm), "tr_s1", float(tr_s1), "rel(‖mean g_i‖²)", f"{rel:.1e}",
          "H asym", f"{asym:.1e}")


case("cnn_relu_ce", "cnn", [1, 8, 8], [3], [5], 3, "max", False, "relu", "cross-entropy", 3, 12)
case("cnn_tanh_mse_avg", "cnn", [2, 6, 6], [2, 3], [], 3, "avg", False, "tanh", "mse", 4, 10)
case("cnn_bn_relu_ce", "cnn", [1, 8, 8], [3], [4], 3, "max", True, "relu", "cross-entropy", 3, 12)
case("cnn_bn_tanh_mse_k5", "cnn", [2, 8, 8], [2], [], 5, "avg", True, "tanh", "mse", 3, 8)
case("mlp_bn_relu_ce", "mlp", 6, [], [5, 4], 0, "max", True, "relu", "cross-entropy", 3, 16)
case("mlp_bn_tanh_mse", "mlp", 5, [], [6], 0, "max", True, "tanh", "mse", 4, 10)
