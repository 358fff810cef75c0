package sweepdata

import (
	"fmt"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
	"github.com/lssr/lssr/sweeps"
)

// Selection is a stored sweep as status, export, report and the web view
// read it: its record and stored spec, and the jobs of the grid the sweep
// last ran (every job with all).
type Selection struct {
	Rec  store.SweepRecord
	Spec *sweeps.Spec
	Jobs []store.JobRecord
	// Outside counts the stored jobs left out: cells or seeds the grid no
	// longer has.
	Outside int
	// Groups are the configurations among Jobs: more than one only in a
	// sweep an older lssr let mix configurations.
	Groups []store.ConfigGroup
}

// Select reads a sweep's record and jobs in tx and keeps the jobs of its
// current grid, or all of them.
func Select(tx *store.Tx, name string, all bool) (Selection, error) {
	var s Selection
	var err error
	if s.Rec, err = tx.Sweep(name); err != nil {
		return s, err
	}
	if s.Spec, err = StoredSpec(s.Rec); err != nil {
		return s, fmt.Errorf("stored spec of %s: %w", name, err)
	}
	jobs, err := tx.Jobs(name)
	if err != nil {
		return s, err
	}
	g := s.Spec.Grid
	for _, j := range jobs {
		if all || g.InGrid(j.Job.BatchSize, j.Job.LR, j.Job.Seed) {
			s.Jobs = append(s.Jobs, j)
		} else {
			s.Outside++
		}
	}
	s.Groups = store.ConfigGroups(s.Jobs)
	return s, nil
}

// ReadSelection opens the database read-only, selects a sweep's jobs
// (Select) and closes it again.
func ReadSelection(dbPath, name string, all bool) (Selection, error) {
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return Selection{}, err
	}
	defer db.Close()
	var sel Selection
	err = db.View(func(tx *store.Tx) (err error) {
		sel, err = Select(tx, name, all)
		return err
	})
	return sel, err
}

// Mixed says, when the selected jobs mix configurations, how; empty when
// they do not.
func (s Selection) Mixed() string {
	if len(s.Groups) < 2 {
		return ""
	}
	return fmt.Sprintf("sweep %s mixes %d configurations, stored by an older lssr: %s", s.Rec.Name, len(s.Groups), store.DescribeGroups(s.Groups))
}

// RefuseMixed is the error of a command that would pool a mixed sweep's
// configurations as if they were seeds of one; what names what it would
// have made of them ("a report").
func (s Selection) RefuseMixed(what string) error {
	if m := s.Mixed(); m != "" {
		return lssr.BadInput("%s; %s would pool them as seeds of one experiment, so it refuses: run each spec under its own name (lssr sweep run FILE --as NAME)", m, what)
	}
	return nil
}

// OutsideNote says how many stored jobs the grid left out; empty when none.
func (s Selection) OutsideNote() string {
	if s.Outside == 0 {
		return ""
	}
	return fmt.Sprintf("%d stored jobs outside the current grid are left out (--all includes them)", s.Outside)
}

// StoredSpec parses the spec a sweep was last run from, under the sweep's
// name (a spec run with --as names another). Its job limit was checked when
// the sweep was created (with --max-jobs, maybe above the default), so it is
// not checked again.
func StoredSpec(rec store.SweepRecord) (*sweeps.Spec, error) {
	spec, err := sweeps.ParseOptions(rec.Source, rec.Path, sweeps.Options{MaxJobs: sweeps.MaxJobsCeiling})
	if err != nil {
		return nil, err
	}
	spec.Name = rec.Name
	return spec, nil
}
