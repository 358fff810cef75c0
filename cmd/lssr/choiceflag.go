package main

import (
	"slices"

	"github.com/lssr/lssr"
	"github.com/urfave/cli/v2"
)

// choiceFlag is a string flag that takes one of a fixed list of words (a
// model kind, a loss, …). Completion offers the words where it would
// otherwise leave the shell to complete a file name.
type choiceFlag struct {
	*cli.StringFlag
	choices []string
}

// newChoiceFlag returns flag name, whose value is one of choices and value
// when not given. Its help is the choices as a sentence ("relu or tanh"),
// between prefix and suffix.
func newChoiceFlag[T ~string](name string, value T, choices []T, prefix, suffix string) *choiceFlag {
	return &choiceFlag{
		StringFlag: &cli.StringFlag{Name: name, Value: string(value), Usage: prefix + lssr.OneOf(choices) + suffix},
		choices:    lssr.Strings(choices),
	}
}

// choice returns flag name's value as T when it is one of choices, else a
// bad-input error that names them.
func choice[T ~string](c *cli.Context, name string, choices []T) (T, error) {
	v := T(c.String(name))
	if !slices.Contains(choices, v) {
		return v, lssr.BadInput("--%s: want %s, got %q", name, lssr.OneOf(choices), string(v))
	}
	return v, nil
}
