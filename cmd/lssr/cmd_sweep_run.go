package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/lssr/lssr/orchestrator"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/urfave/cli/v2"
)

// runOptions are the flags shared by `sweep run` and `sweep resume`.
type runOptions struct {
	db          string
	workers     int
	maxAttempts int
	plain       bool
}

func runFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "workers", Usage: "worker processes (default: the spec's `workers`, else the number of CPUs)"},
		&cli.IntFlag{Name: "max-attempts", Value: orchestrator.DefaultMaxAttempts, Usage: "attempts per job before it is marked failed"},
		&cli.BoolFlag{Name: "plain", Usage: "print one line per finished job instead of progress bars"},
	}
}

func readRunOptions(c *cli.Context) runOptions {
	return runOptions{db: c.String("db"), workers: c.Int("workers"), maxAttempts: c.Int("max-attempts"), plain: c.Bool("plain")}
}

func sweepRunCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "expand a sweep spec into jobs and run them (continues the sweep if it exists)",
		ArgsUsage: "FILE.yaml",
		Flags:     runFlags(),
		Action: func(c *cli.Context) error {
			file, err := oneArg(c, "FILE")
			if err != nil {
				return err
			}
			return runSweepRun(c.Context, file, readRunOptions(c))
		},
	}
}

func runSweepRun(ctx context.Context, file string, opts runOptions) error {
	// Validate everything before the database is created: bad input writes
	// nothing.
	spec, err := sweeps.Load(file)
	if err != nil {
		return err
	}
	if err := checkRunOptions(opts); err != nil {
		return err
	}
	db, err := store.Open(opts.db, store.Options{Sweep: spec.Name})
	if err != nil {
		return err
	}
	defer db.Close()
	prep, err := orchestrator.Prepare(db, spec, time.Now())
	if err != nil {
		return err
	}
	switch {
	case prep.Created:
		fmt.Printf("sweep %s: %d jobs stored in %s\n", spec.Name, prep.Total, db.Path())
	case prep.Added > 0:
		fmt.Printf("sweep %s exists: continuing it, %d new jobs from the grown grid\n", spec.Name, prep.Added)
	default:
		fmt.Printf("sweep %s exists: continuing it\n", spec.Name)
	}
	return runStored(ctx, db, spec.Name, spec.Workers, opts)
}

func checkRunOptions(opts runOptions) error {
	if opts.workers < 0 {
		return badFlag("--workers", opts.workers)
	}
	if opts.maxAttempts < 1 {
		return badFlag("--max-attempts", opts.maxAttempts)
	}
	return nil
}

// runStored runs the pending jobs of a stored sweep on local workers.
func runStored(ctx context.Context, db *store.DB, name string, specWorkers int, opts runOptions) error {
	workers := opts.workers
	if workers == 0 {
		workers = specWorkers
	}
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	var pending int
	err := db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(name)
		for _, j := range jobs {
			if !j.State.Finished() {
				pending++
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	if pending == 0 {
		fmt.Printf("sweep %s: every job has finished; see 'lssr sweep status %s'\n", name, name)
		return nil
	}
	workers = min(workers, pending)
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the lssr binary to start workers: %w", err)
	}
	exec, err := orchestrator.NewLocal(workers, exe, []string{"worker"}, workerLogger())
	if err != nil {
		return err
	}
	defer exec.Close()
	obs := newObserver(name, workers, opts.plain)
	err = orchestrator.Run(ctx, db, name, exec, orchestrator.Options{MaxAttempts: opts.maxAttempts, Observer: obs})
	obs.Close()
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "interrupted: jobs in flight are pending again; continue with 'lssr sweep resume %s'\n", name)
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	return printOutcome(db, name)
}

func printOutcome(db *store.DB, name string) error {
	return db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(name)
		if err != nil {
			return err
		}
		counts := countStates(jobs)
		fmt.Printf("sweep %s: %s\n", name, formatCounts(counts))
		if counts[store.StateFailed] > 0 {
			fmt.Printf("some jobs failed: see 'lssr sweep status %s' for their errors\n", name)
		}
		fmt.Printf("next: lssr report %s --out report-%s\n", name, name)
		return nil
	})
}
