package web

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/sweepdata"
	"github.com/lssr/lssr/store"
)

// view runs fn in one read of the database, opened read-only for it and
// closed at once. It reports found false, and runs nothing, when the
// database file does not exist yet.
func (s *Server) view(fn func(*store.Tx) error) (found bool, err error) {
	db, err := store.Open(s.dbPath, store.Options{ReadOnly: true})
	if errors.Is(err, store.ErrNoDatabase) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer db.Close()
	return true, db.View(fn)
}

// Counts holds the jobs per state, every state present.
type Counts map[lssr.JobState]int

func countStates(jobs []store.JobRecord) Counts {
	c := Counts{}
	for _, s := range lssr.JobStates {
		c[s] = 0
	}
	for _, j := range jobs {
		c[j.State]++
	}
	return c
}

// Progress is a sweep's finished share: done, diverged and stopped jobs (the
// outcomes) out of all its jobs.
type Progress struct {
	Outcomes int     `json:"outcomes"`
	Jobs     int     `json:"jobs"`
	Percent  float64 `json:"percent"`
}

func progressOf(c Counts, jobs int) Progress {
	n := c[lssr.StateDone] + c[lssr.StateDiverged] + c[lssr.StateStopped]
	p := Progress{Outcomes: n, Jobs: jobs}
	if jobs > 0 {
		p.Percent = 100 * float64(n) / float64(jobs)
	}
	return p
}

// SweepItem is one sweep of the index.
type SweepItem struct {
	Name     string   `json:"name"`
	Path     string   `json:"path"`
	Jobs     int      `json:"jobs"`
	Counts   Counts   `json:"counts"`
	Progress Progress `json:"progress"`
	// Error says why the sweep could not be read (its stored spec no
	// longer parses); the other fields are then empty.
	Error string `json:"error,omitempty"`
}

// listSweeps reads every sweep's counts; none when there is no database.
func (s *Server) listSweeps() ([]SweepItem, error) {
	var items []SweepItem
	_, err := s.view(func(tx *store.Tx) error {
		recs, err := tx.Sweeps()
		if err != nil {
			return err
		}
		for _, rec := range recs {
			it := SweepItem{Name: rec.Name, Path: rec.Path}
			sel, err := sweepdata.Select(tx, rec.Name, false)
			if err != nil {
				it.Error = err.Error()
			} else {
				it.Jobs = len(sel.Jobs)
				it.Counts = countStates(sel.Jobs)
				it.Progress = progressOf(it.Counts, it.Jobs)
			}
			items = append(items, it)
		}
		return nil
	})
	return items, err
}

// cellKey names a (b, η) cell in URLs, events and the page: "64|0.125".
// strconv's shortest form reads back to the same float.
func cellKey(b int, lr float64) string {
	return strconv.Itoa(b) + "|" + formatLR(lr)
}

// formatLR is η as a query parameter: the shortest text that reads back to
// the same float.
func formatLR(lr float64) string { return strconv.FormatFloat(lr, 'g', -1, 64) }

// CellState is where one cell's jobs stand.
type CellState struct {
	B  int     `json:"b"`
	LR float64 `json:"lr"`
	// Key names the cell in the page's links (cellKey).
	Key string `json:"key"`
	// State is "done" when every job of the cell has finished, "running"
	// when one runs, else "pending".
	State string `json:"state"`
	// Finished counts the cell's finished jobs (any final state), Jobs all.
	Finished int `json:"finished"`
	Jobs     int `json:"jobs"`
}

// cellStates groups jobs by cell, in ascending b then η.
func cellStates(jobs []store.JobRecord) []CellState {
	byKey := map[string]*CellState{}
	var cells []*CellState
	for _, j := range jobs {
		k := cellKey(j.Job.BatchSize, j.Job.LR)
		c := byKey[k]
		if c == nil {
			c = &CellState{B: j.Job.BatchSize, LR: j.Job.LR, Key: k}
			byKey[k] = c
			cells = append(cells, c)
		}
		c.Jobs++
		if j.State.Finished() {
			c.Finished++
		}
		if j.State == lssr.StateRunning {
			c.State = "running"
		}
	}
	out := make([]CellState, len(cells))
	for i, c := range cells {
		switch {
		case c.Finished == c.Jobs:
			c.State = "done"
		case c.State == "":
			c.State = "pending"
		}
		out[i] = *c
	}
	slices.SortFunc(out, func(a, b CellState) int {
		return cmp.Or(cmp.Compare(a.B, b.B), cmp.Compare(a.LR, b.LR))
	})
	return out
}

// fingerprint identifies what the view shows of a sweep's jobs: each job's
// identity, state, attempts and finish time. A change of any of these may
// change the counts, a cell or the analysis; nothing else does.
func fingerprint(jobs []store.JobRecord) string {
	h := sha256.New()
	var buf [8]byte
	for _, j := range jobs {
		h.Write([]byte(j.Job.ID))
		h.Write([]byte{0})
		h.Write([]byte(j.State))
		h.Write([]byte{0})
		binary.LittleEndian.PutUint64(buf[:], uint64(j.Attempts))
		h.Write(buf[:])
		binary.LittleEndian.PutUint64(buf[:], uint64(j.FinishedAt.UnixNano()))
		h.Write(buf[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}
