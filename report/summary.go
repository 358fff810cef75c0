package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// writeSummary writes summary.md: what was swept, what finished, which ρ was
// used, the ridge, the fits and which rule fits best, with its caveat.
func writeSummary(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	m := s.Meta

	p("# %s\n\n", title(m))
	p("Heatmap: [%s](%s)\n\n", HeatmapFile, HeatmapFile)

	p("## Grid\n\n")
	p("- dataset: %s-%d, %s\n", m.Dataset, m.N, samplingText(m.Sampling))
	p("- batch sizes b: %s\n", joinInts(s.BatchSizes))
	p("- learning rates η: %s\n", joinLRs(s.LRs))
	p("- runs: %d\n\n", s.Runs)
	p("| state | runs |\n| --- | ---: |\n")
	for _, st := range stateOrder(s.States) {
		p("| %s | %d |\n", st, s.States[st])
	}

	p("\n## ρ used for LSSR\n\n")
	if isFinite(s.Rho.Value) {
		p("ρ = %.4g (log2 ρ = %.2f): %s, over %d measurements from %d runs.\n",
			s.Rho.Value, math.Log2(s.Rho.Value), s.Rho.Statistic, s.Rho.Count, s.Rho.Runs)
	} else {
		p("%s.\n", s.Rho.Statistic)
	}

	p("\n## Ridge: best η per batch size\n\n")
	p("Best η = highest mean test accuracy over the done seeds of a cell (ties → smaller η). ")
	p("\"Within 1 s.d.\" is the η range at that b whose mean accuracy is within one seed standard deviation of the best.\n\n")
	p("| b | best η | log2 η | mean test acc (%%) | s.d. over seeds | seeds | η within 1 s.d. |\n")
	p("| ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	sc := s.accScale()
	for _, r := range s.Ridge {
		sd := "–" // undefined with one seed
		if r.Seeds > 1 {
			sd = fmt.Sprintf("%.2f", r.StdAcc*sc)
		}
		p("| %d | %s | %.2f | %.2f | %s | %d | %s … %s |\n", r.B, fmtG(r.LR), math.Log2(r.LR),
			r.MeanAcc*sc, sd, r.Seeds, fmtG(r.NearLo), fmtG(r.NearHi))
	}
	if len(s.Ridge) == 0 {
		p("| – | – | – | – | – | 0 | – |\n")
	}

	p("\n## Fits\n\n")
	if len(s.Fits) == 0 {
		p("No rule was fitted.\n")
	} else {
		p("Least squares in log2 η; RMSE is in octaves of η (1.0 = a factor of 2).\n\n")
		p("| rule | C | log2 C | ρ | log2 ρ | RMSE (log2 η) | params |\n")
		p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
		for _, f := range s.Fits {
			rho, lrho := "–", "–"
			if f.Rule == RuleLSSR || f.Rule == RuleLSSRFree {
				rho, lrho = fmt.Sprintf("%.4g", f.Rho), fmt.Sprintf("%.2f", math.Log2(f.Rho))
			}
			p("| %s | %.4g | %.2f | %s | %s | %.3f | %d |\n", ruleLabel(f.Rule), f.C, math.Log2(f.C),
				rho, lrho, f.RMSE, f.Params)
		}
		if s.Best != "" {
			best, _ := s.FitFor(s.Best)
			p("\n**Best rule: %s** (RMSE %.3f in log2 η), the lowest RMSE among the one-parameter fits",
				ruleLabel(s.Best), best.RMSE)
			p(" (LSSR with the measured ρ, LSR, SRSR).")
			if free, ok := s.FitFor(RuleLSSRFree); ok && free.OK() {
				p(" LSSR with ρ free (2 parameters) reaches RMSE %.3f at ρ = 2^%.2f.", free.RMSE, math.Log2(free.Rho))
			}
			p("\n\nCaveat: ranking by RMSE alone ignores seed noise. Where accuracy is flat over η, the per-b best η is noise and so is the ranking; see the s.d. column above. Bootstrap intervals are not computed yet.\n")
		}
	}
	writeFigureSections(p, s)
	for i, n := range s.Notes {
		if i == 0 {
			p("\n## Notes\n\n")
		}
		p("- %s\n", n)
	}
	return bw.Flush()
}

// title is the plot's and the summary's title.
func title(m Meta) string {
	parts := []string{fmt.Sprintf("%s-%d", m.Dataset, m.N)}
	if m.Model != "" {
		parts = append(parts, m.Model)
	}
	if m.Loss != "" {
		parts = append(parts, m.Loss)
	}
	if m.Epochs > 0 {
		parts = append(parts, fmt.Sprintf("%d epochs", m.Epochs))
	}
	return m.Sweep + ": " + strings.Join(parts, ", ")
}

// ruleLabel spells a rule with its ratio.
func ruleLabel(rule string) string {
	switch rule {
	case RuleLSSR:
		return "LSSR ρ_b/η = C (measured ρ)"
	case RuleLSSRFree:
		return "LSSR ρ_b/η = C (ρ free)"
	case RuleLSR:
		return "LSR b/η = C"
	case RuleSRSR:
		return "SRSR √b/η = C"
	}
	return rule
}

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}

// joinLRs lists η values, as powers of two when the grid is made of them.
func joinLRs(xs []float64) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmtG(x)
		if l := math.Log2(x); math.Abs(l*4-math.Round(l*4)) < 1e-9 {
			s[i] = "2^" + strconv.FormatFloat(math.Round(l*4)/4, 'g', -1, 64)
		}
	}
	return strings.Join(s, ", ")
}
