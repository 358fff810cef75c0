package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// jobData is one job as its page and JSON show it.
type jobData struct {
	rec    store.JobRecord
	series store.Series
}

func (s *Server) readJob(name, id string) (*jobData, error) {
	d := &jobData{}
	found, err := s.view(func(tx *store.Tx) error {
		if _, err := tx.Sweep(name); err != nil {
			return err
		}
		var err error
		if d.rec, err = tx.Job(name, id); err != nil {
			return err
		}
		d.series, err = tx.Series(name, id)
		return err
	})
	if err == nil && !found {
		err = notFoundf("sweep %s (no database yet)", name)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// jobPage is what the job page shows.
type jobPage struct {
	Title, Sweep, SweepURL string
	Rec                    store.JobRecord
	Unsplit                int
	Spec                   string // the job as indented JSON
	Epochs, Measurements   int
	Evaluated, Curvature   int
	CurvesURL, CurvesSVG   string
	CurvesErr              string
	Result                 *lssr.Result
	Provenance             *lssr.Provenance
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), r.PathValue("id")
	d, err := s.readJob(name, id)
	if err != nil {
		s.pageError(w, err)
		return
	}
	spec, err := json.MarshalIndent(d.rec.Job, "", "  ")
	if err != nil {
		s.pageError(w, err)
		return
	}
	p := jobPage{Title: name + " · " + id, Sweep: name, SweepURL: sweepURL(name), Rec: d.rec, Unsplit: d.rec.Unsplit(),
		Spec: string(spec), Epochs: len(d.series.Epochs), Measurements: len(d.series.Measurements), Result: d.rec.Result}
	if res := d.rec.Result; res != nil {
		p.Provenance = res.Provenance
	}
	for _, e := range d.series.Epochs {
		if e.Evaluated {
			p.Evaluated++
		}
	}
	for _, m := range d.series.Measurements {
		if m.Curvature != nil {
			p.Curvature++
		}
	}
	if len(report.JobCurves(jobRun(d)).Panels) == 0 {
		p.CurvesErr = report.ErrNoCurves.Error()
	} else {
		// The URL changes with every stored epoch, so a reload of a
		// running job's page draws its newest curves.
		v := "?v=" + curveVersion(d)
		p.CurvesURL, p.CurvesSVG = jobURL(name, id)+"/curves.png"+v, jobURL(name, id)+"/curves.svg"+v
	}
	s.pages.render(w, http.StatusOK, "job", p)
}

// curveVersion changes with every stored epoch and measurement.
func curveVersion(d *jobData) string {
	return fmt.Sprintf("%s-%d-%d", d.rec.State, len(d.series.Epochs), len(d.series.Measurements))
}

func (s *Server) handleCurves(w http.ResponseWriter, r *http.Request) {
	d, err := s.readJob(r.PathValue("name"), r.PathValue("id"))
	if err != nil {
		s.pageError(w, err)
		return
	}
	svg := strings.HasSuffix(r.URL.Path, ".svg")
	format := report.FormatPNG
	if svg {
		format = report.FormatSVG
	}
	var buf bytes.Buffer
	if err := renderJobCurves(&buf, r.PathValue("name"), d, format); err != nil {
		s.pageError(w, err)
		return
	}
	if svg {
		w.Header().Set("Content-Type", "image/svg+xml")
	} else {
		w.Header().Set("Content-Type", "image/png")
	}
	w.Write(buf.Bytes())
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	items, err := s.listSweeps()
	if err != nil {
		s.pageError(w, err)
		return
	}
	s.pages.render(w, http.StatusOK, "index", struct {
		Title  string
		DB     string
		Sweeps []SweepItem
	}{"sweeps", s.dbPath, items})
}
