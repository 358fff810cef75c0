package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/orchestrator"
	"github.com/lssr/lssr/orchestrator/local"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/urfave/cli/v2"
)

// runOptions are the flags shared by `sweep run` and `sweep resume`.
type runOptions struct {
	db          string
	workers     int
	maxAttempts int
	hangTimeout time.Duration
	plain       bool
	maxJobs     int    // `sweep run` only: the spec's job limit
	as          string // `sweep run` only: the sweep's name instead of the spec's
	slurm       slurmOptions
}

// DefaultHangTimeout is how long a job may go without finishing an epoch
// before its worker counts as hung: generous, since an epoch of a large
// job (and loading its dataset) can take minutes.
const DefaultHangTimeout = 30 * time.Minute

func runFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.IntFlag{Name: "workers", Usage: "worker processes (default: the spec's `workers`, else the number of CPUs)"},
		&cli.IntFlag{Name: "max-attempts", Value: orchestrator.DefaultMaxAttempts, Usage: "failed attempts (worker crash, panic, hang) before a job is marked failed; interrupted ones (a killed orchestrator, Ctrl-C, cancel) do not count"},
		&cli.DurationFlag{Name: "hang-timeout", Value: DefaultHangTimeout, Usage: "kill and retry a job whose worker reports no progress (an epoch) for this long; 0: never"},
		&cli.BoolFlag{Name: "plain", Usage: "print one line per finished job instead of progress bars"},
	}, slurmFlags()...)
}

func readRunOptions(c *cli.Context) runOptions {
	return runOptions{db: c.String("db"), workers: c.Int("workers"), maxAttempts: c.Int("max-attempts"), hangTimeout: c.Duration("hang-timeout"), plain: c.Bool("plain"), slurm: readSlurmOptions(c)}
}

func sweepRunCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "expand a sweep spec into jobs and run them (continues the sweep if it exists)",
		ArgsUsage: "FILE.yaml",
		// The job limit is checked when a spec file is read, so only run
		// takes it; resume reads a spec that passed it already.
		Flags: append(runFlags(), &cli.StringFlag{
			Name: "as", Usage: "run the spec as a sweep of this name instead of the spec's name: (for an edited spec whose sweep exists)",
		}, &cli.IntFlag{
			Name: "max-jobs", Value: sweeps.MaxJobs,
			Usage:       fmt.Sprintf("refuse a spec that expands to more jobs than this, at most %d", sweeps.MaxJobsCeiling),
			DefaultText: fmt.Sprintf("$%s, else %d", maxJobsEnv, sweeps.MaxJobs),
		}),
		Action: func(c *cli.Context) error {
			file, err := oneArg(c, "FILE")
			if err != nil {
				return err
			}
			opts := readRunOptions(c)
			if opts.maxJobs, err = readMaxJobs(c); err != nil {
				return err
			}
			opts.as = c.String("as")
			return runSweepRun(c.Context, file, opts)
		},
	}
}

// maxJobsEnv names the environment variable that sets --max-jobs.
const maxJobsEnv = "LSSR_MAX_JOBS"

// readMaxJobs reads --max-jobs, else $LSSR_MAX_JOBS, else the default. The
// variable is read here rather than by the flag so that a bad value is one
// line and exit status 2, not a usage dump.
func readMaxJobs(c *cli.Context) (int, error) {
	if c.IsSet("max-jobs") {
		return c.Int("max-jobs"), nil
	}
	v, ok := os.LookupEnv(maxJobsEnv)
	if !ok || v == "" {
		return sweeps.MaxJobs, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, lssr.BadInput("%s: want a whole number of jobs, got %q", maxJobsEnv, v)
	}
	return n, nil
}

func runSweepRun(ctx context.Context, file string, opts runOptions) error {
	// Validate everything before the database is created: bad input writes
	// nothing.
	if opts.maxJobs < 1 || opts.maxJobs > sweeps.MaxJobsCeiling {
		return lssr.BadInput("--max-jobs: must be between 1 and %d, got %d", sweeps.MaxJobsCeiling, opts.maxJobs)
	}
	spec, err := sweeps.LoadOptions(file, sweeps.Options{MaxJobs: opts.maxJobs})
	if err != nil {
		return err
	}
	if opts.as != "" {
		if err := spec.Rename(opts.as); err != nil {
			return err
		}
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
	if prep.Outside > 0 {
		fmt.Printf("sweep %s: %d stored jobs are outside this grid: kept, and left out of status, export and report unless --all\n", spec.Name, prep.Outside)
	}
	opts.slurm = opts.slurm.withSpec(spec.Executor)
	return runStored(ctx, db, spec, opts)
}

func checkRunOptions(opts runOptions) error {
	if opts.workers < 0 {
		return badFlag("--workers", opts.workers)
	}
	if opts.hangTimeout < 0 {
		return lssr.BadInput("--hang-timeout: must not be negative, got %v", opts.hangTimeout)
	}
	if opts.maxAttempts < 1 {
		return badFlag("--max-attempts", opts.maxAttempts)
	}
	return opts.slurm.check()
}

// runStored runs the pending jobs of a stored sweep that lie in its spec's
// grid, on local workers or through Slurm.
func runStored(ctx context.Context, db *store.DB, spec *sweeps.Spec, opts runOptions) error {
	name := spec.Name
	inGrid := func(j lssr.Job) bool { return spec.Grid.InGrid(j.BatchSize, j.LR, j.Seed) }
	workers := opts.workers
	if workers == 0 {
		workers = spec.Workers
	}
	if workers == 0 {
		workers = runtime.NumCPU()
	}
	guide, err := newGuide(db, spec)
	if err != nil {
		return err
	}
	var pending int
	err = db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(name)
		for _, j := range jobs {
			// A grid runs the cells a guided search skipped.
			if inGrid(j.Job) && (!j.State.Finished() || guide == nil && j.State == lssr.StateSkipped) {
				pending++
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case pending == 0 && guide == nil:
		fmt.Printf("sweep %s: every job has finished; see 'lssr sweep status %s'\n", name, name)
		return nil
	case guide != nil:
		done, err := searchDone(db, name, guide, inGrid)
		if err != nil {
			return err
		}
		if done {
			fmt.Printf("sweep %s: the guided search has ended; see 'lssr sweep status %s'\n", name, name)
			return nil
		}
	}
	workers = max(1, min(workers, pending))
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find the lssr binary to start workers: %w", err)
	}
	var exec orchestrator.Executor
	if opts.slurm.executor == "slurm" {
		exec, err = opts.slurm.executorFor(opts.db, name, exe)
		opts.plain = true // Slurm reports no epochs: one line per finished job
		workers = min(opts.slurm.throttle, pending)
	} else {
		exec, err = local.New(workers, exe, []string{"worker"}, workerLogger())
	}
	if err != nil {
		return err
	}
	defer exec.Close()
	if err := recordRunWorkers(db, name, workers); err != nil {
		return err
	}
	obs := newObserver(name, workers, opts.plain)
	err = orchestrator.Run(ctx, db, name, exec, orchestrator.Options{MaxAttempts: opts.maxAttempts, HangTimeout: opts.hangTimeout, Observer: obs, Select: inGrid, Guide: guide})
	obs.Close()
	if ctx.Err() != nil {
		fmt.Fprintf(os.Stderr, "interrupted: jobs in flight are pending again; continue with 'lssr sweep resume %s'\n", name)
		return ctx.Err()
	}
	if err != nil {
		return err
	}
	return printOutcome(db, name, inGrid)
}

// searchDone reports whether the sweep's guided search has nothing left to
// decide: asked again, the guide is done, and every job it skips is
// skipped already (a spec whose search settings changed plans anew).
func searchDone(db *store.DB, name string, guide orchestrator.Guide, selected func(lssr.Job) bool) (bool, error) {
	var jobs []store.JobRecord
	err := db.View(func(tx *store.Tx) error {
		all, err := tx.Jobs(name)
		for _, j := range all {
			if selected(j.Job) {
				jobs = append(jobs, j)
			}
		}
		return err
	})
	if err != nil {
		return false, err
	}
	plan, err := guide.Plan(jobs)
	if err != nil || !plan.Done {
		return false, err
	}
	state := map[string]lssr.JobState{}
	for _, j := range jobs {
		state[j.Job.ID] = j.State
	}
	for _, d := range plan.Skip {
		if state[d.ID] != lssr.StateSkipped {
			return false, nil
		}
	}
	return true, nil
}

// recordRunWorkers keeps how many jobs this run runs at once, for the ETA
// that status gives.
func recordRunWorkers(db *store.DB, name string, workers int) error {
	return db.Update(func(tx *store.Tx) error {
		rec, err := tx.Sweep(name)
		if err != nil {
			return err
		}
		rec.RunWorkers = workers
		return tx.PutSweep(rec)
	})
}

// printOutcome prints the counts of the sweep's selected jobs; it fails when
// some of them failed.
func printOutcome(db *store.DB, name string, selected func(lssr.Job) bool) error {
	return db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(name)
		if err != nil {
			return err
		}
		counts := map[lssr.JobState]int{}
		for _, j := range jobs {
			if selected(j.Job) {
				counts[j.State]++
			}
		}
		fmt.Printf("sweep %s: %s\n", name, formatCounts(counts))
		fmt.Printf("next: lssr report %s --out report-%s\n", name, name)
		if n := counts[lssr.StateFailed]; n > 0 {
			// Exit status 1, so scripts and job schedulers notice.
			return fmt.Errorf("%d job(s) failed: see 'lssr sweep status %s' for their errors", n, name)
		}
		return nil
	})
}
