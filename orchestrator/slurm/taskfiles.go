package slurm

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/atomicfile"
	"github.com/lssr/lssr/internal/finite"
	"github.com/lssr/lssr/orchestrator"
)

// TaskSchema is the version of the task and result file formats.
const TaskSchema = 1

// MaxResultBytes bounds a result file the orchestrator reads.
const MaxResultBytes = 64 << 20

// MaxStoppedBytes bounds the reason a result file gives for a run stopped
// early (lssr.Result.Stopped); the trainer's are about a hundred bytes.
const MaxStoppedBytes = 512

// TaskFile is a job as the orchestrator hands it to `lssr job run`.
type TaskFile struct {
	Schema int      `json:"schema"`
	Job    lssr.Job `json:"job"`
}

// ResultFile is what `lssr job run` leaves for the orchestrator.
type ResultFile struct {
	Schema int    `json:"schema"`
	JobID  string `json:"job_id"`
	// ContentID is the job's content hash as the task computed it: it must
	// equal the ID, proving the task trained the job the orchestrator named.
	ContentID string      `json:"content_id"`
	Result    lssr.Result `json:"result"`
}

// TaskPaths are the shared-folder files of one job.
type TaskPaths struct{ Task, Checkpoint, Result, Weights string }

// PathsOf returns the files of job id in the shared folder dir.
func PathsOf(dir, id string) TaskPaths {
	return TaskPaths{
		Task:       filepath.Join(dir, "jobs", id+".json"),
		Checkpoint: filepath.Join(dir, "checkpoints", id+".safetensors"),
		Result:     filepath.Join(dir, "results", id+".json"),
		Weights:    filepath.Join(dir, "results", id+".weights"),
	}
}

// WriteTask writes job's task file.
func WriteTask(path string, job lssr.Job) error {
	return writeJSON(path, TaskFile{Schema: TaskSchema, Job: job})
}

// ReadTask reads a task file and checks it: its schema, and that the job's
// content hashes to its ID.
func ReadTask(path string) (lssr.Job, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return lssr.Job{}, err
	}
	var t TaskFile
	if err := json.Unmarshal(raw, &t); err != nil {
		return lssr.Job{}, fmt.Errorf("task file %s: %w", path, err)
	}
	switch {
	case t.Schema != TaskSchema:
		return lssr.Job{}, fmt.Errorf("task file %s: schema %d, this lssr reads %d", path, t.Schema, TaskSchema)
	case t.Job.ID == "" || t.Job.ContentID() != t.Job.ID:
		return lssr.Job{}, fmt.Errorf("task file %s: job %q does not hash to its ID", path, t.Job.ID)
	}
	return t.Job, nil
}

// WriteResult writes a job's result file, and its weights beside it. Non-
// finite metrics are zeroed (JSON cannot hold them); the state, diverged
// or not, says what happened.
func WriteResult(p TaskPaths, job lssr.Job, res lssr.Result) error {
	if len(res.Weights) > 0 {
		if err := atomicfile.WriteFile(p.Weights, res.Weights, 0o644); err != nil {
			return err
		}
	}
	res.Weights = nil
	finite.Zero(&res)
	return writeJSON(p.Result, ResultFile{Schema: TaskSchema, JobID: job.ID, ContentID: job.ContentID(), Result: res})
}

// ReadResult reads and validates job's result file: size, schema, job ID
// and content hash, finite numbers, and an outcome that holds together: a
// run that diverged did not also stop early, and the reason it stopped is
// one line of printable text (MaxStoppedBytes at most) for progress output
// and status to show. A missing file is os.ErrNotExist; anything wrong with
// it wraps orchestrator.ErrBadResult.
func ReadResult(p TaskPaths, job lssr.Job) (lssr.Result, error) {
	f, err := os.Open(p.Result)
	if err != nil {
		return lssr.Result{}, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxResultBytes+1))
	if err != nil {
		return lssr.Result{}, err
	}
	bad := func(format string, args ...any) (lssr.Result, error) {
		return lssr.Result{}, fmt.Errorf("%w %s: %s", orchestrator.ErrBadResult, p.Result, fmt.Sprintf(format, args...))
	}
	if len(raw) > MaxResultBytes {
		return bad("larger than %d bytes", MaxResultBytes)
	}
	var r ResultFile
	if err := json.Unmarshal(raw, &r); err != nil {
		return bad("%v", err)
	}
	switch {
	case r.Schema != TaskSchema:
		return bad("schema %d, want %d", r.Schema, TaskSchema)
	case r.JobID != job.ID:
		return bad("it is the result of job %q", r.JobID)
	case r.ContentID != job.ContentID():
		return bad("its job hashes to %q, not %q (a different spec?)", r.ContentID, job.ContentID())
	case !finite.All(r.Result):
		return bad("a metric is not finite")
	case r.Result.Diverged && r.Result.Stopped != "":
		return bad("it says the run both diverged and stopped early")
	case !printableLine(r.Result.Stopped, MaxStoppedBytes):
		return bad("its reason for stopping early is not one line of at most %d bytes of printable text", MaxStoppedBytes)
	}
	// A run that ended early keeps no weights.
	if job.SaveWeights && !r.Result.Diverged && r.Result.Stopped == "" {
		w, err := os.ReadFile(p.Weights)
		if err != nil {
			return bad("no weights: %v", err)
		}
		r.Result.Weights = w
	}
	return r.Result, nil
}

// printableLine reports whether s has at most limit bytes and no control
// characters (line breaks, terminal escape sequences). JSON decoding has
// already made it valid UTF-8.
func printableLine(s string, limit int) bool {
	return len(s) <= limit && !strings.ContainsFunc(s, unicode.IsControl)
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error { return json.NewEncoder(w).Encode(v) })
}
