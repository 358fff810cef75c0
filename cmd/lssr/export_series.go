package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"

	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/store"
)

// seriesRow is one (job, epoch) of `sweep export --series`; the JSON names
// are the CSV header. A nil field was not measured at that epoch: an empty
// CSV field, a JSON null.
type seriesRow struct {
	JobID     string   `json:"job_id"`
	B         int      `json:"b"`
	LR        float64  `json:"lr"`
	Seed      uint64   `json:"seed"`
	Epoch     int      `json:"epoch"`
	Step      *int64   `json:"step"`
	TrainLoss *float64 `json:"train_loss"` // the epoch's mean minibatch loss
	TrainAcc  *float64 `json:"train_acc"`
	TestLoss  *float64 `json:"test_loss"` // training.eval_every
	TestAcc   *float64 `json:"test_acc"`
	Rho       *float64 `json:"rho"` // measure_every
	RhoB      *float64 `json:"rho_b"`
	IAS       *float64 `json:"ias"` // curvature_every: Curvature.IASB, tr(HS_b)/tr(S_b) at the job's b
}

var seriesHeader = []string{"job_id", "b", "lr", "seed", "epoch", "step", "train_loss", "train_acc",
	"test_loss", "test_acc", "rho", "rho_b", "ias"}

// seriesChunk is how many jobs' series one read transaction fetches: the
// export holds no more than that in memory, and holds no read open on the
// database while it writes.
const seriesChunk = 64

// writeSeriesExport streams the per-epoch rows of the selected jobs, in the
// sweep's order, to out (atomically) or standard output. Nothing is written
// to a file when a read fails; standard output may have the rows before it.
func writeSeriesExport(dbPath string, sel sweepdata.Selection, format, out string) error {
	write := func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		rows := newSeriesWriter(bw, format)
		if err := eachSeries(dbPath, sel, func(j store.JobRecord, s store.Series) error {
			for _, r := range seriesRows(j, s) {
				if err := rows.write(r); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := rows.close(); err != nil {
			return err
		}
		return bw.Flush()
	}
	if out == "" {
		return write(os.Stdout)
	}
	return atomicfile.Write(out, 0o644, write)
}

// eachSeries calls fn with each selected job and its stored series, in
// order, reading seriesChunk jobs a transaction.
func eachSeries(dbPath string, sel sweepdata.Selection, fn func(store.JobRecord, store.Series) error) error {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	for jobs := range slices.Chunk(sel.Jobs, seriesChunk) {
		series := make([]store.Series, len(jobs))
		err := db.View(func(tx *store.Tx) error {
			for i, j := range jobs {
				var err error
				if series[i], err = tx.Series(sel.Rec.Name, j.Job.ID); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i, j := range jobs {
			if err := fn(j, series[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// seriesRows merges a job's epoch series and measurements into one row per
// epoch that either has, epochs ascending. Measurements are one an epoch;
// should two share one, the later counts.
func seriesRows(j store.JobRecord, s store.Series) []seriesRow {
	byEpoch := map[int]*seriesRow{}
	row := func(epoch int) *seriesRow {
		r := byEpoch[epoch]
		if r == nil {
			r = &seriesRow{JobID: j.Job.ID, B: j.Job.BatchSize, LR: j.Job.LR, Seed: j.Job.Seed, Epoch: epoch}
			byEpoch[epoch] = r
		}
		return r
	}
	for _, e := range s.Epochs {
		r := row(e.Epoch)
		if e.Step > 0 { // 0: a series stored before steps were kept
			r.Step = ptr(e.Step)
		}
		r.TrainLoss, r.TrainAcc = ptr(e.TrainLoss), ptr(e.TrainAcc)
		if e.Evaluated {
			r.TestLoss, r.TestAcc = ptr(e.TestLoss), ptr(e.TestAcc)
		}
	}
	for _, m := range s.Measurements {
		r := row(m.Epoch)
		if r.Step == nil {
			r.Step = ptr(m.Step)
		}
		r.Rho, r.RhoB = ptr(m.Rho), ptr(m.RhoB)
		r.IAS = nil
		if m.Curvature != nil {
			r.IAS = ptr(m.Curvature.IASB)
		}
	}
	rows := make([]seriesRow, 0, len(byEpoch))
	for _, r := range byEpoch {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(a, b seriesRow) int { return a.Epoch - b.Epoch })
	return rows
}

func ptr[T any](v T) *T { return &v }

// seriesWriter writes rows in one format: CSV with a header, or a JSON
// array with one row object a line.
type seriesWriter struct {
	csv  *csv.Writer
	json io.Writer
	rows int
}

func newSeriesWriter(w io.Writer, format string) *seriesWriter {
	if format == "json" {
		return &seriesWriter{json: w}
	}
	c := csv.NewWriter(w)
	c.Write(seriesHeader)
	return &seriesWriter{csv: c}
}

func (s *seriesWriter) write(r seriesRow) error {
	s.rows++
	if s.csv != nil {
		s.csv.Write([]string{r.JobID, strconv.Itoa(r.B), formatFloat(r.LR), strconv.FormatUint(r.Seed, 10),
			strconv.Itoa(r.Epoch), optionalInt(r.Step), optionalFloat(r.TrainLoss), optionalFloat(r.TrainAcc),
			optionalFloat(r.TestLoss), optionalFloat(r.TestAcc), optionalFloat(r.Rho), optionalFloat(r.RhoB), optionalFloat(r.IAS)})
		return s.csv.Error()
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	sep := ",\n"
	if s.rows == 1 {
		sep = "[\n"
	}
	_, err = fmt.Fprintf(s.json, "%s%s", sep, raw)
	return err
}

// close ends the output: flushes the CSV, or closes the JSON array ("[]"
// when there were no rows).
func (s *seriesWriter) close() error {
	if s.csv != nil {
		s.csv.Flush()
		return s.csv.Error()
	}
	end := "\n]\n"
	if s.rows == 0 {
		end = "[]\n"
	}
	_, err := io.WriteString(s.json, end)
	return err
}

// formatFloat writes x so that it parses back to the same float64.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

func optionalFloat(x *float64) string {
	if x == nil {
		return ""
	}
	return formatFloat(*x)
}

func optionalInt(x *int64) string {
	if x == nil {
		return ""
	}
	return strconv.FormatInt(*x, 10)
}

// seriesSelectionNote is the one-line note for jobs of the selection that
// have no series yet (pending, running, failed): they give no rows.
func seriesSelectionNote(sel sweepdata.Selection) string {
	var without int
	for _, j := range sel.Jobs {
		if j.Result == nil {
			without++
		}
	}
	if without == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d jobs have no result yet and give no rows", without, len(sel.Jobs))
}
