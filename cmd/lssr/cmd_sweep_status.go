package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepStatusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "counts per state, ETA, and one row per job with attempts and last error",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "summary", Usage: "counts and ETA only, no per-job rows"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			return runSweepStatus(os.Stdout, c.String("db"), name, c.Bool("summary"))
		},
	}
}

func runSweepStatus(w io.Writer, dbPath, name string, summary bool) error {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.SweepRecord
	var jobs []store.JobRecord
	err = db.View(func(tx *store.Tx) error {
		if rec, err = tx.Sweep(name); err != nil {
			return err
		}
		jobs, err = tx.Jobs(name)
		return err
	})
	if err != nil {
		return err
	}
	counts := countStates(jobs)
	fmt.Fprintf(w, "sweep %s (%s): %d jobs: %s\n", name, rec.Path, len(jobs), formatCounts(counts))
	if eta := estimate(jobs, rec.Workers); eta != "" {
		fmt.Fprintln(w, eta)
	}
	if summary {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tjob\tb\tη\tseed\tstate\tattempts\tworker\ttest_acc\tseconds\tlast error")
	for _, j := range jobs {
		acc, secs := "", ""
		if j.Result != nil {
			acc = fmt.Sprintf("%.4f", j.Result.TestAcc)
			secs = fmt.Sprintf("%.1f", j.Result.Seconds)
		} else if j.State == store.StateRunning && !j.StartedAt.IsZero() {
			secs = fmt.Sprintf("%.0f (running)", time.Since(j.StartedAt).Seconds())
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\n", j.Index, j.Job.ID, j.Job.BatchSize,
			formatLR(j.Job.LR), j.Job.Seed, j.State, j.Attempts, j.Worker, acc, secs, truncate(oneLine(j.LastError), 80))
	}
	return tw.Flush()
}

// estimate gives the remaining time from the mean duration of finished jobs.
func estimate(jobs []store.JobRecord, workers int) string {
	var sum float64
	var finished, remaining int
	for _, j := range jobs {
		switch {
		case j.Result != nil:
			sum += j.Result.Seconds
			finished++
		case !j.State.Finished():
			remaining++
		}
	}
	if remaining == 0 || finished == 0 {
		return ""
	}
	workers = max(workers, 1)
	mean := sum / float64(finished)
	eta := time.Duration(mean * float64(remaining) / float64(workers) * float64(time.Second))
	return fmt.Sprintf("ETA: ~%s for %d remaining jobs at %d workers (%.1f s per job so far)",
		eta.Round(time.Second), remaining, workers, mean)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
