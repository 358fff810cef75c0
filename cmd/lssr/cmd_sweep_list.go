package main

import (
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

func sweepListCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the sweeps in the database",
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return runSweepList(c.String("db"))
		},
	}
}

func runSweepList(dbPath string) error {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "sweep\tjobs\tstates\tupdated\tspec")
	err = db.View(func(tx *store.Tx) error {
		sweeps, err := tx.Sweeps()
		if err != nil {
			return err
		}
		for _, s := range sweeps {
			jobs, err := tx.Jobs(s.Name)
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", s.Name, len(jobs), formatCounts(countStates(jobs)),
				s.Updated.Local().Format("2006-01-02 15:04"), s.Path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}
