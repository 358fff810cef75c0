package trainer

import (
	"fmt"
	"slices"

	"github.com/lssr/lssr/internal/safetensors"
)

// PyTorch interchange for seqNet. The network corresponds to an
// nn.Sequential whose modules are numbered in order — every convolution,
// batch norm, activation, pooling, Flatten and Linear takes one index — so
// its state_dict names are "<index>.weight" and "<index>.bias" for
// Conv2d ([out, in, k, k]), Linear ([out, in]) and BatchNorm ([c]), plus
// "<index>.running_mean", "<index>.running_var" ([c], float32) and
// "<index>.num_batches_tracked" (int64, shape []) for batch norm.

// seqParam is one parameter tensor of a seqNet: its state_dict name, its
// shape, and where it sits in the parameter vector.
type seqParam struct {
	name  string
	shape []int
	off   int
}

// paramLayout lists the parameter tensors in parameter-vector order.
func (net *seqNet[F]) paramLayout() []seqParam {
	var ps []seqParam
	for l, layer := range net.layers {
		var wShape, bShape []int
		switch ly := layer.(type) {
		case dense[F]:
			wShape, bShape = []int{ly.out, ly.in}, []int{ly.out}
		case *convLayer[F]:
			wShape, bShape = []int{ly.c.outC, ly.c.inC, ly.c.k, ly.c.k}, []int{ly.c.outC}
		case *bnLayer[F]:
			wShape, bShape = []int{ly.bn.c}, []int{ly.bn.c}
		default:
			continue
		}
		off := net.offs[l]
		ps = append(ps,
			seqParam{name: fmt.Sprintf("%d.weight", net.index[l]), shape: wShape, off: off},
			seqParam{name: fmt.Sprintf("%d.bias", net.index[l]), shape: bShape, off: off + numel(wShape)})
	}
	return ps
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// norms returns the batch-norm layers with their module indices.
func (net *seqNet[F]) norms() (idx []int, bns []*bnLayer[F]) {
	for l, layer := range net.layers {
		if bn, ok := layer.(*bnLayer[F]); ok {
			idx, bns = append(idx, net.index[l]), append(bns, bn)
		}
	}
	return idx, bns
}

// tensors returns v, a vector in parameter layout, as float32 state_dict
// tensors named with prefix; with buffers the batch-norm running
// statistics follow, so that tensors(params, "", true) is the model's
// state_dict.
func (net *seqNet[F]) tensors(v []F, prefix string, buffers bool) []safetensors.Tensor {
	var out []safetensors.Tensor
	for _, p := range net.paramLayout() {
		out = append(out, safetensors.FromFloat32(prefix+p.name, p.shape, toFloat32(v[p.off:p.off+numel(p.shape)])))
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

// loadVector fills dst, a vector in parameter layout, from f's tensors
// named with prefix, each of exactly the parameter's shape (F32 or F64).
func (net *seqNet[F]) loadVector(f *safetensors.File, prefix string, dst []F) error {
	for _, p := range net.paramLayout() {
		v, err := tensorValues(f, prefix+p.name, p.shape)
		if err != nil {
			return err
		}
		for i, e := range v {
			dst[p.off+i] = F(e)
		}
	}
	return nil
}

// loadState loads a state_dict: every parameter and, for batch norm, the
// running statistics (num_batches_tracked is optional). Other tensors in f
// are ignored.
func (net *seqNet[F]) loadState(f *safetensors.File) error {
	if err := net.loadVector(f, "", net.params); err != nil {
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
