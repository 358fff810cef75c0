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
train-loss.png, results.csv, summary.md and fit.json (every number: seed statistics per cell,
three ridge estimators with intervals, the edge, each rule's fit with its interval and AIC, and
the verdict), plus rho_b.png and the curvature figures when the sweep measured them.

A best η (or stability edge) at its column's top or bottom η is censored: it says only "at
least here" (or "at most here"), so it is drawn hollow and not fitted. With too few points
inside the grid no rule is fitted, and the report says which way to extend learning_rates.

With several sweeps, each one's report goes to --out/NAME and panels.png draws their heatmaps
side by side on one colour scale (default --out: report-NAME1-NAME2-...).

--out is created when missing. A folder that holds a report lssr wrote (it has the file
.lssr-report, or heatmap.png, fit.json and summary.md) is rewritten; a folder that holds other
files needs --force, as the report replaces files of its names and removes stale figures; a
path that is not a folder is bad input.`

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:        "report",
		Usage:       "write the heatmap PNG, fits and summary of one sweep, or several side by side",
		ArgsUsage:   "NAME [NAME...]",
		Description: reportHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "", Usage: "output folder (default: report-NAME)"},
			&cli.StringFlag{Name: "colour", Aliases: []string{"color"}, Value: report.ColourMean, Usage: "heatmap cells: mean (test accuracy over seeds) or se (its standard error)"},
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
			out := c.String("out")
			if out == "" {
				out = "report-" + strings.Join(names, "-")
			}
			if err := checkReportDir(out, c.Bool("force")); err != nil {
				return err
			}
			opts := report.Options{Colour: colour}
			// Read every sweep first: a bad name writes nothing.
			var loaded []sweepdata.Loaded
			for _, name := range names {
				l, err := sweepdata.Load(c.String("db"), name, c.Bool("all"), "a report")
				if err != nil {
					return err
				}
				if l.Note != "" {
					fmt.Printf("%s: %s\n", name, l.Note)
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
				panels = append(panels, report.Panel{Summary: sum, Runs: l.Runs})
			}
			path := filepath.Join(out, report.PanelsFile)
			if err := report.WritePanels(path, panels); err != nil {
				return err
			}
			fmt.Printf("wrote %s: %d sweeps on one colour scale\n", path, len(panels))
			return nil
		},
	}
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
