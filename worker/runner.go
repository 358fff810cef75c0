package worker

import (
	"context"
	"fmt"
	"github.com/lssr/lssr/internal/buildinfo"
	"sync"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/dataset"
	"github.com/lssr/lssr/trainer"
)

// keepDatasets is how many loaded datasets a TrainerRunner keeps. A sweep
// trains on one dataset; two let a worker alternate between two sweeps
// without reloading, while bounding memory (a full Fashion-MNIST is about
// 200 MB of float32 per copy, and every worker holds its own).
const keepDatasets = 2

// TrainerRunner is the Runner of a worker process: it trains jobs with
// package trainer. It loads each dataset once (package dataset) and keeps
// it for the jobs after, so a worker pays for reading and subsetting the
// data once per sweep, not once per job. The zero value is ready to use and
// safe for concurrent use.
type TrainerRunner struct {
	mu     sync.Mutex
	loaded []loadedData // most recently used first
}

var _ Runner = (*TrainerRunner)(nil)

// loadedData is a dataset in the cache. The key is the whole DatasetSpec,
// Dir included: unlike the job ID, which names the content, the cache must
// not hand out data read from another folder.
type loadedData struct {
	spec lssr.DatasetSpec
	data *dataset.Data
}

// Run loads the job's dataset (or takes it from the cache) and trains the
// job on it.
func (r *TrainerRunner) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	data, err := r.data(job.Dataset)
	if err != nil {
		return lssr.Result{}, fmt.Errorf("job %s: %w", job.ID, err)
	}
	f, err := faultFromEnv()
	if err != nil {
		return lssr.Result{}, err
	}
	res, err := trainer.Train(ctx, job, data, f.wrap(progress))
	res.Provenance = buildinfo.Provenance()
	return res, err
}

// data returns the loaded dataset for spec. It loads under the lock, so
// jobs that arrive together for a new dataset load it once.
func (r *TrainerRunner) data(spec lssr.DatasetSpec) (*dataset.Data, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range r.loaded {
		if l.spec == spec {
			copy(r.loaded[1:i+1], r.loaded[:i])
			r.loaded[0] = l
			return l.data, nil
		}
	}
	data, err := dataset.Load(spec)
	if err != nil {
		return nil, err // not cached: the files may be fixed before the retry
	}
	r.loaded = append([]loadedData{{spec, data}}, r.loaded[:min(len(r.loaded), keepDatasets-1)]...)
	return data, nil
}
