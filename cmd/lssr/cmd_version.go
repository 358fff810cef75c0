package main

import (
	"fmt"

	"github.com/lssr/lssr/internal/buildinfo"
	"github.com/urfave/cli/v2"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version, commit, Go version, kernel path (avx512, avx2 or purego), CPU and OS/arch (as --version)",
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			return printVersion(c)
		},
	}
}

// printVersion prints what 'lssr version' and 'lssr --version' show.
func printVersion(c *cli.Context) error {
	_, err := fmt.Fprintln(c.App.Writer, buildinfo.Get())
	return err
}
