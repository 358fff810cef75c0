package main

import (
	"fmt"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// allFlagUsage is the --all flag's help, for the commands that select jobs.
const allFlagUsage = "every stored job, also those outside the grid of the spec the sweep last ran (a shrunk grid keeps them)"

// selection is a stored sweep as status, export and report read it: its
// record and stored spec, and the jobs of the grid the sweep last ran
// (every job with --all).
type selection struct {
	rec  store.SweepRecord
	spec *sweeps.Spec
	jobs []store.JobRecord
	// outside counts the stored jobs left out: cells or seeds the grid no
	// longer has.
	outside int
	// groups are the configurations among jobs: more than one only in a
	// sweep an older lssr let mix configurations.
	groups []store.ConfigGroup
}

// selectJobs reads a sweep's record and jobs in tx and keeps the jobs of its
// current grid, or all of them.
func selectJobs(tx *store.Tx, name string, all bool) (selection, error) {
	var s selection
	var err error
	if s.rec, err = tx.Sweep(name); err != nil {
		return s, err
	}
	if s.spec, err = storedSpec(s.rec); err != nil {
		return s, fmt.Errorf("stored spec of %s: %w", name, err)
	}
	jobs, err := tx.Jobs(name)
	if err != nil {
		return s, err
	}
	g := s.spec.Grid
	for _, j := range jobs {
		if all || g.InGrid(j.Job.BatchSize, j.Job.LR, j.Job.Seed) {
			s.jobs = append(s.jobs, j)
		} else {
			s.outside++
		}
	}
	s.groups = store.ConfigGroups(s.jobs)
	return s, nil
}

// readSelection opens the database read-only and selects a sweep's jobs
// (selectJobs).
func readSelection(dbPath, name string, all bool) (selection, error) {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return selection{}, err
	}
	defer db.Close()
	var sel selection
	err = db.View(func(tx *store.Tx) (err error) {
		sel, err = selectJobs(tx, name, all)
		return err
	})
	return sel, err
}

// mixed says, when the selected jobs mix configurations, how; empty when
// they do not.
func (s selection) mixed() string {
	if len(s.groups) < 2 {
		return ""
	}
	return fmt.Sprintf("sweep %s mixes %d configurations, stored by an older lssr: %s", s.rec.Name, len(s.groups), store.DescribeGroups(s.groups))
}

// refuseMixed is the error of a command that would pool a mixed sweep's
// configurations as if they were seeds of one.
func (s selection) refuseMixed(what string) error {
	if m := s.mixed(); m != "" {
		return lssr.BadInput("%s; %s would pool them as seeds of one experiment, so it refuses: run each spec under its own name (lssr sweep run FILE --as NAME)", m, what)
	}
	return nil
}

// outsideNote says how many stored jobs the grid left out; empty when none.
func (s selection) outsideNote() string {
	if s.outside == 0 {
		return ""
	}
	return fmt.Sprintf("%d stored jobs outside the current grid are left out (--all includes them)", s.outside)
}
