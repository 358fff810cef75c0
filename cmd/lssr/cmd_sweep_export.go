package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"
	"os"
	"strconv"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

const sweepExportHelp = `Without --series: one row per job, in the sweep's order, with the columns
  sweep,job_id,b,lr,seed,state,attempts,test_acc,train_loss,train_acc,rho,rho_b,epochs,steps,
  seconds,failures,interruptions
(--format json adds provenance, the reason a run stopped early, and a guided search's decision).

With --series: one row per job and epoch (the long format), jobs in the sweep's order, epochs
ascending, with the columns
  job_id,b,lr,seed,epoch,step,train_loss,train_acc,test_loss,test_acc,rho,rho_b,ias
train_loss and train_acc are the epoch's mean minibatch loss and accuracy. test_loss and
test_acc are set on the epochs the test set was evaluated (training.eval_every, and then the last
epoch too); rho and rho_b on the epochs ρ was measured (training.measure_every, and the last);
ias on those that measured curvature (training.curvature_every): the IAS at the job's own batch
size b, tr(HS_b)/tr(S_b) (Curvature.IASB), not the full-batch ∇LᵀH∇L/‖∇L‖². What was not
measured at an epoch is an empty CSV field and a JSON null: every JSON row has every key. An
epoch with a measurement and no series entry has a row too. Floats are written so they parse
back to the same float64. The JSON is one array with a row object a line. Jobs without a result
(pending, failed) give no rows. Rows are read and written a few jobs at a time, so a large sweep
exports in little memory. The database is only read.

EXIT STATUS:
   0    exported
   1    the database could not be read, or the output not written (--out is left as it was)
   2    bad input: an unknown --format, an --out that exists without --force or is a folder,
        an unknown sweep; nothing is written
   130  interrupted (Ctrl-C)`

func sweepExportCommand() *cli.Command {
	return &cli.Command{
		Name:        "export",
		Usage:       "one row per job: sweep, job ID, b, η, seed, state, attempts, metrics, timing, failures, interruptions; --series: one per job and epoch",
		ArgsUsage:   "NAME",
		Description: sweepExportHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or json"},
			&cli.BoolFlag{Name: "series", Usage: "one row per job and epoch: train, test, ρ, ρ_b and IAS series (see the description)"},
			&cli.StringFlag{Name: "out", Usage: "write to this file (atomically) instead of standard output"},
			&cli.BoolFlag{Name: "force", Usage: "replace --out if it exists"},
			&cli.BoolFlag{Name: "all", Usage: allFlagUsage},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			return runSweepExport(c.String("db"), name, c.String("format"), c.String("out"), c.Bool("force"), c.Bool("all"), c.Bool("series"))
		},
	}
}

// exportRow is one job in an export; the JSON names are the CSV header.
type exportRow struct {
	Sweep     string        `json:"sweep"`
	JobID     string        `json:"job_id"`
	B         int           `json:"b"`
	LR        float64       `json:"lr"`
	Seed      uint64        `json:"seed"`
	State     lssr.JobState `json:"state"`
	Attempts  int           `json:"attempts"`
	TestAcc   float64       `json:"test_acc"`
	TrainLoss float64       `json:"train_loss"`
	TrainAcc  float64       `json:"train_acc"`
	Rho       float64       `json:"rho"`
	RhoB      float64       `json:"rho_b"`
	Epochs    int           `json:"epochs"`
	Steps     int64         `json:"steps"`
	Seconds   float64       `json:"seconds"`
	// Failures and Interruptions split the ended attempts (see
	// store.JobRecord); they come last, so older readers of the CSV keep
	// their column positions.
	Failures      int `json:"failures"`
	Interruptions int `json:"interruptions"`
	// Provenance says what computed the numbers (JSON only: a CSV row
	// keeps to numbers and names); nil for jobs without a result or
	// finished before it was kept.
	Provenance *lssr.Provenance `json:"provenance,omitempty"`
	// Stopped is why the stall rule stopped the job (JSON only, like
	// Provenance); empty for every other job.
	Stopped string `json:"stopped,omitempty"`
	// Decision is why a guided search ran or skipped the job (JSON only,
	// and only in a guided sweep).
	Decision string `json:"decision,omitempty"`
}

var exportHeader = []string{"sweep", "job_id", "b", "lr", "seed", "state", "attempts", "test_acc",
	"train_loss", "train_acc", "rho", "rho_b", "epochs", "steps", "seconds", "failures", "interruptions"}

func runSweepExport(dbPath, name, format, out string, force, all, series bool) error {
	if format != "csv" && format != "json" {
		what := "csv or json"
		if series {
			what = "csv or json with --series"
		}
		return lssr.BadInput("--format: want %s, got %q", what, format)
	}
	if out != "" {
		if err := checkOutFile("--out", out, force); err != nil {
			return err
		}
	}
	sel, err := sweepdata.ReadSelection(dbPath, name, all)
	if err != nil {
		return err
	}
	notes := []string{sel.OutsideNote(), sel.Mixed()}
	if series {
		notes = append(notes, seriesSelectionNote(sel))
	}
	for _, note := range notes {
		if note != "" {
			fmt.Fprintln(os.Stderr, "lssr: note: "+note)
		}
	}
	if series {
		return writeSeriesExport(dbPath, sel, format, out)
	}
	rows := make([]exportRow, 0, len(sel.Jobs))
	for _, j := range sel.Jobs {
		rows = append(rows, toExportRow(name, j))
	}
	var buf bytes.Buffer
	if format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else if err := writeExportCSV(&buf, rows); err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(buf.Bytes())
		return err
	}
	return atomicfile.WriteFile(out, buf.Bytes(), 0o644)
}

func toExportRow(sweep string, j store.JobRecord) exportRow {
	r := exportRow{Sweep: sweep, JobID: j.Job.ID, B: j.Job.BatchSize, LR: j.Job.LR, Seed: j.Job.Seed,
		State: j.State, Attempts: j.Attempts, Failures: j.Failures, Interruptions: j.Interruptions, Decision: j.Decision}
	if res := j.Result; res != nil {
		r.Provenance, r.Stopped = res.Provenance, res.Stopped
		r.TestAcc, r.TrainLoss, r.TrainAcc = res.TestAcc, res.TrainLoss, res.TrainAcc
		r.Rho, r.RhoB, r.Epochs, r.Steps, r.Seconds = res.Rho, res.RhoB, res.Epochs, res.Steps, res.Seconds
	}
	return r
}

func writeExportCSV(buf *bytes.Buffer, rows []exportRow) error {
	w := csv.NewWriter(buf)
	w.Write(exportHeader)
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	for _, r := range rows {
		w.Write([]string{r.Sweep, r.JobID, strconv.Itoa(r.B), f(r.LR), strconv.FormatUint(r.Seed, 10), string(r.State),
			strconv.Itoa(r.Attempts), f(r.TestAcc), f(r.TrainLoss), f(r.TrainAcc), f(r.Rho), f(r.RhoB),
			strconv.Itoa(r.Epochs), strconv.FormatInt(r.Steps, 10), f(r.Seconds),
			strconv.Itoa(r.Failures), strconv.Itoa(r.Interruptions)})
	}
	w.Flush()
	return w.Error()
}
