package sweeps

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
)

const cifarRest = `model: {kind: mlp, hidden: [8]}
training: {epochs: 1}
grid: {batch_sizes: [8], learning_rates: [0.1]}
`

func TestParseCIFAR10(t *testing.T) {
	dir := t.TempDir() // Parse reads no files: an empty folder will do
	s, err := Parse([]byte("name: c\ndataset: {name: cifar10, dir: "+dir+", n: 100}\n"+cifarRest), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := lssr.DatasetSpec{Name: lssr.DatasetCIFAR10, Dir: dir, N: 100, TestN: 10000, Balanced: true}
	if s.Dataset.Name != want.Name || s.Dataset.Dir != want.Dir || s.Dataset.N != want.N ||
		s.Dataset.TestN != want.TestN || s.Dataset.Balanced != want.Balanced {
		t.Errorf("dataset %+v, want %+v", s.Dataset, want)
	}
	if _, err := Parse([]byte("name: c\ndataset: {name: cifar10, dir: /d, n: 50000, test_n: 10000}\n"+cifarRest), "c.yaml"); err != nil {
		t.Errorf("the whole of CIFAR-10 refused: %v", err)
	}
}

func TestBadCIFAR10(t *testing.T) {
	cases := []struct {
		name, dataset string
		field, frag   string
	}{
		{"n above 50000", "{name: cifar10, dir: /d, n: 50001}", "dataset.n", "between 1 and 50000, got 50001"},
		{"test_n above 10000", "{name: cifar10, dir: /d, n: 10, test_n: 10001}", "dataset.test_n", "between 1 and 10000, got 10001"},
		{"no dir", "{name: cifar10, n: 10}", "dataset.dir", "missing (required for cifar10"},
		{"empty dir", "{name: cifar10, n: 10, dir: ''}", "dataset.dir", "must not be empty"},
		{"dim", "{name: cifar10, n: 10, dir: /d, dim: 3072}", "dataset.dim", "only for dataset synthetic"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Parse([]byte("name: c\ndataset: "+tc.dataset+"\n"+cifarRest), "c.yaml")
			if err == nil {
				t.Fatalf("Parse accepted it: %+v", spec)
			}
			checkBadInput(t, err, "c.yaml", 2, tc.field, tc.frag)
		})
	}
}

func TestLoadCIFAR10(t *testing.T) {
	dir := t.TempDir()
	spec := `name: c
dataset:
  name: cifar10
  dir: ` + dir + `
  n: 50
  test_n: 10
` + cifarRest
	path := writeSpec(t, spec)
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load accepted a spec whose CIFAR-10 folder is empty")
	}
	checkBadInput(t, err, path, 4, "dataset.dir", filepath.Join(dir, "data_batch_1.bin")+" not found")

	// Ten records per file, one of each class: every class has five in
	// the training batches and one in the test batch.
	testutil.WriteFiles(t, dir, testutil.FakeCIFAR(10))
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Jobs()) != 1 || s.Jobs()[0].Dataset.Name != lssr.DatasetCIFAR10 {
		t.Errorf("jobs %+v", s.Jobs())
	}
	if err := os.Truncate(filepath.Join(dir, "test_batch.bin"), 3073*10-1); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	if err == nil {
		t.Fatal("Load accepted a truncated test batch")
	}
	checkBadInput(t, err, path, 4, "dataset.dir", "test_batch.bin: truncated or corrupt")
}
