package sweeps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr/dataset"
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
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
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
	for _, f := range []string{"quickstart.yaml", "fashion-mnist-8k.yaml", "eos-gd.yaml", "showcase.yaml", "flat.yaml"} {
		if _, err := Load(f); err != nil {
			t.Errorf("Load(%s): %v", f, err)
		}
	}
}

func TestLineOf(t *testing.T) {
	s := mustLoadFile(t, "quickstart.yaml")
	cases := map[string]int{
		"dataset.n: too big":          7,
		"dataset.test_n: too big":     8,
		"dataset.dir: not found":      5, // not given: the dataset section
		"something else entirely":     5,
		"dataset.n.deeper: odd field": 7,
	}
	for msg, want := range cases {
		if got := s.lineOf(msg); got != want {
			t.Errorf("lineOf(%q) = %d, want %d", msg, got, want)
		}
	}
	if strings.Count(string(s.Source), "\n") < 8 {
		t.Fatal("quickstart.yaml changed shape; update the lines above")
	}
}
