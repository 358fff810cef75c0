package lssr

import "testing"

func TestJobStates(t *testing.T) {
	// The stored strings: a record written by any lssr reads back the same.
	want := map[JobState]struct {
		stored            string
		finished, outcome bool
	}{
		StatePending:   {"pending", false, false},
		StateRunning:   {"running", false, false},
		StateDone:      {"done", true, true},
		StateDiverged:  {"diverged", true, true},
		StateStopped:   {"stopped", true, true},
		StateFailed:    {"failed", true, false},
		StateCancelled: {"cancelled", true, false},
		StateSkipped:   {"skipped", true, false},
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
		case s.Outcome() != w.outcome:
			t.Errorf("%s.Outcome() = %v, want %v", s, s.Outcome(), w.outcome)
		case s.Ran() != (w.finished && s != StateSkipped):
			t.Errorf("%s.Ran() = %v: every finished state but skipped has run", s, s.Ran())
		}
		seen[s] = true
	}
}
