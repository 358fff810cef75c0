package trainer

import (
	"fmt"
	"slices"

	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/trainer/kernels"
)

// PyTorch interchange. Every network corresponds to a torch.nn.Sequential
// whose modules are numbered in order — every convolution, batch norm,
// activation, pooling, Flatten and Linear takes one index — so its
// state_dict names are "<index>.weight" and "<index>.bias" for Conv2d
// ([out, in, k, k]), Linear ([out, in]) and BatchNorm ([c]), plus
// "<index>.running_mean", "<index>.running_var" ([c], float32) and
// "<index>.num_batches_tracked" (int64, shape []) for batch norm. A plain
// MLP is Linear and activation modules in turn, so dense layer l is module
// 2l (TorchNames). Each network lists its tensors (torchLayout) and maps
// its parameter layout to their concatenation and back (toTorch,
// fromTorch); the functions here read and write the tensors once for
// both kinds.

// TorchNames returns the PyTorch state_dict names of dense layer l's weight
// and bias in an nn.Sequential of Linear and activation modules.
func TorchNames(l int) (weight, bias string) {
	return fmt.Sprintf("%d.weight", 2*l), fmt.Sprintf("%d.bias", 2*l)
}

// torchParam is one parameter tensor: its state_dict name, its shape, and
// its offset in the PyTorch order (the tensors' concatenation, each
// row-major).
type torchParam struct {
	name  string
	shape []int
	off   int
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// torchLen is the length of the PyTorch order of layout.
func torchLen(layout []torchParam) int {
	n := 0
	for _, p := range layout {
		n += numel(p.shape)
	}
	return n
}

// stateTensors returns v, a vector in net's parameter layout, as float32
// state_dict tensors named with prefix; with buffers the batch-norm
// running statistics follow, so that stateTensors(net, parameters, "",
// true) is the model's state_dict.
func stateTensors[F float](net network[F], v []F, prefix string, buffers bool) []safetensors.Tensor {
	layout := net.torchLayout()
	t := make([]F, torchLen(layout))
	net.toTorch(t, v)
	var out []safetensors.Tensor
	for _, p := range layout {
		out = append(out, safetensors.FromFloat32(prefix+p.name, p.shape, toFloat32(t[p.off:p.off+numel(p.shape)])))
	}
	if buffers {
		idx, bns := net.norms()
		for k, bn := range bns {
			name := fmt.Sprintf("%s%d.", prefix, idx[k])
			out = append(out,
				safetensors.FromFloat32(name+"running_mean", []int{bn.bn.c}, toFloat32(bn.runMean)),
				safetensors.FromFloat32(name+"running_var", []int{bn.bn.c}, toFloat32(bn.runVar)),
				safetensors.FromInt64(name+"num_batches_tracked", []int{}, []int64{bn.batches}))
		}
	}
	return out
}

func toFloat32[F float](v []F) []float32 {
	out := make([]float32, len(v))
	for i, e := range v {
		out[i] = float32(e)
	}
	return out
}

// loadVector sets dst, a vector in net's parameter layout, from f's
// tensors named with prefix, each of exactly the parameter's shape (F32 or
// F64). dst is left alone when one is missing or malformed.
func loadVector[F float](net network[F], f *safetensors.File, prefix string, dst []F) error {
	layout := net.torchLayout()
	t := make([]F, torchLen(layout))
	for _, p := range layout {
		v, err := tensorValues(f, prefix+p.name, p.shape)
		if err != nil {
			return err
		}
		for i, e := range v {
			t[p.off+i] = F(e)
		}
	}
	net.fromTorch(dst, t)
	return nil
}

// loadState loads a state_dict into net: every parameter and, for batch
// norm, the running statistics (num_batches_tracked is optional). Other
// tensors in f are ignored.
func loadState[F float](net network[F], f *safetensors.File) error {
	if err := loadVector(net, f, "", net.parameters()); err != nil {
		return err
	}
	idx, bns := net.norms()
	for k, bn := range bns {
		name := fmt.Sprintf("%d.", idx[k])
		for _, buf := range []struct {
			suffix string
			dst    []F
		}{{"running_mean", bn.runMean}, {"running_var", bn.runVar}} {
			v, err := tensorValues(f, name+buf.suffix, []int{bn.bn.c})
			if err != nil {
				return err
			}
			for i, e := range v {
				buf.dst[i] = F(e)
			}
		}
		if t, ok := f.Get(name + "num_batches_tracked"); ok {
			n, err := t.Int64s()
			if err != nil || len(n) != 1 {
				return fmt.Errorf("%snum_batches_tracked: want one int64", name)
			}
			bn.batches = n[0]
		}
	}
	return nil
}

// tensorValues returns the values of f's tensor name, which must have
// exactly the given shape.
func tensorValues(f *safetensors.File, name string, shape []int) ([]float64, error) {
	t, ok := f.Get(name)
	if !ok {
		return nil, fmt.Errorf("no tensor %q (want shape %v)", name, shape)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, fmt.Errorf("%s: shape %v, want %v", name, t.Shape, shape)
	}
	v, err := t.Float64s()
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return v, nil
}

// torchLayout lists dense layer l's weight ([out, in]) and bias ([out]) as
// module 2l.
func (net *mlp) torchLayout() []torchParam {
	var ps []torchParam
	off := 0
	for l, ly := range net.layers {
		wName, bName := TorchNames(l)
		ps = append(ps,
			torchParam{name: wName, shape: []int{ly.out, ly.in}, off: off},
			torchParam{name: bName, shape: []int{ly.out}, off: off + ly.out*ly.in})
		off += ly.out*ly.in + ly.out
	}
	return ps
}

// toTorch transposes each layer's in×out panel-layout weights into
// PyTorch's [out][in] and copies the bias.
func (net *mlp) toTorch(dst, v []float32) {
	w, b := net.layerSlices(v)
	off := 0
	for l, ly := range net.layers {
		tw := dst[off : off+ly.out*ly.in]
		for j := range ly.out {
			for i := range ly.in {
				tw[j*ly.in+i] = w[l][kernels.PanelIndex(ly.in, i, j)]
			}
		}
		off += ly.out * ly.in
		copy(dst[off:off+ly.out], b[l])
		off += ly.out
	}
}

// fromTorch is the inverse of toTorch; the panel padding of dst is zeroed.
func (net *mlp) fromTorch(dst, t []float32) {
	clear(dst)
	w, b := net.layerSlices(dst)
	off := 0
	for l, ly := range net.layers {
		tw := t[off : off+ly.out*ly.in]
		for j := range ly.out {
			for i := range ly.in {
				w[l][kernels.PanelIndex(ly.in, i, j)] = tw[j*ly.in+i]
			}
		}
		off += ly.out * ly.in
		copy(b[l], t[off:off+ly.out])
		off += ly.out
	}
}
