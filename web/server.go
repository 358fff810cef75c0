package web

import (
	"embed"
	"io/fs"
	"net/http"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// DefaultPoll is how often a watched sweep is read for changes.
const DefaultPoll = 300 * time.Millisecond

// DefaultHeartbeat is how often an event stream sends a comment, so
// proxies and browsers keep an idle stream open.
const DefaultHeartbeat = 15 * time.Second

// Options tune a Server.
type Options struct {
	// Poll is how often a watched sweep is read for changes (default
	// DefaultPoll).
	Poll time.Duration
	// Heartbeat is how often an idle event stream sends a comment (default
	// DefaultHeartbeat).
	Heartbeat time.Duration
}

// Server serves the web view of the database at one path. It is an
// http.Handler.
type Server struct {
	dbPath string
	// heartbeat is how often an idle event stream sends a comment.
	heartbeat time.Duration
	mux       *http.ServeMux
	pages     *pages
	cache     *analysisCache
	hub       *hub
}

// New returns a Server of the database at dbPath, which need not exist yet.
func New(dbPath string, o Options) *Server {
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	s := &Server{dbPath: dbPath, heartbeat: o.Heartbeat, pages: parsePages(), cache: newAnalysisCache()}
	s.hub = newHub(s.liveState, o.Poll)
	mux := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	mux.HandleFunc("GET /{$}", s.handleIndex)
	mux.HandleFunc("GET /sweeps/{name}", s.handleSweep)
	mux.HandleFunc("GET /sweeps/{name}/heatmap.png", s.handleHeatmap)
	mux.HandleFunc("GET /sweeps/{name}/heatmap.svg", s.handleHeatmap)
	mux.HandleFunc("GET /sweeps/{name}/jobs/{id}", s.handleJob)
	mux.HandleFunc("GET /sweeps/{name}/jobs/{id}/curves.png", s.handleCurves)
	mux.HandleFunc("GET /sweeps/{name}/jobs/{id}/curves.svg", s.handleCurves)
	mux.HandleFunc("GET /api/sweeps", s.handleAPISweeps)
	mux.HandleFunc("GET /api/sweeps/{name}", s.handleAPISweep)
	mux.HandleFunc("GET /api/sweeps/{name}/jobs/{id}", s.handleAPIJob)
	mux.HandleFunc("GET /api/sweeps/{name}/events", s.handleEvents)
	mux.HandleFunc("/", s.handleNotFound)
	s.mux = mux
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

// Close stops the pollers; open event streams end.
func (s *Server) Close() { s.hub.close() }
