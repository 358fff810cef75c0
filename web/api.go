package web

import (
	"encoding/json"
	"net/http"

	"github.com/lssr/lssr/internal/finite"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// writeJSON writes v as indented JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status = http.StatusInternalServerError
		data, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

func (s *Server) apiError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	writeJSON(w, status, map[string]any{"error": err.Error(), "status": status})
}

func (s *Server) handleAPISweeps(w http.ResponseWriter, r *http.Request) {
	items, err := s.listSweeps()
	if err != nil {
		s.apiError(w, err)
		return
	}
	if items == nil {
		items = []SweepItem{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sweeps": items})
}

// APISweep is /api/sweeps/{name}.
type APISweep struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	Jobs        int    `json:"jobs"`
	Fingerprint string `json:"fingerprint"`
	// AnalysisFingerprint is the fingerprint of the jobs the fits, verdicts
	// and heatmap are of: an earlier one than Fingerprint while a running
	// sweep's analysis waits its turn (at most a fifth of a core goes to
	// analysing a watched sweep).
	AnalysisFingerprint string   `json:"analysis_fingerprint,omitempty"`
	Counts              Counts   `json:"counts"`
	Progress            Progress `json:"progress"`
	// ETASeconds is the estimated time left; null when nothing remains or
	// nothing has finished to time it by.
	ETASeconds *float64     `json:"eta_seconds"`
	ETA        *ETAView     `json:"eta"`
	Note       string       `json:"note,omitempty"`
	Refused    string       `json:"refused,omitempty"`
	Fits       []report.Fit `json:"fits"`
	// Best is the rule that wins on the ridge; Verdict and EdgeVerdict say
	// how the rules compare on the ridge and the stability edge.
	Best        string          `json:"best"`
	Verdict     string          `json:"verdict"`
	EdgeVerdict string          `json:"edge_verdict"`
	Ridge       []APIRidgePoint `json:"ridge"`
	Cells       []APICell       `json:"cells"`
	Heatmap     *APIHeatmap     `json:"heatmap"`
}

// APIRidgePoint is the best η of one batch size: the η of the cell with the
// highest mean test accuracy over its done seeds.
type APIRidgePoint struct {
	B       int     `json:"b"`
	LR      float64 `json:"lr"`
	MeanAcc float64 `json:"mean_acc"`
	SDAcc   float64 `json:"sd_acc"`
	Seeds   int     `json:"seeds"`
}

// APICell is a cell's state, its seed statistics when it has any, and its
// box on the heatmap when drawn.
type APICell struct {
	CellState
	Stats *report.Cell    `json:"stats,omitempty"`
	Box   *report.CellBox `json:"box,omitempty"`
	URL   string          `json:"url"`
}

// APIHeatmap names the heatmap images and their size.
type APIHeatmap struct {
	PNG    string `json:"png"`
	SVG    string `json:"svg"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

func (s *Server) handleAPISweep(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	d, err := s.readSweep(name)
	if err != nil {
		s.apiError(w, err)
		return
	}
	out := APISweep{Name: name, Path: d.sel.Rec.Path, Jobs: len(d.sel.Jobs), Fingerprint: d.fingerprint,
		Counts: d.counts, Progress: d.progress, ETA: d.eta, Note: d.sel.OutsideNote(), Refused: d.refused,
		Fits: []report.Fit{}, Cells: []APICell{}}
	if d.eta != nil {
		out.ETASeconds = &d.eta.Seconds
	}
	stats := map[string]report.Cell{}
	boxes := map[string]report.CellBox{}
	if a := d.an; a != nil {
		out.AnalysisFingerprint = a.fingerprint
		out.Fits = append(out.Fits, a.summary.Fits...)
		out.Best, out.Verdict, out.EdgeVerdict = a.summary.Best, a.summary.RidgeFits.Verdict, a.summary.EdgeFits.Verdict
		for _, p := range a.summary.Ridge {
			out.Ridge = append(out.Ridge, APIRidgePoint{B: p.B, LR: p.LR, MeanAcc: p.MeanAcc, SDAcc: p.StdAcc, Seeds: p.Seeds})
		}
		for _, c := range a.summary.Cells {
			stats[cellKey(c.B, c.LR)] = c
		}
		if h := a.heatmap(defaultHeatOptions); h.err == nil {
			v := "?v=" + a.fingerprint
			out.Heatmap = &APIHeatmap{PNG: sweepURL(name) + "/heatmap.png" + v, SVG: sweepURL(name) + "/heatmap.svg" + v,
				Width: h.layout.Width, Height: h.layout.Height}
			for _, b := range h.layout.Cells {
				boxes[cellKey(b.B, b.LR)] = b
			}
		}
	}
	for _, c := range d.cells {
		k := cellKey(c.B, c.LR)
		ac := APICell{CellState: c, URL: cellURL(name, c.B, c.LR)}
		if st, ok := stats[k]; ok {
			ac.Stats = &st
		}
		if b, ok := boxes[k]; ok {
			ac.Box = &b
		}
		out.Cells = append(out.Cells, ac)
	}
	// The analysis has NaNs (a cell without seeds, an interval without a
	// bootstrap), which encoding/json refuses: they go out as null.
	writeJSON(w, http.StatusOK, finite.JSON(out))
}

// APIJob is /api/sweeps/{name}/jobs/{id}: the job's record and its series.
type APIJob struct {
	Sweep  string          `json:"sweep"`
	Record store.JobRecord `json:"record"`
	Series store.Series    `json:"series"`
}

func (s *Server) handleAPIJob(w http.ResponseWriter, r *http.Request) {
	d, err := s.readJob(r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.apiError(w, err)
		return
	}
	// Stored records hold finite floats only; they keep their times.
	writeJSON(w, http.StatusOK, APIJob{Sweep: r.PathValue("name"), Record: d.rec, Series: d.series})
}
