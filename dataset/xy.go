package dataset

import (
	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
)

// The x/y exchange file holds one split as two safetensors tensors: "x",
// float32 [n, c, h, w] for image data and [n, d] otherwise, each row as
// Data holds it (pixels scaled to [0, 1]), and "y", int64 [n], the labels.
// 'lssr export data' writes it, 'lssr measure --data' reads it, and
// PyTorch reads it with safetensors.torch.load_file.

// EncodeXY returns split s of d as the "x" and "y" tensors of an x/y
// exchange file, x first, and the shape of x.
func EncodeXY(d *Data, s Split) (tensors []safetensors.Tensor, xShape []int) {
	xShape = []int{s.N, d.Dim}
	if c := d.Shape; c[0] > 0 {
		xShape = []int{s.N, c[0], c[1], c[2]}
	}
	y := make([]int64, s.N)
	for i, v := range s.Y {
		y[i] = int64(v)
	}
	return []safetensors.Tensor{safetensors.FromFloat32("x", xShape, s.X), safetensors.FromInt64("y", []int{s.N}, y)}, xShape
}

// DecodeXY reads the "x" and "y" tensors of an x/y exchange file: the rows
// of x, its shape (n first, then at least one more dimension) and the n
// labels, which must lie in 0…255. Errors wrap lssr.ErrBadInput and do not
// name the file; the caller says which it read.
func DecodeXY(f *safetensors.File) (x []float32, xShape []int, y []uint8, err error) {
	xt, ok := f.Get("x")
	if !ok || len(xt.Shape) < 2 {
		return nil, nil, nil, lssr.BadInput("want a tensor \"x\" of shape [n, d] or [n, c, h, w]")
	}
	yt, ok := f.Get("y")
	if !ok || len(yt.Shape) != 1 || yt.Shape[0] != xt.Shape[0] {
		return nil, nil, nil, lssr.BadInput("want a tensor \"y\" of shape [%d] (one label per row of x)", xt.Shape[0])
	}
	if x, err = xt.Float32s(); err != nil {
		return nil, nil, nil, lssr.BadInput("x: %v", err)
	}
	labels, err := yt.Int64s()
	if err != nil {
		return nil, nil, nil, lssr.BadInput("y: %v", err)
	}
	y = make([]uint8, len(labels))
	for i, v := range labels {
		if v < 0 || v > 255 {
			return nil, nil, nil, lssr.BadInput("label %d of example %d is out of range", v, i)
		}
		y[i] = uint8(v)
	}
	return x, xt.Shape, y, nil
}
