package report

import (
	"encoding/json"
	"io"

	"github.com/lssr/lssr/internal/finite"
)

// FitJSON is the content of fit.json: every number of the seed analysis.
// Numbers that are not finite (a fit that failed, an interval with no
// replicate) are written as null.
type FitJSON struct {
	Sweep     string          `json:"sweep"`
	Meta      Meta            `json:"meta"`
	Bootstrap BootstrapInfo   `json:"bootstrap"`
	Rho       RhoEstimate     `json:"rho"`
	Cells     []Cell          `json:"cells"`
	Ridges    []RidgeEstimate `json:"ridges"`
	Edge      Edge            `json:"edge"`
	RidgeFits Comparison      `json:"ridge_fits"`
	EdgeFits  Comparison      `json:"edge_fits"`
	// NoiseScale restates LSSR with replacement as McCandlish et al.'s
	// noise-scale rule (see NoiseScaleNote).
	NoiseScale string   `json:"noise_scale"`
	Notes      []string `json:"notes"`
}

// FitJSONOf gathers fit.json's content from a summary.
func FitJSONOf(s *Summary) FitJSON {
	return FitJSON{Sweep: s.Meta.Sweep, Meta: s.Meta, Bootstrap: s.Bootstrap, Rho: s.Rho, Cells: s.Cells,
		Ridges: s.Ridges, Edge: s.Edge, RidgeFits: s.RidgeFits, EdgeFits: s.EdgeFits,
		NoiseScale: NoiseScaleNote, Notes: s.Notes}
}

func writeFitJSON(w io.Writer, s *Summary) error {
	b, err := json.MarshalIndent(finite.JSON(FitJSONOf(s)), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
