package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/internal/safetensors"
	"github.com/lssr/lssr/trainer"
	"github.com/urfave/cli/v2"
)

const measureHelp = `Measures a trained network on a dataset and prints one JSON object: loss, accuracy,
‖∇L‖² (grad_sq_norm), tr(S_1), ρ, ∇LᵀH∇L (gHg), IAS at b = n (ias_full), λ1, tr(HS_1) with its
standard error, and with --batch-size also ρ_b (eq. 17), tr(HS_b), IAS_b and, with --lr, the
instability ratio against 2/η. Computed in float64 unless --precision float32; batch norm runs
in eval mode (running statistics).

λ1 is the Hessian's algebraically largest eigenvalue, by the Lanczos method on exact
Hessian-vector products. It runs until the residual bound of each of the top --top-k Ritz
values, over its magnitude, is at most --tol (the Hessian then has an eigenvalue within that
relative distance), for at most 300 products: lambda1, lambda1_residual, lambda1_hvps
(lambda1_iterations: the same count), top_eigenvalues and top_residuals (largest first), tol,
and eigen_converged (false, with a warning on stderr, when the budget ran out first).

--weights: a state_dict as safetensors, under PyTorch's names for the nn.Sequential that the model
flags describe (every module takes an index): Linear "N.weight" [out, in] and "N.bias";
Conv2d "N.weight" [out, in, k, k] and "N.bias"; BatchNorm "N.weight", "N.bias", "N.running_mean",
"N.running_var" (and "N.num_batches_tracked"). An MLP 784-512-10 is 0 Linear, 1 ReLU, 2 Linear:
"0.weight", "0.bias", "2.weight", "2.bias". safetensors.torch.save_file(model.state_dict(), f)
writes such a file; 'lssr export weights' writes one with the model in its metadata, which
then replaces the model flags.
--data: a safetensors file with "x" float32 [n, d] (mlp) or [n, c, h, w] (cnn) and "y" int64 [n].`

var modelFlags = []string{"kind", "hidden", "activation", "channels", "kernel", "pool", "batch-norm"}

func measureCommand() *cli.Command {
	return &cli.Command{
		Name:        "measure",
		Usage:       "measure ρ, ∇LᵀH∇L, IAS and λ1 of a trained network (weights and data as safetensors)",
		Description: measureHelp,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "weights", Usage: "model parameters (safetensors, PyTorch names); required"},
			&cli.StringFlag{Name: "data", Usage: "examples: x float32 [n, ...], y int64 [n] (safetensors); required"},
			newChoiceFlag("kind", lssr.ModelMLP, lssr.ModelKinds(), "", ""),
			&cli.StringFlag{Name: "hidden", Usage: "hidden dense layer widths, e.g. 512,512 (empty: none)"},
			newChoiceFlag("activation", lssr.ActivationReLU, lssr.Activations(), "", ""),
			&cli.StringFlag{Name: "channels", Usage: "cnn: conv-conv-pool block widths, e.g. 16,32"},
			&cli.IntFlag{Name: "kernel", Value: 3, Usage: "cnn: odd convolution size"},
			newChoiceFlag("pool", lssr.PoolMax, lssr.Pools(), "cnn: ", ""),
			&cli.BoolFlag{Name: "batch-norm", Usage: "batch norm after every conv and hidden dense layer"},
			newChoiceFlag("loss", lssr.LossCrossEntropy, lssr.Losses(), "", ""),
			&cli.IntFlag{Name: "batch-size", Usage: "b for ρ_b, tr(HS_b) and IAS_b (0: leave them out)"},
			newChoiceFlag("sampling", lssr.SamplingWithout, lssr.Samplings(), "", " replacement, for ρ_b"),
			&cli.Float64Flag{Name: "lr", Usage: "learning rate η, for the instability threshold 2/η"},
			&cli.IntFlag{Name: "samples", Value: 10, Usage: "Rademacher vectors for tr(HS_1)"},
			&cli.Float64Flag{Name: "tol", Value: trainer.DefaultEigenTol, Usage: "relative residual bound λ1 and the top eigenvalues are run to, in (0, 1)"},
			&cli.IntFlag{Name: "top-k", Value: 1, Usage: "how many of the largest Hessian eigenvalues to compute (at most the parameter count)"},
			&cli.StringFlag{Name: "precision", Value: "float64", Usage: "float64, or float32 as training computes"},
		},
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			for _, name := range []string{"weights", "data"} {
				if c.String(name) == "" {
					return lssr.BadInput("measure: --%s FILE is required (see 'lssr measure --help')", name)
				}
			}
			if c.Int("samples") < 1 {
				return badFlag("--samples", c.Int("samples"))
			}
			if p := c.String("precision"); p != "float64" && p != "float32" {
				return lssr.BadInput("--precision: want float64 or float32, got %q", p)
			}
			if tol := c.Float64("tol"); !(tol > 0 && tol < 1) {
				return lssr.BadInput("--tol: want a relative tolerance between 0 and 1 (exclusive), got %v", tol)
			}
			if c.Int("top-k") < 1 {
				return badFlag("--top-k", c.Int("top-k"))
			}
			spec := trainer.MeasureSpec{
				Loss:      lssr.Loss(c.String("loss")),
				BatchSize: c.Int("batch-size"), Sampling: lssr.Sampling(c.String("sampling")),
				LR: c.Float64("lr"), Samples: c.Int("samples"), Float32: c.String("precision") == "float32",
				Tol: c.Float64("tol"), TopK: c.Int("top-k"),
			}
			return runMeasure(c, spec, c.String("weights"), c.String("data"))
		},
	}
}

// measureModel returns the model the flags describe, or, when no model
// flag is set and the weights carry lssr's metadata, the model and loss
// stored there.
func measureModel(c *cli.Context, wf *safetensors.File, spec *trainer.MeasureSpec) error {
	set := false
	for _, name := range modelFlags {
		set = set || c.IsSet(name)
	}
	if js, ok := wf.Metadata["lssr.model"]; ok && !set {
		if err := json.Unmarshal([]byte(js), &spec.Model); err != nil {
			return lssr.BadInput("--weights: metadata lssr.model: %v", err)
		}
		if l, ok := wf.Metadata["lssr.loss"]; ok && !c.IsSet("loss") {
			spec.Loss = lssr.Loss(l)
		}
		return nil
	}
	hidden, err := parseWidths("--hidden", c.String("hidden"))
	if err != nil {
		return err
	}
	channels, err := parseWidths("--channels", c.String("channels"))
	if err != nil {
		return err
	}
	kind, err := choice(c, "kind", lssr.ModelKinds())
	if err != nil {
		return err
	}
	pool, err := choice(c, "pool", lssr.Pools())
	if err != nil {
		return err
	}
	spec.Model = lssr.ModelSpec{Kind: kind, Hidden: hidden, Activation: lssr.Activation(c.String("activation")),
		Channels: channels, Kernel: c.Int("kernel"), Pool: pool, BatchNorm: c.Bool("batch-norm")}
	if k := spec.Model.Kernel; k < 1 || k%2 == 0 {
		return lssr.BadInput("--kernel: want an odd size ≥ 1, got %d", k)
	}
	return nil
}

func parseWidths(flag, s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			return nil, lssr.BadInput("%s: want widths ≥ 1 separated by commas, got %q", flag, s)
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
	x, shape, y, err := dataset.DecodeXY(df)
	if err != nil {
		return lssr.BadInput("--data: %v", err)
	}
	if err := measureModel(c, wf, &spec); err != nil {
		return err
	}
	m, err := trainer.Measure(c.Context, spec, wf, x, shape, y)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return err
	}
	if !m.EigenConverged {
		fmt.Fprintf(os.Stderr, "lssr measure: warning: the top %d eigenvalues did not reach --tol %g in %d Hessian-vector products (residual bounds %.2g)\n",
			len(m.TopEigenvalues), m.Tol, m.Lambda1HVPs, m.TopResiduals)
	}
	return nil
}
