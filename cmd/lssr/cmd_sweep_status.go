package main

import (
	"bufio"
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/text"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepStatusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "counts per state, ETA, and one row per job: attempts (failed, interrupted), worker, checkpoint, last error",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "summary", Usage: "counts and ETA only, no per-job rows"},
			&cli.BoolFlag{Name: "all", Usage: allFlagUsage},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			// tabwriter writes cell by cell: buffer, or 10,000 rows cost
			// hundreds of thousands of write calls.
			out := bufio.NewWriterSize(os.Stdout, 64<<10)
			err = runSweepStatus(out, c.String("db"), name, c.Bool("summary"), c.Bool("all"))
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			return err
		},
	}
}

func runSweepStatus(w io.Writer, dbPath, name string, summary, all bool) error {
	sel, err := sweepdata.ReadSelection(dbPath, name, all)
	if err != nil {
		return err
	}
	rec, jobs := sel.Rec, sel.Jobs
	counts := countStates(jobs)
	fmt.Fprintf(w, "sweep %s (%s): %d jobs: %s\n", name, rec.Path, len(jobs), formatCounts(counts))
	if note := sel.OutsideNote(); note != "" {
		fmt.Fprintln(w, note)
	}
	if warn := kernelWarning(jobs); warn != "" {
		fmt.Fprintln(w, warn)
	}
	if m := sel.Mixed(); m != "" {
		fmt.Fprintf(w, "warning: %s; its report refuses it, as it would pool them as seeds\n", m)
	}
	guided := rec.Search != nil
	if guided {
		printSearch(w, *rec.Search, jobs)
	}
	if eta, ok := sweepdata.Estimate(jobs, sweepdata.Workers(rec), guided); ok {
		fmt.Fprintln(w, eta)
	}
	if summary {
		return nil
	}
	now := time.Now()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "#\tjob\tb\tη\tseed\tstate\tattempts\tworker\tcheckpoint\ttest_acc\tseconds\tlast error"
	if guided {
		header += "\twhy"
	}
	fmt.Fprintln(tw, header)
	for _, j := range jobs {
		acc, secs := "", ""
		if j.Result != nil {
			acc = fmt.Sprintf("%.4f", j.Result.TestAcc)
			secs = fmt.Sprintf("%.1f", j.Result.Seconds)
		} else if j.State == lssr.StateRunning && !j.StartedAt.IsZero() {
			secs = fmt.Sprintf("%.0f (running)", time.Since(j.StartedAt).Seconds())
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s", j.Index, j.Job.ID, j.Job.BatchSize,
			formatLR(j.Job.LR), j.Job.Seed, j.State, formatAttempts(j), j.Worker, checkpoint(j, now), acc, secs,
			truncate(text.OneLine(j.LastError), 80))
		if guided {
			fmt.Fprintf(tw, "\t%s", decision(j))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// formatAttempts shows a job's starts and how the ended ones ended: "3 (1
// failed, 2 interrupted)". Only failures count against --max-attempts.
// "unsplit" attempts are those a record from an older lssr, which did not
// count failures apart, leaves unexplained; they count as failures.
func formatAttempts(j store.JobRecord) string {
	var parts []string
	if j.Failures > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", j.Failures))
	}
	if j.Interruptions > 0 {
		parts = append(parts, fmt.Sprintf("%d interrupted", j.Interruptions))
	}
	if n := j.Unsplit(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d unsplit", n))
	}
	if len(parts) == 0 {
		return strconv.Itoa(j.Attempts)
	}
	return fmt.Sprintf("%d (%s)", j.Attempts, strings.Join(parts, ", "))
}

// checkpoint describes a running job's latest checkpoint, "ckpt e12 40s
// ago", or nothing: only a running job's checkpoint says how far it got.
func checkpoint(j store.JobRecord, now time.Time) string {
	if j.State != lssr.StateRunning || j.CheckpointAt.IsZero() {
		return ""
	}
	return fmt.Sprintf("ckpt e%d %s ago", j.CheckpointEpoch, formatAge(now.Sub(j.CheckpointAt)))
}

// formatAge shows an age to the second below a minute, then to the minute.
func formatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// printSearch says where a guided search stands: its stage and round, the
// jobs run against the grid's, and how it predicts.
func printSearch(w io.Writer, st lssr.SearchState, jobs []store.JobRecord) {
	ran := 0
	for _, j := range jobs {
		if j.State.Ran() {
			ran++
		}
	}
	fmt.Fprintf(w, "search %s, round %d: %s: %s\n", st.Strategy, st.Round, st.Stage, st.Note)
	fmt.Fprintf(w, "%d of %d jobs run (%.0f%%); references b = %s; band ±%g octave\n",
		ran, len(jobs), 100*float64(ran)/float64(max(len(jobs), 1)), joinInts(st.References), st.Band)
	if st.Basis != "" {
		fmt.Fprintf(w, "predictions: %s\n", st.Basis)
	}
	if st.Verdict != "" {
		fmt.Fprintf(w, "verdict: %s\n", st.Verdict)
	}
}

// decision is a job's "why" column in a guided search.
func decision(j store.JobRecord) string {
	if j.Decision == "" && j.State == lssr.StatePending {
		return "not decided yet"
	}
	return j.Decision
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return strings.Join(parts, ", ")
}
