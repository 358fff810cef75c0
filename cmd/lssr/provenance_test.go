package main

import (
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// TestKernelWarning: status warns only when finished jobs come from kernel
// paths that round differently; avx512 and avx2 give the same bits.
func TestKernelWarning(t *testing.T) {
	for _, tc := range []struct {
		paths []string // one finished job each; "" is a result without provenance
		want  string   // a part of the warning, or "" for none
	}{
		{[]string{"avx2", "avx2"}, ""},
		{[]string{"avx512", "avx2", "avx512"}, ""},
		{[]string{"avx512", ""}, ""},
		{[]string{"avx2", "purego"}, "ran on 2 kernel paths: avx2 (1), purego (1)"},
		{[]string{"avx512", "avx512", "purego"}, "ran on 2 kernel paths: avx512 (2), purego (1)"},
		{[]string{"avx512", "avx2", "purego"}, "ran on 3 kernel paths"},
	} {
		var jobs []store.JobRecord
		for _, p := range tc.paths {
			res := &lssr.Result{}
			if p != "" {
				res.Provenance = &lssr.Provenance{KernelPath: p}
			}
			jobs = append(jobs, store.JobRecord{Result: res})
		}
		got := kernelWarning(jobs)
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("kernelWarning(%v) = %q, want %q", tc.paths, got, tc.want)
		}
	}
}
