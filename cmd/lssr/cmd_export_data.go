package main

import (
	"fmt"
	"github.com/lssr/lssr/internal/sweepdata"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/store"
	"github.com/urfave/cli/v2"
)

const exportDataHelp = `Writes the examples a sweep trained on (--split train, the default) or was tested on
(--split test) as a safetensors file: "x" float32 [n, c, h, w] for image datasets or [n, d]
otherwise, pixels scaled to [0, 1] as lssr trains on them, and "y" int64 [n]. It is the
--data file of 'lssr measure', and PyTorch reads it with safetensors.torch.load_file (or
tools/lssr_torch.py).

EXIT STATUS:
   0    written
   1    the file could not be written
   2    bad input: no such sweep, an unknown --split, an existing --out without --force`

func exportDataCommand() *cli.Command {
	return &cli.Command{
		Name:        "data",
		Usage:       "write a sweep's training (or test) subset as a safetensors file (x, y)",
		ArgsUsage:   "SWEEP --out FILE.safetensors",
		Description: exportDataHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the file to write (atomically); required"},
			&cli.StringFlag{Name: "split", Value: "train", Usage: "train or test"},
			&cli.BoolFlag{Name: "force", Usage: "replace --out if it exists"},
		},
		Action: func(c *cli.Context) error {
			name, err := oneArg(c, "SWEEP")
			if err != nil {
				return err
			}
			return runExportData(c.String("db"), name, c.String("split"), c.String("out"), c.Bool("force"))
		},
	}
}

func runExportData(dbPath, name, split, out string, force bool) error {
	switch {
	case out == "":
		return lssr.BadInput("export data: --out FILE is required (see 'lssr export data --help')")
	case split != "train" && split != "test":
		return lssr.BadInput("--split: want train or test, got %q", split)
	}
	if err := checkOutFile("--out", out, force); err != nil {
		return err
	}
	if err := requireDB(dbPath); err != nil {
		return err
	}
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.SweepRecord
	if err := db.View(func(tx *store.Tx) error {
		rec, err = tx.Sweep(name)
		return err
	}); err != nil {
		return err
	}
	spec, err := sweepdata.StoredSpec(rec)
	if err != nil {
		return fmt.Errorf("stored spec of %s: %w", name, err)
	}
	data, err := dataset.Load(spec.Dataset)
	if err != nil {
		return err
	}
	s := data.Train
	if split == "test" {
		s = data.Test
	}
	tensors, shape := dataset.EncodeXY(data, s)
	meta := map[string]string{"lssr.sweep": name, "lssr.split": split}
	if err := safetensors.WriteFile(out, tensors, meta); err != nil {
		return err
	}
	fmt.Printf("wrote %s: x %v, y [%d], the %s split of sweep %s\n", out, shape, s.N, split, name)
	return nil
}
