package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionFlag ends the command line the shell completion scripts run
// (urfave/cli's EnableBashCompletion).
const completionFlag = "--generate-bash-completion"

// rootOnly names the flags of app.Flags that only lssr itself takes: they
// stay put, while the other app flags are global.
var rootOnly = map[string]bool{"version": true}

// interspersed puts a command line in the order urfave/cli v2 parses, which
// stops reading flags at a command's first positional argument and knows a
// flag only on the command that declares it:
//
//   - a global flag (app.Flags: --db) moves to the front wherever it stands,
//     so `lssr sweep status X --db a.db` and `lssr sweep --db a.db status X`
//     mean `lssr --db a.db sweep status X`; a command's own flag of the same
//     name wins over it;
//   - the last command's own flags move ahead of its positional arguments, so
//     `lssr report NAME --out DIR` works as users type it; with --help among
//     them the positional arguments go, as the help is all that is shown.
//
// Everything after "--" stays where it is. A flag that neither the command
// it follows nor app.Flags declares, and a last flag missing its value, are
// usage errors: one line naming the command, with a suggestion when a flag's
// name is close. While the shell completes (the line ends with
// completionFlag) nothing is an error.
func interspersed(app *cli.App, args []string) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	completing := args[len(args)-1] == completionFlag
	if completing {
		// urfave/cli runs the command for real when the line holds "--"
		// (typed, or the flag being completed): complete the line before it.
		args = args[:len(args)-1]
		if i := slices.Index(args, "--"); i > 0 {
			args = args[:i]
		}
	}
	line := cmdLine{app: app, args: args, completing: completing, path: app.Name}
	out, err := line.order()
	if err != nil {
		return nil, err
	}
	if completing {
		out = append(out, completionFlag)
	}
	return out, nil
}

// cmdLine is one command line as interspersed reads it.
type cmdLine struct {
	app        *cli.App
	args       []string
	completing bool
	cmd        *cli.Command // the command being read; nil for lssr itself
	path       string       // its full name, "lssr sweep status"
	lifted     []string     // global flags met after a command name
}

func (l *cmdLine) order() ([]string, error) {
	var root, path []string // lssr's own flags; the command names with their flags
	cmds := l.app.Commands
	i := 1
	for i < len(l.args) && l.args[i] != "--" {
		a := l.args[i]
		if isFlag(a) {
			taken, lift, err := l.flag(i)
			if err != nil {
				return nil, err
			}
			switch {
			case lift:
				l.lifted = append(l.lifted, taken...)
			case l.cmd == nil:
				root = append(root, taken...)
			default:
				path = append(path, taken...)
			}
			i += len(taken)
			continue
		}
		next := findCommand(cmds, a)
		if next == nil {
			break
		}
		path = append(path, a)
		l.cmd, l.path, cmds = next, l.path+" "+a, next.Subcommands
		i++
		if len(cmds) == 0 {
			break
		}
	}
	var rest []string
	if l.cmd != nil && len(l.cmd.Subcommands) == 0 {
		var err error
		if rest, err = l.leaf(i); err != nil {
			return nil, err
		}
	} else {
		rest = l.unknownCommand(i)
	}
	out := append([]string{l.args[0]}, root...)
	out = append(out, l.lifted...)
	out = append(out, path...)
	return append(out, rest...), nil
}

// unknownCommand keeps the arguments from args[i] on, which start with no
// command lssr knows (the action of the command before says so, whatever
// flags follow), lifting only the global flags among them.
func (l *cmdLine) unknownCommand(i int) []string {
	var kept []string
	for ; i < len(l.args); i++ {
		a := l.args[i]
		if a == "--" {
			return append(kept, l.args[i:]...)
		}
		if f := lookupFlag(globalFlags(l.app), flagName(a)); isFlag(a) && f != nil {
			if n := valueCount(f, a); i+n < len(l.args) {
				l.lifted = append(l.lifted, l.args[i:i+n+1]...)
				i += n
				continue
			}
		}
		kept = append(kept, a)
	}
	return kept
}

// leaf orders the arguments of the last command from args[i] on: its flags,
// then its positional arguments.
func (l *cmdLine) leaf(i int) ([]string, error) {
	var flags, positional []string
	help := false
	for i < len(l.args) {
		a := l.args[i]
		if a == "--" {
			positional = append(positional, l.args[i:]...)
			break
		}
		if !isFlag(a) {
			positional = append(positional, a)
			i++
			continue
		}
		taken, lift, err := l.flag(i)
		if err != nil {
			return nil, err
		}
		if lift {
			l.lifted = append(l.lifted, taken...)
		} else {
			flags = append(flags, taken...)
			help = help || isHelp(a)
		}
		i += len(taken)
	}
	if help && !l.completing {
		return flags, nil
	}
	return append(flags, positional...), nil
}

// flag reads the flag at args[i] and its value, if it takes one from the
// next argument; lift says it is a global flag to move to the front.
func (l *cmdLine) flag(i int) (taken []string, lift bool, err error) {
	a := l.args[i]
	name := flagName(a)
	var f cli.Flag
	if l.cmd == nil {
		f = lookupFlag(rootFlags(l.app), name)
	} else if f = lookupFlag(commandFlags(l.cmd), name); f == nil {
		if f = lookupFlag(globalFlags(l.app), name); f != nil {
			lift = true
		}
	}
	if f == nil {
		if l.completing {
			return l.args[i : i+1], false, nil
		}
		return nil, false, unknownFlag(l.path, a, l.known())
	}
	n := valueCount(f, a)
	if i+n >= len(l.args) {
		if l.completing {
			return l.args[i:], false, nil
		}
		return nil, false, usagef(l.path, "flag %s needs a value", strings.SplitN(a, "=", 2)[0])
	}
	return l.args[i : i+n+1], lift, nil
}

// known is every flag the command being read takes: its own and the global
// ones (lssr itself: app.Flags).
func (l *cmdLine) known() []cli.Flag {
	if l.cmd == nil {
		return rootFlags(l.app)
	}
	return append(commandFlags(l.cmd), globalFlags(l.app)...)
}

// globalFlags are the flags of app.Flags that any command takes.
func globalFlags(app *cli.App) []cli.Flag {
	var out []cli.Flag
	for _, f := range app.Flags {
		if !rootOnly[f.Names()[0]] && f != cli.HelpFlag {
			out = append(out, f)
		}
	}
	return out
}

// rootFlags are the flags lssr itself takes: app.Flags and --help. With a
// nil app, only --help.
func rootFlags(app *cli.App) []cli.Flag {
	var out []cli.Flag
	if app != nil {
		out = append(out, app.Flags...)
	}
	if cli.HelpFlag != nil {
		out = append(out, cli.HelpFlag)
	}
	return out
}

// commandFlags are a command's own flags and --help.
func commandFlags(c *cli.Command) []cli.Flag {
	out := append([]cli.Flag{}, c.Flags...)
	if cli.HelpFlag != nil && !c.HideHelp {
		out = append(out, cli.HelpFlag)
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// isFlag reports whether a is a flag as Go's flag package reads one: a dash
// and more ("-" alone is a positional argument, "--" ends the flags).
func isFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && a != "--"
}

// isHelp reports whether a asks for help.
func isHelp(a string) bool {
	if cli.HelpFlag == nil || strings.Contains(a, "=") {
		return false
	}
	return lookupFlag([]cli.Flag{cli.HelpFlag}, flagName(a)) != nil
}

// flagName is the name of flag argument a: "--out=x" → "out".
func flagName(a string) string {
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	name, _, _ = strings.Cut(name, "=")
	return name
}

func lookupFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// valueCount is 1 when flag argument a takes its value from the next
// argument, else 0: a bool flag, or "--name=value".
func valueCount(f cli.Flag, a string) int {
	if strings.Contains(a, "=") {
		return 0
	}
	if _, isBool := f.(*cli.BoolFlag); isBool {
		return 0
	}
	return 1
}
