package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepCancelCommand() *cli.Command {
	return &cli.Command{
		Name:  "cancel",
		Usage: "stop a sweep: its running orchestrator stops as on Ctrl-C, then every unfinished job is marked cancelled",
		Description: "If an lssr process is running the sweep, it gets SIGINT and cancel waits (--wait) for it to\n" +
			"stop and release the database. Then every pending job (and any left running by a killed process)\n" +
			"becomes cancelled: 'sweep resume' skips it and 'sweep retry NAME --cancelled' queues it again.",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.DurationFlag{Name: "wait", Value: 30 * time.Second, Usage: "how long to wait for a running orchestrator to stop"},
			&cli.StringFlag{Name: "slurm-dir", Usage: "the sweep's Slurm shared folder, if not the default (lssr-slurm/NAME beside the database)"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			if err := runSweepCancel(os.Stdout, c.String("db"), name, c.Duration("wait")); err != nil {
				return err
			}
			return cancelSlurmTasks(os.Stdout, c.String("db"), name, c.String("slurm-dir"))
		},
	}
}

// cancelSlurmTasks runs scancel on the Slurm tasks of a sweep that ran
// through Slurm (its shared folder records them); a sweep that did not is
// left alone.
func cancelSlurmTasks(w io.Writer, dbPath, name, dir string) error {
	o := slurmOptions{dir: dir, throttle: 1, cpus: 1}
	shared, err := o.sharedDir(dbPath, name)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(shared, "slurm")); err != nil {
		return nil
	}
	e, err := o.executorFor(dbPath, name, "lssr")
	if err != nil {
		return err
	}
	n, err := e.Cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "sweep %s: scancel of %d queued or running Slurm task(s)\n", name, n)
	return nil
}

func runSweepCancel(w io.Writer, dbPath, name string, wait time.Duration) error {
	if err := requireSweep(dbPath, name); err != nil {
		return err
	}
	db, err := store.Open(dbPath, store.Options{Sweep: name})
	if errors.Is(err, store.ErrLocked) {
		db, err = stopOrchestrator(w, dbPath, name, wait)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	var changed []store.JobRecord
	err = db.Update(func(tx *store.Tx) error {
		if err := countKilledAttempts(tx, name); err != nil {
			return err
		}
		changed, err = tx.Cancel(name)
		return err
	})
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		fmt.Fprintf(w, "sweep %s: no pending jobs to cancel\n", name)
		return nil
	}
	fmt.Fprintf(w, "sweep %s: %s cancelled: %s\n", name, describeChange(changed), listIDs(changed))
	fmt.Fprintf(w, "'lssr sweep resume %s' leaves them alone; 'lssr sweep retry %s --cancelled' queues them again\n", name, name)
	return nil
}

// countKilledAttempts counts an interruption for each job still running:
// we hold the writer lock, so the process that ran it was killed, and the
// attempt ended through no fault of the job (as a resume would count it).
func countKilledAttempts(tx *store.Tx, name string) error {
	jobs, err := tx.Jobs(name)
	if err != nil {
		return err
	}
	for _, rec := range jobs {
		if rec.State == lssr.StateRunning {
			rec.Interruptions++
			if err := tx.PutJob(name, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// stopOrchestrator sends SIGINT to the process that holds the database's
// writer lock for this sweep, as Ctrl-C would (its running jobs go back to
// pending), and opens the database once that process has let go of it.
func stopOrchestrator(w io.Writer, dbPath, name string, wait time.Duration) (*store.DB, error) {
	h := store.LockHolder(dbPath)
	switch {
	case h.PID == 0:
		return nil, fmt.Errorf("%s is in use by another lssr process that did not say its PID (an older lssr?): stop it with Ctrl-C, then run 'lssr sweep cancel %s' again; nothing was cancelled", dbPath, name)
	case h.Sweep != name:
		return nil, fmt.Errorf("%s is in use by lssr pid %d for sweep %q, not %s: cancel can only stop the process running this sweep; nothing was cancelled", dbPath, h.PID, h.Sweep, name)
	}
	var running []store.JobRecord
	if jobs, err := loadJobs(dbPath, name); err == nil {
		for _, j := range jobs {
			if j.State == lssr.StateRunning {
				running = append(running, j)
			}
		}
	}
	fmt.Fprintf(w, "sweep %s: stopping its orchestrator, lssr pid %d (SIGINT, as Ctrl-C)…\n", name, h.PID)
	start := time.Now()
	if err := syscall.Kill(h.PID, syscall.SIGINT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return nil, fmt.Errorf("stopping lssr pid %d: %w; nothing was cancelled", h.PID, err)
	}
	db, err := store.Open(dbPath, store.Options{Sweep: name, LockWait: wait})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("sweep %s: lssr pid %d got SIGINT but still holds %s after %s; nothing was cancelled (run cancel again once it stops, or with a longer --wait)", name, h.PID, dbPath, wait)
	}
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "sweep %s: the orchestrator stopped after %.1fs", name, time.Since(start).Seconds())
	if len(running) > 0 {
		fmt.Fprintf(w, "; its %d running jobs went back to pending: %s", len(running), listIDs(running))
	}
	fmt.Fprintln(w)
	return db, nil
}

// loadJobs reads a sweep's jobs through a read-only handle.
func loadJobs(dbPath, name string) ([]store.JobRecord, error) {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var jobs []store.JobRecord
	err = db.View(func(tx *store.Tx) (err error) { jobs, err = tx.Jobs(name); return err })
	return jobs, err
}
