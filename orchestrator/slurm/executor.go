package slurm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/orchestrator"
)

// Config says how jobs go to a Slurm cluster.
type Config struct {
	// Dir is the sweep's shared folder, visible at the same path on the
	// submitting machine and every compute node (the package doc lists
	// what it holds).
	Dir string
	// Exe is the lssr binary the tasks run (it must be at this path on the
	// nodes).
	Exe string
	// Partition, Time (sbatch --time), Mem (--mem) and CPUs
	// (--cpus-per-task, default 1) go to every submission; empty or zero
	// leaves Slurm's default. Extra is appended to sbatch's arguments.
	Partition, Time, Mem string
	CPUs                 int
	Extra                []string
	// Throttle is how many tasks of a submission may run at once: the
	// array's %N (default 4).
	Throttle int
	// Poll is how often task states and result files are checked
	// (default 2 s).
	Poll time.Duration
	// Env is added to the environment of the Slurm commands (SLURM_CONF).
	Env []string
}

// Executor runs jobs as Slurm array tasks: jobs that arrive together
// go out as one `sbatch --array=0-(k−1)%Throttle` submission, each task
// running `lssr job run` on its job's task file. It never writes the
// database: Run waits for the task's result file and returns it for the
// orchestrator to validate and store. A task still pending or running
// from an earlier orchestrator (its ID is kept in DIR/slurm/ID.id) is
// waited for, not submitted again; a finished one's result is ingested; one
// that vanished without a result fails the attempt, and the retry
// resubmits it, continuing from its checkpoint.
type Executor struct {
	cfg Config

	mu      sync.Mutex
	pending []submission
	flush   *time.Timer
	labels  map[string]string // job ID → "slurm ARRAY_TASK"
}

var _ orchestrator.Executor = (*Executor)(nil)

// New returns an executor submitting to Slurm as cfg says. It checks that
// sbatch can be run, so a machine without Slurm fails at once.
func New(cfg Config) (*Executor, error) {
	if cfg.Throttle < 1 {
		cfg.Throttle = 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.CPUs < 1 {
		cfg.CPUs = 1
	}
	if cfg.Dir == "" || cfg.Exe == "" {
		return nil, lssr.BadInput("slurm: the shared folder and the lssr binary must be given")
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		return nil, fmt.Errorf("slurm: sbatch not found on PATH: is Slurm installed here?")
	}
	for _, sub := range []string{"jobs", "results", "checkpoints", "slurm", "arrays", "logs"} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("slurm: shared folder: %w", err)
		}
	}
	return &Executor{cfg: cfg, labels: map[string]string{}}, nil
}

// inFlight is how many jobs the orchestrator hands an Executor at once:
// they are submitted together and Slurm's array throttle (%N), not the
// slots, bounds how many run.
const inFlight = 256

// Slots is how many jobs may be submitted and waited for at once.
func (e *Executor) Slots() int { return inFlight }

// SlotName names the executor; Label names each job's task.
func (e *Executor) SlotName(int) string { return "slurm" }

// Label returns "slurm ARRAYJOB_TASK" for a job this executor submitted or
// found, for the job's record; "" for one it has not.
func (e *Executor) Label(id string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.labels[id]
}

// Close leaves every task to Slurm: tasks in flight keep running, and a
// resumed sweep waits for them.
func (e *Executor) Close() error { return nil }

// Run runs job as a Slurm task and waits for its result; see Executor.
func (e *Executor) Run(ctx context.Context, _ int, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	p := PathsOf(e.cfg.Dir, job.ID)
	if res, err := ReadResult(p, job); !errors.Is(err, os.ErrNotExist) {
		return res, err // a finished task's result, or why it cannot be used
	}
	idFile := filepath.Join(e.cfg.Dir, "slurm", job.ID+".id")
	taskID := ""
	if raw, err := os.ReadFile(idFile); err == nil {
		if id := strings.TrimSpace(string(raw)); e.state(id) != "" {
			taskID = id // still queued or running: wait for it
		}
	}
	if taskID == "" {
		if err := WriteTask(p.Task, job); err != nil {
			return lssr.Result{}, err
		}
		if job.Resume != nil {
			if _, err := os.Stat(p.Checkpoint); err != nil {
				if err := atomicfile.WriteFile(p.Checkpoint, job.Resume, 0o644); err != nil {
					return lssr.Result{}, err
				}
			}
		}
		s := e.submit(job.ID, p.Task)
		if s.err != nil {
			return lssr.Result{}, s.err
		}
		taskID = s.taskID
		if err := atomicfile.WriteFile(idFile, []byte(taskID+"\n"), 0o644); err != nil {
			return lssr.Result{}, err
		}
	}
	e.mu.Lock()
	e.labels[job.ID] = "slurm " + taskID
	e.mu.Unlock()
	return e.wait(ctx, job, p, taskID, progress)
}

// wait polls until the task's result appears or the task is gone. The
// task is alive while Slurm lists it, which counts as progress for the
// orchestrator's hang watchdog.
func (e *Executor) wait(ctx context.Context, job lssr.Job, p TaskPaths, taskID string, progress func(lssr.Progress)) (lssr.Result, error) {
	gone := 0
	for {
		select {
		case <-ctx.Done():
			return lssr.Result{}, ctx.Err() // the task runs on; a resume waits for it
		case <-time.After(e.cfg.Poll):
		}
		if res, err := ReadResult(p, job); !errors.Is(err, os.ErrNotExist) {
			return res, err
		}
		if st := e.state(taskID); st != "" {
			gone = 0
			if progress != nil {
				progress(lssr.Progress{Epochs: job.Training.Epochs, Worker: "slurm " + taskID + " (" + strings.ToLower(st) + ")"})
			}
			continue
		}
		// Gone from the queue: the result, written before the task exits,
		// may still be on its way through a shared file system.
		if gone++; gone >= 3 {
			return lssr.Result{}, fmt.Errorf("slurm task %s ended without a result (see %s)", taskID,
				filepath.Join(e.cfg.Dir, "logs", taskID+".out"))
		}
	}
}

// state is the task's Slurm state (PENDING, RUNNING, …) while Slurm still
// lists it, "" once it has left the queue.
func (e *Executor) state(taskID string) string {
	out, err := e.command("squeue", "-h", "-j", taskID, "-o", "%T").Output()
	if err != nil {
		return ""
	}
	st := strings.TrimSpace(string(out))
	switch st {
	case "", "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED":
		return ""
	}
	return st
}

func (e *Executor) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), e.cfg.Env...)
	return cmd
}

// Cancel runs scancel on every task this sweep's shared folder records.
func (e *Executor) Cancel() (int, error) {
	ids, err := filepath.Glob(filepath.Join(e.cfg.Dir, "slurm", "*.id"))
	if err != nil {
		return 0, err
	}
	var tasks []string
	for _, f := range ids {
		if raw, err := os.ReadFile(f); err == nil {
			if t := strings.TrimSpace(string(raw)); e.state(t) != "" {
				tasks = append(tasks, t)
			}
		}
	}
	if len(tasks) == 0 {
		return 0, nil
	}
	if out, err := e.command("scancel", tasks...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("slurm: scancel: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return len(tasks), nil
}
