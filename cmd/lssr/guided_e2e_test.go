package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/store"
)

// guidedSpec is a 5 × 13 × 2 grid on the synthetic mixture, searched by
// the rule.
func guidedSpec(name string) string {
	return testutil.Spec{Name: name, N: 1024, TestN: 256, Dim: 16, Classes: 4, Hidden: []int{32}, Activation: "tanh",
		Epochs: 4, MeasureEvery: 2, BatchSizes: "{log2_from: 3, log2_to: 7}", LearningRates: "{log2_from: -8, log2_to: 1, log2_step: 0.75}",
		Seeds: "[0, 1]", Workers: 2}.YAML() + "search: {strategy: lssr}\n"
}

// decisionsByID is each job's state and why, by ID.
func decisionsByID(jobs []store.JobRecord) map[string]string {
	out := map[string]string{}
	for _, j := range jobs {
		out[j.Job.ID] = fmt.Sprintf("%s: %s", j.State, j.Decision)
	}
	return out
}

// TestGuidedSweepResumesToTheSameDecisions runs a guided search through,
// then again with the orchestrator killed with kill -9 at events of the
// search (the k-th finished job after each start) and resumed: every job
// ends in the same state with the same reason. Then status says why, the
// report draws it, and the spec run as a grid runs what was skipped.
func TestGuidedSweepResumesToTheSameDecisions(t *testing.T) {
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "g.yaml"), guidedSpec("g"))
	r := runLSSR(t, dir, "--db", "a.db", "sweep", "run", "--plain", "g.yaml")
	if r.code != 0 {
		t.Fatalf("guided run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "sweep g: round 1 (references)") || !strings.Contains(r.stdout, "guided search done after") {
		t.Errorf("the run does not tell its rounds:\n%s", r.stdout)
	}
	want := readJobs(t, filepath.Join(dir, "a.db"), "g")
	counts := map[lssr.JobState]int{}
	for _, j := range want {
		counts[j.State]++
		if j.Decision == "" {
			t.Errorf("job %s (%s) has no decision", j.Job.ID, j.State)
		}
	}
	if counts[lssr.StateSkipped] == 0 || counts[lssr.StatePending] != 0 || counts[lssr.StateFailed] != 0 {
		t.Fatalf("states after the search: %v", counts)
	}
	t.Logf("uninterrupted: %v of %d jobs", counts, len(want))

	for i, k := range []int{3, 7, 5} {
		args := []string{"--db", "b.db", "sweep", "resume", "--plain", "g"}
		if i == 0 {
			args = []string{"--db", "b.db", "sweep", "run", "--plain", "g.yaml"}
		}
		p := startProc(t, dir, nil, args...)
		for range k {
			if _, ok := p.next(event.finished); !ok {
				t.Fatalf("start %d: the search ended before its %d-th job: %v\n%s", i, k, p.err, p.stderr.String())
			}
		}
		p.kill()
	}
	if r := runLSSR(t, dir, "--db", "b.db", "sweep", "resume", "--plain", "g"); r.code != 0 {
		t.Fatalf("final resume: exit %d\n%s", r.code, r.stderr)
	}
	got := decisionsByID(readJobs(t, filepath.Join(dir, "b.db"), "g"))
	for id, w := range decisionsByID(want) {
		if got[id] != w {
			t.Errorf("job %s: %q after the kills, %q uninterrupted", id, got[id], w)
		}
	}
	a, b := exportWithoutTiming(t, dir, "a.db", "g"), exportWithoutTiming(t, dir, "b.db", "g")
	blankColumns(a, "attempts", "interruptions")
	blankColumns(b, "attempts", "interruptions")
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the exports of the killed and the uninterrupted search differ")
	}

	// Again: the search has ended, nothing runs.
	if r := runLSSR(t, dir, "--db", "a.db", "sweep", "run", "--plain", "g.yaml"); r.code != 0 || !strings.Contains(r.stdout, "the guided search has ended") {
		t.Errorf("run after the end: exit %d\n%s", r.code, r.stdout)
	}
	st := runLSSR(t, dir, "--db", "a.db", "sweep", "status", "g")
	for _, frag := range []string{"search lssr, round ", "references b = 8, 32, 128", "why", "reference b=8: coarse scan"} {
		if !strings.Contains(st.stdout, frag) {
			t.Errorf("status lacks %q:\n%s", frag, st.stdout)
		}
	}
	if r := runLSSR(t, dir, "--db", "a.db", "report", "g", "--out", "rep"); r.code != 0 {
		t.Fatalf("report: exit %d: %s", r.code, r.stderr)
	}
	md, err := os.ReadFile(filepath.Join(dir, "rep", "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), fmt.Sprintf("%d skipped.", counts[lssr.StateSkipped])) {
		t.Errorf("summary.md does not count the skipped jobs:\n%s", md)
	}

	// The same spec as a grid runs the skipped cells and nothing else.
	testutil.WriteFile(t, filepath.Join(dir, "grid.yaml"), strings.Replace(guidedSpec("g"), "search: {strategy: lssr}\n", "", 1))
	if r := runLSSR(t, dir, "--db", "a.db", "sweep", "run", "--plain", "grid.yaml"); r.code != 0 {
		t.Fatalf("grid run: exit %d\n%s", r.code, r.stderr)
	}
	before := map[string]store.JobRecord{}
	for _, j := range want {
		before[j.Job.ID] = j
	}
	for _, j := range readJobs(t, filepath.Join(dir, "a.db"), "g") {
		if !j.State.Finished() || j.State == lssr.StateSkipped {
			t.Errorf("job %s is %s after the grid run", j.Job.ID, j.State)
		}
		if b := before[j.Job.ID]; b.State != lssr.StateSkipped && j.Attempts != b.Attempts {
			t.Errorf("job %s ran again in the grid run", j.Job.ID)
		}
	}
}

// TestSlurmGuidedMatchesLocal: a guided search through Slurm (each round
// an array submission) makes the decisions a local one makes, and stores
// the same results.
func TestSlurmGuidedMatchesLocal(t *testing.T) {
	env := slurmEnv(t)
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "g.yaml"), guidedSpec("gs"))
	r := runWithEnv(t, dir, env, append([]string{"--db", "slurm.db", "sweep", "run", "--plain"}, append(slurmArgs, "g.yaml")...)...)
	if r.code != 0 {
		t.Fatalf("slurm run: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runLSSR(t, dir, "--db", "local.db", "sweep", "run", "--plain", "g.yaml"); r.code != 0 {
		t.Fatalf("local run: exit %d: %s", r.code, r.stderr)
	}
	want := decisionsByID(readJobs(t, filepath.Join(dir, "local.db"), "gs"))
	for id, got := range decisionsByID(readJobs(t, filepath.Join(dir, "slurm.db"), "gs")) {
		if got != want[id] {
			t.Errorf("job %s: %q through Slurm, %q locally", id, got, want[id])
		}
	}
	sameState(t, readState(t, dir, "slurm.db", "gs"), readState(t, dir, "local.db", "gs"))
}
