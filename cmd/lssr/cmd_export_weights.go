package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

const exportWeightsHelp = `Writes the final weights of one job of a sweep as a safetensors file: float32 tensors under
PyTorch's state_dict names for an nn.Sequential of Linear and activation modules ("0.weight"
[out, in], "0.bias" [out], "2.weight", ...), which 'lssr measure --weights' and
safetensors.torch.load_file read as they are. Metadata: lssr.model, lssr.loss, lssr.job,
lssr.dim, lssr.classes and lssr.shape. Only jobs of a spec with training.save_weights: true
that finished without diverging have weights.

JOB is a job ID, or a prefix of one that no other job of the sweep shares (as
'lssr sweep status SWEEP' or 'lssr sweep export SWEEP' list them).

EXIT STATUS:
   0    written
   1    the file could not be written
   2    bad input: no such sweep or job, a job without saved weights, an existing --out
        without --force (one line says which; nothing is written)`

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write what a sweep kept for one job to a file",
		Subcommands: []*cli.Command{
			exportWeightsCommand(),
			exportDataCommand(),
		},
	}
}

// exportWeightsOptions are the arguments and flags of 'lssr export weights'.
type exportWeightsOptions struct {
	db, sweep, job string
	out            string
	force          bool
}

func exportWeightsCommand() *cli.Command {
	return &cli.Command{
		Name:        "weights",
		Usage:       "write a job's final weights as a safetensors file (PyTorch state_dict names)",
		ArgsUsage:   "SWEEP JOB --out FILE.safetensors",
		Description: exportWeightsHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the file to write (atomically); required"},
			&cli.BoolFlag{Name: "force", Usage: "replace --out if it exists"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usagef(c.Command.HelpName, "want SWEEP and JOB arguments, got %d", c.NArg())
			}
			return runExportWeights(exportWeightsOptions{
				db: c.String("db"), sweep: c.Args().Get(0), job: c.Args().Get(1),
				out: c.String("out"), force: c.Bool("force"),
			})
		},
	}
}

func runExportWeights(opts exportWeightsOptions) error {
	if opts.out == "" {
		return lssr.BadInput("export weights: --out FILE is required (see 'lssr export weights --help')")
	}
	if err := checkOutFile("--out", opts.out, opts.force); err != nil {
		return err
	}
	if err := requireDB(opts.db); err != nil {
		return err
	}
	db, err := store.Open(opts.db, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.JobRecord
	var weights []byte
	err = db.View(func(tx *store.Tx) error {
		jobs, err := tx.Jobs(opts.sweep)
		if err != nil {
			return err
		}
		if rec, err = resolveJob(opts.sweep, jobs, opts.job); err != nil {
			return err
		}
		weights, err = tx.Weights(opts.sweep, rec.Job.ID)
		if errors.Is(err, store.ErrNoWeights) {
			return noWeightsError(rec)
		}
		return err
	})
	if err != nil {
		return err
	}
	// Decoding first proves the bytes are a whole safetensors file before
	// anything is written, and counts the tensors for the user.
	f, err := safetensors.Decode(weights)
	if err != nil {
		return fmt.Errorf("stored weights of job %s: %w", rec.Job.ID, err)
	}
	if err := atomicfile.WriteFile(opts.out, weights, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d tensors, job %s of sweep %s\n", opts.out, len(f.Tensors), rec.Job.ID, opts.sweep)
	return nil
}

// resolveJob finds the job whose ID is id, or else the only one whose ID
// starts with it, as git does with commit hashes.
func resolveJob(sweep string, jobs []store.JobRecord, id string) (store.JobRecord, error) {
	if id == "" {
		return store.JobRecord{}, lssr.BadInput("export weights: JOB is empty")
	}
	var matches []store.JobRecord
	for _, j := range jobs {
		if j.Job.ID == id {
			return j, nil
		}
		if strings.HasPrefix(j.Job.ID, id) {
			matches = append(matches, j)
		}
	}
	switch len(matches) {
	case 0:
		return store.JobRecord{}, lssr.BadInput("sweep %s has no job %q (see 'lssr sweep status %s')", sweep, id, sweep)
	case 1:
		return matches[0], nil
	}
	ids := make([]string, 0, 3)
	for _, j := range matches[:min(3, len(matches))] {
		ids = append(ids, j.Job.ID)
	}
	more := ""
	if len(matches) > 3 {
		more = ", …"
	}
	return store.JobRecord{}, lssr.BadInput("job %q is ambiguous in sweep %s: %d jobs start with it (%s%s); give more of the ID",
		id, sweep, len(matches), strings.Join(ids, ", "), more)
}

// noWeightsError says why a job has no weights and what would give it some.
func noWeightsError(rec store.JobRecord) error {
	id := rec.Job.ID
	switch {
	case rec.State == lssr.StateDiverged:
		return lssr.BadInput("job %s has no saved weights: it diverged (a NaN or Inf loss), so none were kept", id)
	case rec.State == lssr.StateStopped:
		return lssr.BadInput("job %s has no saved weights: it was stopped early (training.stop_early), so none were kept", id)
	case rec.State == lssr.StateFailed:
		return lssr.BadInput("job %s has no saved weights: it failed (%s)", id, rec.LastError)
	case rec.State == lssr.StateCancelled:
		return lssr.BadInput("job %s has no saved weights: it was cancelled before it finished ('lssr sweep retry %s --cancelled' queues it again)", id, rec.Job.Sweep)
	case !rec.State.Finished() && rec.Job.SaveWeights:
		return lssr.BadInput("job %s has no saved weights yet: it is %s; they are kept when it finishes", id, rec.State)
	case rec.State == lssr.StateDone:
		// A done job never runs again in its sweep.
		return lssr.BadInput("job %s has no saved weights: set training.save_weights: true in the spec and re-run it (under a new sweep name: a done job does not run again in its sweep)", id)
	}
	return lssr.BadInput("job %s has no saved weights: set training.save_weights: true in the spec and re-run it", id)
}
