package web

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// CellLink is a heatmap cell's link laid over the image, at the cell's box
// in percent of the image.
type CellLink struct {
	CellState
	Href                     string
	Left, Top, Width, Height float64 // fractions of the image
}

// JobRow is one job in a cell's list.
type JobRow struct {
	ID       string
	Index    int
	Seed     uint64
	State    lssr.JobState
	Attempts int
	TestAcc  float64 // NaN without a result
	Href     string
}

// sweepPage is what the sweep page shows.
type sweepPage struct {
	Title, Name, Path string
	Jobs              int
	Counts            Counts
	Progress          Progress
	ETA               *ETAView
	// Remaining says some job is still to run (pending or running).
	Remaining     bool
	Fingerprint   string
	Note, Refused string
	// StaleMS, when not zero, says the heatmap and fits are of an earlier
	// state of the jobs, and in how many milliseconds they may be redrawn
	// (see analysisShare); the page's script asks again then.
	StaleMS int64

	HeatmapURL, HeatmapSVG string
	HeatmapErr             string
	Width, Height          int
	Links                  []CellLink

	Summary *report.Summary

	// Cell is the selected cell, with its jobs; nil without b and lr.
	Cell     *CellState
	CellJobs []JobRow
	// Selected is the selected cell's key, marked on the heatmap.
	Selected string
	// Heat is the heatmap's drawing options, from the query; the form
	// shows them, the image and cell URLs carry them.
	Heat heatOptions
}

// cellQuery reads b and lr from a sweep page's query; ok is false when the
// query names no cell.
func cellQuery(q url.Values) (b int, lr float64, ok bool, err error) {
	bs, lrs := q.Get("b"), q.Get("lr")
	if bs == "" && lrs == "" {
		return 0, 0, false, nil
	}
	if bs == "" || lrs == "" {
		return 0, 0, false, badQuery("a cell needs both b and lr, got b=%q lr=%q", bs, lrs)
	}
	b, err = strconv.Atoi(bs)
	if err != nil || b <= 0 {
		return 0, 0, false, badQuery("b: want a positive integer, got %q", bs)
	}
	lr, err = strconv.ParseFloat(lrs, 64)
	if err != nil || !(lr > 0) || math.IsInf(lr, 0) {
		return 0, 0, false, badQuery("lr: want a positive number, got %q", lrs)
	}
	return b, lr, true, nil
}

func sweepURL(name string) string { return "/sweeps/" + url.PathEscape(name) }

func cellURL(name string, b int, lr float64) string {
	return cellURLWith(name, b, lr, defaultHeatOptions)
}

// cellURLWith is the sweep page of cell (b, lr) with the heatmap options o.
func cellURLWith(name string, b int, lr float64, o heatOptions) string {
	q := url.Values{"b": {strconv.Itoa(b)}, "lr": {formatLR(lr)}}
	return o.withQuery(sweepURL(name), q.Encode()) + "#cell"
}

func jobURL(name, id string) string { return sweepURL(name) + "/jobs/" + url.PathEscape(id) }

func (s *Server) handleSweep(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, lr, hasCell, err := cellQuery(r.URL.Query())
	if err != nil {
		s.pageError(w, err)
		return
	}
	heat, err := parseHeatOptions(r.URL.Query())
	if err != nil {
		s.pageError(w, err)
		return
	}
	d, err := s.readSweep(name)
	if err != nil {
		s.pageError(w, err)
		return
	}
	p := sweepPage{Title: name, Name: name, Path: d.sel.Rec.Path, Jobs: len(d.sel.Jobs), Counts: d.counts,
		Progress: d.progress, ETA: d.eta, Remaining: d.counts[lssr.StatePending]+d.counts[lssr.StateRunning] > 0, Fingerprint: d.fingerprint, Note: d.sel.OutsideNote(), Refused: d.refused, Heat: heat, StaleMS: d.stale.Milliseconds()}
	if hasCell {
		cell, rows, err := cellJobs(name, d, b, lr)
		if err != nil {
			s.pageError(w, err)
			return
		}
		p.Cell, p.CellJobs, p.Selected = cell, rows, cell.Key
	}
	if a := d.an; a != nil {
		p.Summary = a.summary
		if h := a.heatmap(heat); h.err != nil {
			p.HeatmapErr = h.err.Error()
		} else {
			v := "v=" + url.QueryEscape(a.fingerprint)
			p.HeatmapURL, p.HeatmapSVG = heat.withQuery(sweepURL(name)+"/heatmap.png", v), heat.withQuery(sweepURL(name)+"/heatmap.svg", v)
			p.Width, p.Height = h.layout.Width, h.layout.Height
			p.Links = cellLinks(name, h.layout, d.cells, heat)
		}
	}
	s.pages.render(w, http.StatusOK, "sweep", p)
}

// cellLinks places a link over each drawn cell, with the state of its jobs.
// The links keep the heatmap's options o.
func cellLinks(name string, layout report.HeatmapLayout, cells []CellState, o heatOptions) []CellLink {
	byKey := map[string]CellState{}
	for _, c := range cells {
		byKey[cellKey(c.B, c.LR)] = c
	}
	links := make([]CellLink, 0, len(layout.Cells))
	for _, box := range layout.Cells {
		key := cellKey(box.B, box.LR)
		st, ok := byKey[key]
		if !ok {
			st = CellState{B: box.B, LR: box.LR, Key: key, State: "empty"}
		}
		links = append(links, CellLink{CellState: st, Href: cellURLWith(name, box.B, box.LR, o),
			Left: box.X0, Top: box.Y0, Width: box.X1 - box.X0, Height: box.Y1 - box.Y0})
	}
	return links
}

// cellJobs lists the jobs of the cell (b, lr); a cell the sweep lacks is
// not found.
func cellJobs(name string, d *sweepData, b int, lr float64) (*CellState, []JobRow, error) {
	var cell *CellState
	for i, c := range d.cells {
		if c.B == b && c.LR == lr {
			cell = &d.cells[i]
		}
	}
	if cell == nil {
		return nil, nil, notFoundf("sweep %s has no cell b=%d lr=%s", name, b, formatLR(lr))
	}
	var rows []JobRow
	for _, j := range d.sel.Jobs {
		if j.Job.BatchSize == b && j.Job.LR == lr {
			rows = append(rows, jobRow(name, j))
		}
	}
	return cell, rows, nil
}

func jobRow(name string, j store.JobRecord) JobRow {
	row := JobRow{ID: j.Job.ID, Index: j.Index, Seed: j.Job.Seed, State: j.State, Attempts: j.Attempts,
		TestAcc: math.NaN(), Href: jobURL(name, j.Job.ID)}
	if j.Result != nil && j.State == lssr.StateDone {
		row.TestAcc = j.Result.TestAcc
	}
	return row
}

// handleHeatmap serves the heatmap drawn with the query's options; its
// ETag names the jobs' fingerprint and the options.
func (s *Server) handleHeatmap(w http.ResponseWriter, r *http.Request) {
	heat, err := parseHeatOptions(r.URL.Query())
	if err != nil {
		s.pageError(w, err)
		return
	}
	d, err := s.readSweep(r.PathValue("name"))
	if err != nil {
		s.pageError(w, err)
		return
	}
	a := d.an
	if a == nil {
		s.pageError(w, notFoundf("%s", d.refused))
		return
	}
	h := a.heatmap(heat)
	if h.err != nil {
		s.pageError(w, notFoundf("no heatmap: %v", h.err))
		return
	}
	data, ctype := h.png, "image/png"
	if strings.HasSuffix(r.URL.Path, ".svg") {
		if data, err = a.heatmapSVG(h); err != nil {
			s.pageError(w, err)
			return
		}
		ctype = "image/svg+xml"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	etag := `"` + a.fingerprint + `"`
	if q := heat.query().Encode(); q != "" {
		etag = `"` + a.fingerprint + "?" + q + `"`
	}
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(data)
}
