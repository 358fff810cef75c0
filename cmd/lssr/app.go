package main

import (
	"github.com/urfave/cli/v2"
)

const exitHelp = `EXIT STATUS:
   0    success
   1    a run or a write failed; the database is in use by another writer, or damaged (it is left unchanged)
   2    bad input: the spec, a flag, a file or a sweep name (one line says which)
   130  interrupted (Ctrl-C): jobs in flight went back to pending; resume with 'lssr sweep resume NAME'`

func newApp() *cli.App {
	app := &cli.App{
		Name:                  "lssr",
		Usage:                 "batch-size × learning-rate sweeps on CPUs, and whether the best η follows LSSR",
		Description:           "Runs sweeps from a YAML spec on local worker processes, stores every run in one bbolt file,\nand draws test-accuracy heatmaps with the fitted LSSR, LSR and SRSR curves.\nGlobal options go before or after the command: 'lssr sweep status NAME --db x.db'.",
		CustomAppHelpTemplate: cli.AppHelpTemplate + "\n" + exitHelp + "\n",
		// The global flags (all but --version, which only lssr itself
		// takes): every command reads them, wherever they are written
		// (interspersed).
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "db", Value: "lssr.db", EnvVars: []string{"LSSR_DB"}, Usage: "the lssr database file"},
			&cli.BoolFlag{Name: "version", Usage: "print the version, commit, Go version, kernel path, CPU and OS/arch", DisableDefaultText: true},
		},
		Commands: []*cli.Command{
			sweepCommand(),
			reportCommand(),
			predictCommand(),
			serveCommand(),
			exportCommand(),
			measureCommand(),
			jobCommand(),
			workerCommand(),
			versionCommand(),
			completionCommand(),
		},
		// Errors go back to main, which prints them and picks the exit
		// status after deferred closes (the bbolt file!) have run.
		ExitErrHandler: func(*cli.Context, error) {},
		Action:         rootAction,
	}
	prepare(app)
	return app
}

// rootAction runs when no command is named: --version, else the help, else
// an unknown command.
func rootAction(c *cli.Context) error {
	if c.Bool("version") && c.NArg() == 0 {
		return printVersion(c)
	}
	return parentAction(c)
}

func sweepCommand() *cli.Command {
	return &cli.Command{
		Name:  "sweep",
		Usage: "run, resume, list, show, retry, cancel, export and delete sweeps, and show their status",
		Subcommands: []*cli.Command{
			sweepRunCommand(),
			sweepResumeCommand(),
			sweepListCommand(),
			sweepStatusCommand(),
			sweepRetryCommand(),
			sweepCancelCommand(),
			sweepExportCommand(),
			sweepShowCommand(),
			sweepDeleteCommand(),
		},
	}
}

// oneArg returns the command's single positional argument or a usage error.
func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		return "", usagef(c.Command.HelpName, "want exactly one %s argument, got %d", what, c.NArg())
	}
	return c.Args().First(), nil
}

// noArgs is a usage error when the command was given positional arguments.
func noArgs(c *cli.Context) error {
	if c.NArg() == 0 {
		return nil
	}
	return usagef(c.Command.HelpName, "unexpected argument %q", c.Args().First())
}
