package main

// End-to-end tests of hostile input beyond the spec corpus: the job limit
// and its flag, and broken data files. Each must end in one line on stderr,
// exit status 2, and no database.

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr/internal/testutil"
)

// spec2000 expands to 20 batch sizes × 100 learning rates = 2000 jobs. Its
// grid is on line 5.
var spec2000 = testutil.Spec{Name: "big", N: 1000000, Dim: 2, Classes: 2, Epochs: 1,
	BatchSizes: "{log2_from: 0, log2_to: 19}", LearningRates: "{log2_from: -99, log2_to: 0}", Workers: 1}.YAML()

// checkBadRun asserts the shape of a refused run: exit 2, one line on
// stderr holding want, and nothing written in dir.
func checkBadRun(t *testing.T, r cmdResult, dir, want string) {
	t.Helper()
	if r.code != 2 {
		t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
	}
	if lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n"); len(lines) != 1 {
		t.Errorf("stderr has %d lines, want 1: %q", len(lines), r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q\ndoes not contain %q", r.stderr, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input wrote %d files, e.g. %s", len(entries), entries[0].Name())
	}
}

func TestMaxJobs(t *testing.T) {
	spec := filepath.Join(t.TempDir(), "big.yaml")
	testutil.WriteFile(t, spec, spec2000)
	const want = "big.yaml:5: grid: 20 batch sizes × 100 learning rates × 1 seeds = 2000 jobs; the limit is 1000 (lssr sweep run --max-jobs N raises it)"

	dir := t.TempDir()
	checkBadRun(t, runLSSR(t, dir, "sweep", "run", "--max-jobs", "1000", spec), dir, want)
	checkBadRun(t, runLSSR(t, dir, "sweep", "run", "--max-jobs", "0", spec), dir, "--max-jobs: must be between 1 and 10000000, got 0")
	checkBadRun(t, runLSSR(t, dir, "sweep", "run", "--max-jobs", "many", spec), dir, `invalid value "many" for flag -max-jobs`)
	t.Setenv("LSSR_MAX_JOBS", "1000")
	checkBadRun(t, runLSSR(t, dir, "sweep", "run", spec), dir, want)
	t.Setenv("LSSR_MAX_JOBS", "lots")
	checkBadRun(t, runLSSR(t, dir, "sweep", "run", spec), dir, `LSSR_MAX_JOBS: want a whole number of jobs, got "lots"`)

	// The flag wins over the variable, and without either the default
	// (100000) lets the sweep start: it stores its 2000 jobs, then Ctrl-C.
	for _, args := range [][]string{{"--max-jobs", "2000"}, nil} {
		if args == nil {
			os.Unsetenv("LSSR_MAX_JOBS") // t.Setenv restores it after the test
		}
		dir := t.TempDir()
		cmd := exec.Command(lssrBin, append(append([]string{"sweep", "run", "--plain"}, args...), spec)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stored := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == "sweep big: 2000 jobs stored in lssr.db" {
					stored <- true
				}
			}
			close(stored)
		}()
		select {
		case ok := <-stored:
			if !ok {
				t.Errorf("lssr %v ended without storing 2000 jobs; stderr %q", args, stderr.String())
			}
		case <-time.After(guard):
			t.Errorf("lssr %v: no \"2000 jobs stored\" within %v (a guard: it hangs)", args, guard)
		}
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
	}
}

func TestBrokenDataExitTwo(t *testing.T) {
	images := testutil.MNISTTrainImages
	goodImages := testutil.FakeMNIST(40, 20, testutil.NoisyPixels, true)[images]
	flipped := bytes.Clone(goodImages)
	flipped[len(flipped)-6] ^= 0xff // inside the CRC-32 of the gzip trailer
	cases := []struct {
		name    string
		cifar   bool
		dataset string            // extra dataset fields
		damage  map[string][]byte // files replaced
		want    string
	}{
		{"idx header cut", false, "", map[string][]byte{images: testutil.IDX(testutil.IDXImagesMagic, []int{40, 3, 2}, nil)[:10]},
			"train-images-idx3-ubyte.gz: truncated: IDX header ends inside the dimensions"},
		{"idx payload cut", false, "", map[string][]byte{images: testutil.IDX(testutil.IDXImagesMagic, []int{40, 3, 2}, make([]byte, 100))},
			"train-images-idx3-ubyte.gz: truncated: 116 bytes, the header promises 256"},
		{"idx gzip stream cut", false, "", map[string][]byte{images: goodImages[:len(goodImages)-60]},
			"train-images-idx3-ubyte.gz: truncated: "},
		{"idx gzip checksum wrong", false, "", map[string][]byte{images: flipped},
			"train-images-idx3-ubyte.gz: corrupt after the data: gzip: invalid checksum"},
		{"idx wrong magic", false, "", map[string][]byte{images: testutil.Gzip(testutil.IDX(testutil.IDXLabelsMagic, []int{40}, make([]byte, 40)))},
			"magic number 0x00000801, want 0x00000803 (not an IDX image file)"},
		{"idx dimensions overflow", false, "", map[string][]byte{images: testutil.IDX(testutil.IDXImagesMagic, []int{1 << 28, 1 << 28, 1 << 28}, nil)},
			"corrupt header: dimensions 268435456 × 268435456 × 268435456 overflow"},
		{"idx counts differ", false, "", map[string][]byte{testutil.MNISTTestLabels: testutil.Gzip(testutil.IDX(testutil.IDXLabelsMagic, []int{19}, make([]byte, 19)))},
			"t10k-labels-idx1-ubyte.gz has 19 labels but"},
		{"idx label 10 unbalanced", false, "  balanced: false\n", map[string][]byte{testutil.MNISTTrainLabels: testutil.Gzip(testutil.IDX(testutil.IDXLabelsMagic, []int{40}, append(make([]byte, 39), 10)))},
			"train-labels-idx1-ubyte.gz: label 10 of example 39 is not below 10"},
		{"cifar batch cut", true, "", map[string][]byte{"data_batch_3.bin": make([]byte, 20*3073-1)},
			"data_batch_3.bin: truncated or corrupt: 61459 bytes is not a whole number of 3073-byte records"},
		{"cifar batch cut to whole records", true, "", map[string][]byte{"test_batch.bin": make([]byte, 5*3073)},
			"dataset.test_n: 10 exceeds the 5 records in"},
		{"cifar batch empty", true, "", map[string][]byte{"data_batch_5.bin": nil},
			"data_batch_5.bin: empty (0 bytes)"},
		{"cifar label 10", true, "", map[string][]byte{"data_batch_2.bin": append([]byte{10}, make([]byte, 20*3073-1)...)},
			"data_batch_2.bin: label 10 of record 0 is not below 10"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data := t.TempDir()
			files, name := testutil.FakeMNIST(40, 20, testutil.NoisyPixels, true), "mnist"
			if tc.cifar {
				files, name = testutil.FakeCIFAR(20), "cifar10"
			}
			for f, b := range tc.damage {
				files[f] = b
			}
			testutil.WriteFiles(t, data, files)
			spec := filepath.Join(t.TempDir(), "spec.yaml")
			testutil.WriteFile(t, spec, "name: broken\ndataset:\n  name: "+name+"\n  dir: '"+data+"'\n  n: 10\n  test_n: 10\n"+tc.dataset+
				"model: {kind: mlp, hidden: [4]}\ntraining: {epochs: 1}\ngrid: {batch_sizes: [2], learning_rates: [0.1]}\nworkers: 1\n")
			dir := t.TempDir()
			db := filepath.Join(dir, "out", "sweeps.db")
			r := runLSSR(t, dir, "--db", db, "sweep", "run", spec)
			checkBadRun(t, r, dir, tc.want)
			if !strings.HasPrefix(r.stderr, "lssr: "+spec+":") {
				t.Errorf("stderr %q does not name the spec file and line", r.stderr)
			}
		})
	}
}
