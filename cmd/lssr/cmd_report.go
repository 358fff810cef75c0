package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
	"github.com/urfave/cli/v2"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "write the heatmap PNG, results.csv and summary.md of a sweep",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Value: "", Usage: "output folder (default: report-NAME)"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			out := c.String("out")
			if out == "" {
				out = "report-" + name
			}
			return runReport(c.String("db"), name, out)
		},
	}
}

func runReport(dbPath, name, out string) error {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.SweepRecord
	var runs []report.Run
	err = db.View(func(tx *store.Tx) error {
		if rec, err = tx.Sweep(name); err != nil {
			return err
		}
		jobs, err := tx.Jobs(name)
		if err != nil {
			return err
		}
		for _, j := range jobs {
			series, err := tx.Series(name, j.Job.ID)
			if err != nil {
				return err
			}
			runs = append(runs, reportRun(j, series))
		}
		return nil
	})
	if err != nil {
		return err
	}
	spec, err := storedSpec(rec)
	if err != nil {
		return fmt.Errorf("stored spec of %s: %w", name, err)
	}
	sum, err := report.Write(out, reportMeta(spec), runs)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s, %s, %s\n", sum.HeatmapPath, sum.CSVPath, sum.SummaryPath)
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
	if sum.Best != "" {
		if f, ok := sum.FitFor(sum.Best); ok {
			fmt.Printf("best-fitting rule: %s (RMSE %.2f octaves of η over %d ridge points)\n", sum.Best, f.RMSE, f.Points)
		}
	} else if len(sum.Fits) > 0 {
		fmt.Printf("ridge: %s\n", sum.RidgeFits.Verdict)
	}
	return nil
}

// reportRun turns a stored job into a report row. The ρ series holds the
// measurements taken during training, not the final one: once the training
// set is fit, ‖∇L‖² and ρ collapse (DESIGN.md), and the rule is about ρ
// while SGD trains. Measurements holds the whole stored series, of unfinished
// jobs too, for the ρ_b, curvature and loss-change figures, which choose
// their own.
func reportRun(j store.JobRecord, series store.Series) report.Run {
	r := report.Run{JobID: j.Job.ID, B: j.Job.BatchSize, LR: j.Job.LR, Seed: j.Job.Seed,
		State: string(j.State), Attempts: j.Attempts, Measurements: series.Measurements}
	if res := j.Result; res != nil {
		r.TestAcc, r.TrainLoss, r.TrainAcc, r.Rho = res.TestAcc, res.TrainLoss, res.TrainAcc, res.Rho
		r.InitialTrainLoss = res.InitialTrainLoss
		r.Epochs, r.Steps, r.Seconds = res.Epochs, res.Steps, res.Seconds
		for _, m := range series.Measurements {
			if m.Epoch < res.Epochs {
				r.RhoSeries = append(r.RhoSeries, m.Rho)
			}
		}
	}
	return r
}

func reportMeta(spec *sweeps.Spec) report.Meta {
	dim, classes := spec.Dataset.Dim, spec.Dataset.Classes
	switch spec.Dataset.Name {
	case lssr.DatasetMNIST, lssr.DatasetFashionMNIST:
		dim, classes = 28*28, 10
	case lssr.DatasetCIFAR10:
		dim, classes = 3*32*32, 10
	}
	return report.Meta{
		Sweep: spec.Name, Dataset: spec.Dataset.Name, N: spec.Dataset.N,
		Model: modelLabel(spec.Model, dim, classes),
		Loss:  spec.Loss, Epochs: spec.Training.Epochs, Sampling: spec.Training.Sampling,
		Classes: classes,
	}
}

// modelLabel describes a model in a figure title: "MLP 784-128-10 relu",
// "CNN [16 32] k3 max, dense 128-10 relu, BN".
func modelLabel(m lssr.ModelSpec, dim, classes int) string {
	var widths []string
	for _, h := range m.Hidden {
		widths = append(widths, strconv.Itoa(h))
	}
	widths = append(widths, strconv.Itoa(classes))
	var label string
	if m.Kind == "cnn" {
		k, pool := m.Kernel, m.Pool
		if k == 0 {
			k = 3
		}
		if pool == "" {
			pool = "max"
		}
		label = fmt.Sprintf("CNN %v k%d %s, dense %s %s", m.Channels, k, pool, strings.Join(widths, "-"), m.Activation)
	} else {
		label = fmt.Sprintf("MLP %d-%s %s", dim, strings.Join(widths, "-"), m.Activation)
	}
	if m.BatchNorm {
		label += ", BN"
	}
	return label
}
