package main

// Browser tests of `lssr serve`: the real binary serves, a real `lssr sweep
// run` writes, and Debian's chromium, driven headless over the DevTools
// protocol, shows the pages. With LSSR_SCREENSHOTS=DIR they save full-page
// screenshots into DIR (docs/web holds a set).

import (
	"bufio"
	"context"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/lssr/lssr/internal/testutil"
)

// finishLatency is the time the issue allows between a job finishing and
// the open sweep page showing its cell finished.
const finishLatency = 2 * time.Second

// chromium finds the browser: a skip where it is missing, but a failure
// under CI, which installs it (make test-deps).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (make test-deps installs it)")
	}
	t.Skip("chromium is not installed; make test-deps installs it")
	return ""
}

// newBrowser starts a headless chromium for the test and returns the
// context of its first tab.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1200, 1000), chromedp.UserDataDir(t.TempDir()))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// startServe runs `lssr serve` on a free loopback port and returns its URL
// (without the trailing slash). At cleanup it stops it with SIGINT and
// checks that it stopped cleanly.
func startServe(t *testing.T, dir, db string) string {
	t.Helper()
	cmd := exec.Command(lssrBin, "--db", db, "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	m := regexp.MustCompile(`^lssr serve: (http://127\.0\.0\.1:[1-9][0-9]*)/ `).FindStringSubmatch(line)
	if err != nil || m == nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("serve printed %q (%v), stderr %q; want its URL", line, err, stderr.String())
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		rest, _ := io.ReadAll(r)
		if err := cmd.Wait(); err != nil || !strings.Contains(string(rest), "lssr serve: stopped") {
			t.Errorf("serve after SIGINT: %v, stdout %q, stderr %q; want exit 0 and 'stopped'", err, rest, stderr.String())
		}
	})
	return m[1]
}

// screenshot saves a full-page screenshot as DIR/name.png when
// LSSR_SCREENSHOTS=DIR is set.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("LSSR_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// liveSpec is a 2 × 3 grid with one seed whose jobs take a second or two
// each on one worker, with the test set evaluated after every epoch and ρ
// and curvature measured: finishing jobs are distinct events, and the job
// pages have every curve, training and test.
func liveSpec() string {
	s := testutil.Spec{Name: "live", N: 4096, TestN: 256, Dim: 32, Classes: 4, Hidden: []int{128}, Activation: "tanh",
		Epochs: 16, MeasureEvery: 4, EvalEvery: 1, BatchSizes: "[8, 32]", LearningRates: "{log2_from: -4, log2_to: -2}", Seeds: "[0]", Workers: 1}
	return strings.Replace(s.YAML(), "measure_every: 4", "measure_every: 4, curvature_every: 8, hessian_subset: 256", 1)
}

// progressRE reads a finished job's progress line of `lssr sweep run`.
var progressRE = regexp.MustCompile(`^\[\s*\d+/\d+\] (done|diverged|stopped|failed)\s+b=(\d+)\s+η=(\S+)`)

// lineLR reads η as the progress line shows it: 2^k or a number.
func lineLR(s string) (float64, error) {
	if k, ok := strings.CutPrefix(s, "2^"); ok {
		e, err := strconv.ParseFloat(k, 64)
		return math.Pow(2, e), err
	}
	return strconv.ParseFloat(s, 64)
}

// finished is a job's progress line and when the test read it.
type finished struct {
	key string // the cell, as the page's data-key
	at  time.Time
}

// watchDoneJS records in window.__doneAt, per cell key, when the page
// first showed the cell finished (Date.now()), -1 for cells finished when
// it was installed.
const watchDoneJS = `(() => {
  window.__doneAt = {};
  const mark = (a, t) => { if (a.dataset.state === "done" && !(a.dataset.key in window.__doneAt)) window.__doneAt[a.dataset.key] = t; };
  document.querySelectorAll("a.cell").forEach(a => mark(a, -1));
  new MutationObserver(ms => ms.forEach(m => mark(m.target, Date.now())))
    .observe(document.getElementById("heatmap"), {attributes: true, subtree: true, attributeFilter: ["data-state"]});
  return true;
})()`

func TestServeInBrowser(t *testing.T) {
	ctx := newBrowser(t)
	dir := t.TempDir()
	db := "lssr.db" // in dir, where both commands run
	base := startServe(t, dir, db)

	// Before any sweep the index shows an empty list, not an error.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("p.empty"))); err != nil {
		t.Fatalf("index without a database: %v", err)
	}

	if err := os.WriteFile(filepath.Join(dir, "live.yaml"), []byte(liveSpec()), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command(lssrBin, "--db", db, "sweep", "run", "live.yaml")
	run.Dir = dir
	stdout, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var runErr strings.Builder
	run.Stderr = &runErr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	stored := make(chan struct{})
	lines := make(chan finished, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			now := time.Now()
			line := sc.Text()
			if strings.HasPrefix(line, "sweep live: ") && strings.Contains(line, "stored in") {
				close(stored)
			}
			if m := progressRE.FindStringSubmatch(line); m != nil {
				lr, err := lineLR(m[3])
				if err != nil {
					t.Errorf("progress line %q: %v", line, err)
					continue
				}
				lines <- finished{key: m[2] + "|" + strconv.FormatFloat(lr, 'g', -1, 64), at: now}
			}
		}
	}()
	// The sweep exists once the run says it stored its jobs: open its page
	// and watch its cells from then on.
	select {
	case <-stored:
	case <-time.After(60 * time.Second):
		t.Fatalf("sweep run did not store its jobs; stderr %q", runErr.String())
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sweeps/live"), chromedp.WaitVisible(chromedp.ID("heatmap-img"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](watchDoneJS)); err != nil {
		t.Fatal(err)
	}
	// A second tab follows the sweep with drawing options: its live
	// updates must keep them.
	opts, cancelOpts := chromedp.NewContext(ctx)
	defer cancelOpts()
	if err := chromedp.Do(opts, chromedp.Navigate(base+"/sweeps/live?"+optionsQuery), chromedp.WaitVisible(chromedp.ID("heatmap-img"))); err != nil {
		t.Fatal(err)
	}
	var jobs []finished
	for f := range lines {
		jobs = append(jobs, f)
		if len(jobs) == 3 {
			// Mid-run: wait until the page shows these three, then
			// keep it.
			if os.Getenv("LSSR_SCREENSHOTS") != "" {
				if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Object.keys(window.__doneAt).length >= 3`,
					chromedp.WithPollingTimeout(30*time.Second))); err == nil {
					heatmapCurrent(t, ctx)
					screenshot(t, ctx, "sweep-running")
				}
			}
		}
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("sweep run while serve watched it: %v; stderr %q", err, runErr.String())
	}
	if len(jobs) != 6 {
		t.Fatalf("sweep run reported %d finished jobs, want 6", len(jobs))
	}
	// Wait (generously) for the page to show all six; the latency is
	// measured from the page's own timestamps, not from this wait.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Object.keys(window.__doneAt).length >= 6`,
		chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		doneAt, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`window.__doneAt`))
		t.Fatalf("the page shows %d of 6 cells finished: %v (%v)", len(doneAt), doneAt, err)
	}
	doneAt, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`window.__doneAt`))
	if err != nil {
		t.Fatal(err)
	}
	var latencies []time.Duration
	for _, f := range jobs {
		shown, ok := doneAt[f.key]
		switch {
		case !ok:
			t.Errorf("cell %s never showed finished", f.key)
		case shown < 0:
			t.Logf("cell %s finished before the page was watched", f.key)
		default:
			lat := time.UnixMilli(int64(shown)).Sub(f.at)
			latencies = append(latencies, lat)
			t.Logf("cell %s: shown %v after its progress line", f.key, lat)
			if lat > finishLatency {
				t.Errorf("cell %s shown finished %v after its job finished, want ≤ %v", f.key, lat, finishLatency)
			}
		}
	}
	if len(latencies) < 3 {
		t.Errorf("measured %d latencies, want most of the 6 jobs", len(latencies))
	}
	if len(latencies) > 0 {
		slices.Sort(latencies)
		t.Logf("finish → page latency over %d jobs: min %v, median %v, max %v", len(latencies),
			latencies[0], latencies[len(latencies)/2], latencies[len(latencies)-1])
	}
	// The counts follow too.
	done, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const t = document.querySelector('[data-count="done"]').textContent; return t === "6" && t; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || done != "6" {
		t.Errorf("done count on the page %q (%v), want 6", done, err)
	}
	if err := heatmapCurrent(t, ctx); err != nil {
		t.Errorf("the heatmap image did not follow the sweep: %v", err)
	}
	screenshot(t, ctx, "sweep-finished")
	if err := heatmapCurrent(t, opts); err != nil {
		t.Errorf("the heatmap image of the tab with options did not follow the sweep: %v", err)
	}
	src, err := chromedp.Run(opts, chromedp.Evaluate[string](`document.getElementById("heatmap-img").src`))
	if err != nil || !strings.Contains(src, "/heatmap.png?"+optionsQuery+"&v=") {
		t.Errorf("after the live updates the image is %q (%v), want the options %s kept", src, err, optionsQuery)
	}
	screenshot(t, opts, "sweep-options")
	cancelOpts()

	t.Run("cell and job page", func(t *testing.T) {
		cellJobPage(t, ctx, base)
	})
	t.Run("javascript off", func(t *testing.T) {
		jsOffPage(t, ctx, base)
	})
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`tr[data-sweep="live"]`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "index")
}

// optionsQuery are the heatmap options of the second tab: clipped colours
// and the values in the cells.
const optionsQuery = "clip=1&values=1"

// heatmapCurrent waits until the sweep page shows the heatmap image of the
// latest state its events told it, loaded.
func heatmapCurrent(t *testing.T, ctx context.Context) error {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const img = document.getElementById("heatmap-img"), fp = document.getElementById("sweep").dataset.fingerprint;
		return img.complete && img.naturalWidth > 0 && new URL(img.src).searchParams.get("v") === fp;
	})()`, chromedp.WithPollingTimeout(30*time.Second)))
	return err
}

// cellJobPage clicks a cell of the live sweep, then its job, and checks
// that the job page draws its curves.
func cellJobPage(t *testing.T, ctx context.Context, base string) {
	key := "8|0.125"
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`a.cell[data-key="`+key+`"]`)))); err != nil {
		t.Fatalf("clicking cell %s: %v", key, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#cell a[href*="/jobs/"]`)))); err != nil {
		t.Fatalf("clicking the cell's job: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/sweeps/live/jobs/") {
		t.Fatalf("after the clicks the page is %q (%v), want a job page", loc, err)
	}
	size, err := chromedp.Run(ctx, chromedp.Poll[[]int](`(() => { const i = document.getElementById("curves-img");
		return i && i.complete && i.naturalWidth > 0 && [i.naturalWidth, i.naturalHeight]; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		t.Fatalf("the curves image did not load: %v", err)
	}
	// Loss, accuracy, ρ and IAS: the report's figure, 1100 px wide, two
	// rows of two panels.
	if len(size) != 2 || size[0] != 1100 || size[1] < 700 {
		t.Errorf("curves image natural size %v, want 1100 wide, two rows of panels", size)
	}
	hint, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#curves .hint").textContent`))
	if err != nil || !strings.Contains(hint, "16 epochs (16 with a test pass)") {
		t.Errorf("curves hint %q (%v), want 16 epochs, each with a test pass", hint, err)
	}
	svgURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new URL(document.querySelector('a[href*="curves.svg"]').href).pathname`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(base + svgURL)
	if err != nil {
		t.Fatal(err)
	}
	svg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if n := strings.Count(string(svg), "<path"); n < 20 || !strings.Contains(string(svg), "2ρ_b/η") {
		t.Errorf("curves SVG has %d paths and IAS label %v; want the drawn curves", n, strings.Contains(string(svg), "2ρ_b/η"))
	}
	if strings.Contains(string(svg), "eval_every") {
		t.Error("curves SVG says the test curves are missing")
	}
	screenshot(t, ctx, "job")
}

// jsOffPage opens the sweep page in a tab with scripts disabled: the
// heatmap, the counts and the cell links work without them.
func jsOffPage(t *testing.T, browser context.Context, base string) {
	ctx, cancel := chromedp.NewContext(browser)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/sweeps/live"), chromedp.WaitVisible(chromedp.ID("heatmap-img"))); err != nil {
		t.Fatal(err)
	}
	// The page's script did not run: it marks the page when it does.
	live, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("sweep"), "data-live"))
	if err != nil || live.Exists {
		t.Fatalf("data-live %+v (%v): the page's script ran with scripts disabled", live, err)
	}
	size, err := chromedp.Run(ctx, chromedp.Poll[[]int](`(() => { const i = document.getElementById("heatmap-img");
		return i.complete && i.naturalWidth > 0 && [i.naturalWidth, i.naturalHeight]; })()`,
		chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || len(size) != 2 || size[0] == 0 {
		t.Fatalf("heatmap image size %v (%v), want it loaded", size, err)
	}
	done, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-count="done"]').textContent`))
	if err != nil || done != "6" {
		t.Errorf("done count %q (%v), want 6", done, err)
	}
	key := "32|0.0625"
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`a.cell[data-key="`+key+`"]`)))); err != nil {
		t.Fatalf("clicking cell %s: %v", key, err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "b=32") || !strings.Contains(loc, "lr=0.0625") {
		t.Errorf("after the click the page is %q (%v), want the cell b=32 lr=0.0625", loc, err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#cell h2").textContent`))
	if err != nil || heading != "Cell b=32, η=0.0625" {
		t.Errorf("cell heading %q (%v)", heading, err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#cell tr[data-state="done"]').length`))
	if err != nil || rows != 1 {
		t.Errorf("%d done job rows in the cell (%v), want 1", rows, err)
	}
	screenshot(t, ctx, "sweep-js-off")

	// The drawing options' form works without scripts too.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#heatmap-options input[name="values"]`))); err != nil {
		t.Fatalf("ticking values: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
		chromedp.Click(chromedp.CSS(`#heatmap-options button`)))); err != nil {
		t.Fatalf("submitting the options: %v", err)
	}
	loc, err = chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "values=1") || !strings.Contains(loc, "b=32") {
		t.Errorf("after the form the page is %q (%v), want values=1 and the cell kept", loc, err)
	}
	src, err := chromedp.Run(ctx, chromedp.Poll[string](`(() => { const i = document.getElementById("heatmap-img");
		return i.complete && i.naturalWidth > 0 && i.src; })()`, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil || !strings.Contains(src, "values=1") {
		t.Errorf("heatmap image %q (%v), want it drawn with values=1", src, err)
	}
}
