package sweeps

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

// FuzzParse feeds arbitrary bytes to Parse. It must not panic, and must
// return either a spec whose grid holds only values the format allows and
// expands within the job limit, or a one-line error wrapping
// lssr.ErrBadInput that starts with the file name and quotes no more than
// maxMessage runes. Seeds are the shipped specs and the bad corpus; make
// test runs it for a few seconds, and testdata/fuzz/FuzzParse keeps the
// inputs that once broke it.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	shipped, _ := filepath.Glob("*.yaml")
	for _, path := range append(seeds, shipped...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data, "f.yaml")
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, lssr.ErrBadInput) {
				t.Errorf("error does not wrap lssr.ErrBadInput: %v", err)
			}
			if strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "f.yaml") {
				t.Errorf("error is not one line starting with the file name: %q", msg)
			}
			if n := len([]rune(msg)); n > maxMessage+1 {
				t.Errorf("error of %d runes", n)
			}
			return
		}
		if !namePattern.MatchString(s.Name) {
			t.Errorf("accepted the name %q", s.Name)
		}
		g := s.Grid
		if n := len(g.BatchSizes) * len(g.LearningRates) * len(g.Seeds); n < 1 || n > MaxJobs {
			t.Errorf("accepted a grid of %d jobs", n)
		}
		for _, b := range g.BatchSizes {
			if b < 1 || b > s.Dataset.N {
				t.Errorf("accepted batch size %d with n = %d", b, s.Dataset.N)
			}
		}
		for _, lr := range g.LearningRates {
			if !(lr > 0) || math.IsInf(lr, 0) {
				t.Errorf("accepted learning rate %v", lr)
			}
		}
		if s.Training.Epochs < 1 || s.Training.Epochs > MaxEpochs || s.Workers < 1 || s.Workers > MaxWorkers {
			t.Errorf("accepted epochs %d, workers %d", s.Training.Epochs, s.Workers)
		}
		if jobs := s.Jobs(); len(jobs) != len(g.BatchSizes)*len(g.LearningRates)*len(g.Seeds) {
			t.Errorf("Jobs() gave %d jobs", len(jobs))
		}
	})
}
