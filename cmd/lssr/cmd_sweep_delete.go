package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func sweepDeleteCommand() *cli.Command {
	return &cli.Command{
		Name:  "delete",
		Usage: "remove a sweep and everything stored of it: jobs, results, series, weights, checkpoints",
		Description: "Asks before it deletes, on a terminal; elsewhere (scripts, CI) it needs --yes. It refuses while\n" +
			"the sweep's orchestrator runs: stop it first with 'lssr sweep cancel NAME'. Other sweeps in the\n" +
			"database are left alone. A Slurm shared folder of the sweep is left in place.",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "delete without asking"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			interactive := term.IsTerminal(int(os.Stdin.Fd()))
			if !c.Bool("yes") && !interactive {
				return usagef(c.Command.HelpName, "standard input is not a terminal: pass --yes to delete sweep %s", name)
			}
			return runSweepDelete(os.Stdout, os.Stdin, c.String("db"), name, !c.Bool("yes"))
		},
	}
}

// runSweepDelete deletes a sweep, after asking on in when ask is set.
func runSweepDelete(w io.Writer, in io.Reader, dbPath, name string, ask bool) error {
	if err := requireSweep(dbPath, name); err != nil {
		return err
	}
	jobs, err := loadJobs(dbPath, name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("sweep %s: %d jobs (%s)", name, len(jobs), formatCounts(countStates(jobs)))
	if ask {
		fmt.Fprintf(w, "delete %s and everything stored of it? [y/N] ", what)
		answer, _ := bufio.NewReader(in).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return fmt.Errorf("sweep %s: not deleted (answered %q)", name, strings.TrimSpace(answer))
		}
	}
	db, err := store.Open(dbPath, store.Options{Sweep: name})
	var le *store.LockError
	if errors.As(err, &le) && le.Holder.Sweep == name {
		return fmt.Errorf("sweep %s is running (lssr pid %d): stop it first with 'lssr sweep cancel %s'; nothing was deleted", name, le.Holder.PID, name)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Update(func(tx *store.Tx) error { return tx.DeleteSweep(name) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "deleted %s\n", what)
	return nil
}
