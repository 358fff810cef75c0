#!/usr/bin/python3
"""Move lssr weights to PyTorch and back.

lssr's models are nn.Sequential networks whose state_dict names and layouts
are PyTorch's (see sweeps/README.md), and `lssr export weights` writes them
as safetensors with the model in the metadata ("lssr.model", "lssr.loss",
"lssr.shape", "lssr.dim", "lssr.classes"). This module builds the matching
nn.Sequential, loads such a file into it, and saves a state_dict back in the
same format, which `lssr measure --weights` reads. It needs only torch (no
safetensors package):

    import lssr_torch
    model, meta = lssr_torch.load("w.safetensors")   # strict load_state_dict
    ...                                              # evaluate, fine-tune
    lssr_torch.save("w2.safetensors", model, meta)

    lssr measure --weights w2.safetensors --data d.safetensors

`python3 tools/lssr_torch.py check W.safetensors D.safetensors` loads W,
prints its loss, accuracy and ‖∇L‖² on the data file D (x, y) in float64
(batch norm in eval mode), as `lssr measure` computes them.
"""
import json
import struct
import sys

import torch

_DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}
_NAMES = {v: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        lo, hi = e["data_offsets"]
        t = torch.frombuffer(bytearray(data[lo:hi]), dtype=_DTYPES[e["dtype"]]) if hi > lo else torch.empty(0, dtype=_DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (float32, float64, int64) as safetensors."""
    header, blobs, off = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().tobytes()
        header[name] = {"dtype": _NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def build(model, shape, dim, classes):
    """The nn.Sequential of an lssr model spec (a dict as in "lssr.model")."""
    act = torch.nn.ReLU if model.get("activation", "relu") == "relu" else torch.nn.Tanh
    bn = model.get("batch_norm", False)
    layers, width = [], dim
    if model["kind"] == "cnn":
        k = model.get("kernel") or 3
        c, h, w = shape
        for ch in model["channels"]:
            for _ in range(2):
                layers.append(torch.nn.Conv2d(c, ch, k, padding=k // 2))
                if bn:
                    layers.append(torch.nn.BatchNorm2d(ch))
                layers.append(act())
                c = ch
            layers.append(torch.nn.AvgPool2d(2) if model.get("pool") == "avg" else torch.nn.MaxPool2d(2))
            h, w = h // 2, w // 2
        layers.append(torch.nn.Flatten())
        width = c * h * w
    for hid in model.get("hidden") or []:
        layers.append(torch.nn.Linear(width, hid))
        if bn:
            layers.append(torch.nn.BatchNorm1d(hid))
        layers.append(act())
        width = hid
    layers.append(torch.nn.Linear(width, classes))
    return torch.nn.Sequential(*layers)


def load(path):
    """Builds the model of an `lssr export weights` file and loads it
    (strictly: every name and shape must match). Returns (model, metadata)."""
    tensors, meta = read_safetensors(path)
    model = build(json.loads(meta["lssr.model"]), json.loads(meta["lssr.shape"]), int(meta["lssr.dim"]), int(meta["lssr.classes"]))
    model.load_state_dict(tensors, strict=True)
    return model, meta


def save(path, model, meta=None):
    """Writes model.state_dict() (float32) with lssr's metadata."""
    sd = {k: (v.float() if v.is_floating_point() else v) for k, v in model.state_dict().items()}
    write_safetensors(path, sd, meta)


def loss_fn(kind, out, y):
    if kind == "mse":
        onehot = torch.nn.functional.one_hot(y, out.shape[1]).to(out.dtype)
        return 0.5 * ((out - onehot) ** 2).sum(dim=1)
    return torch.nn.functional.cross_entropy(out, y, reduction="none")


def check(weights, data):
    model, meta = load(weights)
    d, _ = read_safetensors(data)
    model = model.double().eval()
    x, y = d["x"].double(), d["y"]
    out = model(x)
    losses = loss_fn(meta.get("lssr.loss", "cross-entropy"), out, y)
    grads = torch.autograd.grad(losses.mean(), list(model.parameters()))
    print(json.dumps({
        "loss": losses.mean().item(),
        "accuracy": (out.argmax(1) == y).double().mean().item(),
        "grad_sq_norm": sum((g ** 2).sum() for g in grads).item(),
    }))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: lssr_torch.py check WEIGHTS.safetensors DATA.safetensors")
