package web

import (
	"strings"
	"testing"
	"time"
)

func TestAnalysisWait(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := &analysis{at: at, took: 2 * time.Second}
	tests := []struct {
		since time.Duration
		want  time.Duration
	}{
		{0, 10 * time.Second}, // an analysis of 2 s is followed by 8 s without one: a fifth of a core
		{2 * time.Second, 8 * time.Second},
		{9 * time.Second, time.Second},
		{10 * time.Second, 0},
		{time.Hour, 0},
	}
	for _, tc := range tests {
		if got := a.wait(at.Add(tc.since)); got != tc.want {
			t.Errorf("%v after an analysis of 2 s: wait %v, want %v", tc.since, got, tc.want)
		}
	}
}

// A running sweep's page keeps its counts current at once, and shows the
// heatmap and fits of an earlier state until the next analysis may run;
// then it shows the new one.
func TestAnalysesOfAWatchedSweepAreSpaced(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.finish(t, i, 0.7+0.05*float64(i), 2)
	}
	s := New(f.path, Options{})
	defer s.Close()
	first := decode[APISweep](t, get(t, s, "/api/sweeps/demo"))
	if first.AnalysisFingerprint != first.Fingerprint {
		t.Fatalf("first read: analysis of %s, jobs %s; want the same", first.AnalysisFingerprint, first.Fingerprint)
	}

	// As if the analysis had just taken an hour.
	e := s.cache.entry("demo")
	e.mu.Lock()
	e.a.at, e.a.took = time.Now(), time.Hour
	e.mu.Unlock()
	f.finish(t, 3, 0.9, 2)
	held := decode[APISweep](t, get(t, s, "/api/sweeps/demo"))
	if held.Counts["done"] != 4 {
		t.Errorf("counts while the analysis waits: %d done, want 4", held.Counts["done"])
	}
	if held.Fingerprint == first.Fingerprint || held.AnalysisFingerprint != first.Fingerprint {
		t.Errorf("while the analysis waits: jobs %s (was %s), analysis of %s; want new jobs, the old analysis",
			held.Fingerprint, first.Fingerprint, held.AnalysisFingerprint)
	}
	if held.Heatmap == nil || !strings.Contains(held.Heatmap.PNG, "v="+first.Fingerprint) {
		t.Errorf("heatmap URL while the analysis waits: %+v; want it named by the analysis' fingerprint %s", held.Heatmap, first.Fingerprint)
	}
	page := get(t, s, "/sweeps/demo").Body.String()
	if !strings.Contains(page, `data-stale-ms="`) {
		t.Error("the page of a waiting analysis does not say when to ask again (data-stale-ms)")
	}

	e.mu.Lock()
	e.a.took = 0
	e.mu.Unlock()
	fresh := decode[APISweep](t, get(t, s, "/api/sweeps/demo"))
	if fresh.AnalysisFingerprint != held.Fingerprint {
		t.Errorf("once the wait is over: analysis of %s, want the jobs' %s", fresh.AnalysisFingerprint, held.Fingerprint)
	}
	if page := get(t, s, "/sweeps/demo").Body.String(); strings.Contains(page, "data-stale-ms") {
		t.Error("a current analysis' page still asks to be fetched again")
	}
}
