package trainer

import (
	"fmt"

	"github.com/lssr/lssr/trainer/kernels"
)

// PyTorch interchange. An lssr MLP corresponds to a torch.nn.Sequential of
// Linear layers with the activation modules between them, so dense layer l
// has the state_dict names "<2l>.weight" (shape [out, in], row-major) and
// "<2l>.bias" (shape [out]): "0.weight", "0.bias", "2.weight", "2.bias", …
// lssr stores the same numbers transposed (in×out) in the kernels' panel
// layout; setTorch and torchTensors convert.

// TorchNames returns the PyTorch state_dict names of dense layer l's weight
// and bias in an nn.Sequential of Linear and activation modules.
func TorchNames(l int) (weight, bias string) {
	return fmt.Sprintf("%d.weight", 2*l), fmt.Sprintf("%d.bias", 2*l)
}

// setTorch loads the network's parameters from tensors in PyTorch layout,
// looked up by name; each must have exactly the layer's shape.
func (net *mlp) setTorch(get func(name string) (data []float32, shape []int, err error)) error {
	for l := range net.layers {
		ly := &net.layers[l]
		wName, bName := TorchNames(l)
		w, shape, err := get(wName)
		if err != nil {
			return err
		}
		if len(shape) != 2 || shape[0] != ly.out || shape[1] != ly.in || len(w) != ly.out*ly.in {
			return fmt.Errorf("%s: shape %v, want [%d %d]", wName, shape, ly.out, ly.in)
		}
		b, shape, err := get(bName)
		if err != nil {
			return err
		}
		if len(shape) != 1 || shape[0] != ly.out || len(b) != ly.out {
			return fmt.Errorf("%s: shape %v, want [%d]", bName, shape, ly.out)
		}
		for j := range ly.out {
			for i := range ly.in {
				ly.w[kernels.PanelIndex(ly.in, i, j)] = w[j*ly.in+i]
			}
		}
		copy(ly.b, b)
	}
	return nil
}

// torchTensors returns v (a vector in parameter layout: the parameters, a
// gradient, a direction) as PyTorch-layout tensors by state_dict name, with
// their shapes.
func (net *mlp) torchTensors(v []float32) (names []string, data [][]float32, shapes [][]int) {
	w, b := net.layerSlices(v)
	for l, ly := range net.layers {
		wName, bName := TorchNames(l)
		tw := make([]float32, ly.out*ly.in)
		for j := range ly.out {
			for i := range ly.in {
				tw[j*ly.in+i] = w[l][kernels.PanelIndex(ly.in, i, j)]
			}
		}
		names = append(names, wName, bName)
		data = append(data, tw, append([]float32(nil), b[l]...))
		shapes = append(shapes, []int{ly.out, ly.in}, []int{ly.out})
	}
	return names, data, shapes
}

// fromTorch is the inverse of torchTensors: it maps PyTorch-layout tensors
// of a vector (looked up by state_dict name) into parameter layout.
func (net *mlp) fromTorch(get func(name string) ([]float32, error)) ([]float32, error) {
	out := make([]float32, len(net.params))
	w, b := net.layerSlices(out)
	for l, ly := range net.layers {
		wName, bName := TorchNames(l)
		tw, err := get(wName)
		if err != nil {
			return nil, err
		}
		tb, err := get(bName)
		if err != nil {
			return nil, err
		}
		if len(tw) != ly.out*ly.in || len(tb) != ly.out {
			return nil, fmt.Errorf("%s/%s: %d and %d values, want %d and %d", wName, bName, len(tw), len(tb), ly.out*ly.in, ly.out)
		}
		for j := range ly.out {
			for i := range ly.in {
				w[l][kernels.PanelIndex(ly.in, i, j)] = tw[j*ly.in+i]
			}
		}
		copy(b[l], tb)
	}
	return out, nil
}
