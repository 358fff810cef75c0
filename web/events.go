package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/store"
)

// Live is what an event tells a watching page: the sweep's counts, its
// progress and where each cell stands, under the fingerprint of its jobs.
type Live struct {
	Fingerprint string      `json:"fingerprint"`
	Counts      Counts      `json:"counts"`
	Progress    Progress    `json:"progress"`
	ETA         *ETAView    `json:"eta"`
	Cells       []CellState `json:"cells"`
}

// liveState reads a sweep's job records, not its series: the light read a
// poller repeats.
func (s *Server) liveState(name string) (Live, error) {
	var l Live
	found, err := s.view(func(tx *store.Tx) error {
		sel, err := sweepdata.Select(tx, name, false)
		if err != nil {
			return err
		}
		l.Fingerprint = fingerprint(sel.Jobs)
		l.Counts = countStates(sel.Jobs)
		l.Progress = progressOf(l.Counts, len(sel.Jobs))
		l.Cells = cellStates(sel.Jobs)
		if eta, ok := sweepdata.Estimate(sel.Jobs, sweepdata.Workers(sel.Rec), sel.Rec.Search != nil); ok {
			l.ETA = &ETAView{Seconds: eta.Left.Seconds(), Remaining: eta.Remaining, Workers: eta.Workers,
				MeanSeconds: eta.MeanSeconds, Text: eta.String()}
		}
		return nil
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: %s (no database yet)", store.ErrSweepNotFound, name)
	}
	return l, err
}

// hub runs one poller per watched sweep, shared by the streams that watch
// it; a poller stops when its last stream ends.
type hub struct {
	read func(name string) (Live, error)
	poll time.Duration

	mu      sync.Mutex
	pollers map[string]*poller
	done    chan struct{}
	closed  bool
}

type poller struct {
	subs map[chan Live]struct{}
	last *Live
	stop chan struct{}
}

func newHub(read func(string) (Live, error), poll time.Duration) *hub {
	return &hub{read: read, poll: poll, pollers: map[string]*poller{}, done: make(chan struct{})}
}

// subscribe returns a channel that receives the sweep's state whenever its
// fingerprint changes (the latest first, when the poller has one), and the
// function that ends the subscription. A slow reader misses intermediate
// states, never the latest.
func (h *hub) subscribe(name string) (<-chan Live, func()) {
	ch := make(chan Live, 1)
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pollers[name]
	if p == nil {
		p = &poller{subs: map[chan Live]struct{}{}, stop: make(chan struct{})}
		h.pollers[name] = p
		go h.run(name, p)
	}
	p.subs[ch] = struct{}{}
	if p.last != nil {
		ch <- *p.last
	}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		delete(p.subs, ch)
		if len(p.subs) == 0 && h.pollers[name] == p {
			delete(h.pollers, name)
			close(p.stop)
		}
	}
}

// watching counts the sweeps with a running poller.
func (h *hub) watching() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.pollers)
}

// readShare bounds the time a poller spends reading: it waits at least
// readShare times as long as its last read took before the next one, so on
// a sweep of many thousands of jobs, whose records take a while to read
// through the writer's read service, it slows down rather than take the
// sweep's CPU.
const readShare = 4

func (h *hub) run(name string, p *poller) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-h.done:
			return
		case <-t.C:
		}
		start := time.Now()
		// A read that fails (the database is between writers, the sweep
		// was deleted) is tried again at the next tick.
		if l, err := h.read(name); err == nil {
			h.publish(p, l)
		}
		t.Reset(max(h.poll, readShare*time.Since(start)))
	}
}

func (h *hub) publish(p *poller, l Live) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p.last != nil && p.last.Fingerprint == l.Fingerprint {
		return
	}
	p.last = &l
	for ch := range p.subs {
		select {
		case <-ch: // drop the stale state the reader has not taken
		default:
		}
		ch <- l
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.closed {
		h.closed = true
		close(h.done)
	}
}

// handleEvents streams a sweep's state as server-sent events: an event
// "state" with Live as JSON whenever it changes, and a comment every
// Options.Heartbeat.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := s.liveState(name); err != nil {
		s.apiError(w, err)
		return
	}
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	if rc.Flush() != nil {
		return
	}
	ch, cancel := s.hub.subscribe(name)
	defer cancel()
	beat := time.NewTicker(s.heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.done:
			return
		case l := <-ch:
			data, err := json.Marshal(l)
			if err != nil {
				return
			}
			fmt.Fprintf(w, "event: state\ndata: %s\n\n", data)
		case <-beat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}
