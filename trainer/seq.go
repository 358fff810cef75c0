package trainer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/trainer/kernels"
)

// seqNet is a network given as a list of layers, like PyTorch's
// nn.Sequential: the CNNs, and MLPs with batch norm. It runs in float32 to
// train (products on the SIMD kernels) and in float64 to measure against
// references (products on gonum's BLAS); see the layers in seqLayer. It
// implements network (seq_measure.go, seq_torch.go).
//
// Parameters are one flat vector in PyTorch's state_dict order and layouts
// (torchLayout names them), so moving weights to PyTorch is a copy.
type seqNet[F float] struct {
	layers  []seqLayer[F]
	index   []int // each layer's module index in the nn.Sequential
	offs    []int // each layer's offset in params
	params  []F
	grads   []F
	dim     int // input features per example
	classes int
	loss    lossKind
	rows    int // the most examples one forward pass takes
	chunk   int // examples per piece of a full pass (≤ rows)
	la      linalg[F]
	// acts[l] is layer l's output for up to rows examples (acts[last]: the
	// logits), ds[l] the loss gradient there; racts and rds hold their
	// R-operator counterparts, made on the first Hessian-vector product.
	acts, ds, racts, rds [][]F
	xbuf                 []F // a chunk's input, when F is not float32
	hv                   []F // one chunk's H·v
}

// newSeqNet checks a model spec against the data's shape and returns the
// network it describes for the loss, with buffers for rows examples,
// initialised like PyTorch from r (see initialise).
func newSeqNet[F float](spec lssr.ModelSpec, shape [3]int, dim, classes int, loss lossKind, rows int, r *rand.Rand) (*seqNet[F], error) {
	net, err := seqLayers[F](spec, shape, dim, classes, loss, rows)
	if err != nil {
		return nil, err
	}
	net.alloc()
	net.initialise(r)
	return net, nil
}

// seqLayers checks a model spec against the data's shape and returns the
// network it describes with its layers but without its parameter vectors
// and activation buffers (see alloc), so that checking a spec costs no
// more than building the layers.
func seqLayers[F float](spec lssr.ModelSpec, shape [3]int, dim, classes int, loss lossKind, rows int) (*seqNet[F], error) {
	net := &seqNet[F]{dim: dim, classes: classes, loss: loss, rows: rows, chunk: min(rows, evalChunk)}
	act, err := parseActivation(spec.Activation)
	if err != nil {
		return nil, err
	}
	idx := 0
	add := func(l seqLayer[F]) {
		net.layers = append(net.layers, l)
		net.index = append(net.index, idx)
		idx++
	}
	width := dim
	// addNorm adds the batch norm (if any) and the activation after a
	// layer of c channels of hw positions; cm says the activations are
	// channel-major (the conv stack's layout, see convLayer), in which
	// case a ReLU is fused into the batch norm, taking its module index.
	addNorm := func(c, hw int, cm bool) error {
		if !spec.BatchNorm {
			add(activationLayer[F]{act: act, n: c * hw})
			return nil
		}
		bn, err := newBatchNorm[F](c, hw)
		if err != nil {
			return err
		}
		l := newBNLayer(bn)
		l.cm = cm
		l.relu = cm && act == relu
		add(l)
		if l.relu {
			idx++
			return nil
		}
		add(activationLayer[F]{act: act, n: c * hw})
		return nil
	}
	switch spec.Kind {
	case lssr.ModelMLP:
		if len(spec.Channels) > 0 {
			return nil, lssr.BadInput("model.channels: an mlp has no convolutions (use kind: cnn)")
		}
	case lssr.ModelCNN:
		if shape[0]*shape[1]*shape[2] != dim || dim == 0 {
			return nil, lssr.BadInput("model.kind: a cnn needs image data (fashion-mnist, mnist, cifar10), not %d plain features", dim)
		}
		if len(spec.Channels) == 0 {
			return nil, lssr.BadInput("model.channels: a cnn needs at least one conv block width")
		}
		k := spec.Kernel
		if k == 0 {
			k = 3
		}
		c, h, w := shape[0], shape[1], shape[2]
		for bi, ch := range spec.Channels {
			for range 2 {
				conv, err := newConv2D[F](c, h, w, ch, k, 1, k/2)
				if err != nil {
					return nil, lssr.BadInput("model: block %d: %v", bi+1, err)
				}
				add(newConvLayer(conv, rows, len(net.layers) > 0))
				c, h, w = ch, conv.outH, conv.outW
				if err := addNorm(c, h*w, true); err != nil {
					return nil, err
				}
			}
			pool, err := newPool2D[F](c, h, w, 2, 2, spec.Pool != lssr.PoolAvg)
			if err != nil {
				return nil, lssr.BadInput("model: block %d leaves a %d×%d image, too small to pool 2×2: use fewer blocks or larger images", bi+1, h, w)
			}
			add(newPoolLayer(pool, rows, bi == len(spec.Channels)-1))
			h, w = pool.outH, pool.outW
		}
		idx++ // nn.Flatten
		width = c * h * w
	default:
		return nil, lssr.BadInput("model.kind: unknown model %q (want %s)", spec.Kind, lssr.OneOf(lssr.ModelKinds()))
	}
	for _, hw := range spec.Hidden {
		add(dense[F]{in: width, out: hw})
		if err := addNorm(hw, 1, false); err != nil {
			return nil, err
		}
		width = hw
	}
	add(dense[F]{in: width, out: classes})
	return net, nil
}

// alloc makes the parameter vectors and the activation buffers, taking the
// latter from spareBuffers when they are there in the right sizes.
func (net *seqNet[F]) alloc() {
	size := 0
	lens := make([]int, len(net.layers))
	for l, layer := range net.layers {
		net.offs = append(net.offs, size)
		size += layer.numParams()
		lens[l] = net.rows * layer.outLen()
	}
	if !net.takeSpareBuffers(lens) {
		for _, n := range lens {
			a, d := make([]F, n), make([]F, n)
			adviseHugePages(a)
			adviseHugePages(d)
			net.acts = append(net.acts, a)
			net.ds = append(net.ds, d)
		}
	}
	net.params, net.grads = make([]F, size), make([]F, size)
	if _, ok := any(net.params).([]float32); !ok {
		net.xbuf = make([]F, net.rows*net.dim)
	}
}

// initialise draws the parameters as PyTorch's default initialisation does
// (Linear and Conv2d: weights and bias ~ U(−1/√fan_in, 1/√fan_in); batch
// norm: γ = 1, β = 0), layer by layer, weights before biases.
func (net *seqNet[F]) initialise(r *rand.Rand) {
	for l, layer := range net.layers {
		p := net.layerParams(net.params, l)
		fanIn := 0
		switch ly := layer.(type) {
		case dense[F]:
			fanIn = ly.in
		case *convLayer[F]:
			fanIn = ly.c.patchLen()
		case *bnLayer[F]:
			g, b := ly.split(p)
			for i := range g {
				g[i], b[i] = 1, 0
			}
		}
		if fanIn > 0 {
			bound := 1 / math.Sqrt(float64(fanIn))
			for i := range p {
				p[i] = F((2*r.Float64() - 1) * bound)
			}
		}
	}
}

// layerParams returns layer l's slice of v, a vector in parameter layout.
func (net *seqNet[F]) layerParams(v []F, l int) []F {
	if v == nil {
		return nil
	}
	return v[net.offs[l] : net.offs[l]+net.layers[l].numParams()]
}

// input returns the features of m examples as F values.
func (net *seqNet[F]) input(x []float32, m int) []F {
	if xf, ok := any(x).([]F); ok {
		return xf[:m*net.dim]
	}
	for i, v := range x[:m*net.dim] {
		net.xbuf[i] = F(v)
	}
	return net.xbuf[:m*net.dim]
}

// layerInput returns layer l's input for the m examples whose input is x.
func (net *seqNet[F]) layerInput(x []F, l, m int) []F {
	if l == 0 {
		return x
	}
	return net.acts[l-1][:m*net.layers[l-1].outLen()]
}

// forward runs m examples (m ≤ rows) and returns their logits.
func (net *seqNet[F]) forward(x []F, m int, train bool) []F {
	if m > net.rows {
		panic(fmt.Sprintf("trainer: seqNet.forward: %d rows > %d", m, net.rows))
	}
	for l, layer := range net.layers {
		layer.forward(&net.la, net.layerParams(net.params, l), net.layerInput(x, l, m), m, net.acts[l], train)
	}
	return net.acts[len(net.layers)-1][:m*net.classes]
}

// lossGrad evaluates the loss on the logits of the last forward pass and
// leaves scale·∂ℓ_i/∂logits in the top gradient buffer.
func (net *seqNet[F]) lossGrad(logits []F, y []uint8, m int, scale float64) (sum float64, correct int) {
	return lossEval(net.loss, logits, y, net.classes, m, scale, net.ds[len(net.layers)-1])
}

// backward propagates the top gradient buffer down the network after a
// forward pass of the same m examples x, writing the parameter gradients
// (summed over the rows) to grads unless grads is nil.
func (net *seqNet[F]) backward(x []F, m int, grads []F) {
	for l := len(net.layers) - 1; l >= 0; l-- {
		var dx []F
		if l > 0 {
			dx = net.ds[l-1]
		}
		y := net.acts[l][:m*net.layers[l].outLen()]
		net.layers[l].backward(&net.la, net.layerParams(net.params, l), net.layerInput(x, l, m), y, net.ds[l], m, net.layerParams(grads, l), dx)
	}
}

// step takes one SGD step of learning rate lr on m examples in train mode
// and returns their mean loss and how many are classified right; a NaN or
// Inf loss leaves the parameters unchanged.
func (net *seqNet[F]) step(x []float32, y []uint8, m int, lr float64) (loss float64, correct int) {
	loss, correct = net.gradient(x, y, m)
	if !finite(loss) {
		return loss, correct
	}
	if p32, ok := any(net.params).([]float32); ok {
		kernels.SGDUpdate(p32, any(net.grads).([]float32), float32(lr))
		return loss, correct
	}
	for i, g := range net.grads {
		net.params[i] -= F(F(lr) * g) // rounded, not fused: as SGDUpdate
	}
	return loss, correct
}

// gradient sets grads to the gradient of the mean loss of m examples in
// train mode and returns that mean loss and how many are classified right.
func (net *seqNet[F]) gradient(x []float32, y []uint8, m int) (loss float64, correct int) {
	in := net.input(x, m)
	sum, correct := net.lossGrad(net.forward(in, m, true), y, m, 1/float64(m))
	net.backward(in, m, net.grads)
	return sum / float64(m), correct
}

// spareBuffers holds the activation and gradient buffers (acts and ds) of
// the last float32 seqNet that Train finished with, for the next network
// of the same layer output sizes. Train's CNNs keep these buffers for a
// chunk of evalChunk examples per layer, about 165 MB for the [16, 32] CNN
// on 28×28 images: made afresh for every job, the operating system hands
// them out page by page as the first passes touch them (about 40,000 page
// faults, which made the initial pass and the ρ pass of an n = 2048 job
// 0.2–0.3 s slower each on the machine this was measured on), and the
// garbage collector runs for them. A worker process trains job after job on the
// same shape, so it makes them once.
var spareBuffers struct {
	sync.Mutex
	acts, ds [][]float32
}

// takeSpareBuffers gives net the spare buffers if they have the lengths
// lens, cleared so that net starts as with fresh ones, and reports whether
// it did. Spare buffers of other lengths are dropped, so that they are not
// kept beside the new network's.
func (net *seqNet[F]) takeSpareBuffers(lens []int) bool {
	acts, ok := any(&net.acts).(*[][]float32)
	if !ok {
		return false
	}
	spareBuffers.Lock()
	a, d := spareBuffers.acts, spareBuffers.ds
	spareBuffers.acts, spareBuffers.ds = nil, nil
	spareBuffers.Unlock()
	if len(a) != len(lens) {
		return false
	}
	for l, n := range lens {
		if len(a[l]) != n || len(d[l]) != n {
			return false
		}
	}
	for l := range a {
		clear(a[l])
		clear(d[l])
	}
	*acts = a
	*any(&net.ds).(*[][]float32) = d
	return true
}

// releaseBuffers hands net's activation and gradient buffers to the next
// float32 seqNet made with the same sizes (see spareBuffers). net must not
// run again.
func (net *seqNet[F]) releaseBuffers() {
	acts, ok := any(net.acts).([][]float32)
	if !ok || acts == nil {
		return
	}
	spareBuffers.Lock()
	spareBuffers.acts, spareBuffers.ds = acts, any(net.ds).([][]float32)
	spareBuffers.Unlock()
	net.acts, net.ds = nil, nil
}
