package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/internal/buildinfo"
	"github.com/lssr/lssr/orchestrator/slurm"
	"github.com/lssr/lssr/trainer"
	"github.com/urfave/cli/v2"
)

const jobRunHelp = `Trains one job of a sweep from its task file in the sweep's shared folder (DIR/jobs/ID.json,
written by 'lssr sweep run --executor slurm'), on this machine, in this process: what each Slurm
array task runs. It continues from DIR/checkpoints/ID.safetensors when that exists, writes a new
checkpoint there as it trains, and ends by writing DIR/results/ID.json (and the weights when the
job keeps them), each atomically. The orchestrator validates and stores the result; this command
never opens the database.`

func jobCommand() *cli.Command {
	return &cli.Command{
		Name:  "job",
		Usage: "run one job of a sweep on a compute node (what Slurm tasks run)",
		Subcommands: []*cli.Command{{
			Name:        "run",
			Usage:       "train one job from its task file in the shared folder",
			ArgsUsage:   "DIR/jobs/ID.json",
			Description: jobRunHelp,
			Action: func(c *cli.Context) error {
				path, err := oneArg(c, "TASKFILE")
				if err != nil {
					return err
				}
				return runJob(c, path)
			},
		}},
	}
}

func runJob(c *cli.Context, path string) error {
	job, err := slurm.ReadTask(path)
	if errors.Is(err, os.ErrNotExist) {
		return lssr.BadInput("job run: %v", err)
	}
	if err != nil {
		return err
	}
	dir := filepath.Dir(filepath.Dir(path))
	p := slurm.PathsOf(dir, job.ID)
	if ck, err := os.ReadFile(p.Checkpoint); err == nil {
		job.Resume = ck
	}
	data, err := dataset.Load(job.Dataset)
	if err != nil {
		return err
	}
	start := time.Now()
	var ckErr error
	res, err := trainer.Train(c.Context, job, data, func(pr lssr.Progress) {
		if pr.Checkpoint == nil {
			return
		}
		if err := os.MkdirAll(filepath.Dir(p.Checkpoint), 0o755); err != nil {
			ckErr = err
			return
		}
		if err := atomicfile.WriteFile(p.Checkpoint, pr.Checkpoint, 0o644); err != nil {
			ckErr = err
		}
	})
	if err != nil {
		return err
	}
	if ckErr != nil {
		fmt.Fprintf(os.Stderr, "lssr: job %s: a checkpoint could not be written: %v\n", job.ID, ckErr)
	}
	res.Provenance = buildinfo.Provenance() // the node's
	if err := slurm.WriteResult(p, job, res); err != nil {
		return err
	}
	outcome := "done"
	switch {
	case res.Diverged:
		outcome = "diverged"
	case res.Stopped != "":
		outcome = res.Stopped // "stopped early: …"
	}
	fmt.Printf("job %s: %s in %.1fs (resumed from epoch %d)\n", job.ID, outcome, time.Since(start).Seconds(), res.ResumedFrom)
	return nil
}
