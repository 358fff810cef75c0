package orchestrator

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/worker"
)

// scriptGuide runs the sweep's jobs one per round, in expansion order, for
// the first rounds, then skips the rest. It notes what each round saw.
type scriptGuide struct {
	rounds int        // rounds that run a job
	seen   [][]string // per call: "ID state" of every job
}

func (g *scriptGuide) Plan(jobs []store.JobRecord) (Round, error) {
	var seen []string
	var next []store.JobRecord
	ran := 0
	for _, j := range jobs {
		seen = append(seen, fmt.Sprintf("%s %s", j.Job.ID, j.State))
		switch {
		case j.State == lssr.StatePending || j.State == lssr.StateSkipped:
			next = append(next, j)
		default:
			ran++
		}
	}
	g.seen = append(g.seen, seen)
	st := lssr.SearchState{Strategy: "script", Stage: "scan"}
	if ran < g.rounds && len(next) > 0 {
		return Round{Run: []Decision{{ID: next[0].Job.ID, Why: fmt.Sprintf("job %d", ran+1)}}, State: st}, nil
	}
	st.Stage = "done"
	var skip []Decision
	for _, j := range next {
		skip = append(skip, Decision{ID: j.Job.ID, Why: "not needed"})
	}
	return Round{Done: true, Skip: skip, State: st}, nil
}

// roundLog is an Observer that notes the rounds it hears.
type roundLog struct {
	nopObserver
	rounds []string
}

func (o *roundLog) Round(st lssr.SearchState, queued, ran, total int) {
	o.rounds = append(o.rounds, fmt.Sprintf("%d %s queued %d ran %d of %d", st.Round, st.Stage, queued, ran, total))
}

func TestGuidedRunRecordsDecisions(t *testing.T) {
	db, spec := prepared(t, testSpec) // 4 jobs
	g := &scriptGuide{rounds: 2}
	obs := &roundLog{}
	exec := &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{Guide: g, Observer: obs}); err != nil {
		t.Fatal(err)
	}
	want := []string{"1 scan queued 1 ran 0 of 4", "2 scan queued 1 ran 1 of 4", "3 done queued 0 ran 2 of 4"}
	if fmt.Sprint(obs.rounds) != fmt.Sprint(want) {
		t.Errorf("rounds %q, want %q", obs.rounds, want)
	}
	// Each round saw the outcome of the one before.
	if len(g.seen) != 3 || g.seen[1][0] != spec.Jobs()[0].ID+" done" {
		t.Errorf("the guide saw %q", g.seen)
	}
	jobs := jobsOf(t, db, spec.Name)
	for i, rec := range jobs {
		wantState, wantWhy := lssr.StateSkipped, "not needed"
		if i < 2 {
			wantState, wantWhy = lssr.StateDone, fmt.Sprintf("job %d", i+1)
		}
		if rec.State != wantState || rec.Decision != wantWhy {
			t.Errorf("job %d: %s %q, want %s %q", i, rec.State, rec.Decision, wantState, wantWhy)
		}
	}
	var rec store.SweepRecord
	db.View(func(tx *store.Tx) (err error) { rec, err = tx.Sweep(spec.Name); return err })
	if rec.Search == nil || rec.Search.Round != 3 || rec.Search.Stage != "done" {
		t.Errorf("sweep record's search state %+v", rec.Search)
	}

	// Run again with the guide: it is done, nothing runs.
	if err := Run(context.Background(), db, spec.Name, &runnerExecutor{slots: 2, runner: refuseRunner{t}}, Options{Guide: &scriptGuide{rounds: 2}}); err != nil {
		t.Fatal(err)
	}
	// Run as a grid: the skipped jobs run, the done ones do not.
	if err := Run(context.Background(), db, spec.Name, exec, Options{}); err != nil {
		t.Fatal(err)
	}
	for i, rec := range jobsOf(t, db, spec.Name) {
		if rec.State != lssr.StateDone || rec.Attempts != 1 {
			t.Errorf("job %d after the grid run: %s, %d attempts", i, rec.State, rec.Attempts)
		}
		if i >= 2 && rec.Decision != "" {
			t.Errorf("job %d keeps the decision %q after the grid ran it", i, rec.Decision)
		}
	}
}

// stuckGuide asks for a job that cannot run (it has run).
type stuckGuide struct{}

func (stuckGuide) Plan(jobs []store.JobRecord) (Round, error) {
	return Round{Run: []Decision{{ID: jobs[0].Job.ID, Why: "again"}}}, nil
}

func TestGuidedRunStopsAGuideThatMakesNoProgress(t *testing.T) {
	db, spec := prepared(t, testSpec)
	exec := &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{Guide: &scriptGuide{rounds: 1}}); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), db, spec.Name, exec, Options{Guide: stuckGuide{}})
	if err == nil {
		t.Fatal("a guide asking for a finished job again: no error")
	}
}

func TestGuidedRunResumesAfterCancel(t *testing.T) {
	db, spec := prepared(t, testSpec)
	ctx, cancel := context.WithCancel(context.Background())
	block := &blockingRunner{started: make(chan struct{}, 4)}
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, db, spec.Name, &runnerExecutor{slots: 2, runner: block}, Options{Guide: &scriptGuide{rounds: 2}})
	}()
	<-block.started
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run after cancel: %v", err)
	}
	first := jobsOf(t, db, spec.Name)[0]
	if first.State != lssr.StatePending || first.Decision != "job 1" {
		t.Fatalf("the job in flight: %s %q, want pending with its decision", first.State, first.Decision)
	}
	exec := &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{Guide: &scriptGuide{rounds: 2}}); err != nil {
		t.Fatal(err)
	}
	states := map[lssr.JobState]int{}
	for _, rec := range jobsOf(t, db, spec.Name) {
		states[rec.State]++
	}
	if states[lssr.StateDone] != 2 || states[lssr.StateSkipped] != 2 {
		t.Errorf("after the resume: %v, want 2 done and 2 skipped", states)
	}
	// The rounds count on across the two runs: 1 (cancelled), then 2, 3.
	var rec store.SweepRecord
	db.View(func(tx *store.Tx) (err error) { rec, err = tx.Sweep(spec.Name); return err })
	if rec.Search == nil || rec.Search.Round != 3 {
		t.Errorf("search state after the resume: %+v, want round 3", rec.Search)
	}
}

// skipAll is a guide that is done at once and skips every job not run.
type skipAll struct{}

func (skipAll) Plan(jobs []store.JobRecord) (Round, error) {
	var skip []Decision
	for _, j := range jobs {
		if j.State == lssr.StatePending || j.State == lssr.StateSkipped {
			skip = append(skip, Decision{ID: j.Job.ID, Why: "not needed"})
		}
	}
	return Round{Done: true, Skip: skip}, nil
}

func TestGuidedRunRunsRetriedJobs(t *testing.T) {
	db, spec := prepared(t, testSpec)
	exec := &runnerExecutor{slots: 2, runner: &worker.TrainerRunner{}}
	if err := Run(context.Background(), db, spec.Name, exec, Options{Guide: &scriptGuide{rounds: 1}}); err != nil {
		t.Fatal(err)
	}
	first := spec.Jobs()[0].ID
	err := db.Update(func(tx *store.Tx) error {
		rec, err := tx.Job(spec.Name, first)
		if err != nil {
			return err
		}
		rec.State = lssr.StateFailed
		if err := tx.PutJob(spec.Name, rec); err != nil {
			return err
		}
		_, err = tx.Retry(spec.Name, time.Now(), lssr.StateFailed)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), db, spec.Name, exec, Options{Guide: skipAll{}}); err != nil {
		t.Fatal(err)
	}
	for i, rec := range jobsOf(t, db, spec.Name) {
		want := lssr.StateSkipped
		if i == 0 {
			want = lssr.StateDone
		}
		if rec.State != want {
			t.Errorf("job %d: %s %q, want %s", i, rec.State, rec.Decision, want)
		}
	}
}
