package web

import (
	"bytes"
	"html"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/report"
)

// reference draws the fixture's heatmap with o straight from the store,
// as lssr report would.
func reference(t *testing.T, dbPath string, o report.HeatmapOptions) []byte {
	t.Helper()
	l, err := sweepdata.Load(dbPath, "demo", false, "a reference heatmap")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := report.RenderHeatmap(&buf, report.AnalyzeWith(l.Meta, l.Runs, report.Options{}), l.Runs, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSweepHeatmapOptions checks that the page's options reach its image
// URL, its cell links and its form, and that the image is the report's
// heatmap drawn with them, each set of options its own drawing.
func TestSweepHeatmapOptions(t *testing.T) {
	f := newFixture(t)
	for i, acc := range []float64{0.6, 0.62, 0.7, 0.72, 0.8, 0.79} {
		f.finish(t, i, acc, 1)
	}
	s := New(f.path, Options{})
	defer s.Close()
	for _, tc := range []struct {
		query, canonical string // canonical: the options as the URLs carry them
		opts             report.HeatmapOptions
		form             []string // in the form
	}{
		{"", "", report.HeatmapOptions{}, []string{`value="mean" selected`}},
		{"colour=se", "colour=se", report.HeatmapOptions{Colour: report.ColourSE}, []string{`value="se" selected`}},
		{"clip=1&values=1", "clip=1&values=1", report.HeatmapOptions{Clip: true, Values: true},
			[]string{`name="clip" value="1" checked`, `name="values" value="1" checked`}},
		// What the form sends: every field, empty ones included.
		{"colour=mean&range=+60+,+90&values=on", "range=60%2C90&values=1",
			report.HeatmapOptions{Range: report.ColourRange{Lo: 60, Hi: 90}, Values: true}, []string{`name="range" value="60,90"`}},
	} {
		page := get(t, s, "/sweeps/demo?"+tc.query)
		if page.Code != 200 {
			t.Fatalf("%q: page %d: %s", tc.query, page.Code, page.Body)
		}
		body := html.UnescapeString(page.Body.String())
		img := "/sweeps/demo/heatmap.png?v="
		if tc.canonical != "" {
			img = "/sweeps/demo/heatmap.png?" + tc.canonical + "&v="
		}
		start := strings.Index(body, `id="heatmap-img" src="`+img)
		if start < 0 {
			t.Errorf("%q: page lacks the image %s…", tc.query, img)
			continue
		}
		src := body[start+len(`id="heatmap-img" src="`):]
		src = src[:strings.IndexByte(src, '"')]
		for _, want := range tc.form {
			if !strings.Contains(body, want) {
				t.Errorf("%q: form lacks %q", tc.query, want)
			}
		}
		if cell := `href="/sweeps/demo?` + tc.canonical; tc.canonical != "" && !strings.Contains(body, cell+"&b=") {
			t.Errorf("%q: cell links do not keep the options (%s&b=…)", tc.query, cell)
		}
		got := get(t, s, src)
		tc.opts.Format = report.FormatPNG
		if want := reference(t, f.path, tc.opts); got.Code != 200 || !bytes.Equal(got.Body.Bytes(), want) {
			t.Errorf("%q: %s is %d, %d bytes; want the report's %d bytes", tc.query, src, got.Code, got.Body.Len(), len(want))
		}
		if tc.canonical != "" && !strings.Contains(got.Header().Get("ETag"), tc.canonical) {
			t.Errorf("%q: ETag %s does not name the options", tc.query, got.Header().Get("ETag"))
		}
	}
	if bytes.Equal(get(t, s, "/sweeps/demo/heatmap.png").Body.Bytes(), get(t, s, "/sweeps/demo/heatmap.png?values=1").Body.Bytes()) {
		t.Error("values=1 served the default drawing")
	}
}

// TestSweepHeatmapOptionsRefused checks that options the report refuses
// answer 400 with one line, on the page and on the images.
func TestSweepHeatmapOptionsRefused(t *testing.T) {
	f := newFixture(t)
	f.finish(t, 0, 0.8, 1)
	s := New(f.path, Options{})
	defer s.Close()
	for _, tc := range []struct{ query, want string }{
		{"range=abc", `range: want LO,HI (two numbers), got "abc"`},
		{"range=60", `range: want LO,HI (two numbers), got "60"`},
		{"range=1,2,3", `range: want LO,HI (two numbers)`},
		{"range=90,60", `range: want LO < HI, got "90,60"`},
		{"range=70,70", `range: want LO < HI`},
		{"range=Inf,1", `range: want finite numbers`},
		{"range=60,90&clip=1", "a colour range and clip together: give one of them"},
		{"colour=loss", `colour: want mean or se, got "loss"`},
		{"clip=yes", `clip: want 1 or 0, got "yes"`},
		{"values=2", `values: want 1 or 0, got "2"`},
	} {
		for _, path := range []string{"/sweeps/demo", "/sweeps/demo/heatmap.png", "/sweeps/demo/heatmap.svg"} {
			req := httptest.NewRequest("GET", path+"?"+strings.ReplaceAll(tc.query, ",", "%2C"), nil)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			msg := html.UnescapeString(rec.Body.String())
			if rec.Code != 400 || !strings.Contains(msg, tc.want) {
				t.Errorf("GET %s?%s = %d, want 400 with %q; body:\n%.400s", path, tc.query, rec.Code, tc.want, msg)
			}
		}
	}
}
