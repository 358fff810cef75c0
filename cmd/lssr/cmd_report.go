package main

import (
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"path/filepath"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
	"github.com/urfave/cli/v2"
)

const reportHelp = `Writes, for one sweep, into --out (default report-NAME): heatmap.png (test accuracy over b × η
with the ridge and its bootstrap intervals, the stability edge and the LSSR, LSR and SRSR fits),
train-loss.png, curves.png, results.csv, summary.md and fit.json (every number: seed statistics
per cell, three ridge estimators with intervals, the edge, each rule's fit with its interval and
AIC, and the verdict), plus rho_b.png and the curvature figures when the sweep measured them.
curves.png draws, for the best η of each b, the training loss and the test accuracy against the
epoch (mean over the cell's seeds); the accuracy is a curve when the sweep set
training.eval_every, else the final value at the last epoch.

A best η (or stability edge) at its column's top or bottom η is censored: it says only "at
least here" (or "at most here"), so it is drawn hollow and not fitted. With too few points
inside the grid no rule is fitted, and the report says which way to extend learning_rates.

With several sweeps, each one's report goes to --out/NAME and panels.png draws their heatmaps
side by side on one colour scale, with one legend (default --out: report-NAME1-NAME2-...).

The heatmap's colour scale spans its cells' values unless --range LO,HI fixes it (in the
colour's units: percent for accuracy; --range=-1,5 for a negative LO) or --clip narrows it to the
band where the ridge lies: from the lowest column best m minus max(top - m, (top - bottom)/10) up
to the best cell, so the columns' bests and their neighbours are told apart and failed cells
fall at the dark end (with --colour se: up to the 90th percentile of the standard errors).
Cells beyond the scale get the end colour, and the colour bar a capped end labelled "<= LO" or
">= HI". Both set panels.png's scale too when --colour is mean, and leave train-loss.png alone.
--values prints each coloured cell's value in black or white, whichever reads better on it; the
legend gives the seed count when all cells share it, else each value is followed by n=K.
train-loss.png is coloured on a log scale with its colour bar labelled in loss values.

An argument PATH:NAME reads sweep NAME from the database file PATH instead of --db (split at the
last ':'; sweep names hold no ':'), so sweeps of several databases go in one report. Each
database is opened read-only, also while a sweep writes to it. When one NAME comes from two
databases, each is labelled with its file's name less the extension: "lssr report a.db:q
b.db:q" writes report-a-q-b-q/a-q and .../b-q, and the panels are titled a-q and b-q. A missing
file, a sweep not in its file, or two files of one name (x/a.db:q y/a.db:q) is bad input.

--out is created when missing. A folder that holds a report lssr wrote (it has the file
.lssr-report, or heatmap.png, fit.json and summary.md) is rewritten; a folder that holds other
files needs --force, as the report replaces files of its names and removes stale figures; a
path that is not a folder is bad input. A --range that is not two finite numbers with LO < HI, or
--range with --clip, is bad input too: nothing is written.`

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:        "report",
		Usage:       "write the heatmap PNG, fits and summary of one sweep, or several side by side",
		ArgsUsage:   "NAME [NAME...]",
		Description: reportHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "", Usage: "output folder (default: report-NAME)"},
			&cli.StringFlag{Name: "colour", Aliases: []string{"color"}, Value: report.ColourMean, Usage: "heatmap cells: mean (test accuracy over seeds) or se (its standard error)"},
			&cli.StringFlag{Name: "range", Usage: "colour scale LO,HI of heatmap.png (and panels.png with --colour mean) in the colour's units, percent for accuracy; cells beyond it get the end colours and the colour bar a capped end"},
			&cli.BoolFlag{Name: "clip", Usage: "give the colours to the band where the ridge lies: from the lowest column best minus as much again (at least a tenth of the range) to the best; se: up to its 90th percentile"},
			&cli.BoolFlag{Name: "values", Usage: "print in each coloured cell its value (followed by n=K, its done seeds, when the cells' counts differ) where the cell has room"},
			&cli.BoolFlag{Name: "force", Usage: "write into an --out folder that holds files lssr did not write"},
			&cli.BoolFlag{Name: "all", Usage: allFlagUsage},
		},
		Action: func(c *cli.Context) error {
			names := c.Args().Slice()
			if len(names) == 0 {
				return usagef(c.Command.HelpName, "want one or more sweep NAME arguments, got none")
			}
			colour := c.String("colour")
			if colour != report.ColourMean && colour != report.ColourSE {
				return lssr.BadInput("--colour: want mean or se, got %q", colour)
			}
			opts, err := reportOptions(c, colour)
			if err != nil {
				return err
			}
			srcs, err := parseReportSources(names, c.String("db"))
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				var labels []string
				for _, s := range srcs {
					labels = append(labels, s.label)
				}
				out = "report-" + strings.Join(labels, "-")
			}
			if err := checkReportDir(out, c.Bool("force")); err != nil {
				return err
			}
			// Read every sweep first: a bad name writes nothing.
			var loaded []sweepdata.Loaded
			for _, src := range srcs {
				l, err := src.load(c.Bool("all"))
				if err != nil {
					return err
				}
				if l.Note != "" {
					fmt.Printf("%s: %s\n", l.Name, l.Note)
				}
				loaded = append(loaded, l)
			}
			if err := markReportDir(out); err != nil {
				return err
			}
			if len(loaded) == 1 {
				_, err := writeReport(loaded[0], out, opts)
				return err
			}
			var panels []report.Panel
			for _, l := range loaded {
				sum, err := writeReport(l, filepath.Join(out, l.Name), opts)
				if err != nil {
					return err
				}
				panel := report.Panel{Summary: sum, Runs: l.Runs}
				if l.Name != l.Meta.Sweep {
					panel.Label = l.Name
				}
				panels = append(panels, panel)
			}
			path := filepath.Join(out, report.PanelsFile)
			if err := report.WritePanelsWith(path, panels, report.HeatmapOptions{Colour: colour, Range: opts.Range, Clip: opts.Clip, Values: opts.Values}); err != nil {
				return err
			}
			fmt.Printf("wrote %s: %d sweeps on one colour scale\n", path, len(panels))
			return nil
		},
	}
}

// reportOptions reads the drawing flags: --range (LO,HI), --clip and
// --values. A bad --range, or --range with --clip, is bad input.
func reportOptions(c *cli.Context, colour string) (report.Options, error) {
	opts := report.Options{Colour: colour, Clip: c.Bool("clip"), Values: c.Bool("values")}
	if c.IsSet("range") {
		r, err := report.ParseColourRange(c.String("range"))
		if err != nil {
			return opts, lssr.BadInput("--range: %v", err)
		}
		if opts.Clip {
			return opts, lssr.BadInput("--range and --clip: give one of them")
		}
		opts.Range = r
	}
	return opts, nil
}

// writeReport writes one sweep's report into out and returns its summary.
func writeReport(l sweepdata.Loaded, out string, opts report.Options) (*report.Summary, error) {
	name := l.Name
	sum, err := report.WriteWith(out, l.Meta, l.Runs, opts)
	if err != nil {
		return nil, err
	}
	fmt.Printf("wrote %s, %s, %s, %s\n", sum.HeatmapPath, sum.TrainLossPath, sum.CSVPath, sum.SummaryPath)
	if sum.RhoB != nil {
		fmt.Printf("wrote %s\n", sum.RhoB.Path)
	}
	if sum.Curvature != nil {
		fmt.Printf("wrote %d curvature figure(s) of %d job(s) with curvature\n", len(sum.Curvature.Drawn), sum.Curvature.Jobs)
	}
	if sum.LossChange != nil {
		fmt.Printf("wrote %s\n", sum.LossChange.Path)
	}
	if sum.Curves != nil {
		fmt.Printf("wrote %s\n", sum.Curves.Path)
	}
	fmt.Printf("wrote %s\n", sum.FitJSONPath)
	// Without a winner the verdict says why: the rules cannot be told apart,
	// or too few ridge points lie inside the grid to fit any.
	switch {
	case sum.Best != "":
		if f, ok := sum.FitFor(sum.Best); ok {
			fmt.Printf("%s: ridge follows %s beyond seed noise (RMSE %.2f octaves of η over %d ridge points)\n", name, sum.Best, f.RMSE, f.Points)
		}
	case sum.RidgeFits.Verdict != "":
		fmt.Printf("%s: ridge: %s\n", name, sum.RidgeFits.Verdict)
	}
	if v := sum.EdgeFits.Verdict; v != "" {
		fmt.Printf("%s: stability edge: %s\n", name, v)
	}
	return sum, nil
}
