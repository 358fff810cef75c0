package safetensors

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzDecode checks that Decode never panics, that every failure is one line
// wrapping ErrFormat, and that whatever it accepts survives Encode → Decode.
func FuzzDecode(f *testing.F) {
	f.Add(encode(f, referenceTensors(), map[string]string{"format": "pt"}))
	f.Add(encode(f, []Tensor{FromFloat32("w", []int{2}, []float32{1, 2})}, nil))
	f.Add(encode(f, nil, nil))
	if fixture, err := os.ReadFile(referenceFixture); err == nil {
		f.Add(fixture)
	}
	for _, tc := range malformedCases {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			if !errors.Is(err, ErrFormat) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q is not one line wrapping ErrFormat", err)
			}
			return
		}
		for _, tensor := range file.Tensors {
			if err := tensor.check(); err != nil {
				t.Fatalf("Decode returned an inconsistent tensor: %v", err)
			}
		}
		var buf bytes.Buffer
		if err := Encode(&buf, file.Tensors, file.Metadata); err != nil {
			t.Fatalf("Encode rejected what Decode accepted: %v", err)
		}
		again, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("Decode rejected what Encode wrote: %v", err)
		}
		if !reflect.DeepEqual(again, file) {
			t.Fatalf("Encode → Decode changed the file:\n%+v\n%+v", file, again)
		}
	})
}
