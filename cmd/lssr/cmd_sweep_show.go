package main

import (
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"
)

func sweepShowCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "the stored spec of a sweep, its grid, configuration, job counts and where its numbers came from",
		ArgsUsage: "NAME",
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			return runSweepShow(os.Stdout, c.String("db"), name)
		},
	}
}

func runSweepShow(w io.Writer, dbPath, name string) error {
	all, err := sweepdata.ReadSelection(dbPath, name, true)
	if err != nil {
		return err
	}
	rec, g := all.Rec, all.Spec.Grid
	inGrid := 0
	for _, j := range all.Jobs {
		if g.InGrid(j.Job.BatchSize, j.Job.LR, j.Job.Seed) {
			inGrid++
		}
	}
	fmt.Fprintf(w, "sweep %s\n", name)
	fmt.Fprintf(w, "  spec:     %s, as last run (created %s, updated %s)\n", rec.Path,
		rec.Created.Local().Format("2006-01-02 15:04"), rec.Updated.Local().Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "  jobs:     %d stored, %d in the grid; %s\n", len(all.Jobs), inGrid, formatCounts(countStates(all.Jobs)))
	if n := len(all.Jobs) - inGrid; n > 0 {
		fmt.Fprintf(w, "            %d outside the grid (kept; status, export and report show them with --all)\n", n)
	}
	var bs, lrs, seeds []string
	for _, b := range g.BatchSizes {
		bs = append(bs, strconv.Itoa(b))
	}
	for _, lr := range g.LearningRates {
		lrs = append(lrs, formatLR(lr))
	}
	for _, s := range g.Seeds {
		seeds = append(seeds, strconv.FormatUint(s, 10))
	}
	fmt.Fprintf(w, "  grid:     b (%d): %s\n", len(bs), strings.Join(bs, ", "))
	fmt.Fprintf(w, "            η (%d): %s\n", len(lrs), strings.Join(lrs, ", "))
	fmt.Fprintf(w, "            seeds (%d): %s\n", len(seeds), strings.Join(seeds, ", "))
	if m := all.Mixed(); m != "" {
		fmt.Fprintf(w, "  configuration: MIXED: %s\n", strings.TrimPrefix(m, "sweep "+name+" "))
	} else {
		fmt.Fprintf(w, "  configuration: one, as in the spec below (the grid aside, every job trains alike)\n")
	}
	workers := fmt.Sprintf("%d in the spec", rec.Workers)
	if rec.Workers == 0 {
		workers = "one per CPU (the spec sets none)"
	}
	if rec.RunWorkers > 0 {
		workers += fmt.Sprintf(", %d in the latest run", rec.RunWorkers)
	}
	fmt.Fprintf(w, "  workers:  %s\n", workers)
	fmt.Fprintf(w, "  provenance of the finished jobs (jobs in brackets):\n")
	for _, f := range provenanceFields {
		if counts := provenanceOf(all.Jobs, f.field); len(counts) > 0 {
			fmt.Fprintf(w, "    %-8s %s\n", f.name+":", formatProvenance(counts))
		}
	}
	fmt.Fprintf(w, "--- spec as stored ---\n%s", rec.Source)
	if len(rec.Source) > 0 && rec.Source[len(rec.Source)-1] != '\n' {
		fmt.Fprintln(w)
	}
	return nil
}
