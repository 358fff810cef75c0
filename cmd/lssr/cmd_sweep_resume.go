package main

import (
	"context"
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"

	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepResumeCommand() *cli.Command {
	return &cli.Command{
		Name:      "resume",
		Usage:     "continue a stored sweep: finished jobs never run again, interrupted ones continue from their checkpoints",
		ArgsUsage: "NAME",
		Flags:     runFlags(),
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			return runSweepResume(c.Context, name, readRunOptions(c))
		},
	}
}

func runSweepResume(ctx context.Context, name string, opts runOptions) error {
	if err := checkRunOptions(opts); err != nil {
		return err
	}
	if err := requireDB(opts.db); err != nil {
		return err
	}
	db, err := store.Open(opts.db, store.Options{Sweep: name})
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.SweepRecord
	if err := db.View(func(tx *store.Tx) (err error) { rec, err = tx.Sweep(name); return err }); err != nil {
		return err
	}
	// The data may have moved since the sweep started: say so once, not
	// once per job.
	spec, err := sweepdata.StoredSpec(rec)
	if err != nil {
		return fmt.Errorf("stored spec of %s: %w", name, err)
	}
	if err := dataset.Check(spec.Dataset); err != nil {
		return err
	}
	fmt.Printf("resuming sweep %s from %s\n", name, db.Path())
	opts.slurm = opts.slurm.withSpec(spec.Executor)
	return runStored(ctx, db, spec, opts)
}
