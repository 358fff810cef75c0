package sweeps

import (
	"errors"
	"strings"
	"testing"

	"github.com/lssr/lssr"
)

const searchBase = `name: s
dataset: {name: synthetic, n: 256, test_n: 64, dim: 8, classes: 3}
model: {kind: mlp, hidden: [8]}
training: {epochs: 2}
grid: {batch_sizes: [16, 64], learning_rates: [0.05, 0.2], seeds: [0, 1]}
`

func TestSearchSection(t *testing.T) {
	good := []struct {
		yaml string
		want Search
	}{
		{"", Search{Strategy: lssr.StrategyGrid}},
		{"search: {strategy: grid}", Search{Strategy: lssr.StrategyGrid}},
		{"search: {strategy: lssr}", Search{Strategy: lssr.StrategyLSSR}},
		{"search: {strategy: lssr, band: 1.5, scan_seeds: 2}", Search{Strategy: lssr.StrategyLSSR, Band: 1.5, ScanSeeds: 2}},
	}
	for _, c := range good {
		s, err := Parse([]byte(searchBase+c.yaml), "s.yaml")
		if err != nil {
			t.Errorf("%q: %v", c.yaml, err)
			continue
		}
		if s.Search != c.want {
			t.Errorf("%q: %+v, want %+v", c.yaml, s.Search, c.want)
		}
	}
	bad := []struct{ yaml, frag string }{
		{"search: {strategy: lsr}", "s.yaml:6: search.strategy: must be one of grid, lssr; got \"lsr\""},
		{"search: {band: 1}", "s.yaml:6: search.strategy: missing"},
		{"search: lssr", "s.yaml:6: search: want a mapping"},
		{"search: {strategy: lssr, band: 0}", "s.yaml:6: search.band: must be more than 0 and at most 16 octaves"},
		{"search: {strategy: lssr, band: -1}", "search.band: must be more than 0"},
		{"search: {strategy: lssr, band: .nan}", "search.band: must be more than 0"},
		{"search: {strategy: lssr, band: 17}", "search.band: must be more than 0 and at most 16"},
		{"search: {strategy: lssr, band: wide}", "search.band: want a number"},
		{"search: {strategy: lssr, scan_seeds: 3}", "search.scan_seeds: must be an integer between 1 and 2, got 3"},
		{"search: {strategy: lssr, scan_seeds: 0}", "search.scan_seeds: must be an integer between 1 and 2, got 0"},
		{"search: {strategy: grid, band: 1}", "s.yaml:6: search: band and scan_seeds are for strategy lssr"},
		{"search: {strategy: lssr, bnd: 1}", "search.bnd: unknown field"},
	}
	for _, c := range bad {
		_, err := Parse([]byte(searchBase+c.yaml), "s.yaml")
		if err == nil || !errors.Is(err, lssr.ErrBadInput) || !strings.Contains(err.Error(), c.frag) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line containing %q", c.yaml, err, c.frag)
		}
	}
}
