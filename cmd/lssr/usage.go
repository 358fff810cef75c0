package main

import (
	"fmt"
	"strings"

	"github.com/lssr/lssr"
	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// usageError is a mistake on the command line: an unknown command or flag,
// a flag value of the wrong type or missing, too many or too few arguments.
// It prints as one line that ends with where the command's help is, and,
// being bad input, exits 2.
type usageError struct {
	msg string // what is wrong
	cmd string // the command whose help says what is right: "lssr sweep status"
}

func (e *usageError) Error() string { return fmt.Sprintf("%s (see '%s --help')", e.msg, e.cmd) }
func (e *usageError) Unwrap() error { return lssr.ErrBadInput }

// usagef returns a usage error of the command whose full name is cmd; the
// message starts with the command's name below lssr ("sweep status: ").
func usagef(cmd, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if _, sub, ok := strings.Cut(cmd, " "); ok {
		msg = sub + ": " + msg
	}
	return &usageError{msg: msg, cmd: cmd}
}

// prepare gives every command of app, including any added to the tree
// later, this CLI's conventions, which urfave/cli sets per command:
//
//   - a usage error that urfave finds (a flag value of the wrong type) is one
//     line and exit status 2, never the help text (OnUsageError);
//   - a command with subcommands shows its help when called alone and names
//     an unknown subcommand, with a suggestion, otherwise (Action);
//   - help is --help only, no "help" subcommand, and ends with the global
//     flags and the exit statuses;
//   - the shell completes its subcommands, flags and arguments (complete).
//
// A command that sets one of these itself keeps its own.
func prepare(app *cli.App) {
	app.OnUsageError = onUsageError
	app.EnableBashCompletion = true
	app.HideHelpCommand = true
	if app.Action == nil {
		app.Action = parentAction
	}
	if app.BashComplete == nil {
		app.BashComplete = complete
	}
	global := "GLOBAL OPTIONS (before or after the command):\n"
	for _, f := range globalFlags(app) {
		global += "   " + f.String() + "\n"
	}
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			if c.OnUsageError == nil {
				c.OnUsageError = onUsageError
			}
			c.HideHelpCommand = true
			if c.Action == nil && len(c.Subcommands) > 0 {
				c.Action = parentAction
			}
			if c.BashComplete == nil {
				c.BashComplete = complete
			}
			if c.CustomHelpTemplate == "" {
				c.CustomHelpTemplate = cli.CommandHelpTemplate
				if len(c.Subcommands) > 0 {
					c.CustomHelpTemplate = cli.SubcommandHelpTemplate
				}
				c.CustomHelpTemplate += "\n" + global
				// A command whose description has its own exit statuses
				// keeps those.
				if !strings.Contains(c.Description, "EXIT STATUS") {
					c.CustomHelpTemplate += "\n" + exitHelp + "\n"
				}
			}
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
}

// onUsageError turns what urfave/cli's flag parsing rejects into one line.
func onUsageError(c *cli.Context, err error, _ bool) error {
	return usagef(c.Command.HelpName, "%v", err)
}

// parentAction is the action of a command with subcommands when none of
// them was named: its help without arguments, one line naming the word
// otherwise.
func parentAction(c *cli.Context) error {
	if c.NArg() == 0 {
		if c.Command.HelpName == c.App.HelpName {
			return cli.ShowAppHelp(c)
		}
		return cli.ShowSubcommandHelp(c)
	}
	name := c.Args().First()
	msg := fmt.Sprintf("unknown command %q for %q", name, c.Command.HelpName)
	if s := suggestCommand(c.Command.VisibleCommands(), name); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return &usageError{msg: msg, cmd: c.Command.HelpName}
}

// unknownFlag is the usage error of flag argument a on the command whose
// full name is cmd, which takes flags.
func unknownFlag(cmd, a string, flags []cli.Flag) error {
	typed, _, _ := strings.Cut(a, "=")
	if s := suggestFlag(flags, flagName(a)); s != "" {
		return usagef(cmd, "unknown flag %s; did you mean %s?", typed, s)
	}
	return usagef(cmd, "unknown flag %s", typed)
}

// minSimilarity is the Jaro–Winkler similarity below which a suggestion is
// left out. urfave/cli's SuggestCommand and SuggestFlag name the closest
// name however far it is ("frob" would get "did you mean report?", 0.61),
// while typos score higher: stauts/status 0.96, summry/summary 0.97.
const minSimilarity = 0.8

// suggestCommand is the name among cmds urfave/cli would suggest for typed,
// or "" when none is close.
func suggestCommand(cmds []*cli.Command, typed string) string {
	if cli.SuggestCommand == nil {
		return ""
	}
	// SuggestCommand returns its sentence, SuggestDidYouMeanTemplate, with
	// the name in it (or "help", which no lssr command has).
	said := cli.SuggestCommand(cmds, typed)
	for _, c := range cmds {
		for _, name := range c.Names() {
			if said == fmt.Sprintf(cli.SuggestDidYouMeanTemplate, name) && similar(typed, name) {
				return name
			}
		}
	}
	return ""
}

// suggestFlag is the flag among flags urfave/cli would suggest for the flag
// name typed ("--summary"), or "" when none is close.
func suggestFlag(flags []cli.Flag, typed string) string {
	if cli.SuggestFlag == nil {
		return ""
	}
	var visible []cli.Flag
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); !ok || vf.IsVisible() {
			visible = append(visible, f)
		}
	}
	s := cli.SuggestFlag(visible, typed, true)
	if s == "" || !similar(typed, strings.TrimLeft(s, "-")) {
		return ""
	}
	return s
}

// similar scores a and b as urfave/cli's suggestions do (Jaro–Winkler with
// its boost threshold 0.7 and prefix size 4).
func similar(a, b string) bool {
	return smetrics.JaroWinkler(a, b, 0.7, 4) >= minSimilarity
}
