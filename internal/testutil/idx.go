package testutil

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
)

// The magic numbers of the IDX files of MNIST: unsigned bytes in three
// dimensions (images) and in one (labels).
const (
	IDXImagesMagic = 0x00000803
	IDXLabelsMagic = 0x00000801
)

// The names of the four files of an MNIST look-alike, as the dataset
// package looks for them. They end in .gz whether or not the content is
// gzipped: the reader tells by the content.
const (
	MNISTTrainImages = "train-images-idx3-ubyte.gz"
	MNISTTrainLabels = "train-labels-idx1-ubyte.gz"
	MNISTTestImages  = "t10k-images-idx3-ubyte.gz"
	MNISTTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// IDX encodes an IDX file: the magic number and each dimension as a
// big-endian uint32, then the payload as given. Neither the dimensions nor
// the payload's length are checked, so a test can write a broken file.
func IDX(magic uint32, dims []int, payload []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, magic)
	for _, d := range dims {
		out = binary.BigEndian.AppendUint32(out, uint32(d))
	}
	return append(out, payload...)
}

// Gzip compresses b as one gzip stream at the default level.
func Gzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b) // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}

// The fake MNIST images are 3×2 pixels.
const (
	mnistRows = 3
	mnistCols = 2
)

// IndexPixels gives every pixel of image p/6 the value 7·(p/6) mod 256, so
// a loaded image tells its index. It is a pixel function for MNISTImages.
func IndexPixels(p int) byte { return byte(7 * (p / (mnistRows * mnistCols))) }

// NoisyPixels gives pixel p the value (31p² + 7p) mod 256: bytes that do
// not compress, so cutting or flipping a gzip stream of them hits deflate
// data rather than one long run. It is a pixel function for MNISTImages.
func NoisyPixels(p int) byte { return byte(p*p*31 + 7*p) }

// MNISTImages returns count images of 3×2 pixels, pixel p of them all
// (image p/6) being pixel(p), and their labels: image i has label i mod 10.
func MNISTImages(count int, pixel func(p int) byte) (pixels, labels []byte) {
	pixels, labels = make([]byte, count*mnistRows*mnistCols), make([]byte, count)
	for p := range pixels {
		pixels[p] = pixel(p)
	}
	for i := range labels {
		labels[i] = byte(i % 10)
	}
	return pixels, labels
}

// FakeMNIST returns the four IDX files of a small MNIST look-alike, keyed by
// their names (MNISTTrainImages and so on): trainN and testN images from
// MNISTImages with the given pixel function, each set's pixels counted from
// 0, gzipped if compress.
func FakeMNIST(trainN, testN int, pixel func(p int) byte, compress bool) map[string][]byte {
	files := map[string][]byte{}
	for _, set := range []struct {
		images, labels string
		n              int
	}{{MNISTTrainImages, MNISTTrainLabels, trainN}, {MNISTTestImages, MNISTTestLabels, testN}} {
		pixels, labels := MNISTImages(set.n, pixel)
		files[set.images] = IDX(IDXImagesMagic, []int{set.n, mnistRows, mnistCols}, pixels)
		files[set.labels] = IDX(IDXLabelsMagic, []int{set.n}, labels)
	}
	if compress {
		for name, b := range files {
			files[name] = Gzip(b)
		}
	}
	return files
}
