package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Tensor is one named array: its dtype, its shape (empty for a scalar) and
// its elements as little-endian, row-major bytes.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// FromFloat32 returns an F32 tensor holding a copy of v. Encode rejects it if
// len(v) is not the product of shape.
func FromFloat32(name string, shape []int, v []float32) Tensor {
	data := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: F32, Shape: append([]int{}, shape...), Data: data}
}

// FromFloat64 returns an F64 tensor holding a copy of v. Encode rejects it if
// len(v) is not the product of shape.
func FromFloat64(name string, shape []int, v []float64) Tensor {
	data := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(data[8*i:], math.Float64bits(x))
	}
	return Tensor{Name: name, DType: F64, Shape: append([]int{}, shape...), Data: data}
}

// FromInt64 returns an I64 tensor holding a copy of v. Encode rejects it if
// len(v) is not the product of shape.
func FromInt64(name string, shape []int, v []int64) Tensor {
	data := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(data[8*i:], uint64(x))
	}
	return Tensor{Name: name, DType: I64, Shape: append([]int{}, shape...), Data: data}
}

// FromUint8 returns a U8 tensor holding a copy of v, e.g. image pixels.
// Encode rejects it if len(v) is not the product of shape.
func FromUint8(name string, shape []int, v []uint8) Tensor {
	return Tensor{Name: name, DType: U8, Shape: append([]int{}, shape...), Data: append([]byte{}, v...)}
}

// NumElements returns the product of the shape: 1 for a scalar.
func (t Tensor) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Float32s returns the elements of an F32 tensor.
func (t Tensor) Float32s() ([]float32, error) {
	if err := t.checkConvert(F32); err != nil {
		return nil, err
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

// Float64s returns the elements of an F64 tensor, or of an F32 tensor
// widened (exactly) to float64.
func (t Tensor) Float64s() ([]float64, error) {
	if t.DType == F32 {
		v32, err := t.Float32s()
		if err != nil {
			return nil, err
		}
		v := make([]float64, len(v32))
		for i, x := range v32 {
			v[i] = float64(x)
		}
		return v, nil
	}
	if err := t.checkConvert(F64); err != nil {
		return nil, err
	}
	v := make([]float64, len(t.Data)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

// Int64s returns the elements of an I64 tensor, or of a U8 tensor widened to
// int64 (class labels are often stored either way).
func (t Tensor) Int64s() ([]int64, error) {
	if t.DType == U8 {
		v8, err := t.Uint8s()
		if err != nil {
			return nil, err
		}
		v := make([]int64, len(v8))
		for i, x := range v8 {
			v[i] = int64(x)
		}
		return v, nil
	}
	if err := t.checkConvert(I64); err != nil {
		return nil, err
	}
	v := make([]int64, len(t.Data)/8)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
	}
	return v, nil
}

// Uint8s returns a copy of the elements of a U8 tensor.
func (t Tensor) Uint8s() ([]uint8, error) {
	if err := t.checkConvert(U8); err != nil {
		return nil, err
	}
	return append([]uint8{}, t.Data...), nil
}

func (t Tensor) checkConvert(want DType) error {
	if t.DType != want {
		return fmt.Errorf("%w: tensor %q is %s, not %s", ErrDType, t.Name, t.DType, want)
	}
	return t.check()
}

// check reports whether Data holds exactly the bytes DType and Shape call for.
func (t Tensor) check() error {
	size := t.DType.Size()
	if size == 0 {
		return invalidErrorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	shape := make([]int64, len(t.Shape))
	for i, d := range t.Shape {
		shape[i] = int64(d)
	}
	need, err := byteSize(size, shape)
	if err != nil {
		return invalidErrorf("tensor %q: %v", t.Name, err)
	}
	if int64(len(t.Data)) != need {
		return invalidErrorf("tensor %q: %d data bytes, but %s %v needs %d", t.Name, len(t.Data), t.DType, t.Shape, need)
	}
	return nil
}

// byteSize returns product(shape) × size, refusing negative dimensions and
// products that overflow int64 or int.
func byteSize(size int, shape []int64) (int64, error) {
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in shape %v", d, shape)
		}
		if d == 0 {
			return 0, nil // an empty tensor, however large the other dimensions
		}
	}
	n := int64(size)
	for _, d := range shape {
		if n > math.MaxInt64/d || int64(int(d)) != d {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= d
	}
	if int64(int(n)) != n {
		return 0, fmt.Errorf("shape %v is too large", shape)
	}
	return n, nil
}
