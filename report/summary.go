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
// used, the seeds, the ridge estimators, the stability edge, the fits with
// their bootstrap intervals and whether any rule wins.
func writeSummary(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	m := s.Meta

	p("# %s\n\n", title(m))
	p("Heatmap: [%s](%s). Every number below, and each cell's seeds, in [%s](%s).\n\n", HeatmapFile, HeatmapFile, FitJSONFile, FitJSONFile)
	if s.Curves != nil {
		p("Training loss and test accuracy over epochs of each batch size's best cell: [%s](%s).\n\n", CurvesFile, CurvesFile)
	}

	p("## Grid\n\n")
	p("- dataset: %s-%d, %s\n", m.Dataset, m.N, samplingText(m.Sampling))
	p("- batch sizes b: %s\n", joinInts(s.BatchSizes))
	p("- learning rates η: %s\n", joinLRs(s.LRs))
	p("- runs: %d\n\n", s.Runs)
	p("| state | runs |\n| --- | ---: |\n")
	for _, st := range stateOrder(s.States) {
		p("| %s | %d |\n", st, s.States[st])
	}
	writeSearchSection(p, s)

	p("\n## ρ used for LSSR\n\n")
	if isFinite(s.Rho.Value) {
		p("ρ = %.4g (log2 ρ = %.2f): %s, over %d measurements from %d runs.\n",
			s.Rho.Value, math.Log2(s.Rho.Value), s.Rho.Statistic, s.Rho.Count, s.Rho.Runs)
	} else {
		p("%s.\n", s.Rho.Statistic)
	}

	writeSeedSections(p, s)
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
		parts = append(parts, string(m.Loss))
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
