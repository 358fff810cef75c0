package dataset

// CIFAR-10 in its binary version (cifar-10-binary.tar.gz from
// https://www.cs.toronto.edu/~kriz/cifar.html, unpacked to
// cifar-10-batches-bin): data_batch_1.bin … data_batch_5.bin hold the 50,000
// training images, test_batch.bin the 10,000 test images. A file is a bare
// sequence of 3073-byte records with no header: one label byte (0–9), then
// 1024 red, 1024 green and 1024 blue bytes, each plane a 32×32 image in
// row-major order. The training split is the five batch files concatenated
// in order, so record i of the split is the same example whatever subset is
// drawn.
//
// A row of Data.X keeps the file's layout, channel-major then row-major
// (Shape C, H, W = 3, 32, 32), scaled by 1/255 to [0, 1] like the MNISTs;
// there is no per-channel mean/std normalisation. Subsets are chosen exactly
// as for the IDX datasets (pickSubset with the SubsetSeed streams) from the
// labels alone; only the chosen records are then read, so a subset of n
// costs n·3072·4 bytes of memory, not the 600 MB of the whole training set.

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/lssr/lssr"
)

const (
	cifarPixels      = 3 * 32 * 32     // features per example
	cifarRecordBytes = 1 + cifarPixels // the label byte, then the pixels
	cifarClasses     = 10
	cifarTestFile    = "test_batch.bin"
	// cifarChunkRecords is how many records the label scan reads at once.
	cifarChunkRecords = 256
	cifarHint         = "download the binary version from https://www.cs.toronto.edu/~kriz/cifar.html and set dataset.dir to its cifar-10-batches-bin folder"
)

// cifarTrainFiles are the training batches, in the order they are joined.
var cifarTrainFiles = []string{
	"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
}

// cifarShape is the layout of one CIFAR-10 row of Data.X.
var cifarShape = [3]int{3, 32, 32}

// cifarPart is one batch file and the number of records its size says it
// holds.
type cifarPart struct {
	path    string
	records int
}

// cifarSplit is the files of one split in order; the split's record i is
// the record i − (records of the earlier files) of its file.
type cifarSplit []cifarPart

func (s cifarSplit) records() int {
	total := 0
	for _, p := range s {
		total += p.records
	}
	return total
}

// String names the split's files for error messages.
func (s cifarSplit) String() string {
	if len(s) == 1 {
		return s[0].path
	}
	return fmt.Sprintf("%s … %s", s[0].path, filepath.Base(s[len(s)-1].path))
}

// cifarPaths checks the six files of spec's folder exist and are whole
// numbers of records, without reading them.
func cifarPaths(spec lssr.DatasetSpec) (train, test cifarSplit, err error) {
	if spec.Dir == "" {
		_, err := DefaultDir(spec.Name) // always an error: there is no default place
		return nil, nil, err
	}
	for _, name := range cifarTrainFiles {
		part, err := statCIFAR(filepath.Join(spec.Dir, name))
		if err != nil {
			return nil, nil, err
		}
		train = append(train, part)
	}
	part, err := statCIFAR(filepath.Join(spec.Dir, cifarTestFile))
	if err != nil {
		return nil, nil, err
	}
	return train, cifarSplit{part}, nil
}

func statCIFAR(path string) (cifarPart, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return cifarPart{}, lssr.BadField("dataset.dir", "%s not found (%s)", path, cifarHint)
	case err != nil:
		return cifarPart{}, lssr.BadField("dataset.dir", "%s: %s", path, strings.TrimPrefix(err.Error(), "stat "+path+": "))
	case st.IsDir():
		return cifarPart{}, lssr.BadField("dataset.dir", "%s is a folder, want a CIFAR-10 batch file", path)
	case st.Size() == 0:
		// Zero is a whole number of records, but no batch of CIFAR-10 is
		// empty: a download or a copy went wrong.
		return cifarPart{}, lssr.BadField("dataset.dir", "%s: empty (0 bytes); a batch holds %d-byte records", path, cifarRecordBytes)
	case st.Size()%cifarRecordBytes != 0:
		return cifarPart{}, lssr.BadField("dataset.dir", "%s: truncated or corrupt: %d bytes is not a whole number of %d-byte records",
			path, st.Size(), cifarRecordBytes)
	}
	return cifarPart{path: path, records: int(st.Size() / cifarRecordBytes)}, nil
}

// checkCIFAR is Check for CIFAR-10: file sizes, and the labels only
// when a balanced subset needs their class counts.
func checkCIFAR(spec lssr.DatasetSpec) error {
	train, test, err := cifarPaths(spec)
	if err != nil {
		return err
	}
	for _, set := range []struct {
		split cifarSplit
		n     int
		field string
	}{{train, spec.N, "dataset.n"}, {test, spec.TestN, "dataset.test_n"}} {
		if err := set.split.checkCount(set.n, set.field); err != nil {
			return err
		}
		if spec.Balanced {
			labels, err := set.split.labels()
			if err != nil {
				return err
			}
			if err := checkBalanced(labels, cifarClasses, set.n, set.field); err != nil {
				return err
			}
		}
	}
	return nil
}

// loadCIFAR is Load for CIFAR-10.
func loadCIFAR(spec lssr.DatasetSpec) (*Data, error) {
	trainFiles, testFiles, err := cifarPaths(spec)
	if err != nil {
		return nil, err
	}
	train, err := trainFiles.load(spec, spec.N, "dataset.n", streamTrainSubset)
	if err != nil {
		return nil, err
	}
	test, err := testFiles.load(spec, spec.TestN, "dataset.test_n", streamTestSubset)
	if err != nil {
		return nil, err
	}
	return &Data{Train: train, Test: test, Dim: cifarPixels, Classes: cifarClasses, Shape: cifarShape}, nil
}

func (s cifarSplit) checkCount(n int, field string) error {
	if have := s.records(); n > have {
		return lssr.BadField(field, "%d exceeds the %d records in %s", n, have, s)
	}
	return nil
}

// load picks n records of the split from their labels and reads only those.
func (s cifarSplit) load(spec lssr.DatasetSpec, n int, field string, stream uint64) (Split, error) {
	if err := s.checkCount(n, field); err != nil {
		return Split{}, err
	}
	labels, err := s.labels()
	if err != nil {
		return Split{}, err
	}
	keep, err := pickSubset(labels, cifarClasses, n, spec.Balanced, newRand(spec.SubsetSeed, stream), field)
	if err != nil {
		return Split{}, err
	}
	x, err := s.readRecords(keep)
	if err != nil {
		return Split{}, err
	}
	y := make([]uint8, len(keep))
	for i, idx := range keep {
		y[i] = labels[idx]
	}
	return Split{X: x, Y: y, N: len(keep)}, nil
}

// labels reads the label byte of every record of the split and checks it
// names a class. Every 4 KiB page of a file holds a label, so reading the
// files through in chunks costs no more I/O than seeking to each label.
func (s cifarSplit) labels() ([]uint8, error) {
	labels := make([]uint8, 0, s.records())
	buf := make([]byte, cifarChunkRecords*cifarRecordBytes)
	for _, part := range s {
		if err := part.scanLabels(buf, func(i int, y uint8) error {
			if y >= cifarClasses {
				return lssr.BadField("dataset.dir", "%s: label %d of record %d is not below %d", part.path, y, i, cifarClasses)
			}
			labels = append(labels, y)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return labels, nil
}

// scanLabels calls visit with the index and label of each record of the
// file, reading it in chunks of len(buf) bytes (whole records).
func (p cifarPart) scanLabels(buf []byte, visit func(i int, y uint8) error) error {
	f, err := os.Open(p.path)
	if err != nil {
		return lssr.BadField("dataset.dir", "%s: %s", p.path, strings.TrimPrefix(err.Error(), "open "+p.path+": "))
	}
	defer f.Close()
	chunk := len(buf) / cifarRecordBytes
	for i := 0; i < p.records; i += chunk {
		k := min(chunk, p.records-i)
		if _, err := io.ReadFull(f, buf[:k*cifarRecordBytes]); err != nil {
			return lssr.BadField("dataset.dir", "%s: truncated or corrupt: it ends inside record %d of %d", p.path, i, p.records)
		}
		for j := range k {
			if err := visit(i+j, buf[j*cifarRecordBytes]); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRecords reads the records at the split indices keep (ascending) and
// returns their pixels scaled to [0, 1], one row of cifarPixels per record.
func (s cifarSplit) readRecords(keep []int) ([]float32, error) {
	x := make([]float32, len(keep)*cifarPixels)
	record := make([]byte, cifarRecordBytes)
	next, first := 0, 0 // next kept index; split index of the part's first record
	for _, part := range s {
		if next == len(keep) {
			break
		}
		end := first + part.records
		if keep[next] >= end {
			first = end
			continue
		}
		f, err := os.Open(part.path)
		if err != nil {
			return nil, lssr.BadField("dataset.dir", "%s: %s", part.path, strings.TrimPrefix(err.Error(), "open "+part.path+": "))
		}
		for ; next < len(keep) && keep[next] < end; next++ {
			i := keep[next] - first
			if _, err := f.ReadAt(record, int64(i)*cifarRecordBytes); err != nil {
				f.Close()
				return nil, lssr.BadField("dataset.dir", "%s: truncated or corrupt: cannot read record %d of %d", part.path, i, part.records)
			}
			row := x[next*cifarPixels : (next+1)*cifarPixels]
			for j, v := range record[1:] {
				row[j] = float32(v) / 255
			}
		}
		f.Close()
		first = end
	}
	if next != len(keep) {
		return nil, fmt.Errorf("dataset: record %d is beyond the %d of %s", keep[next], s.records(), s)
	}
	return x, nil
}
