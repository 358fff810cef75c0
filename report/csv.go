package report

import (
	"cmp"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
)

// csvHeader is the first row of results.csv.
var csvHeader = []string{"sweep", "job_id", "b", "lr", "seed", "state", "attempts",
	"test_acc", "train_loss", "train_acc", "rho", "epochs", "steps", "seconds"}

// writeCSV writes one row per run, ordered by b, η, seed and job ID, with
// floats at full precision. Accuracies are written as the runs hold them.
func writeCSV(w io.Writer, sweep string, runs []Run) error {
	sorted := slices.Clone(runs)
	slices.SortStableFunc(sorted, func(a, b Run) int {
		return cmp.Or(cmp.Compare(a.B, b.B), cmp.Compare(a.LR, b.LR),
			cmp.Compare(a.Seed, b.Seed), cmp.Compare(a.JobID, b.JobID))
	})
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range sorted {
		row := []string{sweep, r.JobID, strconv.Itoa(r.B), g(r.LR),
			strconv.FormatUint(r.Seed, 10), string(r.State), strconv.Itoa(r.Attempts),
			g(r.TestAcc), g(r.TrainLoss), g(r.TrainAcc), g(r.Rho),
			strconv.Itoa(r.Epochs), strconv.FormatInt(r.Steps, 10), g(r.Seconds)}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
