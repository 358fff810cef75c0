package sweeps

import (
	"math"
	"reflect"
	"testing"
)

// gridSpec is a valid spec around a grid section given in flow style.
func gridSpec(grid string) []byte {
	return []byte(`name: g
dataset: {name: mnist, n: 60000}
model: {kind: mlp, hidden: [4]}
training: {epochs: 1}
grid: ` + grid + "\n")
}

func TestLearningRateRanges(t *testing.T) {
	cases := []struct {
		name  string
		rng   string
		count int
		first float64
		last  float64
		ks    func(i int) float64 // the exponent of value i
	}{
		{"paper half octaves", "{log2_from: -10, log2_to: 0, log2_step: 0.5}", 21, 1.0 / 1024, 1,
			func(i int) float64 { return -10 + float64(i)*0.5 }},
		{"default step 1", "{log2_from: -7, log2_to: 1}", 9, 1.0 / 128, 2,
			func(i int) float64 { return -7 + float64(i) }},
		{"single value", "{log2_from: -3, log2_to: -3}", 1, 0.125, 0.125,
			func(i int) float64 { return -3 }},
		{"to not on the grid", "{log2_from: 0, log2_to: 2.9, log2_step: 1}", 3, 1, 4,
			func(i int) float64 { return float64(i) }},
		// 0.7 + 3·0.1 = 1.0000000000000002 > 1: only the 1e-9 slack keeps
		// the intended last value.
		{"slack keeps the end", "{log2_from: 0.7, log2_to: 1, log2_step: 0.1}", 4, math.Exp2(0.7), math.Exp2(0.7 + 3*0.1),
			func(i int) float64 { return 0.7 + float64(i)*0.1 }},
		// Tenths from −1 by repeated addition drift; from + i·step does not
		// accumulate error.
		{"tenths", "{log2_from: -1, log2_to: 0, log2_step: 0.1}", 11, 0.5, 1,
			func(i int) float64 { return -1 + float64(i)*0.1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse(gridSpec("{batch_sizes: [1], learning_rates: "+tc.rng+"}"), "g.yaml")
			if err != nil {
				t.Fatal(err)
			}
			lrs := s.Grid.LearningRates
			if len(lrs) != tc.count {
				t.Fatalf("got %d values %v, want %d", len(lrs), lrs, tc.count)
			}
			if lrs[0] != tc.first || lrs[len(lrs)-1] != tc.last {
				t.Errorf("first, last = %v, %v; want %v, %v", lrs[0], lrs[len(lrs)-1], tc.first, tc.last)
			}
			for i, v := range lrs {
				if want := math.Exp2(tc.ks(i)); v != want {
					t.Errorf("value %d = %v, want exactly 2^%v = %v", i, v, tc.ks(i), want)
				}
			}
		})
	}
}

func TestBatchSizeRanges(t *testing.T) {
	cases := []struct {
		rng  string
		want []int
	}{
		{"{log2_from: 3, log2_to: 12, log2_step: 1}", []int{8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}},
		{"{log2_from: 0, log2_to: 6, log2_step: 2}", []int{1, 4, 16, 64}},
		{"{log2_from: 4, log2_to: 4}", []int{16}},
		{"{log2_from: 0, log2_to: 15.9}", []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768}},
		{"[32, 8, 1000]", []int{32, 8, 1000}}, // lists keep their order; any integer will do
	}
	for _, tc := range cases {
		t.Run(tc.rng, func(t *testing.T) {
			s, err := Parse(gridSpec("{batch_sizes: "+tc.rng+", learning_rates: [0.1]}"), "g.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Grid.BatchSizes, tc.want) {
				t.Errorf("got %v, want %v", s.Grid.BatchSizes, tc.want)
			}
		})
	}
}

func TestRangeCap(t *testing.T) {
	// 4 × 25000 = MaxJobs jobs is allowed.
	grid := "{batch_sizes: [1, 2, 4, 5], learning_rates: {log2_from: -250, log2_to: -0.01, log2_step: 0.01}}"
	s, err := Parse(gridSpec(grid), "g.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(s.Jobs()); n != MaxJobs {
		t.Errorf("got %d jobs, want %d", n, MaxJobs)
	}
}
