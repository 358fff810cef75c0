package safetensors

import (
	"errors"
	"reflect"
	"testing"
)

func TestConversions(t *testing.T) {
	f32 := FromFloat32("f", []int{2}, []float32{0.1, -3})
	if v, err := f32.Float64s(); err != nil || !reflect.DeepEqual(v, []float64{float64(float32(0.1)), -3}) {
		t.Errorf("F32 Float64s() = %v, %v; want exact widening", v, err)
	}
	u8 := FromUint8("u", []int{3}, []uint8{0, 9, 255})
	if v, err := u8.Int64s(); err != nil || !reflect.DeepEqual(v, []int64{0, 9, 255}) {
		t.Errorf("U8 Int64s() = %v, %v", v, err)
	}
	if v, err := u8.Uint8s(); err != nil || !reflect.DeepEqual(v, []uint8{0, 9, 255}) {
		t.Errorf("Uint8s() = %v, %v", v, err)
	} else if v[0] = 1; u8.Data[0] != 0 {
		t.Error("Uint8s shares memory with Data")
	}
	if n := FromFloat32("s", nil, []float32{1}).NumElements(); n != 1 {
		t.Errorf("scalar NumElements() = %d, want 1", n)
	}
}

func TestConversionErrors(t *testing.T) {
	f64 := FromFloat64("x", []int{1}, []float64{1})
	i64 := FromInt64("n", []int{1}, []int64{1})
	for name, call := range map[string]func() error{
		"F64.Float32s": func() error { _, err := f64.Float32s(); return err },
		"I64.Float64s": func() error { _, err := i64.Float64s(); return err },
		"F64.Int64s":   func() error { _, err := f64.Int64s(); return err },
		"I64.Uint8s":   func() error { _, err := i64.Uint8s(); return err },
	} {
		if err := call(); !errors.Is(err, ErrDType) {
			t.Errorf("%s error = %v, want ErrDType", name, err)
		}
	}
	torn := Tensor{Name: "torn", DType: F32, Shape: []int{2}, Data: make([]byte, 7)}
	if _, err := torn.Float32s(); !errors.Is(err, ErrInvalid) {
		t.Errorf("Float32s on 7 bytes for [2] = %v, want ErrInvalid", err)
	}
}
