package main

import (
	"github.com/lssr/lssr"
	"github.com/urfave/cli/v2"
)

const exitHelp = `EXIT STATUS:
   0    success
   1    a run or a write failed; the database is in use by another writer, or damaged (it is left unchanged)
   2    bad input: the spec, a flag, a file or a sweep name (one line says which)
   130  interrupted (Ctrl-C): jobs in flight went back to pending; resume with 'lssr sweep resume NAME'`

func newApp() *cli.App {
	return &cli.App{
		Name:                  "lssr",
		Usage:                 "batch-size × learning-rate sweeps on CPUs, and whether the best η follows LSSR",
		Description:           "Runs sweeps from a YAML spec on local worker processes, stores every run in one bbolt file,\nand draws test-accuracy heatmaps with the fitted LSSR, LSR and SRSR curves.",
		CustomAppHelpTemplate: cli.AppHelpTemplate + "\n" + exitHelp + "\n",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Value: "lssr.db", EnvVars: []string{"LSSR_DB"}, Usage: "the lssr database file"},
		},
		Commands: []*cli.Command{
			sweepCommand(),
			reportCommand(),
			exportCommand(),
			measureCommand(),
			jobCommand(),
			workerCommand(),
		},
		// Errors go back to main, which prints them and picks the exit
		// status after deferred closes (the bbolt file!) have run.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return lssr.BadInput("%v", err)
		},
		HideHelpCommand: true,
		Action:          unknownCommand,
	}
}

// unknownCommand is the action of a command whose subcommands did not match:
// help without arguments, a bad-input error naming the word otherwise.
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowSubcommandHelp(c)
	}
	return lssr.BadInput("unknown command %q (see 'lssr --help')", c.Args().First())
}

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:  "sweep",
		Usage: "run, resume, list, retry, cancel and export sweeps, and show their status",
		Subcommands: []*cli.Command{
			sweepRunCommand(),
			sweepResumeCommand(),
			sweepListCommand(),
			sweepStatusCommand(),
			sweepRetryCommand(),
			sweepCancelCommand(),
			sweepExportCommand(),
		},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return lssr.BadInput("%v", err)
		},
		Action: unknownCommand,
	}
}

// oneArg returns the command's single positional argument or a usage error.
func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		return "", lssr.BadInput("%s: want exactly one %s argument, got %d (see 'lssr %s --help')", c.Command.FullName(), what, c.NArg(), c.Command.FullName())
	}
	return c.Args().First(), nil
}

func badArgs(c *cli.Context) error {
	return lssr.BadInput("%s: unexpected argument %q (see 'lssr %s --help')", c.Command.FullName(), c.Args().First(), c.Command.FullName())
}
