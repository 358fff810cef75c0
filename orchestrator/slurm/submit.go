package slurm

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lssr/lssr/internal/atomicfile"
)

// submission is a job waiting for the next array submission.
type submission struct {
	id   string
	task string // task file path
	done chan submitted
}

// submitted is how a submission went: its task, or why it failed.
type submitted struct {
	taskID string // ARRAY_TASK
	err    error
}

// submit queues a job for the next array submission and waits for its
// task ID. Jobs arriving within a short window share one submission.
func (e *Executor) submit(id, task string) submitted {
	s := submission{id: id, task: task, done: make(chan submitted, 1)}
	e.mu.Lock()
	e.pending = append(e.pending, s)
	if e.flush == nil {
		e.flush = time.AfterFunc(300*time.Millisecond, e.submitPending)
	}
	e.mu.Unlock()
	return <-s.done
}

// submitPending sends every queued job as one array submission.
func (e *Executor) submitPending() {
	e.mu.Lock()
	batch := e.pending
	e.pending, e.flush = nil, nil
	e.mu.Unlock()
	arrayID, err := e.sbatch(batch)
	for i, s := range batch {
		if err != nil {
			s.done <- submitted{err: err}
			continue
		}
		s.done <- submitted{taskID: arrayID + "_" + strconv.Itoa(i)}
	}
}

// sbatch writes the batch's task list and script and submits them as one
// array, returning the array's job ID.
func (e *Executor) sbatch(batch []submission) (string, error) {
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	list := filepath.Join(e.cfg.Dir, "arrays", stamp+".list")
	var lines bytes.Buffer
	for _, s := range batch {
		lines.WriteString(s.task + "\n")
	}
	if err := atomicfile.WriteFile(list, lines.Bytes(), 0o644); err != nil {
		return "", err
	}
	script := filepath.Join(e.cfg.Dir, "arrays", stamp+".sh")
	body := fmt.Sprintf("#!/bin/sh\nset -e\ntask=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" %s)\nexec %s job run \"$task\"\n",
		shellQuote(list), shellQuote(e.cfg.Exe))
	if err := atomicfile.WriteFile(script, []byte(body), 0o755); err != nil {
		return "", err
	}
	args := []string{"--parsable", "--job-name", "lssr",
		"--array", fmt.Sprintf("0-%d%%%d", len(batch)-1, e.cfg.Throttle),
		"--output", filepath.Join(e.cfg.Dir, "logs", "%A_%a.out"),
		"--cpus-per-task", strconv.Itoa(e.cfg.CPUs)}
	if e.cfg.Partition != "" {
		args = append(args, "--partition", e.cfg.Partition)
	}
	if e.cfg.Time != "" {
		args = append(args, "--time", e.cfg.Time)
	}
	if e.cfg.Mem != "" {
		args = append(args, "--mem", e.cfg.Mem)
	}
	args = append(append(args, e.cfg.Extra...), script)
	var stderr bytes.Buffer
	cmd := e.command("sbatch", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("slurm: sbatch: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	if _, err := strconv.Atoi(id); err != nil {
		return "", fmt.Errorf("slurm: sbatch printed %q, not a job ID", out)
	}
	return id, nil
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
