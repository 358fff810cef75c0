package sweeps

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/testutil"
)

// mustLoadFile parses a spec file without checking the dataset, so tests
// that only need the spec run where the data is not installed.
func mustLoadFile(t *testing.T, path string) *Spec {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeSpec writes a spec into a fresh temporary folder and returns its path.
func writeSpec(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yaml")
	testutil.WriteFile(t, path, yaml)
	return path
}

func TestLoadMissingDatasetDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-folder")
	path := writeSpec(t, `name: missing
dataset:
  name: fashion-mnist
  n: 64
  dir: `+missing+`
model: {kind: mlp, hidden: []}
training: {epochs: 1}
grid: {batch_sizes: [8], learning_rates: [0.1]}
`)
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load accepted a spec whose dataset folder does not exist")
	}
	checkBadInput(t, err, path, 5, "dataset.dir", filepath.Join(missing, "train-images-idx3-ubyte.gz"))
}

func TestLoadDefaultDirMissing(t *testing.T) {
	// Pointing the module cache elsewhere hides GoMNIST from the default
	// lookup; the error then points at the dataset section.
	t.Setenv("GOMODCACHE", t.TempDir())
	path := writeSpec(t, `name: mnist
dataset: {name: mnist, n: 64}
model: {kind: mlp, hidden: []}
training: {epochs: 1}
grid: {batch_sizes: [8], learning_rates: [0.1]}
`)
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load found MNIST in an empty module cache")
	}
	checkBadInput(t, err, path, 2, "dataset.dir", "MNIST not found")
}

func TestLoadNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load of a missing file succeeded")
	}
	checkBadInput(t, err, path, 0, "", "cannot read spec: no such file or directory")
}

func TestLoadBadSpec(t *testing.T) {
	path := writeSpec(t, "name: x\nbogus: 1\n")
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load accepted an unknown field")
	}
	checkBadInput(t, err, path, 2, "bogus", "unknown field")
}

func TestLoadSynthetic(t *testing.T) {
	path := writeSpec(t, `name: synth
dataset: {name: synthetic, n: 256, dim: 8, classes: 3}
model: {kind: mlp, hidden: [4]}
training: {epochs: 1}
grid: {batch_sizes: [8, 16], learning_rates: [0.1]}
`)
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Path != path || len(s.Jobs()) != 2 {
		t.Errorf("Path %q, %d jobs; want %q and 2", s.Path, len(s.Jobs()), path)
	}
}

// TestLoadShipped loads the shipped specs where Fashion-MNIST is installed.
func TestLoadShipped(t *testing.T) {
	dir, err := dataset.DefaultDir("fashion-mnist")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Fashion-MNIST not installed: %v", err)
	}
	for _, f := range []string{"quickstart.yaml", "fashion-mnist-8k.yaml", "eos-gd.yaml", "showcase.yaml", "showcase-guided.yaml", "flat.yaml"} {
		if _, err := Load(f); err != nil {
			t.Errorf("Load(%s): %v", f, err)
		}
	}
}

// TestLineOf checks that a dataset error is placed on the line of the
// field it names, found through its *lssr.FieldError rather than its text.
// The wanted lines are looked up in quickstart.yaml's own text.
func TestLineOf(t *testing.T) {
	s := mustLoadFile(t, "quickstart.yaml")
	lineOfKey := func(key string) int {
		t.Helper()
		for i, l := range strings.Split(string(s.Source), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, " "), key+":") {
				return i + 1
			}
		}
		t.Fatalf("quickstart.yaml has no key %q", key)
		return 0
	}
	section, n, testN := lineOfKey("dataset"), lineOfKey("n"), lineOfKey("test_n")
	if section >= n || n >= testN {
		t.Fatalf("quickstart.yaml changed shape: dataset at %d, n at %d, test_n at %d", section, n, testN)
	}
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"n", lssr.BadField("dataset.n", "too big"), n},
		{"test_n", lssr.BadField("dataset.test_n", "too big"), testN},
		{"not given: its section", lssr.BadField("dataset.dir", "not found"), section},
		{"deeper: the field above", lssr.BadField("dataset.n.deeper", "odd field"), n},
		{"wrapped", fmt.Errorf("check: %w", lssr.BadField("dataset.test_n", "too big")), testN},
		{"unknown path", lssr.BadField("elsewhere", "odd"), section},
	}
	for _, c := range cases {
		var field *lssr.FieldError
		if !errors.As(c.err, &field) {
			t.Fatalf("%s: errors.As found no FieldError in %v", c.name, c.err)
		}
		if got := s.lineOf(field); got != c.want {
			t.Errorf("%s: lineOf(%q) = %d, want %d", c.name, field.Path, got, c.want)
		}
	}
}

// TestLoadDatasetFieldError checks a dataset error that only the files
// reveal end to end: the text is "file:line: field: problem" on the line of
// the field it names, and checkBadInput finds its *lssr.FieldError.
func TestLoadDatasetFieldError(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFiles(t, dir, testutil.FakeCIFAR(10)) // one record of each class per file
	path := writeSpec(t, `name: c
dataset:
  name: cifar10
  dir: `+dir+`
  n: 20
  test_n: 11
`+cifarRest)
	_, err := Load(path)
	if err == nil {
		t.Fatal("Load accepted test_n 11 of a 10-record test batch")
	}
	checkBadInput(t, err, path, 6, "dataset.test_n", "11 exceeds the 10 records in "+filepath.Join(dir, "test_batch.bin"))
}
