package trainer

import "fmt"

// seqNet's side of the PyTorch interchange (torch.go): its parameter
// vector already is the PyTorch order.

// torchLayout lists the weight and bias of every layer that has
// parameters, named by the layer's module index.
func (net *seqNet[F]) torchLayout() []torchParam {
	var ps []torchParam
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
			torchParam{name: fmt.Sprintf("%d.weight", net.index[l]), shape: wShape, off: off},
			torchParam{name: fmt.Sprintf("%d.bias", net.index[l]), shape: bShape, off: off + numel(wShape)})
	}
	return ps
}

func (net *seqNet[F]) toTorch(dst, v []F)   { copy(dst, v) }
func (net *seqNet[F]) fromTorch(dst, t []F) { copy(dst, t) }

// norms returns the batch-norm layers with their module indices.
func (net *seqNet[F]) norms() (idx []int, bns []*bnLayer[F]) {
	for l, layer := range net.layers {
		if bn, ok := layer.(*bnLayer[F]); ok {
			idx, bns = append(idx, net.index[l]), append(bns, bn)
		}
	}
	return idx, bns
}
