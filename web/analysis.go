package web

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// analysis is a sweep's report analysis and heatmap at one fingerprint of
// its jobs.
type analysis struct {
	fingerprint string
	summary     *report.Summary
	runs        []report.Run
	png         []byte
	layout      report.HeatmapLayout
	// heatmapErr says why there is no heatmap (none of the runs has
	// finished yet, say); the page then shows the text instead.
	heatmapErr error

	svgOnce sync.Once
	svg     []byte
	svgErr  error
}

// heatmapSVG draws the SVG heatmap on first use: it is ten times the PNG's
// size, and only a link asks for it.
func (a *analysis) heatmapSVG() ([]byte, error) {
	a.svgOnce.Do(func() {
		var buf bytes.Buffer
		_, a.svgErr = report.RenderHeatmap(&buf, a.summary, a.runs, report.HeatmapOptions{Format: report.FormatSVG})
		a.svg = buf.Bytes()
	})
	return a.svg, a.svgErr
}

func analyze(l sweepdata.Loaded, fp string) *analysis {
	a := &analysis{fingerprint: fp, runs: l.Runs}
	a.summary = report.AnalyzeWith(l.Meta, l.Runs, report.Options{})
	var buf bytes.Buffer
	a.layout, a.heatmapErr = report.RenderHeatmap(&buf, a.summary, l.Runs, report.HeatmapOptions{Format: report.FormatPNG})
	a.png = buf.Bytes()
	return a
}

// analysisCache keeps each sweep's latest analysis. A sweep's lock is held
// while its analysis is computed, so requests that find the same new
// fingerprint compute it once.
type analysisCache struct {
	mu      sync.Mutex
	bySweep map[string]*cacheEntry
}

type cacheEntry struct {
	mu sync.Mutex
	a  *analysis
}

func newAnalysisCache() *analysisCache {
	return &analysisCache{bySweep: map[string]*cacheEntry{}}
}

func (c *analysisCache) entry(name string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.bySweep[name]
	if e == nil {
		e = &cacheEntry{}
		c.bySweep[name] = e
	}
	return e
}

// ETAView is a sweep's remaining time.
type ETAView struct {
	Seconds     float64 `json:"seconds"`
	Remaining   int     `json:"remaining"`
	Workers     int     `json:"workers"`
	MeanSeconds float64 `json:"mean_seconds"`
	Text        string  `json:"text"`
}

// sweepData is what the sweep page and its JSON show.
type sweepData struct {
	sel         sweepdata.Selection
	fingerprint string
	counts      Counts
	progress    Progress
	eta         *ETAView
	cells       []CellState
	// refused says why the sweep is not analysed (it mixes
	// configurations); an is nil then.
	refused string
	an      *analysis
}

// readSweep reads a sweep and its analysis, from the cache when its jobs
// have not changed. The database is closed before the analysis runs.
func (s *Server) readSweep(name string) (*sweepData, error) {
	d := &sweepData{}
	e := s.cache.entry(name)
	e.mu.Lock()
	defer e.mu.Unlock()
	var loaded *sweepdata.Loaded
	found, err := s.view(func(tx *store.Tx) error {
		sel, err := sweepdata.Select(tx, name, false)
		if err != nil {
			return err
		}
		d.sel = sel
		d.fingerprint = fingerprint(sel.Jobs)
		if err := sel.RefuseMixed("the web view's analysis"); err != nil {
			d.refused = err.Error()
			return nil
		}
		if e.a != nil && e.a.fingerprint == d.fingerprint {
			return nil
		}
		l, err := sweepdata.LoadSelection(tx, sel)
		loaded = &l
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("%w: %s (no database yet)", store.ErrSweepNotFound, name)
	}
	if loaded != nil {
		e.a = analyze(*loaded, d.fingerprint)
	}
	if d.refused == "" {
		d.an = e.a
	}
	jobs := d.sel.Jobs
	d.counts = countStates(jobs)
	d.progress = progressOf(d.counts, len(jobs))
	d.cells = cellStates(jobs)
	if eta, ok := sweepdata.Estimate(jobs, sweepdata.Workers(d.sel.Rec), d.sel.Rec.Search != nil); ok {
		d.eta = &ETAView{Seconds: eta.Left.Seconds(), Remaining: eta.Remaining, Workers: eta.Workers,
			MeanSeconds: eta.MeanSeconds, Text: eta.String()}
	}
	return d, nil
}
