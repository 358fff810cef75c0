package safetensors

import (
	"errors"
	"fmt"
)

// Errors returned while reading a file.
var (
	// ErrFormat is returned by Decode and Read when the bytes are not a valid
	// safetensors file: truncated, bad header JSON, unknown dtype, offsets
	// that disagree with the shapes or do not tile the buffer, duplicate
	// names, or a header or file over the size limits.
	ErrFormat = errors.New("safetensors: malformed file")
)

// Errors returned while building or converting tensors.
var (
	// ErrInvalid is returned by Encode and WriteFile when the tensors or the
	// metadata cannot be written as given (data length disagreeing with dtype
	// and shape, duplicate or reserved names, invalid UTF-8), and by the
	// conversion methods on a hand-built Tensor whose data disagrees with
	// its shape.
	ErrInvalid = errors.New("safetensors: invalid tensor")

	// ErrDType is returned by the conversion methods when a tensor's dtype is
	// not one the method converts, e.g. Float32s on an F64 tensor.
	ErrDType = errors.New("safetensors: wrong dtype")
)

func formatErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

func invalidErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
