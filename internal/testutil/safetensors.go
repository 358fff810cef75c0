package testutil

import (
	"bytes"
	"testing"

	"github.com/lssr/lssr/internal/safetensors"
)

// SafetensorsRoundTrip encodes tensors as a safetensors file, without
// metadata, and decodes it again, failing the test if either step fails.
func SafetensorsRoundTrip(t testing.TB, tensors []safetensors.Tensor) *safetensors.File {
	t.Helper()
	var buf bytes.Buffer
	if err := safetensors.Encode(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}
