// Command lssr runs batch-size × learning-rate sweeps of neural networks on
// CPUs and reports whether the best learning rate follows the Linear and
// Saturation Scaling Rule (Lee & Jang, ICLR 2023). See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/text"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/trainer/kernels"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailure     = 1   // something went wrong while running
	exitBadInput    = 2   // the user's spec, flags or files are at fault
	exitInterrupted = 130 // Ctrl-C or SIGTERM; resume with `lssr sweep resume`
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args)
	stop()
	os.Exit(exitCode(err))
}

// run runs the command line args (args[0] is the program).
func run(ctx context.Context, args []string) error {
	// A kernel path LSSR_KERNELS asks for but cannot have would make every
	// number come from another path than the one named: refuse at once.
	if err := kernels.EnvError(); err != nil {
		return lssr.BadInput("%v", err)
	}
	app := newApp()
	app.Metadata = map[string]any{completingKey: completingWord(args)}
	args, err := interspersed(app, args)
	if err != nil {
		return err
	}
	return app.RunContext(ctx, args)
}

// exitCode prints err as one line and maps it to the exit status; this is
// the only place that decides exit statuses.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "lssr: interrupted")
		return exitInterrupted
	}
	fmt.Fprintln(os.Stderr, "lssr: "+text.OneLine(err.Error()))
	switch {
	case errors.Is(err, lssr.ErrBadInput), errors.Is(err, store.ErrSweepNotFound),
		errors.Is(err, store.ErrNoDatabase):
		return exitBadInput
	}
	return exitFailure
}
