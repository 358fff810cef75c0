package report

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lssr/lssr"
	"gonum.org/v1/plot/vg"
)

// TestPanelsShareOneScale draws two sweeps whose accuracies span different
// ranges: the shared colour scale must span both, and the PNG must decode
// at the documented size (panelWidthPx per column + 140, panelHeightPx per
// row + 60 + the legend's height).
func TestPanelsShareOneScale(t *testing.T) {
	const n = 4096
	a := synthSweep{bs: octaves(8, 256), log2EtaLo: -8, log2EtaHi: 0, log2EtaStep: 1, seeds: 2,
		peak: lssrPeak(1.0/64, 0.05, n, lssr.SamplingWithout), rho: 1.0 / 64}.runs()
	b := synthSweep{bs: octaves(16, 512), log2EtaLo: -6, log2EtaHi: 1, log2EtaStep: 1, seeds: 1,
		peak: func(b int) float64 { return math.Log2(float64(b)) - 9 }, rho: 1.0 / 8}.runs()
	for i := range b {
		b[i].TestAcc -= 0.3 // a harder task: a lower range
	}
	meta := Meta{Sweep: "a", Dataset: "synthetic", N: n, Sampling: lssr.SamplingWithout}
	panels := []Panel{{Summary: Analyze(meta, a), Runs: a}, {Summary: Analyze(Meta{Sweep: "b", Dataset: "synthetic", N: n, Sampling: lssr.SamplingWithout}, b), Runs: b}}

	sc := panelScale(panels, HeatmapOptions{})
	lo, hi := sc.lo, sc.hi
	for _, p := range panels {
		l, h := accRange(buildGrid(p.Runs), p.Summary.accScale())
		if l < lo || h > hi {
			t.Errorf("sweep %s spans [%v, %v], outside the shared scale [%v, %v]", p.Summary.Meta.Sweep, l, h, lo, hi)
		}
	}
	la, _ := accRange(buildGrid(a), panels[0].Summary.accScale())
	_, hb := accRange(buildGrid(b), panels[1].Summary.accScale())
	if lo >= la || hi <= hb {
		t.Errorf("shared scale [%v, %v] is not the union of the two ranges", lo, hi)
	}

	path := filepath.Join(t.TempDir(), PanelsFile)
	if err := WritePanels(path, panels); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := img.Bounds().Dx(), 2*panelWidthPx+140; got != want {
		t.Errorf("width %d px, want %d", got, want)
	}
	// The legend below the panels adds its height (and 8 points of room).
	legendH := legendHeight(vg.Length(2*panelWidthPx+140)*vg.Inch/heatmapDPI-2*margin, panelsLegend(panels, newViridis(lo, hi), HeatmapOptions{}))
	legendPx := int(math.Ceil(float64((legendH + 8) / vg.Inch * heatmapDPI)))
	if legendPx < 3*legendRowH {
		t.Errorf("legend %d px tall: want the rules, the ridge and the cells in it", legendPx)
	}
	if got, want := img.Bounds().Dy(), panelHeightPx+60+legendPx; got != want {
		t.Errorf("height %d px, want %d", got, want)
	}
	if err := WritePanels(path, nil); err == nil {
		t.Error("no panels: no error")
	}
}
