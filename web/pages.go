package web

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lssr/lssr"
)

// pages are the parsed templates, one per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"lr":      formatLR,
	"pct":     func(x float64) string { return fmt.Sprintf("%.0f%%", x) },
	"acc":     formatAcc,
	"num":     formatNum,
	"pathesc": url.PathEscape,
	"time": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"states": func() []lssr.JobState { return lssr.JobStates },
	"box":    func(x float64) string { return fmt.Sprintf("%.4f%%", 100*x) },
}

func formatAcc(x float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	if x <= 1 {
		x *= 100
	}
	return fmt.Sprintf("%.2f%%", x)
}

func formatNum(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.4g", x)
}

func parsePages() *pages {
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range []string{"index", "sweep", "job", "error"} {
		p.byName[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return p
}

// render writes a page, or a 500 when its template fails: it is rendered
// into a buffer first, so a failure never leaves half a page.
func (p *pages) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := p.byName[name].Execute(&buf, data); err != nil {
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

// errorPage is the page of a failed request.
type errorPage struct {
	Title   string
	Status  int
	Message string
}

func (s *Server) pageError(w http.ResponseWriter, err error) {
	status := statusOf(err)
	s.pages.render(w, status, "error", errorPage{Title: http.StatusText(status), Status: status, Message: err.Error()})
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	err := fmt.Errorf("%w: %s", errNotFound, r.URL.Path)
	if strings.HasPrefix(r.URL.Path, "/api/") {
		s.apiError(w, err)
		return
	}
	s.pageError(w, err)
}
