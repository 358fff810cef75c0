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

func sweepExportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "one row per job: sweep, job ID, b, η, seed, state, attempts, metrics, timing, failures, interruptions",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "csv", Usage: "csv or json"},
			&cli.StringFlag{Name: "out", Usage: "write to this file (atomically) instead of standard output"},
			&cli.BoolFlag{Name: "force", Usage: "replace --out if it exists"},
			&cli.BoolFlag{Name: "all", Usage: allFlagUsage},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "NAME")
			if err != nil {
				return err
			}
			return runSweepExport(c.String("db"), name, c.String("format"), c.String("out"), c.Bool("force"), c.Bool("all"))
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

func runSweepExport(dbPath, name, format, out string, force, all bool) error {
	if format != "csv" && format != "json" {
		return lssr.BadInput("--format: want csv or json, got %q", format)
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
	for _, note := range []string{sel.OutsideNote(), sel.Mixed()} {
		if note != "" {
			fmt.Fprintln(os.Stderr, "lssr: note: "+note)
		}
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
