package sweeps

import (
	"os"
	"testing"

	"github.com/lssr/lssr/internal/testutil"
)

// spec2000 expands to 20 batch sizes × 100 learning rates = 2000 jobs. Its
// YAML has the grid on line 5, learning_rates on line 7.
var spec2000 = testutil.Spec{Name: "big", N: 1000000, Dim: 2, Classes: 2, Epochs: 1,
	BatchSizes: "{log2_from: 0, log2_to: 19}", LearningRates: "{log2_from: -99, log2_to: 0}"}

func TestOptionsMaxJobs(t *testing.T) {
	src := []byte(spec2000.YAML())
	s, err := Parse(src, "big.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Jobs()); n != 2000 {
		t.Fatalf("%d jobs, want 2000", n)
	}
	if _, err := ParseOptions(src, "big.yaml", Options{MaxJobs: 2000}); err != nil {
		t.Errorf("a limit of exactly 2000: %v", err)
	}
	_, err = ParseOptions(src, "big.yaml", Options{MaxJobs: 1000})
	if err == nil {
		t.Fatal("2000 jobs passed a limit of 1000")
	}
	checkBadInput(t, err, "big.yaml", 5, "grid", "20 batch sizes × 100 learning rates × 1 seeds = 2000 jobs; the limit is 1000 (lssr sweep run --max-jobs N raises it)")

	// A range longer than the limit stops at the limit, not at MaxJobs.
	fine := spec2000
	fine.LearningRates = "{log2_from: -99, log2_to: 0, log2_step: 0.01}"
	_, err = ParseOptions([]byte(fine.YAML()), "big.yaml", Options{MaxJobs: 500})
	if err == nil {
		t.Fatal("a range of 9901 values passed a limit of 500")
	}
	checkBadInput(t, err, "big.yaml", 7, "grid.learning_rates", "range gives more than 500 values, the job limit")

	// A limit above MaxJobs lets the 110011 jobs of too-many-jobs.yaml
	// through; one above the ceiling is the ceiling.
	big := mustRead(t, "testdata/bad/too-many-jobs.yaml")
	if s, err := ParseOptions(big, "x.yaml", Options{MaxJobs: 200_000}); err != nil || len(s.Jobs()) != 110011 {
		t.Errorf("a limit of 200000: %v", err)
	}
	if _, err := ParseOptions(big, "x.yaml", Options{MaxJobs: 1 << 62}); err != nil {
		t.Errorf("a limit of 2^62: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
