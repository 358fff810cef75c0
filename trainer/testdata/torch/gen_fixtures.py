#!/usr/bin/python3
"""Reference values for lssr's measurements, from PyTorch float64 autograd.

For a few small MLPs (nn.Sequential of Linear and ReLU/Tanh) on random data
this writes, per case, one safetensors file with:
  the weights under PyTorch state_dict names ("0.weight" [out, in],
  "0.bias", "2.weight", ...), float32;
  the data "x" float32 [n, d] and "y" int64 [n];
  a direction "v.<param>" float32 per parameter;
  expected values computed in float64 from those float32 numbers:
  "expected.grad_sq_norm", "expected.tr_s1", "expected.ghg",
  "expected.lambda1" (F64, shape [1]) and "hv.<param>" (F64): H·v with H the
  Hessian of the mean loss, by double backward (no finite differences).
The loss is cross-entropy or 0.5·‖f(x) − onehot(y)‖² per example, averaged.

Run: /usr/bin/python3 trainer/testdata/torch/gen_fixtures.py (Debian's
python3-torch). The safetensors files are written with struct and json, so
the safetensors Python package is not needed.
"""
import json
import os
import struct

import torch

torch.manual_seed(20231125)
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


def loss_fn(kind, out, y, classes):
    if kind == "cross-entropy":
        return torch.nn.functional.cross_entropy(out, y, reduction="none")
    onehot = torch.nn.functional.one_hot(y, classes).to(out.dtype)
    return 0.5 * ((out - onehot) ** 2).sum(dim=1)


def case(name, widths, act, loss, n):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU() if act == "relu" else torch.nn.Tanh())
    net32 = torch.nn.Sequential(*layers)
    x32 = torch.rand(n, widths[0], dtype=torch.float32)
    y = torch.randint(0, widths[-1], (n,), dtype=torch.int64)
    net = net32.double()  # the same float32 values, computed in float64
    x = x32.double()
    names = [k for k, _ in net.named_parameters()]
    params = [p for _, p in net.named_parameters()]
    v32 = [torch.randn_like(p, dtype=torch.float32) for p in params]
    v = [t.double() for t in v32]

    per_example = []
    for i in range(n):
        li = loss_fn(loss, net(x[i:i + 1]), y[i:i + 1], widths[-1]).sum()
        per_example.append(torch.autograd.grad(li, params))
    tr_s1 = sum(sum((g ** 2).sum() for g in gs) for gs in per_example) / n

    L = loss_fn(loss, net(x), y, widths[-1]).mean()
    grads = torch.autograd.grad(L, params, create_graph=True)
    grad_sq_norm = sum((g ** 2).sum() for g in grads)
    dot = sum((g * u).sum() for g, u in zip(grads, v))
    hv = torch.autograd.grad(dot, params, retain_graph=True)
    gdet = [g.detach() for g in grads]
    gdot = sum((g * u).sum() for g, u in zip(grads, gdet))
    hg = torch.autograd.grad(gdot, params, retain_graph=True)
    ghg = sum((a * b).sum() for a, b in zip(gdet, hg))

    # λ1: the eigenvalue of largest magnitude of the dense Hessian.
    flat = torch.cat([p.reshape(-1) for p in params])
    def loss_of(theta):
        off, ps = 0, []
        for p in params:
            ps.append(theta[off:off + p.numel()].reshape(p.shape))
            off += p.numel()
        h = x
        for j, layer in enumerate(layers):
            if isinstance(layer, torch.nn.Linear):
                k = names.index(f"{j}.weight")
                h = h @ ps[k].T + ps[k + 1]
            else:
                h = torch.relu(h) if act == "relu" else torch.tanh(h)
        return loss_fn(loss, h, y, widths[-1]).mean()
    H = torch.autograd.functional.hessian(loss_of, flat.detach())
    eig = torch.linalg.eigvalsh((H + H.T) / 2)
    lambda1 = eig[eig.abs().argmax()]

    tensors = {k: p.detach().float() for k, p in zip(names, params)}
    tensors["x"], tensors["y"] = x32, y
    for k, t in zip(names, v32):
        tensors["v." + k] = t
    for k, t in zip(names, hv):
        tensors["hv." + k] = t.detach()
    for k, val in [("grad_sq_norm", grad_sq_norm), ("tr_s1", tr_s1), ("ghg", ghg), ("lambda1", lambda1)]:
        tensors["expected." + k] = torch.tensor([float(val)], dtype=torch.float64)
    meta = {"widths": json.dumps(widths), "activation": act, "loss": loss, "torch": torch.__version__}
    write_safetensors(os.path.join(HERE, name + ".safetensors"), tensors, meta)
    print(name, "λ1", float(lambda1), "ghg", float(ghg), "‖g‖²", float(grad_sq_norm))


case("mlp_tanh_ce", [6, 5, 4, 3], "tanh", "cross-entropy", 16)
case("mlp_relu_ce", [6, 7, 3], "relu", "cross-entropy", 20)
case("mlp_relu_mse", [5, 6, 6, 4], "relu", "mse", 12)
case("mlp_tanh_mse", [4, 3], "tanh", "mse", 10)
