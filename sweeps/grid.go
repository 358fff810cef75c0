package sweeps

import (
	"fmt"
	"math"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Grid is the set of (b, η, seed) combinations a sweep trains. Values keep
// the order the spec gives them in; a log2 range is increasing.
type Grid struct {
	BatchSizes    []int     // b, each in [1, dataset.n]
	LearningRates []float64 // η, each finite and > 0
	Seeds         []uint64  // initialisation and sampling seeds; [0] by default
}

// rangeFields are the fields of a log2 range, in the order the errors list
// them.
var rangeFields = []string{"log2_from", "log2_to", "log2_step"}

// rangeSlack absorbs rounding in from + i·step so that a range whose last
// exponent is meant to hit log2_to exactly does.
const rangeSlack = 1e-9

// exponents expands a log2 range {log2_from, log2_to, log2_step} into the
// exponents k = from + i·step ≤ to (+1e-9). Each k is computed from i, not by
// repeated addition, so 2^k is as exact as math.Exp2 makes it.
func (d *decoder) exponents(n *yaml.Node, path string, line int) []float64 {
	o := d.object(n, path, line, rangeFields...)
	from := d.finite(o.need("log2_from"), child(path, "log2_from"))
	to := d.finite(o.need("log2_to"), child(path, "log2_to"))
	step := 1.0
	if s := o.get("log2_step"); s != nil {
		step = d.finite(s, child(path, "log2_step"))
		if d.err == nil && step <= 0 {
			d.failf(s.Line, child(path, "log2_step"), "must be > 0, got %s", fmtFloat(step))
		}
	}
	if d.err != nil {
		return nil
	}
	if from > to {
		d.failf(o.vals["log2_to"].Line, child(path, "log2_to"),
			"empty range: log2_to (%s) is below log2_from (%s)", fmtFloat(to), fmtFloat(from))
		return nil
	}
	var ks []float64
	for i := 0; ; i++ {
		k := from + float64(i)*step
		if k > to+rangeSlack {
			return ks
		}
		if i == d.maxJobs { // more values could not fit in a sweep anyway
			d.failf(n.Line, path, "range gives more than %d values, the job limit", d.maxJobs)
			return nil
		}
		ks = append(ks, k)
	}
}

// finite reads a number that must not be NaN or ±Inf.
func (d *decoder) finite(n *yaml.Node, path string) float64 {
	v := d.number(n, path)
	if d.err == nil && n != nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		d.failf(n.Line, path, "must be a finite number, got %s", shown(n.Value))
	}
	return v
}

// batchSizes reads grid.batch_sizes: a list of integers or a log2 range whose
// values must come out whole. Every b must lie in [1, n].
func (d *decoder) batchSizes(n *yaml.Node, path string, line, maxB int) []int {
	if d.err != nil || n == nil {
		return nil
	}
	bound := fmt.Sprintf("must be between 1 and dataset.n (%d)", maxB)
	if n.Kind == yaml.MappingNode {
		var bs []int
		for _, k := range d.exponents(n, path, line) {
			v := math.Exp2(k)
			if v != math.Trunc(v) {
				d.failf(n.Line, path, "2^%s = %s is not an integer batch size", fmtFloat(k), fmtFloat(v))
				return nil
			}
			if v < 1 || v > float64(maxB) {
				d.failf(n.Line, path, "%s, got 2^%s = %s", bound, fmtFloat(k), fmtFloat(v))
				return nil
			}
			bs = append(bs, int(v))
		}
		return bs
	}
	items := d.axisList(n, path, "batch sizes")
	bs := make([]int, 0, len(items))
	seen := map[int]int{}
	for i, item := range items {
		p := index(path, i)
		v := d.integer(item, p, math.MinInt64, math.MaxInt64)
		if d.err == nil && (v < 1 || v > int64(maxB)) {
			d.failf(item.Line, p, "%s, got %d", bound, v)
		}
		if j, dup := seen[int(v)]; dup && d.err == nil {
			d.failf(item.Line, p, "duplicate value %d (also at [%d])", v, j)
		}
		seen[int(v)] = i
		bs = append(bs, int(v))
	}
	return bs
}

// learningRates reads grid.learning_rates: a list of numbers or a log2
// range. Every η must be finite and > 0.
func (d *decoder) learningRates(n *yaml.Node, path string, line int) []float64 {
	if d.err != nil || n == nil {
		return nil
	}
	const bound = "must be a finite number > 0"
	if n.Kind == yaml.MappingNode {
		var lrs []float64
		for _, k := range d.exponents(n, path, line) {
			v := math.Exp2(k)
			if v <= 0 || math.IsInf(v, 0) {
				d.failf(n.Line, path, "%s, got 2^%s = %s", bound, fmtFloat(k), fmtFloat(v))
				return nil
			}
			lrs = append(lrs, v)
		}
		return lrs
	}
	items := d.axisList(n, path, "learning rates")
	lrs := make([]float64, 0, len(items))
	seen := map[float64]int{}
	for i, item := range items {
		p := index(path, i)
		v := d.number(item, p)
		if d.err == nil && !(v > 0 && !math.IsInf(v, 0)) { // NaN fails v > 0
			d.failf(item.Line, p, "%s, got %s", bound, shown(item.Value))
		}
		if j, dup := seen[v]; dup && d.err == nil {
			d.failf(item.Line, p, "duplicate value %s (also at [%d])", shown(item.Value), j)
		}
		seen[v] = i
		lrs = append(lrs, v)
	}
	return lrs
}

// seeds reads grid.seeds: a list of distinct non-negative integers.
func (d *decoder) seeds(n *yaml.Node, path string) []uint64 {
	if d.err != nil || n == nil {
		return nil
	}
	items := d.list(n, path, "seeds")
	if d.err == nil && len(items) == 0 {
		d.failf(n.Line, path, "empty list: give at least one seed (or omit the field for [0])")
	}
	seeds := make([]uint64, 0, len(items))
	seen := map[uint64]int{}
	for i, item := range items {
		p := index(path, i)
		v := d.uinteger(item, p)
		if j, dup := seen[v]; dup && d.err == nil {
			d.failf(item.Line, p, "duplicate value %d (also at [%d])", v, j)
		}
		seen[v] = i
		seeds = append(seeds, v)
	}
	return seeds
}

// axisList reads the list form of a grid axis, which must not be empty.
func (d *decoder) axisList(n *yaml.Node, path, what string) []*yaml.Node {
	if d.err != nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.failf(n.Line, path, "want a list of %s or a log2 range {log2_from, log2_to, log2_step}, got %s", what, describe(n))
		return nil
	}
	if len(n.Content) == 0 {
		d.failf(n.Line, path, "empty list: give at least one value")
	}
	return n.Content
}

// fmtFloat prints a float in its shortest exact form.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
