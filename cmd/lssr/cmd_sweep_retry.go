package main

import (
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"io"
	"os"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepRetryCommand() *cli.Command {
	return &cli.Command{
		Name:  "retry",
		Usage: "queue failed (default), diverged, stopped or cancelled jobs again, as if they had never run; then 'lssr sweep resume NAME'",
		Description: "Puts the chosen jobs back to pending with their attempts, last error and result cleared.\n" +
			"Their old record and series are kept aside in the database, not shown by status, export or report.\n" +
			"Without a flag only failed jobs are retried: diverged and stopped are outcomes, not errors.",
		ArgsUsage: "NAME",
		// One flag per state store.Retryable lists, named after it.
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "failed", Usage: "retry failed jobs (the default when no flag is given)"},
			&cli.BoolFlag{Name: "diverged", Usage: "retry diverged jobs"},
			&cli.BoolFlag{Name: "stopped", Usage: "retry jobs stopped early (training.stop_early); the rule applies again"},
			&cli.BoolFlag{Name: "cancelled", Usage: "retry jobs 'lssr sweep cancel' cancelled"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			var states []lssr.JobState
			for _, s := range store.Retryable() {
				if c.Bool(string(s)) {
					states = append(states, s)
				}
			}
			if len(states) == 0 {
				states = []lssr.JobState{lssr.StateFailed}
			}
			return runSweepRetry(os.Stdout, c.String("db"), name, states)
		},
	}
}

func runSweepRetry(w io.Writer, dbPath, name string, states []lssr.JobState) error {
	if err := requireSweep(dbPath, name); err != nil {
		return err
	}
	db, err := store.Open(dbPath, store.Options{Sweep: name})
	if err != nil {
		return err
	}
	defer db.Close()
	var changed []store.JobRecord
	err = db.Update(func(tx *store.Tx) error {
		rec, err := tx.Sweep(name)
		if err != nil {
			return err
		}
		if changed, err = tx.Retry(name, time.Now(), states...); err != nil {
			return err
		}
		return applySpecToRetried(tx, rec, changed)
	})
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		fmt.Fprintf(w, "sweep %s: no %s jobs to retry\n", name, joinStates(states, " or "))
		return nil
	}
	fmt.Fprintf(w, "sweep %s: %s back to pending, attempts and errors reset: %s\n", name, describeChange(changed), listIDs(changed))
	fmt.Fprintf(w, "next: lssr sweep resume %s\n", name)
	return nil
}

// applySpecToRetried gives the retried jobs the stored spec's
// training.save_weights, which is outside job IDs and may have changed since
// they last ran (as Prepare does for jobs still to run).
func applySpecToRetried(tx *store.Tx, rec store.SweepRecord, retried []store.JobRecord) error {
	spec, err := sweepdata.StoredSpec(rec)
	if err != nil {
		return fmt.Errorf("stored spec of %s: %w", rec.Name, err)
	}
	for _, old := range retried {
		j, err := tx.Job(rec.Name, old.Job.ID)
		if err != nil {
			return err
		}
		if j.Job.SaveWeights != spec.Keep.SaveWeights || j.Job.CheckpointEvery != spec.Keep.CheckpointEvery {
			j.Job.SaveWeights, j.Job.CheckpointEvery = spec.Keep.SaveWeights, spec.Keep.CheckpointEvery
			if err := tx.PutJob(rec.Name, j); err != nil {
				return err
			}
		}
	}
	return nil
}
