package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/trainer"
	"github.com/urfave/cli/v2"
)

const measureHelp = `Measures a trained MLP on a dataset and prints one JSON object: loss, accuracy,
‖∇L‖² (grad_sq_norm), tr(S_1), ρ, ∇LᵀH∇L (gHg), IAS at b = n (ias_full), λ1 by power iteration
on exact Hessian-vector products, tr(HS_1) with its standard error, and with --batch-size also
ρ_b (eq. 17), tr(HS_b), IAS_b and, with --lr, the instability ratio against 2/η.

--weights: a safetensors file with the parameters under PyTorch's names for an nn.Sequential of
Linear and activation modules: "0.weight" [out, in], "0.bias" [out], "2.weight", "2.bias", ...
(torch.save(model.state_dict()) converted with safetensors.torch.save_file works as it is).
--data: a safetensors file with "x" float32 [n, d] or [n, c, h, w] and "y" int64 [n].`

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:        "measure",
		Usage:       "measure ρ, ∇LᵀH∇L, IAS and λ1 of a trained network (weights and data as safetensors)",
		Description: measureHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "weights", Usage: "model parameters (safetensors, PyTorch names); required"},
			&cli.StringFlag{Name: "data", Usage: "examples: x float32 [n, ...], y int64 [n] (safetensors); required"},
			&cli.StringFlag{Name: "hidden", Usage: "hidden layer widths, e.g. 512,512 (empty: a linear model)"},
			&cli.StringFlag{Name: "activation", Value: "relu", Usage: "relu or tanh"},
			&cli.StringFlag{Name: "loss", Value: lssr.LossCrossEntropy, Usage: "cross-entropy or mse"},
			&cli.IntFlag{Name: "batch-size", Usage: "b for ρ_b, tr(HS_b) and IAS_b (0: leave them out)"},
			&cli.StringFlag{Name: "sampling", Value: string(lssr.SamplingWithout), Usage: "without or with replacement, for ρ_b"},
			&cli.Float64Flag{Name: "lr", Usage: "learning rate η, for the instability threshold 2/η"},
			&cli.IntFlag{Name: "samples", Value: 10, Usage: "Rademacher vectors for tr(HS_1)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return badArgs(c)
			}
			for _, name := range []string{"weights", "data"} {
				if c.String(name) == "" {
					return lssr.BadInput("measure: --%s FILE is required (see 'lssr measure --help')", name)
				}
			}
			hidden, err := parseWidths(c.String("hidden"))
			if err != nil {
				return err
			}
			if c.Int("samples") < 1 {
				return badFlag("--samples", c.Int("samples"))
			}
			spec := trainer.MeasureSpec{
				Hidden: hidden, Activation: c.String("activation"), Loss: c.String("loss"),
				BatchSize: c.Int("batch-size"), Sampling: lssr.Sampling(c.String("sampling")),
				LR: c.Float64("lr"), Samples: c.Int("samples"),
			}
			return runMeasure(c, spec, c.String("weights"), c.String("data"))
		},
	}
}

func parseWidths(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return nil, lssr.BadInput("--hidden: want widths ≥ 1 separated by commas, got %q", s)
		}
		out = append(out, w)
	}
	return out, nil
}

// readSafetensors reads a safetensors file; a malformed one is bad input.
func readSafetensors(flag, path string) (*safetensors.File, error) {
	f, err := safetensors.Read(path)
	if errors.Is(err, safetensors.ErrFormat) || errors.Is(err, os.ErrNotExist) {
		return nil, lssr.BadInput("%s: %v", flag, err)
	}
	return f, err
}

func runMeasure(c *cli.Context, spec trainer.MeasureSpec, weightsPath, dataPath string) error {
	wf, err := readSafetensors("--weights", weightsPath)
	if err != nil {
		return err
	}
	df, err := readSafetensors("--data", dataPath)
	if err != nil {
		return err
	}
	x, dim, y, err := measureData(df)
	if err != nil {
		return err
	}
	lastName, _ := trainer.TorchNames(len(spec.Hidden))
	last, ok := wf.Get(lastName)
	if !ok || len(last.Shape) != 2 {
		return lssr.BadInput("--weights: no 2-D tensor %q: the output layer of a model with %d hidden layers", lastName, len(spec.Hidden))
	}
	weights := func(name string) ([]float32, []int, error) {
		t, ok := wf.Get(name)
		if !ok {
			return nil, nil, fmt.Errorf("no tensor %q", name)
		}
		v, err := t.Float32s()
		return v, t.Shape, err
	}
	m, err := trainer.MeasureTorch(c.Context, spec, weights, x, dim, y, last.Shape[0])
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// measureData reads x (float32 [n, ...]) and y (int64 [n]) of a dataset file.
func measureData(f *safetensors.File) (x []float32, dim int, y []uint8, err error) {
	xt, ok := f.Get("x")
	if !ok || len(xt.Shape) < 2 {
		return nil, 0, nil, lssr.BadInput("--data: want a tensor \"x\" of shape [n, d] or [n, c, h, w]")
	}
	yt, ok := f.Get("y")
	if !ok || len(yt.Shape) != 1 || yt.Shape[0] != xt.Shape[0] {
		return nil, 0, nil, lssr.BadInput("--data: want a tensor \"y\" of shape [%d] (one label per row of x)", xt.Shape[0])
	}
	if x, err = xt.Float32s(); err != nil {
		return nil, 0, nil, lssr.BadInput("--data: x: %v", err)
	}
	labels, err := yt.Int64s()
	if err != nil {
		return nil, 0, nil, lssr.BadInput("--data: y: %v", err)
	}
	dim = 1
	for _, d := range xt.Shape[1:] {
		dim *= d
	}
	y = make([]uint8, len(labels))
	for i, v := range labels {
		if v < 0 || v > 255 {
			return nil, 0, nil, lssr.BadInput("--data: label %d of example %d is out of range", v, i)
		}
		y[i] = uint8(v)
	}
	return x, dim, y, nil
}
