package safetensors

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func encode(t testing.TB, tensors []Tensor, metadata map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, tensors, metadata); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
	}{
		{"reference", referenceTensors(), map[string]string{"format": "pt", "lssr.seed": "7", "note": "<&> ünïcødé \"quoted\"\n"}},
		{"no metadata", referenceTensors()[:2], nil},
		{"no tensors", []Tensor{}, map[string]string{"only": "metadata"}},
		{"empty file", []Tensor{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := encode(t, tc.tensors, tc.metadata)
			f, err := Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			want := &File{Tensors: tc.tensors, Metadata: tc.metadata}
			if !reflect.DeepEqual(f, want) {
				t.Errorf("Decode(Encode(x)) = %+v\nwant %+v", f, want)
			}
			if again := encode(t, f.Tensors, f.Metadata); !bytes.Equal(again, data) {
				t.Errorf("encoding twice gave different bytes")
			}
		})
	}
}

// TestEncodeDeterministic guards against map iteration order leaking into the
// header: many metadata keys, encoded many times.
func TestEncodeDeterministic(t *testing.T) {
	metadata := map[string]string{}
	for _, k := range strings.Fields("a b c d e f g h i j k l m n o p q r s t u v w x y z") {
		metadata[k] = strings.ToUpper(k)
	}
	first := encode(t, referenceTensors(), metadata)
	for range 20 {
		if again := encode(t, referenceTensors(), metadata); !bytes.Equal(again, first) {
			t.Fatal("Encode gave different bytes for the same input")
		}
	}
}

// TestEncodeGolden pins the exact layout: sorted compact JSON, space padding
// to a multiple of 8, data in the order given.
func TestEncodeGolden(t *testing.T) {
	got := encode(t, []Tensor{
		FromFloat32("w", []int{2}, []float32{1, -2}),
		FromUint8("a<b", nil, []uint8{9}),
	}, map[string]string{"k": "v"})
	header := `{"__metadata__":{"k":"v"},"a<b":{"data_offsets":[8,9],"dtype":"U8","shape":[]},"w":{"data_offsets":[0,8],"dtype":"F32","shape":[2]}}`
	header += strings.Repeat(" ", -len(header)&7)
	want := append([]byte{byte(len(header)), 0, 0, 0, 0, 0, 0, 0}, header...)
	want = append(want, 0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 9)
	if !bytes.Equal(got, want) {
		t.Errorf("Encode =\n%q\nwant\n%q", got, want)
	}
}

func TestEncodeRejectsInvalid(t *testing.T) {
	ok := FromFloat32("ok", []int{1}, []float32{1})
	for _, tc := range []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
		want     string
	}{
		{"short data", []Tensor{FromFloat32("w", []int{2, 2}, []float32{1, 2, 3})}, nil, `"w": 12 data bytes, but F32 [2 2] needs 16`},
		{"unknown dtype", []Tensor{{Name: "w", DType: "F12", Data: []byte{1}}}, nil, `unknown dtype "F12"`},
		{"negative dim", []Tensor{{Name: "w", DType: U8, Shape: []int{-1}}}, nil, "negative dimension"},
		{"duplicate", []Tensor{ok, ok}, nil, `duplicate tensor name "ok"`},
		{"reserved name", []Tensor{FromUint8(metadataKey, nil, []uint8{1})}, nil, "cannot be named"},
		{"bad UTF-8 name", []Tensor{FromUint8("\xff", nil, []uint8{1})}, nil, "not valid UTF-8"},
		{"bad UTF-8 metadata", []Tensor{ok}, map[string]string{"k": "\xfe"}, "not valid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Encode(&buf, tc.tensors, tc.metadata)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Encode error = %v, want ErrInvalid containing %q", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("Encode wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestWriteFileThenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := WriteFile(path, referenceTensors(), nil); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	checkReference(t, f)

	// A failed write leaves the old file and no temp file behind.
	bad := []Tensor{FromFloat32("w", []int{3}, []float32{1})}
	if err := WriteFile(path, bad, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("WriteFile(bad) = %v, want ErrInvalid", err)
	}
	if f, err := Read(path); err != nil || len(f.Tensors) != len(referenceTensors()) {
		t.Errorf("after failed WriteFile, Read = %v, %v; want the old file", f, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the model", len(entries))
	}
}
