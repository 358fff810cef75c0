package sweepdata

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// Loaded is what a report is made from: a sweep's runs and meta, and a note
// for the user when stored jobs outside the grid were left out.
type Loaded struct {
	Name string
	Meta report.Meta
	Runs []report.Run
	Note string
}

// Load reads a sweep's runs (those of its current grid, or all) and spec
// from the database. A sweep whose runs mix configurations is refused, with
// what the caller would have made of them ("a report") in the message. The
// caller prints the note where its output has room for it.
func Load(dbPath, name string, all bool, what string) (Loaded, error) {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return Loaded{}, err
	}
	defer db.Close()
	var l Loaded
	err = db.View(func(tx *store.Tx) error {
		sel, err := Select(tx, name, all)
		if err != nil {
			return err
		}
		if err := sel.RefuseMixed(what); err != nil {
			return err
		}
		l, err = LoadSelection(tx, sel)
		return err
	})
	return l, err
}

// LoadSelection reads the series of sel's jobs in tx and makes the report's
// runs and meta of them.
func LoadSelection(tx *store.Tx, sel Selection) (Loaded, error) {
	name := sel.Rec.Name
	runs := make([]report.Run, 0, len(sel.Jobs))
	for _, j := range sel.Jobs {
		series, err := tx.Series(name, j.Job.ID)
		if err != nil {
			return Loaded{}, err
		}
		runs = append(runs, Run(j, series))
	}
	meta := Meta(sel.Spec)
	meta.Search = sel.Rec.Search
	return Loaded{Name: name, Meta: meta, Runs: runs, Note: sel.OutsideNote()}, nil
}

// Run turns a stored job into a report row. The ρ series holds the
// measurements taken during training, not the final one: once the training
// set is fit, ‖∇L‖² and ρ collapse, and the rule is about ρ while SGD
// trains. Measurements holds the whole stored series, of unfinished
// jobs too, for the ρ_b, curvature and loss-change figures, which choose
// their own.
func Run(j store.JobRecord, series store.Series) report.Run {
	r := report.Run{JobID: j.Job.ID, B: j.Job.BatchSize, LR: j.Job.LR, Seed: j.Job.Seed,
		State: j.State, Attempts: j.Attempts, Measurements: series.Measurements, Series: series.Epochs}
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

// Meta is the report's description of a spec's experiment.
func Meta(spec *sweeps.Spec) report.Meta {
	dim, classes := spec.Dataset.Dim, spec.Dataset.Classes
	switch spec.Dataset.Name {
	case lssr.DatasetMNIST, lssr.DatasetFashionMNIST:
		dim, classes = 28*28, 10
	case lssr.DatasetCIFAR10:
		dim, classes = 3*32*32, 10
	}
	return report.Meta{
		Sweep: spec.Name, Dataset: spec.Dataset.Name, N: spec.Dataset.N,
		Model: ModelLabel(spec.Model, dim, classes),
		Loss:  spec.Loss, Epochs: spec.Training.Epochs, Sampling: spec.Training.Sampling,
		Classes: classes,
	}
}

// ModelLabel describes a model in a figure title: "MLP 784-128-10 relu",
// "CNN [16 32] k3 max, dense 128-10 relu, BN".
func ModelLabel(m lssr.ModelSpec, dim, classes int) string {
	var widths []string
	for _, h := range m.Hidden {
		widths = append(widths, strconv.Itoa(h))
	}
	widths = append(widths, strconv.Itoa(classes))
	var label string
	if m.Kind == lssr.ModelCNN {
		k, pool := m.Kernel, m.Pool
		if k == 0 {
			k = 3
		}
		if pool == "" {
			pool = lssr.PoolMax
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
