package main

import (
	"encoding/json"
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/lssr/lssr/internal/finite"
	"github.com/lssr/lssr/report"
	"github.com/urfave/cli/v2"
)

// maxPredictBatchSizes is the most --b values predict takes: a line each;
// more is a mistake (a glob, a runaway script) more often than a question.
const maxPredictBatchSizes = 64

const predictHelp = `Predicts, from a sweep's runs as 'lssr report' reads them, the best learning rate and the
stability edge at each batch size --b, inside the grid's batch sizes or beyond them, each with its
95% bootstrap interval: every bootstrap replicate's refitted rule is evaluated at that b.

The rule is the one that wins on the ridge (for the best η) or on the edge (for the edge) in
the report's comparison. When none wins (the rules are indistinguishable at this noise), LSSR
predicts (with the measured ρ, else with ρ free) and the other rules' predictions follow on
each line, so their spread shows how much the choice matters; the interval is LSSR's alone. A
b outside the batch sizes the rule was fitted to is marked extrapolated.

When the data fit no rule, one line says so and why, and nothing is predicted: too few best η
inside the grid, or no ridge (test accuracy flat in η within seed noise, or a best η whose
bootstrap interval spans two thirds of its column). That is an answer about valid data, so
the exit status is 0; --json has it in "no_fit".

--b takes a positive whole batch size, at most the sweep's subset size n, and repeats (--b 256
--b 1024, or --b 256,1024); the lines come in ascending b, each b once. --json prints one JSON
document (numbers that are not finite are null; a note about jobs outside the grid goes to
stderr). The database is only read.

EXIT STATUS:
   0    predicted, or the data fit no rule (one line says why)
   1    the database could not be read (it is left unchanged)
   2    bad input: no --b, a --b that is not a whole number in 1…n, more than 64 of them, an unknown sweep
   130  interrupted (Ctrl-C)`

func predictCommand() *cli.Command {
	return &cli.Command{
		Name:        "predict",
		Usage:       "predict the best η and the stability edge of a sweep at other batch sizes from its fitted rule",
		ArgsUsage:   "SWEEP --b N [--b N...]",
		Description: predictHelp,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "b", Usage: "a batch size to predict at (repeat, or separate with commas)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document instead of lines"},
			&cli.BoolFlag{Name: "all", Usage: allFlagUsage},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "SWEEP")
			if err != nil {
				return err
			}
			bs, err := predictBatchSizes(c.Command.HelpName, c.StringSlice("b"))
			if err != nil {
				return err
			}
			return runPredict(os.Stdout, predictOptions{db: c.String("db"), sweep: name, bs: bs,
				json: c.Bool("json"), all: c.Bool("all")})
		},
	}
}

// predictOptions are lssr predict's flags and argument.
type predictOptions struct {
	db, sweep string
	bs        []int
	json, all bool
}

// predictBatchSizes reads the --b values: whole numbers ≥ 1, at most
// maxPredictBatchSizes, returned ascending without repeats.
func predictBatchSizes(cmd string, values []string) ([]int, error) {
	switch {
	case len(values) == 0:
		return nil, usagef(cmd, "want at least one --b batch size")
	case len(values) > maxPredictBatchSizes:
		return nil, usagef(cmd, "want at most %d --b batch sizes, got %d", maxPredictBatchSizes, len(values))
	}
	var bs []int
	for _, v := range values {
		b, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || b < 1 {
			return nil, usagef(cmd, "--b %q: want a whole batch size of at least 1", v)
		}
		bs = append(bs, b)
	}
	slices.Sort(bs)
	return slices.Compact(bs), nil
}

func runPredict(w io.Writer, o predictOptions) error {
	l, err := sweepdata.Load(o.db, o.sweep, o.all, "a prediction")
	if err != nil {
		return err
	}
	sum := report.Analyze(l.Meta, l.Runs)
	p, err := sum.Predict(o.bs)
	if err != nil {
		return fmt.Errorf("--b: %w", err)
	}
	if o.json {
		if l.Note != "" {
			fmt.Fprintf(os.Stderr, "lssr: note: %s: %s\n", o.sweep, l.Note)
		}
		b, err := json.MarshalIndent(finite.JSON(p), "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	}
	if l.Note != "" {
		fmt.Fprintf(w, "%s: %s\n", o.sweep, l.Note)
	}
	writePredictions(w, p)
	return nil
}

// writePredictions prints predictions for people: a header of two lines
// per target (the rule and its fit, then the verdict), then a line per b.
func writePredictions(w io.Writer, p report.Predictions) {
	if p.NoFit != "" {
		fmt.Fprintf(w, "%s: no rule fits, so nothing is predicted: %s\n", p.Sweep, p.NoFit)
		return
	}
	level := fmt.Sprintf("%d%%", int(math.Round(100*p.Level)))
	for _, t := range []struct {
		what  string
		basis report.Basis
	}{{"best η", p.BestLR}, {"stability edge", p.Edge}} {
		b := t.basis
		if !b.Predicted() {
			fmt.Fprintf(w, "%s: %s: not predicted: %s\n", p.Sweep, t.what, b.Why)
			continue
		}
		f := b.Fit
		fmt.Fprintf(w, "%s: %s by %s, %s: C = %s %s%s; fitted at b = %d…%d (%d points); %s intervals over %d bootstrap replicates\n",
			p.Sweep, t.what, f.Rule, ruleFormula(f.Rule), pow2(f.C), pow2Interval(f.CInterval), rhoText(f), b.BMin, b.BMax, f.Points, level, b.Replicates)
		if b.Winner {
			fmt.Fprintf(w, "  %s\n", b.Verdict)
		} else {
			fmt.Fprintf(w, "  no rule wins, so %s predicts and the others follow: %s\n", f.Rule, b.Verdict)
		}
	}
	for _, pt := range p.Points {
		line := fmt.Sprintf("b = %d: best η %s", pt.B, estimateText(pt.BestLR))
		if pt.Edge != nil {
			line += "; edge " + estimateText(*pt.Edge)
		}
		fmt.Fprintln(w, line)
	}
}

// estimateText is "2^-3.47 = 0.0902 [2^-4.05, 2^-3.05]", then
// "extrapolated" and the other rules' predictions when there are any.
func estimateText(e report.Estimate) string {
	s := fmt.Sprintf("2^%.2f = %s %s", e.Log2LR, strconv.FormatFloat(e.LR, 'g', 3, 64), log2Interval(e.Log2Interval))
	if e.Extrapolated {
		s += " extrapolated"
	}
	if len(e.Others) > 0 {
		var others []string
		for _, o := range e.Others {
			others = append(others, fmt.Sprintf("%s 2^%.2f", o.Rule, o.Log2LR))
		}
		s += " (" + strings.Join(others, ", ") + ")"
	}
	return s
}

// ruleFormula is the rule's equation.
func ruleFormula(rule string) string {
	switch rule {
	case report.RuleLSSR, report.RuleLSSRFree:
		return "ρ_b/η = C"
	case report.RuleLSR:
		return "b/η = C"
	case report.RuleSRSR:
		return "√b/η = C"
	}
	return rule
}

// rhoText is the ρ of an LSSR fit: measured, or fitted with its interval.
func rhoText(f report.RuleFit) string {
	switch f.Rule {
	case report.RuleLSSR:
		return fmt.Sprintf(", ρ = %s (measured)", pow2(f.Rho))
	case report.RuleLSSRFree:
		return fmt.Sprintf(", ρ = %s %s (fitted)", pow2(f.Rho), pow2Interval(f.RhoInterval))
	}
	return ""
}

// pow2 writes a positive x as 2^log2 x.
func pow2(x float64) string { return fmt.Sprintf("2^%.2f", math.Log2(x)) }

// pow2Interval writes an interval of positive values as [2^lo, 2^hi].
func pow2Interval(iv report.Interval) string {
	return log2Interval(report.Interval{Lo: math.Log2(iv.Lo), Hi: math.Log2(iv.Hi)})
}

// log2Interval writes an interval in log2 as [2^lo, 2^hi], or says there
// is none (no replicate gave a value).
func log2Interval(iv report.Interval) string {
	if math.IsNaN(iv.Lo) || math.IsNaN(iv.Hi) {
		return "[no interval]"
	}
	return fmt.Sprintf("[2^%.2f, 2^%.2f]", iv.Lo, iv.Hi)
}
