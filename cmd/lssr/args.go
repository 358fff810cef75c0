package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed moves a command's flags ahead of its positional arguments, so
// that `lssr report NAME --out DIR` works as users type it: urfave/cli v2
// stops parsing flags at the first positional argument. Global flags before
// the command and everything after "--" stay where they are.
func interspersed(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	i := 1
	cmds := app.Commands
	var cmd *cli.Command
	for i < len(args) {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			i += 1 + flagValueCount(app.Flags, a)
			continue
		}
		next := findCommand(cmds, a)
		if next == nil {
			break
		}
		cmd, cmds = next, next.Subcommands
		i++
		if len(cmds) == 0 {
			break
		}
	}
	if cmd == nil || i >= len(args) {
		return args
	}
	var flags, positional []string
	rest := args[i:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			positional = append(positional, rest[j:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		n := flagValueCount(cmd.Flags, a)
		flags = append(flags, rest[j:min(j+1+n, len(rest))]...)
		j += n
	}
	out := append([]string{}, args[:i]...)
	out = append(out, flags...)
	return append(out, positional...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// flagValueCount is 1 when arg is a flag that takes its value from the next
// argument, else 0.
func flagValueCount(flags []cli.Flag, arg string) int {
	name := strings.TrimLeft(arg, "-")
	if strings.Contains(name, "=") {
		return 0
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*cli.BoolFlag); isBool {
				return 0
			}
			return 1
		}
	}
	return 0
}
