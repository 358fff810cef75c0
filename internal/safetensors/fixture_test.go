package safetensors

import (
	"bytes"
	"math"
	"os"
	"reflect"
	"testing"
)

const referenceFixture = "testdata/reference.safetensors"

// referenceTensors are the values testdata/safetensors_ref.py writes and
// checks; keep the two in step.
func referenceTensors() []Tensor {
	return []Tensor{
		FromFloat32("layer.0.weight", []int{2, 3}, []float32{
			-1.5, float32(math.Copysign(0, -1)), 0.25,
			math.MaxFloat32, float32(math.Inf(-1)), math.SmallestNonzeroFloat32}),
		FromFloat64("layer.0.bias", []int{3}, []float64{math.Pi, -2.5e-300, 1e300}),
		FromInt64("labels", []int{2, 3}, []int64{math.MinInt64, -1, 0, 1, 1 << 40, math.MaxInt64}),
		FromUint8("pixels", []int{3}, []uint8{0, 7, 255}),
		{Name: "half", DType: F16, Shape: []int{2}, Data: []byte{0x00, 0x3c, 0x00, 0xc0}},
		{Name: "brain", DType: BF16, Shape: []int{2}, Data: []byte{0x80, 0x3f, 0x00, 0xc0}},
		FromInt64("step", nil, []int64{12345}),
		FromFloat32("empty", []int{0, 3}, nil),
	}
}

// checkReference checks f holds exactly referenceTensors, comparing bits so
// that -0 and the infinities count.
func checkReference(t *testing.T, f *File) {
	t.Helper()
	want := referenceTensors()
	if len(f.Tensors) != len(want) {
		t.Errorf("got %d tensors, want %d", len(f.Tensors), len(want))
	}
	for _, w := range want {
		got, ok := f.Get(w.Name)
		if !ok {
			t.Errorf("tensor %q missing", w.Name)
			continue
		}
		if got.DType != w.DType || !reflect.DeepEqual(got.Shape, w.Shape) || !bytes.Equal(got.Data, w.Data) {
			t.Errorf("tensor %q = %s %v % x, want %s %v % x", w.Name, got.DType, got.Shape, got.Data, w.DType, w.Shape, w.Data)
		}
	}
	// Decoded values, not just bytes, for the dtypes lssr converts.
	weight, _ := f.Get("layer.0.weight")
	if v, err := weight.Float32s(); err != nil || v[0] != -1.5 || !math.Signbit(float64(v[1])) || v[3] != math.MaxFloat32 ||
		!math.IsInf(float64(v[4]), -1) || v[5] != math.SmallestNonzeroFloat32 {
		t.Errorf("layer.0.weight.Float32s() = %v, %v", v, err)
	}
	bias, _ := f.Get("layer.0.bias")
	if v, err := bias.Float64s(); err != nil || !reflect.DeepEqual(v, []float64{math.Pi, -2.5e-300, 1e300}) {
		t.Errorf("layer.0.bias.Float64s() = %v, %v", v, err)
	}
	labels, _ := f.Get("labels")
	if v, err := labels.Int64s(); err != nil || !reflect.DeepEqual(v, []int64{math.MinInt64, -1, 0, 1, 1 << 40, math.MaxInt64}) {
		t.Errorf("labels.Int64s() = %v, %v", v, err)
	}
	step, _ := f.Get("step")
	if v, err := step.Int64s(); err != nil || len(step.Shape) != 0 || !reflect.DeepEqual(v, []int64{12345}) {
		t.Errorf("step = %v %v, %v; want scalar 12345", step.Shape, v, err)
	}
}

// TestDecodeReferenceFixture checks the decoder against a file written by an
// independent writer (testdata/safetensors_ref.py), laid out widest dtype
// first with the header keys in neither name nor offset order.
func TestDecodeReferenceFixture(t *testing.T) {
	f, err := Read(referenceFixture)
	if err != nil {
		t.Fatal(err)
	}
	checkReference(t, f)
	var order []string
	for _, tensor := range f.Tensors {
		order = append(order, tensor.Name)
	}
	wantOrder := []string{"labels", "layer.0.bias", "step", "empty", "layer.0.weight", "brain", "half", "pixels"}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("Tensors in order %v, want offset order %v", order, wantOrder)
	}
	wantMeta := map[string]string{"format": "pt", "writer": "testdata/safetensors_ref.py"}
	if !reflect.DeepEqual(f.Metadata, wantMeta) {
		t.Errorf("Metadata = %v, want %v", f.Metadata, wantMeta)
	}
}

// TestReencodeReferenceFixture checks that decoding then encoding the fixture
// loses nothing.
func TestReencodeReferenceFixture(t *testing.T) {
	data, err := os.ReadFile(referenceFixture)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	again, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, f) {
		t.Errorf("re-encoded fixture decodes differently")
	}
}
