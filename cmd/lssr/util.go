package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/hashicorp/go-hclog"
	"github.com/lssr/lssr"
	"github.com/lssr/lssr/store"
)

// requireDB fails with a bad-input error when the database file is missing,
// so that commands on an existing sweep never create an empty file.
func requireDB(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w at %s (run 'lssr sweep run FILE' first, or pass --db)", store.ErrNoDatabase, path)
	}
	return nil
}

func badFlag(name string, v any) error {
	return lssr.BadInput("%s: must be at least 1, got %v", name, v)
}

// workerLogger forwards the workers' warnings and errors to stderr.
func workerLogger() hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{Name: "worker", Level: hclog.Warn, Output: os.Stderr})
}

func countStates(jobs []store.JobRecord) map[lssr.JobState]int {
	counts := map[lssr.JobState]int{}
	for _, j := range jobs {
		counts[j.State]++
	}
	return counts
}

// formatCounts lists the count of every state, "3 pending, 0 running, …";
// stopped and skipped only when some job is (only a spec's stop_early
// stops, and only a guided search skips), so the counts of other sweeps
// read as they always have.
func formatCounts(counts map[lssr.JobState]int) string {
	var parts []string
	for _, s := range lssr.JobStates {
		if (s == lssr.StateStopped || s == lssr.StateSkipped) && counts[s] == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	return strings.Join(parts, ", ")
}

// formatLR shows η as a power of two when it is one to a quarter octave,
// else as a number.
func formatLR(lr float64) string {
	k := math.Log2(lr)
	if q := math.Round(k * 4); math.Abs(k*4-q) < 1e-9 {
		return fmt.Sprintf("2^%g", q/4)
	}
	return fmt.Sprintf("%g", lr)
}

// allFlagUsage is the --all flag's help, for the commands that select jobs
// (sweepdata.Select).
const allFlagUsage = "every stored job, also those outside the grid of the spec the sweep last ran (a shrunk grid keeps them)"
