package local

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/orchestrator"
	"github.com/lssr/lssr/worker"
)

var _ orchestrator.Executor = (*Executor)(nil)

// serveEnv, set in the environment, makes the test binary a worker: the
// executor starts workers by running itself, and go-plugin checks that the
// worker is the running binary.
const serveEnv = "LSSR_LOCAL_TEST_WORKER"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) != "" {
		worker.Serve(seedRunner{})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// seedRunner trains nothing: it reports one epoch and answers with the
// job's seed as its step count, so a result shows which job it is.
type seedRunner struct{}

func (seedRunner) Run(_ context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	progress(lssr.Progress{Epoch: 1, Epochs: 1})
	return lssr.Result{Epochs: 1, Steps: int64(job.Seed)}, nil
}

// TestExecutor: each slot runs its jobs on its own worker process, named by
// its PID in SlotName and in the job's progress; a worker that died is
// replaced before the slot's next job; Close stops them all.
func TestExecutor(t *testing.T) {
	t.Setenv(serveEnv, "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(2, exe, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Slots() != 2 {
		t.Fatalf("%d slots, want 2", e.Slots())
	}
	pid0 := e.procs[0].PID()
	if got, want := e.SlotName(0), fmt.Sprintf("pid %d", pid0); got != want || e.SlotName(1) == got {
		t.Errorf("slot names %q and %q, want %q and another", got, e.SlotName(1), want)
	}
	if l := e.Label("any"); l != "" {
		t.Errorf("Label = %q, want \"\": the slot name says it all", l)
	}
	run := func(slot int, seed uint64) (worker string) {
		t.Helper()
		job := lssr.Job{Seed: seed}
		job.ID = job.ContentID() // the worker refuses a job that does not hash to its ID
		res, err := e.Run(context.Background(), slot, job, func(p lssr.Progress) { worker = p.Worker })
		if err != nil || res.Steps != int64(seed) {
			t.Fatalf("slot %d, seed %d: %+v, %v", slot, seed, res, err)
		}
		return worker
	}
	if w := run(0, 7); w != e.SlotName(0) {
		t.Errorf("progress names %q, want %q", w, e.SlotName(0))
	}
	e.procs[0].Kill()
	w := run(0, 8)
	if pid := e.procs[0].PID(); pid == pid0 || w != fmt.Sprintf("pid %d", pid) {
		t.Errorf("after its worker died, slot 0 ran on %q (pid %d); want a new process, named", w, pid)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for i, p := range e.procs {
		if p != nil {
			t.Errorf("slot %d still has a process after Close", i)
		}
	}
}
