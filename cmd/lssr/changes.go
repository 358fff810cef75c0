package main

import (
	"fmt"
	"strings"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// requireSweep fails with a bad-input error, before any lock is taken, when
// the database or the sweep does not exist.
func requireSweep(dbPath, name string) error {
	if err := requireDB(dbPath); err != nil {
		return err
	}
	db, err := store.Open(dbPath, store.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.View(func(tx *store.Tx) error { _, err := tx.Sweep(name); return err })
}

// describeChange counts changed jobs by their state before the change:
// "2 failed and 1 diverged jobs".
func describeChange(before []store.JobRecord) string {
	counts := countStates(before)
	var parts []string
	for _, s := range lssr.JobStates {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	noun := "jobs"
	if len(before) == 1 {
		noun = "job"
	}
	if len(parts) > 1 {
		return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + " " + noun
	}
	return parts[0] + " " + noun
}

// listIDs names up to ten jobs and counts the rest.
func listIDs(recs []store.JobRecord) string {
	const shown = 10
	var ids []string
	for i, r := range recs {
		if i == shown {
			ids = append(ids, fmt.Sprintf("… and %d more", len(recs)-shown))
			break
		}
		ids = append(ids, r.Job.ID)
	}
	return strings.Join(ids, " ")
}

func joinStates(states []lssr.JobState, sep string) string {
	var s []string
	for _, st := range states {
		s = append(s, string(st))
	}
	return strings.Join(s, sep)
}
