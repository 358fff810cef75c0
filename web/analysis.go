package web

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
)

// analysis is a sweep's report analysis at one fingerprint of its jobs,
// with its heatmap drawn with the options pages asked for.
type analysis struct {
	fingerprint string
	summary     *report.Summary
	runs        []report.Run
	// at is when the analysis was made and took how long it took (with
	// its default heatmap): a sweep's next analysis waits after it (see
	// analysisShare).
	at   time.Time
	took time.Duration

	mu       sync.Mutex
	drawings map[string]*drawing // by heatOptions.query
}

// maxDrawings bounds the drawings an analysis keeps: past it, they are
// dropped and drawn again when asked for.
const maxDrawings = 16

// drawing is the heatmap of an analysis drawn with one set of options: the
// PNG with where its cells are, and the SVG, drawn on first use (it is ten
// times the PNG's size, and only a link asks for it). err says why there
// is no heatmap; the page then shows the text instead.
type drawing struct {
	opts   heatOptions
	once   sync.Once
	png    []byte
	layout report.HeatmapLayout
	err    error

	svgOnce sync.Once
	svg     []byte
	svgErr  error
}

// heatmap is the analysis' heatmap drawn with o, drawn on first use.
func (a *analysis) heatmap(o heatOptions) *drawing {
	key := o.query().Encode()
	a.mu.Lock()
	d := a.drawings[key]
	if d == nil {
		if len(a.drawings) >= maxDrawings {
			clear(a.drawings)
		}
		d = &drawing{opts: o}
		a.drawings[key] = d
	}
	a.mu.Unlock()
	d.once.Do(func() {
		var buf bytes.Buffer
		d.layout, d.err = report.RenderHeatmap(&buf, a.summary, a.runs, o.report(report.FormatPNG))
		d.png = buf.Bytes()
	})
	return d
}

// heatmapSVG is the drawing's SVG, drawn on first use.
func (a *analysis) heatmapSVG(d *drawing) ([]byte, error) {
	d.svgOnce.Do(func() {
		var buf bytes.Buffer
		_, d.svgErr = report.RenderHeatmap(&buf, a.summary, a.runs, d.opts.report(report.FormatSVG))
		d.svg = buf.Bytes()
	})
	return d.svg, d.svgErr
}

// defaultHeatOptions are the heatmap's options when a page gives none.
var defaultHeatOptions = heatOptions{Colour: report.ColourMean}

func analyze(l sweepdata.Loaded, fp string) *analysis {
	start := time.Now()
	a := &analysis{fingerprint: fp, runs: l.Runs, drawings: map[string]*drawing{}}
	a.summary = report.AnalyzeWith(l.Meta, l.Runs, report.Options{})
	a.heatmap(defaultHeatOptions)
	a.at, a.took = start, time.Since(start)
	return a
}

// analysisShare bounds the share of one core the analyses of a watched,
// running sweep take: an analysis that took T is followed by at least
// (analysisShare−1)·T without one. Analysing costs what `lssr report`
// costs, seconds on a sweep of thousands of jobs, and a page that watches
// a running sweep asks for it after every finished job; without the wait,
// the view would take a core from the sweep it watches. The counts and the
// cells' states are never held back: only the heatmap, fits and verdicts
// wait.
const analysisShare = 5

// wait is how long from now a new analysis must wait after a; zero when it
// may run now.
func (a *analysis) wait(now time.Time) time.Duration {
	return max(0, a.at.Add(analysisShare*a.took).Sub(now))
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
	// stale is how long until an analysis of the jobs as they are now may
	// be made, when an is of an earlier state of them (see analysisShare);
	// zero when an is of the jobs as read.
	stale time.Duration
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
		if e.a != nil {
			if d.stale = e.a.wait(time.Now()); d.stale > 0 {
				return nil
			}
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
