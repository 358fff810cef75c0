package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lssr/lssr"
)

// guard bounds every wait for an event in the end-to-end tests. It only
// turns a hang into a failure: no test's outcome depends on how much of it
// passes, so a slow or busy machine takes longer but passes alike.
const guard = 5 * time.Minute

// event is one line of `lssr sweep run --plain`: an ended attempt
// ("[3/6] done     b=8 …") or a stored checkpoint ("[3/6] ckpt     b=8 …
// epoch 12 of job ID  (pid 4242)").
type event struct {
	what   string // "ckpt", or the state the attempt left the job in
	job    string // the job ID, for checkpoints
	epoch  int    // the checkpoint's epoch
	worker string // what runs the job, for checkpoints: "pid 4242"
	line   string
}

// finished reports whether the event is an attempt that finished its job.
func (e event) finished() bool {
	return lssr.JobState(e.what).Finished()
}

// pid is the worker's PID of a checkpoint event, 0 if it names none.
func (e event) pid() int {
	pid, _ := strconv.Atoi(strings.TrimPrefix(e.worker, "pid "))
	return pid
}

var (
	eventLine = regexp.MustCompile(`^\[\s*\d+/\d+\] (\S+)`)
	ckptLine  = regexp.MustCompile(` epoch (\d+) of job (\S+)  \((.*)\)$`)
)

func parseEvent(line string) (event, bool) {
	m := eventLine.FindStringSubmatch(line)
	if m == nil {
		return event{}, false
	}
	e := event{what: m[1], line: line}
	if e.what == "ckpt" {
		c := ckptLine.FindStringSubmatch(line)
		if c == nil {
			return event{}, false
		}
		e.epoch, _ = strconv.Atoi(c[1])
		e.job, e.worker = c[2], c[3]
	}
	return e, true
}

// sweepProc is a running `lssr sweep run|resume` whose progress lines the
// test reads as they come.
type sweepProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	events chan event
	exited chan struct{} // closed once the process has exited and its output is read
	err    error         // Wait's error, once exited is closed
	stdout bytes.Buffer  // every line, once exited is closed
	stderr bytes.Buffer
}

// startProc starts lssr with args in dir (and env added to the
// environment); its output must be plain (a pipe is not a terminal).
func startProc(t *testing.T, dir string, env []string, args ...string) *sweepProc {
	t.Helper()
	p := &sweepProc{t: t, events: make(chan event, 1<<16), exited: make(chan struct{})}
	p.cmd = exec.Command(lssrBin, args...)
	p.cmd.Dir, p.cmd.Env, p.cmd.Stderr = dir, append(os.Environ(), env...), &p.stderr
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.exited })
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			p.stdout.WriteString(sc.Text() + "\n")
			if e, ok := parseEvent(sc.Text()); ok {
				p.events <- e
			}
		}
		r.Close()
		close(p.events)
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

// next returns the next event that match accepts, skipping others, or false
// when the process ends first.
func (p *sweepProc) next(match func(event) bool) (event, bool) {
	p.t.Helper()
	timeout := time.After(guard)
	for {
		select {
		case e, ok := <-p.events:
			if !ok {
				return event{}, false
			}
			if match(e) {
				return e, true
			}
		case <-timeout:
			p.t.Fatalf("no event within %v (a guard: the sweep hangs)", guard)
		}
	}
}

// kill SIGKILLs the process and waits for it; it returns how many events
// it had printed past the last one the test read.
func (p *sweepProc) kill() int {
	p.cmd.Process.Signal(syscall.SIGKILL)
	return p.wait()
}

// wait waits for the process to exit and returns how many events the
// test had not read.
func (p *sweepProc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
	case <-time.After(guard):
		p.t.Fatalf("lssr %v did not exit within %v (a guard: it hangs)", p.cmd.Args[1:], guard)
	}
	n := 0
	for range p.events {
		n++
	}
	return n
}

// code is the exit status, once the process has exited (-1 if killed).
func (p *sweepProc) code() int {
	return p.cmd.ProcessState.ExitCode()
}

func isCheckpoint(e event) bool { return e.what == "ckpt" }

func checkpointOf(job string) func(event) bool {
	return func(e event) bool { return e.what == "ckpt" && e.job == job }
}

func isProgress(e event) bool { return e.what == "ckpt" || e.finished() }
