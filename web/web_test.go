package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"html"
	"image/png"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/internal/testutil"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body.String(), err)
	}
	return v
}

func TestNoDatabaseShowsNoSweeps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	s := New(path, Options{})
	defer s.Close()
	if rec := get(t, s, "/"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "No sweeps yet") {
		t.Errorf("GET / = %d, want 200 with the empty list:\n%s", rec.Code, rec.Body)
	}
	if rec := get(t, s, "/api/sweeps"); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "{\n  \"sweeps\": []\n}" {
		t.Errorf("GET /api/sweeps = %d %q, want 200 and an empty list", rec.Code, rec.Body)
	}
	for _, p := range []string{"/sweeps/demo", "/api/sweeps/demo", "/api/sweeps/demo/events", "/sweeps/demo/jobs/x"} {
		if rec := get(t, s, p); rec.Code != 404 {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the view created %s (stat: %v)", path, err)
	}
}

func TestRoutesAnswerWithStatusAndType(t *testing.T) {
	f := newFixture(t)
	f.finish(t, 0, 0.8, 2)
	id := f.jobs[0].ID
	s := New(f.path, Options{})
	defer s.Close()
	for _, tc := range []struct {
		path   string
		status int
		ctype  string
		want   string // in the body
	}{
		{"/", 200, "text/html", `href="/sweeps/demo"`},
		{"/sweeps/demo", 200, "text/html", `id="heatmap-img"`},
		{"/sweeps/demo/heatmap.png", 200, "image/png", "\x89PNG"},
		{"/sweeps/demo/heatmap.svg", 200, "image/svg+xml", "<svg"},
		{"/sweeps/demo/jobs/" + id, 200, "text/html", "Learning curves"},
		{"/sweeps/demo/jobs/" + id + "/curves.png", 200, "image/png", "\x89PNG"},
		{"/sweeps/demo/jobs/" + id + "/curves.svg", 200, "image/svg+xml", "<path"},
		{"/api/sweeps", 200, "application/json", `"name": "demo"`},
		{"/api/sweeps/demo", 200, "application/json", `"fingerprint"`},
		{"/api/sweeps/demo/jobs/" + id, 200, "application/json", `"id": "` + id + `"`},
		{"/assets/style.css", 200, "text/css", ".heatmap"},
		{"/assets/live.js", 200, "javascript", "EventSource"},
		// Unknown things are 404, as a page or as JSON.
		{"/sweeps/nope", 404, "text/html", "sweep not found"},
		{"/api/sweeps/nope", 404, "application/json", `"status": 404`},
		{"/sweeps/demo/jobs/nope", 404, "text/html", "job not found"},
		{"/api/sweeps/demo/jobs/nope", 404, "application/json", "job not found"},
		{"/sweeps/nope/heatmap.png", 404, "text/html", "sweep not found"},
		{"/sweeps/demo/jobs/" + f.jobs[1].ID + "/curves.png", 404, "text/html", "no curves yet"},
		{"/nowhere", 404, "text/html", "not found"},
		{"/api/nowhere", 404, "application/json", "not found"},
		{"/sweeps/demo?b=16&lr=1", 404, "text/html", "no cell b=16 lr=1"},
		// Bad queries are 400.
		{"/sweeps/demo?b=x&lr=0.1", 400, "text/html", "b: want a positive integer"},
		{"/sweeps/demo?b=16&lr=-1", 400, "text/html", "lr: want a positive number"},
		{"/sweeps/demo?b=16&lr=NaN", 400, "text/html", "lr: want a positive number"},
		{"/sweeps/demo?b=16", 400, "text/html", "needs both b and lr"},
	} {
		rec := get(t, s, tc.path)
		if rec.Code != tc.status || !strings.Contains(rec.Header().Get("Content-Type"), tc.ctype) ||
			!strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("GET %s = %d %q, want %d %s with %q; body:\n%.300s", tc.path, rec.Code,
				rec.Header().Get("Content-Type"), tc.status, tc.ctype, tc.want, rec.Body)
		}
	}
}

func TestSweepCountsProgressAndETA(t *testing.T) {
	f := newFixture(t)
	for i, secs := range []float64{2, 4, 6} {
		f.finish(t, i, 0.7+0.05*float64(i), secs)
	}
	f.setState(t, 3, lssr.StateRunning)
	f.setState(t, 4, lssr.StateFailed)
	s := New(f.path, Options{})
	defer s.Close()

	got := decode[APISweep](t, get(t, s, "/api/sweeps/demo"))
	want := Counts{lssr.StatePending: 7, lssr.StateRunning: 1, lssr.StateDone: 3, lssr.StateFailed: 1,
		lssr.StateDiverged: 0, lssr.StateStopped: 0, lssr.StateCancelled: 0, lssr.StateSkipped: 0}
	for _, st := range lssr.JobStates {
		if got.Counts[st] != want[st] {
			t.Errorf("counts[%s] = %d, want %d", st, got.Counts[st], want[st])
		}
	}
	if got.Jobs != 12 || got.Progress != (Progress{Outcomes: 3, Jobs: 12, Percent: 25}) {
		t.Errorf("jobs %d, progress %+v, want 12 and 3 of 12 (25%%)", got.Jobs, got.Progress)
	}
	// Mean 4 s over the finished jobs; 7 pending and 1 running remain; the
	// spec's 2 workers share them: 4 × 8 / 2 = 16 s.
	if got.ETASeconds == nil || math.Abs(*got.ETASeconds-16) > 1e-9 {
		t.Errorf("eta_seconds = %v, want 16", got.ETASeconds)
	}
	if got.ETA == nil || got.ETA.Text != "ETA: ~16s for 8 remaining jobs at 2 workers (4.0 s per job so far)" {
		t.Errorf("eta = %+v, want the status line", got.ETA)
	}
	// Each cell's state from its two seeds, worked out here from the jobs
	// the fixture changed.
	changed := map[int]lssr.JobState{0: lssr.StateDone, 1: lssr.StateDone, 2: lssr.StateDone, 3: lssr.StateRunning, 4: lssr.StateFailed}
	type tally struct{ finished, running, jobs int }
	cells := map[string]*tally{}
	for i, j := range f.jobs {
		k := strconv.Itoa(j.BatchSize) + "|" + strconv.FormatFloat(j.LR, 'g', -1, 64)
		if cells[k] == nil {
			cells[k] = &tally{}
		}
		c := cells[k]
		c.jobs++
		switch changed[i] {
		case lssr.StateDone, lssr.StateFailed:
			c.finished++
		case lssr.StateRunning:
			c.running++
		}
	}
	if len(got.Cells) != len(cells) {
		t.Fatalf("%d cells, want %d", len(got.Cells), len(cells))
	}
	for _, c := range got.Cells {
		w := cells[c.Key]
		state := "pending"
		if w.running > 0 {
			state = "running"
		}
		if w.finished == w.jobs {
			state = "done"
		}
		if c.State != state || c.Finished != w.finished || c.Jobs != w.jobs {
			t.Errorf("cell %s = %s %d/%d, want %s %d/%d", c.Key, c.State, c.Finished, c.Jobs, state, w.finished, w.jobs)
		}
		if c.Box == nil {
			t.Errorf("cell %s has no box on the heatmap", c.Key)
		}
	}

	page := get(t, s, "/sweeps/demo").Body.String()
	for _, want := range []string{`data-count="done">3<`, `data-count="running">1<`, `data-count="pending">7<`,
		`<span id="outcomes">3</span> of <span id="jobs">12</span>`, "ETA: ~16s for 8 remaining jobs"} {
		if !strings.Contains(page, want) {
			t.Errorf("sweep page lacks %q", want)
		}
	}
}

var cellLinkRE = regexp.MustCompile(`<a class="cell[^"]*" href="([^"]+)" data-key="([^"]+)" data-state="([a-z]+)"[^>]*style="left: ([0-9.]+)%; top: ([0-9.]+)%; width: ([0-9.]+)%; height: ([0-9.]+)%"`)

func TestCellLinksLieOnTheGridAndListTheCellsJobs(t *testing.T) {
	f := newFixture(t)
	f.finish(t, 0, 0.8, 1)
	f.finish(t, 1, 0.82, 1)
	s := New(f.path, Options{})
	defer s.Close()
	page := get(t, s, "/sweeps/demo").Body.String()
	links := cellLinkRE.FindAllStringSubmatch(page, -1)
	if len(links) != 6 {
		t.Fatalf("%d cell links, want 6 (2 b × 3 η):\n%s", len(links), page)
	}
	// Columns go left to right with b, rows bottom to top with η; every box
	// lies inside the image.
	type box struct{ left, top, w, h float64 }
	boxes := map[string]box{}
	for _, l := range links {
		var b box
		for i, p := range []*float64{&b.left, &b.top, &b.w, &b.h} {
			*p, _ = strconv.ParseFloat(l[4+i], 64)
		}
		if b.left < 0 || b.top < 0 || b.w <= 0 || b.h <= 0 || b.left+b.w > 100.001 || b.top+b.h > 100.001 {
			t.Errorf("cell %s box %+v is not inside the image", l[2], b)
		}
		boxes[l[2]] = b
	}
	for _, pair := range [][2]string{{"16|0.03125", "64|0.03125"}, {"16|0.0625", "64|0.0625"}} {
		if !(boxes[pair[0]].left < boxes[pair[1]].left) {
			t.Errorf("cell %s is not left of %s: %+v %+v", pair[0], pair[1], boxes[pair[0]], boxes[pair[1]])
		}
	}
	for _, pair := range [][2]string{{"16|0.03125", "16|0.0625"}, {"64|0.0625", "64|0.125"}} {
		if !(boxes[pair[0]].top > boxes[pair[1]].top) {
			t.Errorf("cell %s is not below %s", pair[0], pair[1])
		}
	}

	// The link of the finished cell lists its two seeds, and only them.
	j0 := f.jobs[0]
	key := strconv.Itoa(j0.BatchSize) + "|" + strconv.FormatFloat(j0.LR, 'g', -1, 64)
	var href string
	for _, l := range links {
		if l[2] == key {
			// A browser does not send the fragment.
			href = strings.TrimSuffix(html.UnescapeString(l[1]), "#cell")
			if l[3] != "done" {
				t.Errorf("cell %s data-state %s, want done", key, l[3])
			}
		}
	}
	cell := get(t, s, href)
	if cell.Code != 200 {
		t.Fatalf("GET %s = %d", href, cell.Code)
	}
	body := cell.Body.String()
	section := body[strings.Index(body, `<section id="cell">`):]
	var ids []string
	for _, j := range f.jobs {
		if strings.Contains(section, "/jobs/"+j.ID+`"`) {
			ids = append(ids, j.ID)
		}
	}
	if want := []string{f.jobs[0].ID, f.jobs[1].ID}; strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("cell %s lists jobs %v, want %v", key, ids, want)
	}
	if !strings.Contains(section, "80.00%") || !strings.Contains(section, "82.00%") {
		t.Errorf("cell list lacks the test accuracies 80.00%% and 82.00%%:\n%s", section)
	}
}

func TestJobPageDrawsCurvesAndShowsTheRecord(t *testing.T) {
	f := newFixture(t)
	f.finish(t, 2, 0.75, 3)
	s := New(f.path, Options{})
	defer s.Close()
	id := f.jobs[2].ID
	page := html.UnescapeString(get(t, s, "/sweeps/demo/jobs/"+id).Body.String())
	for _, want := range []string{"4 epochs (2 with a test pass), 2 measurements of ρ (1 with curvature)", "fixture-host",
		"purego", "75.00%", `"batch_size": ` + strconv.Itoa(f.jobs[2].BatchSize), "/curves.png?v="} {
		if !strings.Contains(page, want) {
			t.Errorf("job page lacks %q", want)
		}
	}
	served := get(t, s, "/sweeps/demo/jobs/"+id+"/curves.png").Body.Bytes()
	img, err := png.Decode(bytes.NewReader(served))
	if err != nil {
		t.Fatal(err)
	}
	// The report's figure at its width, four panels (loss, accuracy, ρ,
	// IAS) two to a row.
	if b := img.Bounds(); b.Dx() != 1100 || b.Dy() < 700 {
		t.Errorf("curves image %v, want 1100 wide with two rows of panels", b)
	}
	// The very figure the report draws from the stored record and series.
	var want bytes.Buffer
	d, err := s.readJob("demo", id)
	if err != nil {
		t.Fatal(err)
	}
	run := sweepdata.Run(d.rec, d.series)
	if len(run.Series) != 4 || len(run.Measurements) != 2 {
		t.Fatalf("stored run has %d epochs and %d measurements, want 4 and 2", len(run.Series), len(run.Measurements))
	}
	if err := report.RenderJobCurves(&want, run, curvesOptions("demo", d, report.FormatPNG)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(served, want.Bytes()) {
		t.Errorf("served curves (%d bytes) differ from report.RenderJobCurves (%d bytes)", len(served), want.Len())
	}
	if got := len(report.JobCurves(run).Panels); got != 4 {
		t.Errorf("%d panels, want 4", got)
	}
	svg := get(t, s, "/sweeps/demo/jobs/"+id+"/curves.svg").Body.String()
	for _, want := range []string{"IAS_b against 2ρ_b/η", "2ρ_b/η", "test", "ρ_b"} {
		if !strings.Contains(svg, want) {
			t.Errorf("curves SVG lacks %q", want)
		}
	}
	api := decode[APIJob](t, get(t, s, "/api/sweeps/demo/jobs/"+id))
	if len(api.Series.Epochs) != 4 || !api.Series.Epochs[1].Evaluated || api.Series.Epochs[1].TestAcc != 0.38 ||
		api.Series.Measurements[1].Curvature.IASB != 3.5 || api.Record.Result.TestAcc != 0.75 {
		t.Errorf("api job = %+v, want the stored series and result", api)
	}
}

// readEvent reads the next event or comment of an event stream: its
// "event:" name and data, or the comment text with name "".
func readEvent(t *testing.T, r *bufio.Reader) (name, data string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "" && (name != "" || data != ""):
			return name, data
		case strings.HasPrefix(line, ": "):
			return "", line[2:]
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			data = line[len("data: "):]
		}
	}
}

// nextState reads events until a state event, skipping heartbeats.
func nextState(t *testing.T, r *bufio.Reader) Live {
	t.Helper()
	for {
		name, data := readEvent(t, r)
		if name == "state" {
			var l Live
			if err := json.Unmarshal([]byte(data), &l); err != nil {
				t.Fatal(err)
			}
			return l
		}
	}
}

func TestEventsFollowTheSweepAndStopWithTheirWatchers(t *testing.T) {
	f := newFixture(t)
	s := New(f.path, Options{Poll: 20 * time.Millisecond, Heartbeat: 30 * time.Millisecond})
	defer s.Close()
	srv := httptest.NewServer(s)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/sweeps/demo/events")
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	r := bufio.NewReader(resp.Body)
	first := nextState(t, r)
	if first.Counts[lssr.StatePending] != 12 || first.Progress.Outcomes != 0 {
		t.Fatalf("first event %+v, want 12 pending", first)
	}
	f.finish(t, 5, 0.9, 1)
	next := nextState(t, r)
	if next.Fingerprint == first.Fingerprint || next.Counts[lssr.StateDone] != 1 || next.Progress.Outcomes != 1 {
		t.Errorf("event after a job finished: %+v", next)
	}
	// A heartbeat comes while nothing changes.
	for {
		if name, data := readEvent(t, r); name == "" && data == "heartbeat" {
			break
		}
	}
	if n := s.hub.watching(); n != 1 {
		t.Errorf("%d pollers while one page watches, want 1", n)
	}
	resp.Body.Close()
	// The poller stops once the stream's handler sees the client gone;
	// wait for that event rather than for a time.
	deadline := time.Now().Add(30 * time.Second)
	for s.hub.watching() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the poller still runs 30 s after its only watcher left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTwoWatchersShareOnePoller(t *testing.T) {
	f := newFixture(t)
	s := New(f.path, Options{Poll: 20 * time.Millisecond})
	defer s.Close()
	a, cancelA := s.hub.subscribe("demo")
	b, cancelB := s.hub.subscribe("demo")
	la, lb := <-a, <-b
	if la.Fingerprint != lb.Fingerprint || s.hub.watching() != 1 {
		t.Errorf("two watchers: fingerprints %s %s, %d pollers; want one poller and one state", la.Fingerprint, lb.Fingerprint, s.hub.watching())
	}
	cancelA()
	if s.hub.watching() != 1 {
		t.Error("the poller stopped while a watcher remains")
	}
	cancelB()
	if s.hub.watching() != 0 {
		t.Error("the poller runs with no watcher")
	}
}

func TestServeNeverWritesTheDatabase(t *testing.T) {
	f := newFixture(t)
	f.finish(t, 0, 0.8, 1)
	f.setState(t, 1, lssr.StateRunning)
	before, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(f.path)
	entries, _ := os.ReadDir(filepath.Dir(f.path))

	s := New(f.path, Options{Poll: 10 * time.Millisecond})
	srv := httptest.NewServer(s)
	id := f.jobs[0].ID
	for _, p := range []string{"/", "/sweeps/demo", "/sweeps/demo/heatmap.png", "/sweeps/demo/heatmap.svg",
		"/sweeps/demo/jobs/" + id, "/sweeps/demo/jobs/" + id + "/curves.png", "/api/sweeps", "/api/sweeps/demo",
		"/api/sweeps/demo/jobs/" + id} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/api/sweeps/demo/events")
	if err != nil {
		t.Fatal(err)
	}
	nextState(t, bufio.NewReader(resp.Body))
	resp.Body.Close()
	srv.Close()
	s.Close()

	after, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(f.path)
	if !bytes.Equal(before, after) || !st.ModTime().Equal(st2.ModTime()) {
		t.Errorf("the database changed: %d → %d bytes, mtime %v → %v", len(before), len(after), st.ModTime(), st2.ModTime())
	}
	if entries2, _ := os.ReadDir(filepath.Dir(f.path)); len(entries2) != len(entries) {
		t.Errorf("the folder held %d files, now %d", len(entries), len(entries2))
	}
}

// A sweep whose jobs mix configurations (stored by an older lssr) shows
// its counts and why it is not analysed, as the report refuses it.
func TestMixedSweepShowsCountsAndTheRefusal(t *testing.T) {
	f := newFixture(t)
	other := testutil.Spec{Name: "demo", N: 512, TestN: 128, Dim: 8, Classes: 4, Hidden: []int{16}, Epochs: 5,
		BatchSizes: "[16, 64]", LearningRates: "{log2_from: -5, log2_to: -3}", Seeds: "[0, 1]", Workers: 2}.YAML()
	spec, err := sweeps.Parse([]byte(other), "other.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f.update(t, func(tx *store.Tx) error {
		_, err := tx.AddJobs("demo", spec.Jobs())
		return err
	})
	s := New(f.path, Options{})
	defer s.Close()
	page := get(t, s, "/sweeps/demo")
	body := page.Body.String()
	if page.Code != 200 || !strings.Contains(body, "mixes 2 configurations") || !strings.Contains(body, `data-count="pending">24<`) ||
		strings.Contains(body, "heatmap-img") {
		t.Errorf("mixed sweep page %d: want the refusal, 24 pending and no heatmap:\n%.2000s", page.Code, body)
	}
	if rec := get(t, s, "/sweeps/demo/heatmap.png"); rec.Code != 404 {
		t.Errorf("heatmap of a mixed sweep: %d, want 404", rec.Code)
	}
	api := decode[APISweep](t, get(t, s, "/api/sweeps/demo"))
	if !strings.Contains(api.Refused, "mixes 2 configurations") || api.Jobs != 24 || api.Heatmap != nil || len(api.Cells) != 6 {
		t.Errorf("api of a mixed sweep: refused %q, %d jobs, heatmap %v, %d cells", api.Refused, api.Jobs, api.Heatmap, len(api.Cells))
	}
}
