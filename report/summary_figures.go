package report

import (
	"fmt"
	"math"
	"strings"
)

// writeFigureSections writes one section per figure beyond the heatmap: what
// is drawn, from how many runs and measurements, with which statistic, or
// why it was not drawn. The training curves get a section only when drawn,
// so a report of runs without series reads as it did before curves.png.
func writeFigureSections(p func(string, ...any), s *Summary) {
	writeCurvesSection(p, s)
	p("\n## ρ_b against b\n\n")
	if f := s.RhoB; f == nil {
		p("Not drawn: no run stored a measurement series.\n")
	} else {
		p("Figure: [%s](%s) (Lee & Jang, Fig. 5 left), log2–log2.\n\n", RhoBFile, RhoBFile)
		if isFinite(f.Rho.Value) {
			p("- Curve: eq. 17 from b = 1 to %s at ρ = %.4g, %s; dashed references through it at b = 1: LSR ρ_b = ρ·b and SRSR ρ_b = ρ·√b.\n",
				fmtG(f.MaxB), f.Rho.Value, samplingText(s.Meta.Sampling))
			p("- ρ: %s, over %d measurements from %d runs (the ρ of the LSSR fit).\n", f.Rho.Statistic, f.Rho.Count, f.Rho.Runs)
		} else {
			p("- No curve: %s.\n", f.Rho.Statistic)
		}
		p("- Points, per batch size over the in-training measurements (the final one excluded) of the done runs at every η: ")
		p("the median of the eq. 17 value stored with each measurement (its own ρ; bar: quartiles) and, where curvature was measured, ")
		p("the median of ρ_b sampled directly, ‖∇L‖²/E‖g_ξ‖² (bar: quartiles, or ±SE with one measurement).\n\n")
		p("| b | eq. 17 median | measurements | runs | sampled median | quartiles / ±SE | measurements | runs |\n")
		p("| ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |\n")
		for _, pt := range f.Points {
			eq, samp, sr := "–", "–", "–"
			if pt.Eq17Count > 0 {
				eq = fmt.Sprintf("%.4g", pt.Eq17)
			}
			if pt.SampledCount > 0 {
				samp, sr = fmt.Sprintf("%.4g", pt.Sampled), fmt.Sprintf("%.4g … %.4g", pt.SampledLo, pt.SampledHi)
			}
			p("| %d | %s | %d | %d | %s | %s | %d | %d |\n", pt.B, eq, pt.Eq17Count, pt.Eq17Runs, samp, sr, pt.SampledCount, pt.SampledRuns)
		}
		if len(f.Points) == 0 {
			p("| – | – | 0 | 0 | – | – | 0 | 0 |\n")
		}
	}

	p("\n## Curvature against step\n\n")
	if f := s.Curvature; f == nil {
		p("Not drawn: no job measured curvature (training.curvature_every).\n")
	} else {
		p("One figure per job (Lee & Jang, Fig. 4): λ1, ‖H‖_{S_n} (IAS at b = n), ‖H‖_{S_b} (IAS at the job's b) and the instability ratio ")
		p("tr(HS_b)/tr(S_n) = ‖H‖_{S_b}/ρ_b against the SGD step on a log scale, with the edge 2/η (2γ/η with momentum) dashed. ")
		p("Values ≤ 0 have no place on the log axis and are counted, not drawn. ")
		if f.Nearest {
			p("%d jobs measured curvature; the %d nearest the stability edge are drawn (smallest median |log2(ratio/threshold)| over their measurements).\n\n", f.Jobs, len(f.Drawn))
		} else {
			p("All %d jobs that measured curvature are drawn.\n\n", f.Jobs)
		}
		p("| figure | b | η | seed | state | measurements | median octaves from the edge | values ≤ 0 |\n")
		p("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |\n")
		for _, j := range f.Drawn {
			d := "–"
			if isFinite(j.EdgeDistance) {
				d = fmt.Sprintf("%.2f", j.EdgeDistance)
			}
			p("| [%s](%s) | %d | %s | %d | %s | %d | %s | %d |\n", j.File, j.File, j.B, fmtG(j.LR), j.Seed, j.State, j.Points, d, j.NonPositive)
		}
	}

	p("\n## Loss change against the instability ratio\n\n")
	if f := s.LossChange; f == nil {
		p("Not drawn: no curvature measurement holds a one-step loss change.\n")
	} else {
		p("Figure: [%s](%s) (Lee & Jang, Fig. 1), %d measurements from %d runs, coloured by b (%s).\n\n",
			LossChangeFile, LossChangeFile, len(f.Points), f.Runs, joinInts(f.BatchSizes))
		p("- x = tr(HS_b)/tr(S_n) ÷ threshold (2/η, or 2γ/η with momentum): 1 is the stability edge.\n")
		p("- y = the mean over sampled batches of one SGD step's loss change L(θ − ηg_ξ) − L(θ), divided by η·‖∇L‖² (‖∇L‖² = tr(S_n) on the Hessian subset, where the loss change is measured); bars ±SE in the same units.\n")
		var lines []string
		for _, g := range f.Gammas {
			if math.Abs(g-1) < 1e-6 {
				lines = append(lines, "y = x − 1")
			} else {
				lines = append(lines, fmt.Sprintf("y = %.3g·x − 1 (γ = %.3g)", g, g))
			}
		}
		p("- In these units eq. 7, (η²/2)·tr(S_n)·(ratio − 2/η), is %s: one line for every job.\n", strings.Join(lines, ", "))
		if f.Outside > 0 {
			p("- %d measurement(s) with x outside [%d, %d] are counted but not drawn.\n", f.Outside, lossChangeMinX, lossChangeMaxX)
		}
	}
}

// writeCurvesSection says what curves.png draws, per batch size: the best
// cell, its seeds and where its curves end.
func writeCurvesSection(p func(string, ...any), s *Summary) {
	f := s.Curves
	if f == nil {
		return
	}
	p("\n## Training curves\n\n")
	p("Figure: [%s](%s): for the best η of each batch size (the cell of highest mean test accuracy), ", CurvesFile, CurvesFile)
	p("the mean over its done seeds of the training loss (mean minibatch loss of each epoch) and of the test accuracy, against the epoch.")
	if !f.Evaluated {
		p(" No run evaluated the test set during training, so the accuracy is the final one, at the last epoch; training.eval_every gives its curve.")
	}
	accHead := "test accuracy"
	if s.AccPercent {
		accHead += " (%)"
	}
	p("\n\n| b | best η | seeds | last epoch | training loss | %s | test evaluations |\n", accHead)
	p("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, l := range f.Lines {
		loss, lastEpoch := "–", "–"
		if n := len(l.Loss); n > 0 {
			loss, lastEpoch = fmt.Sprintf("%.4g", l.Loss[n-1].Mean), fmt.Sprint(l.Loss[n-1].Epoch)
		}
		acc := "–"
		if n := len(l.Acc); n > 0 {
			acc = fmt.Sprintf("%.4g", l.Acc[n-1].Mean)
		}
		p("| %d | %s | %d | %s | %s | %s | %d |\n", l.B, fmtG(l.LR), l.Seeds, lastEpoch, loss, acc, len(l.Acc))
	}
}
