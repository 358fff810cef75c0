package dataset

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
)

func TestEncodeXY(t *testing.T) {
	s := Split{X: []float32{0, 0.25, 0.5, 1, 1, 0.75, 0.5, 0, 0.125, 0.375, 0.625, 0.875}, Y: []uint8{2, 0, 9}, N: 3}
	for _, tc := range []struct {
		name  string
		data  *Data
		shape []int
	}{
		{"image", &Data{Train: s, Dim: 4, Classes: 10, Shape: [3]int{1, 2, 2}}, []int{3, 1, 2, 2}},
		{"plain", &Data{Train: s, Dim: 4, Classes: 10}, []int{3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tensors, shape := EncodeXY(tc.data, s)
			if !slices.Equal(shape, tc.shape) || len(tensors) != 2 {
				t.Fatalf("shape %v and %d tensors, want %v and 2", shape, len(tensors), tc.shape)
			}
			// The bytes, written out by hand: little-endian float32 rows
			// and int64 labels.
			var wantX, wantY []byte
			for _, v := range s.X {
				wantX = binary.LittleEndian.AppendUint32(wantX, math.Float32bits(v))
			}
			for _, v := range s.Y {
				wantY = binary.LittleEndian.AppendUint64(wantY, uint64(v))
			}
			x, y := tensors[0], tensors[1]
			if x.Name != "x" || x.DType != safetensors.F32 || !slices.Equal(x.Shape, tc.shape) || !bytes.Equal(x.Data, wantX) {
				t.Errorf("x: %s %s %v, %d bytes; want x F32 %v, the rows' bytes", x.Name, x.DType, x.Shape, len(x.Data), tc.shape)
			}
			if y.Name != "y" || y.DType != safetensors.I64 || !slices.Equal(y.Shape, []int{3}) || !bytes.Equal(y.Data, wantY) {
				t.Errorf("y: %s %s %v, %d bytes; want y I64 [3], the labels' bytes", y.Name, y.DType, y.Shape, len(y.Data))
			}
			gotX, gotShape, gotY, err := DecodeXY(testutil.SafetensorsRoundTrip(t, tensors))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(gotX, s.X) || !slices.Equal(gotShape, tc.shape) || !slices.Equal(gotY, s.Y) {
				t.Errorf("decoded x %v %v, y %v; want %v %v, %v", gotShape, gotX, gotY, tc.shape, s.X, s.Y)
			}
		})
	}
}

func TestDecodeXYErrors(t *testing.T) {
	x := safetensors.FromFloat32("x", []int{2, 3}, make([]float32, 6))
	y := safetensors.FromInt64("y", []int{2}, []int64{1, 0})
	cases := []struct {
		name    string
		tensors []safetensors.Tensor
		want    string // the whole error text; "" for none
	}{
		{"good", []safetensors.Tensor{x, y}, ""},
		{"labels as bytes", []safetensors.Tensor{x, safetensors.FromUint8("y", []int{2}, []uint8{255, 0})}, ""},
		{"no x", []safetensors.Tensor{y}, `want a tensor "x" of shape [n, d] or [n, c, h, w]`},
		{"x one-dimensional", []safetensors.Tensor{safetensors.FromFloat32("x", []int{6}, make([]float32, 6)), y},
			`want a tensor "x" of shape [n, d] or [n, c, h, w]`},
		{"no y", []safetensors.Tensor{x}, `want a tensor "y" of shape [2] (one label per row of x)`},
		{"y too short", []safetensors.Tensor{x, safetensors.FromInt64("y", []int{1}, []int64{1})},
			`want a tensor "y" of shape [2] (one label per row of x)`},
		{"x float64", []safetensors.Tensor{safetensors.FromFloat64("x", []int{2, 3}, make([]float64, 6)), y},
			`x: safetensors: wrong dtype: tensor "x" is F64, not F32`},
		{"label -1", []safetensors.Tensor{x, safetensors.FromInt64("y", []int{2}, []int64{0, -1})}, "label -1 of example 1 is out of range"},
		{"label 256", []safetensors.Tensor{x, safetensors.FromInt64("y", []int{2}, []int64{256, 0})}, "label 256 of example 0 is out of range"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := DecodeXY(testutil.SafetensorsRoundTrip(t, tc.tensors))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("DecodeXY: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("DecodeXY: %v, want %q", err, tc.want)
			case tc.want != "" && !errors.Is(err, lssr.ErrBadInput):
				t.Errorf("DecodeXY: %v is not bad input", err)
			case err != nil && strings.ContainsAny(err.Error(), "\r\n"):
				t.Errorf("DecodeXY: %q spans lines", err)
			}
		})
	}
}
