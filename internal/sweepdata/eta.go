package sweepdata

import (
	"fmt"
	"time"

	"github.com/lssr/lssr/store"
)

// ETA is the remaining time of a sweep, from the mean duration of its
// finished jobs.
type ETA struct {
	// Remaining is the jobs still to run; Workers how many run at once.
	Remaining, Workers int
	// MeanSeconds is the mean duration of the finished jobs.
	MeanSeconds float64
	// Left is the estimate: MeanSeconds × Remaining / Workers.
	Left time.Duration
}

// String is the ETA line of `lssr sweep status`.
func (e ETA) String() string {
	return fmt.Sprintf("ETA: ~%s for %d remaining jobs at %d workers (%.1f s per job so far)",
		e.Left.Round(time.Second), e.Remaining, e.Workers, e.MeanSeconds)
}

// Estimate gives the remaining time from the mean duration of finished
// jobs; ok is false when nothing remains or nothing has finished to time it
// by. In a guided search only the jobs it has chosen count: the others may
// never run.
func Estimate(jobs []store.JobRecord, workers int, guided bool) (e ETA, ok bool) {
	var sum float64
	var finished, remaining int
	for _, j := range jobs {
		switch {
		case j.Result != nil:
			sum += j.Result.Seconds
			finished++
		case !j.State.Finished() && (!guided || j.Decision != ""):
			remaining++
		}
	}
	if remaining == 0 || finished == 0 {
		return ETA{}, false
	}
	workers = max(workers, 1)
	mean := sum / float64(finished)
	return ETA{
		Remaining: remaining, Workers: workers, MeanSeconds: mean,
		Left: time.Duration(mean * float64(remaining) / float64(workers) * float64(time.Second)),
	}, true
}

// Workers is how many jobs the sweep runs at once: as its latest run did,
// else as its spec says.
func Workers(rec store.SweepRecord) int {
	if rec.RunWorkers > 0 {
		return rec.RunWorkers
	}
	return rec.Workers
}
