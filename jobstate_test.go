package lssr

import "testing"

func TestJobStates(t *testing.T) {
	// The stored strings: a record written by any lssr reads back the same.
	want := map[JobState]struct {
		stored   string
		finished bool
	}{
		StatePending:   {"pending", false},
		StateRunning:   {"running", false},
		StateDone:      {"done", true},
		StateDiverged:  {"diverged", true},
		StateFailed:    {"failed", true},
		StateCancelled: {"cancelled", true},
		StateSkipped:   {"skipped", true},
	}
	if len(JobStates) != len(want) {
		t.Fatalf("JobStates has %d states, want %d", len(JobStates), len(want))
	}
	seen := map[JobState]bool{}
	for _, s := range JobStates {
		w, ok := want[s]
		switch {
		case !ok || seen[s]:
			t.Errorf("JobStates: unexpected or repeated %q", s)
		case string(s) != w.stored:
			t.Errorf("%q is stored as %q, want %q", s, string(s), w.stored)
		case s.Finished() != w.finished:
			t.Errorf("%s.Finished() = %v, want %v", s, s.Finished(), w.finished)
		}
		seen[s] = true
	}
}
