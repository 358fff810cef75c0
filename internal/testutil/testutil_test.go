package testutil_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/sweeps"
	bolt "go.etcd.io/bbolt"
)

func TestRelErr(t *testing.T) {
	for _, c := range []struct{ got, want, rel float64 }{
		{1, 1, 0},
		{1.5, 1, 0.5},
		{0.5, 1, 0.5},
		{-3, -2, 0.5},
		{2, -2, 2},
		{0, 4, 1},
		{0, 0, 0},         // the guard: not 0/0
		{1e-10, 0, 1e290}, // the guard: huge, not +Inf
		{1, 0, math.Inf(1)},
	} {
		if got := testutil.RelErr(c.got, c.want); !(got == c.rel || math.Abs(got-c.rel) <= 1e-15*c.rel) {
			t.Errorf("RelErr(%g, %g) = %g, want %g", c.got, c.want, got, c.rel)
		}
	}
	if e := testutil.RelErr(math.NaN(), 1); !math.IsNaN(e) {
		t.Errorf("RelErr(NaN, 1) = %g, want NaN", e)
	}
}

func TestRandomBytes(t *testing.T) {
	// The bytes are pinned: tests that damage files with them must keep
	// damaging them the same way.
	for _, c := range []struct {
		s1, s2 uint64
		want   []byte
	}{
		{1, 2, []byte{0x86, 0xad, 0x05, 0xdc, 0x98, 0x7f, 0x80, 0x62}},
		{1, 1, []byte{0x9f, 0x60, 0x67, 0xc4, 0xca, 0xa7, 0xa1, 0x9a}},
	} {
		if got := testutil.RandomBytes(8, c.s1, c.s2); !bytes.Equal(got, c.want) {
			t.Errorf("RandomBytes(8, %d, %d) = %#v, want %#v", c.s1, c.s2, got, c.want)
		}
		if long := testutil.RandomBytes(100, c.s1, c.s2); len(long) != 100 || !bytes.Equal(long[:8], c.want) {
			t.Errorf("RandomBytes(100, %d, %d) is %d bytes starting %#v", c.s1, c.s2, len(long), long[:8])
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "s"), "text")
	testutil.WriteFile(t, filepath.Join(dir, "b"), []byte{0, 1})
	testutil.WriteFiles(t, dir, map[string][]byte{"m1": {2}, "m2": nil})
	for name, want := range map[string]string{"s": "text", "b": "\x00\x01", "m1": "\x02", "m2": ""} {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != want {
			t.Errorf("%s: %q, %v; want %q", name, got, err, want)
		}
	}
}

func TestIDX(t *testing.T) {
	got := testutil.IDX(testutil.IDXImagesMagic, []int{2, 3, 1 << 31}, []byte{9, 8})
	want := []byte{
		0x00, 0x00, 0x08, 0x03, // magic
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x03,
		0x80, 0x00, 0x00, 0x00,
		9, 8, // payload
	}
	if !bytes.Equal(got, want) {
		t.Errorf("IDX = % x\nwant  % x", got, want)
	}
	if got := testutil.IDX(testutil.IDXLabelsMagic, nil, nil); !bytes.Equal(got, []byte{0, 0, 8, 1}) {
		t.Errorf("IDX of a bare magic number = % x", got)
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGzip(t *testing.T) {
	in := testutil.RandomBytes(1000, 3, 4)
	z := testutil.Gzip(in)
	if !bytes.HasPrefix(z, []byte{0x1f, 0x8b}) || !bytes.Equal(gunzip(t, z), in) {
		t.Errorf("Gzip does not round-trip: % x…", z[:min(len(z), 16)])
	}
}

func TestMNISTImages(t *testing.T) {
	pixels, labels := testutil.MNISTImages(11, testutil.IndexPixels)
	if len(pixels) != 66 || !slices.Equal(labels, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0}) {
		t.Fatalf("%d pixels, labels %v", len(pixels), labels)
	}
	if !slices.Equal(pixels[:12], []byte{0, 0, 0, 0, 0, 0, 7, 7, 7, 7, 7, 7}) || pixels[65] != 70 {
		t.Errorf("IndexPixels: %v", pixels)
	}
	noisy, _ := testutil.MNISTImages(1, testutil.NoisyPixels)
	if want := []byte{0, 38, 138, 44, 12, 42}; !slices.Equal(noisy, want) { // 31p² + 7p mod 256
		t.Errorf("NoisyPixels: %v, want %v", noisy, want)
	}
}

func TestFakeMNIST(t *testing.T) {
	raw := testutil.FakeMNIST(12, 5, testutil.IndexPixels, false)
	trainPixels, trainLabels := testutil.MNISTImages(12, testutil.IndexPixels)
	testPixels, testLabels := testutil.MNISTImages(5, testutil.IndexPixels)
	want := map[string][]byte{
		"train-images-idx3-ubyte.gz": append([]byte{0, 0, 8, 3, 0, 0, 0, 12, 0, 0, 0, 3, 0, 0, 0, 2}, trainPixels...),
		"train-labels-idx1-ubyte.gz": append([]byte{0, 0, 8, 1, 0, 0, 0, 12}, trainLabels...),
		"t10k-images-idx3-ubyte.gz":  append([]byte{0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 2}, testPixels...),
		"t10k-labels-idx1-ubyte.gz":  append([]byte{0, 0, 8, 1, 0, 0, 0, 5}, testLabels...),
	}
	if len(raw) != len(want) {
		t.Fatalf("%d files, want %d", len(raw), len(want))
	}
	gz := testutil.FakeMNIST(12, 5, testutil.IndexPixels, true)
	for name, w := range want {
		if !bytes.Equal(raw[name], w) {
			t.Errorf("%s: % x\nwant % x", name, raw[name], w)
		}
		if !bytes.Equal(gunzip(t, gz[name]), w) {
			t.Errorf("%s gzipped does not hold the raw file", name)
		}
	}
}

func TestFakeCIFAR(t *testing.T) {
	files := testutil.FakeCIFAR(12)
	names := slices.Sorted(maps.Keys(files))
	if want := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"}; !slices.Equal(names, want) {
		t.Fatalf("files %v, want %v", names, want)
	}
	for name, b := range files {
		if len(b) != 12*3073 {
			t.Fatalf("%s: %d bytes, want 12 records of 3073", name, len(b))
		}
		for i := range 12 {
			rec := b[i*3073 : (i+1)*3073]
			if rec[0] != byte(i%10) || slices.ContainsFunc(rec[1:], func(p byte) bool { return p != 0 }) {
				t.Errorf("%s: record %d has label %d and pixels not all 0", name, i, rec[0])
			}
		}
	}
	files["test_batch.bin"][0] = 9
	if files["data_batch_1.bin"][0] != 0 {
		t.Error("the files share their bytes")
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	f := testutil.SafetensorsRoundTrip(t, []safetensors.Tensor{safetensors.FromFloat32("w", []int{2}, []float32{1.5, -2})})
	w, ok := f.Get("w")
	if !ok {
		t.Fatal("no tensor w")
	}
	if v, err := w.Float32s(); err != nil || !slices.Equal(v, []float32{1.5, -2}) || !slices.Equal(w.Shape, []int{2}) {
		t.Errorf("w: %v %v, %v", w.Shape, v, err)
	}
}

func TestReadBoltLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		for i := 0; err == nil && i < 200; i++ {
			err = b.Put([]byte{byte(i), byte(i >> 8)}, testutil.RandomBytes(100, uint64(i), 0))
		}
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	l := testutil.ReadBoltLayout(t, path)
	info, _ := os.Stat(path)
	if l.PageSize <= 0 || l.Used <= 4*l.PageSize || l.Used%l.PageSize != 0 || l.Used > info.Size() ||
		l.MidPage%l.PageSize != 0 || l.MidPage < 2*l.PageSize || l.MidPage >= l.Used {
		t.Errorf("layout %+v of a %d-byte file", l, info.Size())
	}
}

func TestSpecYAML(t *testing.T) {
	full := testutil.Spec{
		Name: "full", N: 256, TestN: 64, Dim: 6, Classes: 3,
		Hidden: []int{10, 7}, BatchNorm: true, Activation: "relu",
		Epochs: 4, MeasureEvery: 2, CheckpointEvery: 1, SaveWeights: true, StopEarly: 0.5,
		BatchSizes: "[8, 16]", LearningRates: "{log2_from: -4, log2_to: -2}", Seeds: "[0, 1]", Workers: 2,
	}
	wantFull := `name: full
dataset: {name: synthetic, n: 256, test_n: 64, dim: 6, classes: 3}
model: {kind: mlp, hidden: [10, 7], batch_norm: true, activation: relu}
training: {epochs: 4, measure_every: 2, checkpoint_every: 1, stop_early: 0.5, save_weights: true}
grid:
  batch_sizes: [8, 16]
  learning_rates: {log2_from: -4, log2_to: -2}
  seeds: [0, 1]
workers: 2
`
	bare := testutil.Spec{Name: "bare", N: 100, Dim: 2, Classes: 2, Epochs: 1, BatchSizes: "[4]", LearningRates: "[0.1]"}
	wantBare := `name: bare
dataset: {name: synthetic, n: 100, dim: 2, classes: 2}
model: {kind: mlp, hidden: []}
training: {epochs: 1}
grid:
  batch_sizes: [4]
  learning_rates: [0.1]
`
	for _, c := range []struct {
		spec testutil.Spec
		want string
	}{{full, wantFull}, {bare, wantBare}} {
		if got := c.spec.YAML(); got != c.want {
			t.Errorf("YAML:\n%s\nwant:\n%s", got, c.want)
		}
	}

	// The YAML is a spec, with the values given.
	s, err := sweeps.Parse([]byte(full.YAML()), "full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "full" || s.Dataset.Name != lssr.DatasetSynthetic || s.Dataset.N != 256 || s.Dataset.TestN != 64 ||
		s.Dataset.Dim != 6 || s.Dataset.Classes != 3 || !slices.Equal(s.Model.Hidden, []int{10, 7}) || !s.Model.BatchNorm ||
		s.Model.Activation != "relu" || s.Training.Epochs != 4 || s.Training.MeasureEvery != 2 || s.Training.StopEarly != 0.5 ||
		s.Keep.CheckpointEvery != 1 || !s.Keep.SaveWeights || !slices.Equal(s.Grid.BatchSizes, []int{8, 16}) ||
		!slices.Equal(s.Grid.LearningRates, []float64{1.0 / 16, 1.0 / 8, 1.0 / 4}) || !slices.Equal(s.Grid.Seeds, []uint64{0, 1}) || s.Workers != 2 {
		t.Errorf("parsed: %+v", s)
	}
	if lines := strings.Split(bare.YAML(), "\n"); lines[4] != "grid:" {
		t.Errorf("line 5 is %q, want the grid", lines[4])
	}
}
