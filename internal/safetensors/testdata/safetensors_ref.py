#!/usr/bin/python3
"""An independent safetensors writer and checker for lssr's Go tests.

It uses only struct and json for the format and torch for the tensor bytes
(Debian's python3-torch has no safetensors package), so the Go code is checked
against code that shares nothing with it.

    /usr/bin/python3 safetensors_ref.py write OUT   # write the reference file
    /usr/bin/python3 safetensors_ref.py check IN    # check the file Go wrote

Commands can be chained in one call (check A write B) to import torch once.
Exit status 77 means torch is missing. Regenerate the committed fixture with

    cd internal/safetensors/testdata && /usr/bin/python3 safetensors_ref.py write reference.safetensors

and update referenceTensors in fixture_test.go if you change the values.
"""
import json
import struct
import sys

try:
    import torch
except ImportError as e:
    print(f"safetensors_ref.py: cannot import torch: {e}", file=sys.stderr)
    sys.exit(77)

DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16",
    torch.bfloat16: "BF16", torch.int64: "I64", torch.uint8: "U8",
}
FROM_NAME = {v: k for k, v in DTYPES.items()}


def reference_tensors():
    """The tensors both sides agree on; fixture_test.go has the same values."""
    return {
        "layer.0.weight": torch.tensor(
            [[-1.5, -0.0, 0.25], [3.4028234663852886e38, float("-inf"), 1e-45]],
            dtype=torch.float32),
        "layer.0.bias": torch.tensor([3.141592653589793, -2.5e-300, 1e300], dtype=torch.float64),
        "labels": torch.tensor([[-2**63, -1, 0], [1, 2**40, 2**63 - 1]], dtype=torch.int64),
        "pixels": torch.tensor([0, 7, 255], dtype=torch.uint8),
        "half": torch.tensor([1.0, -2.0], dtype=torch.float16),
        "brain": torch.tensor([1.0, -2.0], dtype=torch.bfloat16),
        "step": torch.tensor(12345, dtype=torch.int64),  # a scalar: shape []
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }


def tensor_bytes(t):
    # numpy has no bfloat16: reinterpret the bits as int16 first.
    if t.dtype in (torch.bfloat16, torch.float16):
        t = t.view(torch.int16)
    a = t.contiguous().numpy()
    return a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def write(path):
    tensors = reference_tensors()
    # Lay the data out as the reference writer does (widest dtype first, then
    # by name), and list the header in yet another order, so the Go decoder
    # must go by the offsets rather than by key order.
    names = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
    header, chunks, offset = {}, [], 0
    for name in names:
        data = tensor_bytes(tensors[name])
        header[name] = {"dtype": DTYPES[tensors[name].dtype],
                        "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header = dict(reversed(list(header.items())))
    header["__metadata__"] = {"format": "pt", "writer": "testdata/safetensors_ref.py"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def check(path):
    """Parse the file Go wrote and compare every tensor with the reference."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    text = blob[8:8 + n].decode("utf-8")
    assert n % 8 == 0, f"header length {n} is not a multiple of 8"
    body = text.rstrip(" ")
    header = json.loads(body)
    canonical = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert body == canonical, f"header is not compact sorted JSON:\n{body}\n{canonical}"
    buf = blob[8 + n:]
    meta = header.pop("__metadata__", None)
    assert meta == {"format": "pt", "writer": "lssr go test"}, f"metadata {meta}"
    want = reference_tensors()
    assert set(header) == set(want), f"names {sorted(header)}"
    end = 0
    for name, e in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        begin, stop = e["data_offsets"]
        assert begin == end, f"{name}: offsets {e['data_offsets']} do not follow {end}"
        end = stop
        w = want[name]
        assert e["dtype"] == DTYPES[w.dtype], f"{name}: dtype {e['dtype']}"
        assert e["shape"] == list(w.shape), f"{name}: shape {e['shape']}"
        raw = bytearray(buf[begin:stop])
        got = torch.frombuffer(raw, dtype=FROM_NAME[e["dtype"]]) if raw else torch.zeros(0, dtype=w.dtype)
        got = got.reshape(e["shape"])
        assert torch.equal(got, w), f"{name}: got {got}, want {w}"
        assert bytes(raw) == tensor_bytes(w), f"{name}: bytes differ"  # catches -0.0
    assert end == len(buf), f"tensors end at {end}, buffer is {len(buf)} bytes"


def main(args):
    if not args or len(args) % 2:
        sys.exit(__doc__)
    for cmd, path in zip(args[::2], args[1::2]):
        {"write": write, "check": check}[cmd](path)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1:])
