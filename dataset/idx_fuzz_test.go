package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

// FuzzReadIDX feeds arbitrary bytes, raw and gzipped, to the IDX readers as
// an image file and as a label file. They must not panic, must return data
// or a one-line BadInput, and must not allocate beyond what the file could
// hold: its size raw, maxGzipRatio times its size gzipped (plus buffers).
// make test runs it for a few seconds; testdata/fuzz/FuzzReadIDX keeps the
// inputs that once broke it.
func FuzzReadIDX(f *testing.F) {
	pixels, labels := testutil.MNISTImages(12, testutil.IndexPixels)
	images := testutil.IDX(idxImagesMagic, []int{12, 3, 2}, pixels)
	labelFile := testutil.IDX(idxLabelsMagic, []int{12}, labels)
	for _, seed := range [][]byte{images, labelFile, images[:20], labelFile[:9], {}, {0x1f, 0x8b}} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Add(testutil.Gzip(images)[:25], false) // a gzip stream cut short
	// The head of the real files, where they are installed: a cut stream.
	for _, name := range []string{testLabelsFile, testImagesFile} {
		if data, err := os.ReadFile(filepath.Join(fashionMNISTDir, name)); err == nil {
			f.Add(data[:min(len(data), 4096)], false)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, compress bool) {
		if compress {
			data = testutil.Gzip(data)
		}
		path := filepath.Join(t.TempDir(), "f.idx")
		testutil.WriteFile(t, path, data)
		capacity := int64(len(data))
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			capacity *= maxGzipRatio
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)

		labels, err := readLabels(path, 256)
		checkIDXErr(t, "readLabels", err)
		if err == nil && int64(len(labels)) > capacity {
			t.Errorf("readLabels returned %d labels from a file that holds at most %d bytes", len(labels), capacity)
		}
		keep := []int{0}
		if x, err := openIDX(path, idxImagesMagic); err == nil {
			if n := x.dims[0]; n > 1 {
				keep = append(keep, n-1)
			}
			checkIDXErr(t, "verify", x.verify())
			x.Close()
		} else {
			checkIDXErr(t, "openIDX", err)
		}
		pix, count, dim, err := readImages(path, keep)
		checkIDXErr(t, "readImages", err)
		if err == nil && (len(pix) != len(keep)*dim || count < len(keep)) {
			t.Errorf("readImages: %d pixels for %d of %d images of %d", len(pix), len(keep), count, dim)
		}

		runtime.ReadMemStats(&after)
		// Labels take capacity bytes at most, two image rows 8·capacity
		// and one more row capacity; the bufio and gzip buffers about
		// 200 kB.
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(10*capacity+1<<20); got > limit {
			t.Errorf("read a %d-byte file with %d bytes of allocations; the limit is %d", len(data), got, limit)
		}
	})
}

func checkIDXErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, lssr.ErrBadInput) {
		t.Errorf("%s: %v does not wrap lssr.ErrBadInput", what, err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("%s: error is not one line: %q", what, err)
	}
}
