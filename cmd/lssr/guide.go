package main

import (
	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/orchestrator"
	"github.com/lssr/lssr/report"
	"github.com/lssr/lssr/search"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// searchGuide runs a spec's guided search: it turns the sweep's records
// into the report's runs (with their ρ series, for the LSSR fit) and asks
// the planner for the next round.
type searchGuide struct {
	db      *store.DB
	name    string
	planner *search.Planner
}

// newGuide returns the guide of a spec whose search is guided, or nil for
// a grid.
func newGuide(db *store.DB, spec *sweeps.Spec) (orchestrator.Guide, error) {
	if spec.Search.Strategy != lssr.StrategyLSSR {
		return nil, nil
	}
	g := spec.Grid
	p, err := search.New(search.Grid{BatchSizes: g.BatchSizes, LRs: g.LearningRates, Seeds: g.Seeds},
		search.Settings{Band: spec.Search.Band, ScanSeeds: spec.Search.ScanSeeds}, sweepdata.Meta(spec))
	if err != nil {
		return nil, err
	}
	return &searchGuide{db: db, name: spec.Name, planner: p}, nil
}

// Plan implements orchestrator.Guide.
func (g *searchGuide) Plan(jobs []store.JobRecord) (orchestrator.Round, error) {
	runs := make([]report.Run, 0, len(jobs))
	err := g.db.View(func(tx *store.Tx) error {
		for _, j := range jobs {
			var series store.Series
			if j.Result != nil {
				var err error
				if series, err = tx.Series(g.name, j.Job.ID); err != nil {
					return err
				}
			}
			runs = append(runs, sweepdata.Run(j, series))
		}
		return nil
	})
	if err != nil {
		return orchestrator.Round{}, err
	}
	plan := g.planner.Plan(runs)
	return orchestrator.Round{Run: decisions(plan.Run), Skip: decisions(plan.Skip), Done: plan.Done, State: plan.State}, nil
}

func decisions(ds []search.Decision) []orchestrator.Decision {
	out := make([]orchestrator.Decision, len(ds))
	for i, d := range ds {
		out[i] = orchestrator.Decision{ID: d.JobID, Why: d.Why}
	}
	return out
}
