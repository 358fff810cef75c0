package lssr

import "strings"

// The words a sweep spec, a job and the CLI use for what is trained. Each is
// a string type, so a job's JSON, its ID and every stored byte are the same
// as when they were plain strings; each has a list of its valid values, in
// the order help and error messages name them.

// ModelKind names a network architecture.
type ModelKind string

const (
	ModelMLP ModelKind = "mlp" // dense layers only
	ModelCNN ModelKind = "cnn" // conv-conv-pool blocks, then dense layers
)

// ModelKinds lists the valid model kinds. This and the other lists are
// functions, so that a caller cannot change what the next one gets.
func ModelKinds() []ModelKind { return []ModelKind{ModelMLP, ModelCNN} }

// Activation names the nonlinearity between layers.
type Activation string

const (
	ActivationReLU Activation = "relu" // max(0, x)
	ActivationTanh Activation = "tanh" // tanh(x)
)

// Activations lists the valid activations.
func Activations() []Activation { return []Activation{ActivationReLU, ActivationTanh} }

// Pool names a CNN's 2×2 pooling. In a ModelSpec the empty Pool means
// PoolMax: the spec parser stores the default as "", so that writing it out
// keeps job IDs from splitting.
type Pool string

const (
	PoolMax Pool = "max" // the largest of each 2×2 window
	PoolAvg Pool = "avg" // the mean of each 2×2 window
)

// Pools lists the valid pools.
func Pools() []Pool { return []Pool{PoolMax, PoolAvg} }

// Loss names the training objective.
type Loss string

const (
	LossCrossEntropy Loss = "cross-entropy" // softmax cross-entropy
	LossMSE          Loss = "mse"           // 0.5‖f(x) − onehot(y)‖², as in the paper
)

// Losses lists the valid losses.
func Losses() []Loss { return []Loss{LossCrossEntropy, LossMSE} }

// Sampling names how minibatches are drawn from the training subset.
type Sampling string

const (
	// SamplingWithout draws batches without replacement from a permutation
	// reshuffled every epoch (γ_{n,b} = (n−b)/(n−1), eq. 1).
	SamplingWithout Sampling = "without"
	// SamplingWith draws every example of every batch independently and
	// uniformly (γ_{n,b} = 1, eq. 1).
	SamplingWith Sampling = "with"
)

// Samplings lists the valid samplings.
func Samplings() []Sampling { return []Sampling{SamplingWithout, SamplingWith} }

// OneOf spells values as a choice for a message or a flag's help: "relu or
// tanh", "a, b or c".
func OneOf[T ~string](values []T) string {
	words := Strings(values)
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// Strings returns values as plain strings, for completion and for messages
// that join the words themselves.
func Strings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
