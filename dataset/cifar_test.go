package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

// cifarPixel is pixel (c, h, w) of the generated record with split index g,
// so a loaded row tells which record it came from and that its layout is CHW.
func cifarPixel(g, c, h, w int) byte { return byte(g + 31*c + 7*h + 3*w) }

func cifarLabel(g int) byte { return byte(g % 10) }

// cifarRecords encodes count records of the binary format, split indices
// first, first+1, ….
func cifarRecords(first, count int) []byte {
	out := make([]byte, 0, count*cifarRecordBytes)
	for g := first; g < first+count; g++ {
		out = append(out, cifarLabel(g))
		for c := range 3 {
			for h := range 32 {
				for w := range 32 {
					out = append(out, cifarPixel(g, c, h, w))
				}
			}
		}
	}
	return out
}

// writeFakeCIFAR writes the five training batches of perFile records each
// and a test batch of testN records into a fresh folder and returns it.
func writeFakeCIFAR(t *testing.T, perFile, testN int) string {
	t.Helper()
	dir := t.TempDir()
	for k, name := range cifarTrainFiles {
		writeFile(t, filepath.Join(dir, name), cifarRecords(k*perFile, perFile), false)
	}
	writeFile(t, filepath.Join(dir, cifarTestFile), cifarRecords(0, testN), false)
	return dir
}

// checkCIFARSplit checks every row of s is the generated record its first
// pixel names, scaled, with its label, and returns the records' indices.
func checkCIFARSplit(t *testing.T, what string, s Split) []int {
	t.Helper()
	if len(s.X) != s.N*cifarPixels || cap(s.X) != s.N*cifarPixels || len(s.Y) != s.N {
		t.Fatalf("%s: N=%d with len(X)=%d cap(X)=%d len(Y)=%d, want X of exactly N·3072", what, s.N, len(s.X), cap(s.X), len(s.Y))
	}
	var gs []int
	for i := range s.N {
		row := s.X[i*cifarPixels : (i+1)*cifarPixels]
		g := int(row[0]*255 + 0.5) // split indices in these tests stay below 256
		for c := range 3 {
			for h := range 32 {
				for w := range 32 {
					if got, want := row[c*1024+h*32+w], float32(cifarPixel(g, c, h, w))/255; got != want {
						t.Fatalf("%s: row %d (record %d) at c=%d h=%d w=%d is %v, want %v", what, i, g, c, h, w, got, want)
					}
				}
			}
		}
		if s.Y[i] != cifarLabel(g) {
			t.Fatalf("%s: row %d (record %d) has label %d, want %d", what, i, g, s.Y[i], cifarLabel(g))
		}
		gs = append(gs, g)
	}
	return gs
}

func TestLoadCIFARFull(t *testing.T) {
	dir := writeFakeCIFAR(t, 30, 40)
	spec := lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, Dir: dir, N: 150, TestN: 40}
	if err := Check(spec); err != nil {
		t.Fatal(err)
	}
	data, err := Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	if data.Dim != 3072 || data.Classes != 10 || data.Shape != [3]int{3, 32, 32} {
		t.Errorf("Dim %d Classes %d Shape %v, want 3072, 10, [3 32 32]", data.Dim, data.Classes, data.Shape)
	}
	for _, s := range []struct {
		what  string
		split Split
		n     int
	}{{"train", data.Train, 150}, {"test", data.Test, 40}} {
		gs := checkCIFARSplit(t, s.what, s.split)
		want := make([]int, s.n)
		for i := range want {
			want[i] = i
		}
		if !slices.Equal(gs, want) {
			t.Errorf("%s: records %v, want all of them in file order", s.what, gs)
		}
	}
	if d := data.Train.X[0:3072]; d[0] != 0 || d[1] != 3.0/255 || d[32] != 7.0/255 || d[1024] != 31.0/255 {
		t.Errorf("record 0 starts %v %v, %v, %v; want 0, 3/255 (w+1), 7/255 (h+1), 31/255 (green)", d[0], d[1], d[32], d[1024])
	}
}

func TestLoadCIFARSubset(t *testing.T) {
	dir := writeFakeCIFAR(t, 30, 40)
	load := func(seed uint64, balanced bool) *Data {
		t.Helper()
		data, err := Load(lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, Dir: dir, N: 50, TestN: 20, SubsetSeed: seed, Balanced: balanced})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	for _, balanced := range []bool{true, false} {
		a := load(3, balanced)
		train := checkCIFARSplit(t, "train", a.Train)
		test := checkCIFARSplit(t, "test", a.Test)
		if !slices.IsSorted(train) || !slices.IsSorted(test) || len(slices.Compact(slices.Clone(train))) != 50 {
			t.Errorf("balanced=%v: records %v not ascending and distinct", balanced, train)
		}
		if train[0] >= 30 || train[49] < 120 {
			t.Errorf("balanced=%v: records %v do not span the batch files", balanced, train)
		}
		// The same subset as the IDX loader picks from the same labels
		// and streams.
		labels := make([]uint8, 150)
		for g := range labels {
			labels[g] = cifarLabel(g)
		}
		want, _ := pickSubset(labels, 10, 50, balanced, newRand(3, streamTrainSubset), "dataset.n")
		if !slices.Equal(train, want) {
			t.Errorf("balanced=%v: records %v, pickSubset gives %v", balanced, train, want)
		}
		if balanced {
			counts := make([]int, 10)
			for _, y := range a.Train.Y {
				counts[y]++
			}
			if slices.ContainsFunc(counts, func(c int) bool { return c != 5 }) {
				t.Errorf("balanced class counts %v, want 5 each", counts)
			}
		}
		if again := load(3, balanced); !reflect.DeepEqual(a, again) {
			t.Errorf("balanced=%v: the same seed gave different data", balanced)
		}
		other := load(4, balanced)
		if slices.Equal(a.Train.Y, other.Train.Y) && slices.Equal(a.Train.X, other.Train.X) {
			t.Errorf("balanced=%v: seeds 3 and 4 gave the same training subset", balanced)
		}
	}
}

func TestLoadCIFARMalformed(t *testing.T) {
	ok := lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, N: 20, TestN: 10, Balanced: true}
	cases := []struct {
		name   string
		damage func(dir string) error
		spec   func(s *lssr.DatasetSpec)
		want   string // fragment; {dir} stands for the folder
		cheap  bool   // Check without reading labels finds it too
	}{
		{"truncated", func(dir string) error {
			return os.Truncate(filepath.Join(dir, "data_batch_3.bin"), 4*cifarRecordBytes-1)
		}, nil, "dataset.dir: {dir}/data_batch_3.bin: truncated or corrupt: 12291 bytes is not a whole number of 3073-byte records", true},
		{"empty batch", func(dir string) error {
			return os.Truncate(filepath.Join(dir, "data_batch_4.bin"), 0)
		}, nil, "dataset.dir: {dir}/data_batch_4.bin: empty (0 bytes); a batch holds 3073-byte records", true},
		{"one byte short of a record", func(dir string) error {
			return os.Truncate(filepath.Join(dir, "test_batch.bin"), cifarRecordBytes-1)
		}, nil, "dataset.dir: {dir}/test_batch.bin: truncated or corrupt: 3072 bytes is not a whole number of 3073-byte records", true},
		{"label 255", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, "test_batch.bin"), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{255}, 39*cifarRecordBytes)
			return err
		}, nil, "dataset.dir: {dir}/test_batch.bin: label 255 of record 39 is not below 10", false},
		{"label 10", func(dir string) error {
			f, err := os.OpenFile(filepath.Join(dir, "data_batch_2.bin"), os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt([]byte{10}, 4*cifarRecordBytes)
			return err
		}, nil, "dataset.dir: {dir}/data_batch_2.bin: label 10 of record 4 is not below 10", false},
		{"missing test batch", func(dir string) error {
			return os.Remove(filepath.Join(dir, "test_batch.bin"))
		}, nil, "dataset.dir: {dir}/test_batch.bin not found (download the binary version", true},
		{"folder for a file", func(dir string) error {
			path := filepath.Join(dir, "data_batch_5.bin")
			if err := os.Remove(path); err != nil {
				return err
			}
			return os.Mkdir(path, 0o755)
		}, nil, "dataset.dir: {dir}/data_batch_5.bin is a folder", true},
		{"n too large", nil, func(s *lssr.DatasetSpec) { s.N = 151 },
			"dataset.n: 151 exceeds the 150 records in {dir}/data_batch_1.bin … data_batch_5.bin", true},
		{"test_n too large", nil, func(s *lssr.DatasetSpec) { s.TestN = 41 },
			"dataset.test_n: 41 exceeds the 40 records in {dir}/test_batch.bin", true},
		{"balanced beyond a class", nil, func(s *lssr.DatasetSpec) { s.N = 150; s.TestN = 40 }, "", true},
		{"no dir", nil, func(s *lssr.DatasetSpec) { s.Dir = "" }, "dataset.dir: cifar10 has no default place", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFakeCIFAR(t, 30, 40)
			if tc.damage != nil {
				if err := tc.damage(dir); err != nil {
					t.Fatal(err)
				}
			}
			spec := ok
			spec.Dir = dir
			if tc.spec != nil {
				tc.spec(&spec)
			}
			if tc.want == "" { // a control: feasible at the limit
				if _, err := Load(spec); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := strings.ReplaceAll(tc.want, "{dir}/", dir+string(filepath.Separator))
			check := func(what string, err error) {
				t.Helper()
				switch {
				case err == nil:
					t.Errorf("%s accepted it", what)
				case !errors.Is(err, lssr.ErrBadInput) || strings.ContainsAny(err.Error(), "\r\n"):
					t.Errorf("%s: %q is not a one-line BadInput", what, err)
				case !strings.Contains(err.Error(), want):
					t.Errorf("%s: %q\ndoes not contain %q", what, err, want)
				default:
					field, _, _ := strings.Cut(tc.want, ": ") // every want starts with its field
					checkField(t, what, err, field)
				}
			}
			_, err := Load(spec)
			check("Load", err)
			check("Check (balanced)", Check(spec))
			spec.Balanced = false
			if err := Check(spec); tc.cheap {
				check("Check (unbalanced)", err)
			} else if err != nil {
				t.Errorf("Check read the labels of an unbalanced subset: %v", err)
			}
		})
	}
}

func TestLoadCIFARBalancedShort(t *testing.T) {
	dir := writeFakeCIFAR(t, 30, 40) // 15 of each class for training
	spec := lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, Dir: dir, N: 150, TestN: 10, Balanced: true}
	// Relabel record 0 (class 0) as class 1: class 0 then has 14.
	f, err := os.OpenFile(filepath.Join(dir, "data_batch_1.bin"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{1}, 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := "dataset.n: a balanced subset of 150 needs 15 of class 0, the file has 14"
	for what, err := range map[string]error{"Check": Check(spec), "Load": func() error { _, err := Load(spec); return err }()} {
		if err == nil || !errors.Is(err, lssr.ErrBadInput) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want a BadInput containing %q", what, err, want)
		}
		checkField(t, what, err, "dataset.n")
	}
}

func TestDefaultDirCIFAR(t *testing.T) {
	_, err := DefaultDir(lssr.DatasetCIFAR10)
	if err == nil || !errors.Is(err, lssr.ErrBadInput) || !strings.HasPrefix(err.Error(), "dataset.dir: ") {
		t.Errorf("DefaultDir(cifar10) = %v, want a BadInput about dataset.dir", err)
	}
}

// TestLoadShape checks Data.Shape for the other datasets: the IDX image size
// from the file header (3×2 here), zero for the synthetic set.
func TestLoadShape(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, testutil.FakeMNIST(20, 10, testutil.IndexPixels, true))
	data, err := Load(lssr.DatasetSpec{Name: lssr.DatasetMNIST, Dir: dir, N: 10, TestN: 10})
	if err != nil {
		t.Fatal(err)
	}
	if data.Shape != [3]int{1, 3, 2} || data.Shape[0]*data.Shape[1]*data.Shape[2] != data.Dim {
		t.Errorf("IDX Shape %v with Dim %d, want [1 3 2]", data.Shape, data.Dim)
	}
	synth, err := Load(lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 8, TestN: 8, SubsetSeed: 1, Balanced: true})
	if err != nil {
		t.Fatal(err)
	}
	if s := synth.Shape; s != [3]int{} {
		t.Errorf("synthetic Shape %v, want zero", s)
	}
}
