package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/trainer/kernels"
)

// provenanceCount is one value of a provenance field and how many finished
// jobs had it.
type provenanceCount struct {
	value string
	jobs  int
}

// provenanceOf counts, for the jobs with a result, the values of one field
// of their provenance, most frequent first; results stored before
// provenance was kept count as "unknown".
func provenanceOf(jobs []store.JobRecord, field func(*store.JobRecord) string) []provenanceCount {
	counts := map[string]int{}
	for i := range jobs {
		if jobs[i].Result == nil {
			continue
		}
		v := "unknown"
		if jobs[i].Result.Provenance != nil {
			v = field(&jobs[i])
		}
		counts[v]++
	}
	var out []provenanceCount
	for v, n := range counts {
		out = append(out, provenanceCount{v, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].jobs != out[j].jobs {
			return out[i].jobs > out[j].jobs
		}
		return out[i].value < out[j].value
	})
	return out
}

func formatProvenance(counts []provenanceCount) string {
	var parts []string
	for _, c := range counts {
		parts = append(parts, fmt.Sprintf("%s (%d)", c.value, c.jobs))
	}
	return strings.Join(parts, ", ")
}

// provenanceFields are the fields sweep show summarises, as it names them.
var provenanceFields = []struct {
	name  string
	field func(*store.JobRecord) string
}{
	{"lssr", func(j *store.JobRecord) string {
		p := j.Result.Provenance
		return p.Version + " (commit " + p.Commit + ", " + p.GoVersion + ")"
	}},
	{"kernels", func(j *store.JobRecord) string { return j.Result.Provenance.KernelPath }},
	{"cpu", func(j *store.JobRecord) string { return j.Result.Provenance.CPU }},
	{"host", func(j *store.JobRecord) string { return j.Result.Provenance.Host }},
}

// kernelWarning warns when a sweep's finished jobs came from kernel paths
// whose numbers round differently (avx512 and avx2 give the same bits, see
// kernels.Rounding); empty otherwise.
func kernelWarning(jobs []store.JobRecord) string {
	var known []provenanceCount
	rounding := map[string]bool{}
	for _, c := range provenanceOf(jobs, provenanceFields[1].field) {
		if c.value != "unknown" {
			known = append(known, c)
			rounding[kernels.Rounding(c.value)] = true
		}
	}
	if len(rounding) < 2 {
		return ""
	}
	return fmt.Sprintf("warning: the finished jobs ran on %d kernel paths: %s; their numbers round differently, so two seeds of a cell may differ by more than the seed", len(known), formatProvenance(known))
}
