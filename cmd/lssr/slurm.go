package main

import (
	"os"
	"path/filepath"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/orchestrator/slurm"
	"github.com/lssr/lssr/sweeps"
	"github.com/urfave/cli/v2"
)

// slurmOptions are the flags that send a sweep's jobs to Slurm.
type slurmOptions struct {
	executor                  string
	dir, partition, time, mem string
	cpus, throttle            int
	extra                     []string
	poll                      time.Duration
	set                       map[string]bool // flags given on the command line
}

func slurmFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "executor", Value: "local", Usage: "local (worker processes here) or slurm (sbatch --array on a cluster)"},
		&cli.StringFlag{Name: "slurm-dir", Usage: "slurm: the shared folder, the same path on every node (default: lssr-slurm/NAME beside the database)"},
		&cli.StringFlag{Name: "partition", Usage: "slurm: sbatch --partition"},
		&cli.StringFlag{Name: "time-limit", Usage: "slurm: sbatch --time per task, e.g. 2:00:00"},
		&cli.StringFlag{Name: "mem", Usage: "slurm: sbatch --mem per task, e.g. 2G"},
		&cli.IntFlag{Name: "cpus-per-task", Value: 1, Usage: "slurm: sbatch --cpus-per-task"},
		&cli.IntFlag{Name: "throttle", Value: 4, Usage: "slurm: tasks at once (the array's %N)"},
		&cli.StringSliceFlag{Name: "sbatch-arg", Usage: "slurm: an extra sbatch argument (repeatable), e.g. --sbatch-arg=--qos=long"},
		&cli.DurationFlag{Name: "slurm-poll", Value: 2 * time.Second, Usage: "slurm: how often task states and result files are checked"},
	}
}

func readSlurmOptions(c *cli.Context) slurmOptions {
	return slurmOptions{
		executor: c.String("executor"), dir: c.String("slurm-dir"), partition: c.String("partition"),
		time: c.String("time-limit"), mem: c.String("mem"), cpus: c.Int("cpus-per-task"),
		throttle: c.Int("throttle"), extra: c.StringSlice("sbatch-arg"), poll: c.Duration("slurm-poll"),
		set: setFlags(c, "executor", "slurm-dir", "partition", "time-limit", "mem", "cpus-per-task", "throttle", "sbatch-arg"),
	}
}

func setFlags(c *cli.Context, names ...string) map[string]bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = c.IsSet(n)
	}
	return set
}

// withSpec fills the settings the command line did not give from the
// spec's executor section.
func (o slurmOptions) withSpec(e sweeps.Executor) slurmOptions {
	if !o.set["executor"] && e.Kind != "" {
		o.executor = e.Kind
	}
	strs := []struct {
		flag string
		dst  *string
		val  string
	}{{"slurm-dir", &o.dir, e.Dir}, {"partition", &o.partition, e.Partition}, {"time-limit", &o.time, e.TimeLimit}, {"mem", &o.mem, e.Mem}}
	for _, f := range strs {
		if !o.set[f.flag] && f.val != "" {
			*f.dst = f.val
		}
	}
	if !o.set["cpus-per-task"] && e.CPUsPerTask > 0 {
		o.cpus = e.CPUsPerTask
	}
	if !o.set["throttle"] && e.Throttle > 0 {
		o.throttle = e.Throttle
	}
	if !o.set["sbatch-arg"] && len(e.SbatchArgs) > 0 {
		o.extra = e.SbatchArgs
	}
	return o
}

func (o slurmOptions) check() error {
	switch {
	case o.executor != "local" && o.executor != "slurm":
		return lssr.BadInput("--executor: want local or slurm, got %q", o.executor)
	case o.cpus < 1:
		return badFlag("--cpus-per-task", o.cpus)
	case o.throttle < 1:
		return badFlag("--throttle", o.throttle)
	}
	return nil
}

// sharedDir is the sweep's shared folder: --slurm-dir, else lssr-slurm/NAME
// beside the database.
func (o slurmOptions) sharedDir(db, name string) (string, error) {
	dir := o.dir
	if dir == "" {
		dir = filepath.Join(filepath.Dir(db), "lssr-slurm", name)
	}
	return filepath.Abs(dir)
}

// executorFor returns the Slurm executor of sweep name.
func (o slurmOptions) executorFor(db, name, exe string) (*slurm.Executor, error) {
	dir, err := o.sharedDir(db, name)
	if err != nil {
		return nil, err
	}
	var env []string
	if conf := os.Getenv("SLURM_CONF"); conf != "" {
		env = append(env, "SLURM_CONF="+conf)
	}
	return slurm.New(slurm.Config{
		Dir: dir, Exe: exe, Partition: o.partition, Time: o.time, Mem: o.mem, CPUs: o.cpus,
		Extra: o.extra, Throttle: o.throttle, Poll: o.poll, Env: env,
	})
}
