// Package safetensors reads and writes the safetensors file format, the
// format Hugging Face and PyTorch use to move tensors between programs. lssr
// uses it for model weights, datasets and checkpoints.
//
// # Format
//
// A file is three parts:
//
//	8 bytes     little-endian uint64 N, the header length
//	N bytes     UTF-8 JSON header, optionally padded at the end with spaces
//	rest        the byte buffer holding every tensor's data
//
// The header is an object mapping each tensor name to
// {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, where the
// offsets count bytes from the start of the buffer, plus an optional
// "__metadata__" object of string → string. Tensors are stored little-endian
// and row-major. The offsets, sorted, must tile the buffer exactly: the first
// begins at 0, each begins where the previous ends, the last ends at the end
// of the file, and end − begin = product(shape) × dtype size. The order of
// keys in the header does not matter; only the offsets order the data.
//
// # Basics
//
// [Decode] parses a file held in memory and [Read] loads one from disk; both
// check everything above and report the first problem as one line wrapping
// [ErrFormat]. [Encode] and [WriteFile] write a deterministic file: the data
// in the order given, the header JSON with sorted keys, padded with spaces to
// a multiple of 8 bytes as the reference writer does. Any dtype is read and
// written as raw bytes; [Tensor.Float32s], [Tensor.Float64s],
// [Tensor.Int64s] and [Tensor.Uint8s] convert the common ones.
//
// # Limits
//
// Headers longer than [MaxHeaderSize] (100 MB, the reference limit) and files
// larger than [MaxFileSize] (4 GiB) are rejected, as are headers nested more
// than a few levels deep. Sub-byte dtypes (F4, F6_*) are not supported.
//
// # Caveats
//
// The Data of each tensor that Decode returns is a slice of the input, not a
// copy: it stays valid as long as that input does, and changing the input
// changes the tensors. Each Data has its capacity capped at its length, so
// appending to it never overwrites a neighbour. The conversion methods always
// return fresh slices.
package safetensors
