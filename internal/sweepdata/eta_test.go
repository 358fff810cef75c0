package sweepdata

import (
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

func TestEstimate(t *testing.T) {
	done := func(secs float64) store.JobRecord {
		return store.JobRecord{State: lssr.StateDone, Result: &lssr.Result{Seconds: secs}}
	}
	in := func(s lssr.JobState, decision string) store.JobRecord {
		return store.JobRecord{State: s, Decision: decision}
	}
	for _, tc := range []struct {
		name    string
		jobs    []store.JobRecord
		workers int
		guided  bool
		want    string // "" when there is no estimate
	}{
		{"nothing finished", []store.JobRecord{in(lssr.StatePending, ""), in(lssr.StateRunning, "")}, 2, false, ""},
		{"nothing remains", []store.JobRecord{done(3), in(lssr.StateFailed, "")}, 2, false, ""},
		// Mean 4 s; pending, running and pending remain: 4 × 3 / 2 = 6 s.
		{"grid", []store.JobRecord{done(2), done(6), in(lssr.StatePending, ""), in(lssr.StateRunning, ""),
			in(lssr.StatePending, ""), in(lssr.StateCancelled, "")}, 2, false,
			"ETA: ~6s for 3 remaining jobs at 2 workers (4.0 s per job so far)"},
		// No worker count counts as one: 90 × 2 = 3 min.
		{"no workers", []store.JobRecord{done(90), in(lssr.StatePending, ""), in(lssr.StatePending, "")}, 0, false,
			"ETA: ~3m0s for 2 remaining jobs at 1 workers (90.0 s per job so far)"},
		// A guided search counts only the jobs it chose: one of the two.
		{"guided", []store.JobRecord{done(10), in(lssr.StatePending, "band"), in(lssr.StatePending, "")}, 1, true,
			"ETA: ~10s for 1 remaining jobs at 1 workers (10.0 s per job so far)"},
	} {
		e, ok := Estimate(tc.jobs, tc.workers, tc.guided)
		got := ""
		if ok {
			got = e.String()
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	e, _ := Estimate([]store.JobRecord{done(1.5), in(lssr.StatePending, "")}, 3, false)
	if e.Left != 500*time.Millisecond || e.Remaining != 1 || e.Workers != 3 || e.MeanSeconds != 1.5 {
		t.Errorf("fields %+v, want 0.5 s left, 1 remaining, 3 workers, 1.5 s mean", e)
	}
}

func TestWorkers(t *testing.T) {
	if w := Workers(store.SweepRecord{Workers: 4, RunWorkers: 2}); w != 2 {
		t.Errorf("with a run's workers: %d, want 2", w)
	}
	if w := Workers(store.SweepRecord{Workers: 4}); w != 4 {
		t.Errorf("without: %d, want the spec's 4", w)
	}
}
