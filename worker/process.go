package worker

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/lssr/lssr"
)

// startTimeout bounds the handshake: a worker answers in milliseconds, and a
// binary that does not is the wrong one.
const startTimeout = 20 * time.Second

// Process is the host's handle on one worker process. Its methods are safe
// for concurrent use, but a worker trains on one thread (GOMAXPROCS=1), so
// the pool gives each Process one job at a time.
type Process struct {
	client  *plugin.Client
	runner  Runner
	pid     int
	sockDir string // the folder of the worker's go-plugin socket
}

var _ Runner = (*Process)(nil)

// Start launches exe with args (for lssr: its own executable and
// ["worker"]) as a worker plugin, completes the go-plugin handshake over
// gRPC and returns the ready process. The worker gets the host's environment
// plus GOMAXPROCS=1, so each worker trains on one thread and a pool of k
// workers uses k cores. The worker's logs go to logger; nil logs warnings and
// errors to stderr.
//
// exe must be the running binary itself: go-plugin checks its SHA-256
// against the running binary's before it executes it (see the package doc,
// Security), and the connection is mutually authenticated TLS (AutoMTLS).
//
// Errors are one line: "worker: cannot start EXE: no such file" when exe
// cannot be executed, "worker: refusing to start EXE: ..." when it is not
// the running binary, "worker: handshake with EXE failed: ..." when it runs
// but does not speak this build's worker protocol.
func Start(exe string, args []string, logger hclog.Logger) (*Process, error) {
	return start(exe, args, nil, logger)
}

// start is Start with extra environment variables for the worker.
func start(exe string, args, env []string, logger hclog.Logger) (*Process, error) {
	if logger == nil {
		logger = hclog.New(&hclog.LoggerOptions{Name: "worker", Level: hclog.Warn, Output: os.Stderr})
	}
	path, err := exec.LookPath(exe)
	if err != nil {
		return nil, startError(exe, err)
	}
	self, err := selfChecksum()
	if err != nil {
		return nil, fmt.Errorf("worker: cannot checksum the running binary to pin its workers: %w", err)
	}
	// The worker's socket goes into a folder of its own, which Kill (or
	// the worker, when it outlives its host) removes: go-plugin itself
	// leaves the socket file behind when the worker is killed.
	sockDir, err := os.MkdirTemp("", socketDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("worker: socket folder: %w", err)
	}
	env = append(env, plugin.EnvUnixSocketDir+"="+sockDir)
	cmd := exec.Command(path, args...)
	// SkipHostEnv below: otherwise go-plugin appends os.Environ() after
	// cmd.Env, and since exec keeps the last of duplicate keys, a GOMAXPROCS
	// in the host's environment would win over ours.
	cmd.Env = append(append(os.Environ(), env...), "GOMAXPROCS=1", hostPIDEnv+"="+strconv.Itoa(os.Getpid()))
	stderr := &headWriter{limit: 4096}
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		Plugins:          pluginMap(nil, nil),
		Cmd:              cmd,
		SkipHostEnv:      true,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Managed:          false,
		Logger:           logger,
		Stderr:           stderr,
		StartTimeout:     startTimeout,
		AutoMTLS:         true,
		// A fresh hash each time: Check writes into it without a Reset.
		SecureConfig: &plugin.SecureConfig{Checksum: self, Hash: sha256.New()},
	})
	rpc, err := client.Client()
	if err != nil {
		client.Kill()
		os.RemoveAll(sockDir)
		var pathErr *fs.PathError
		switch {
		case errors.Is(err, plugin.ErrChecksumsDoNotMatch):
			return nil, fmt.Errorf("worker: refusing to start %s: it is not the running lssr binary (its SHA-256 differs); "+
				"was lssr rebuilt or replaced since this process started? run the new one", exe)
		case strings.HasPrefix(err.Error(), "error verifying checksum"):
			return nil, fmt.Errorf("worker: refusing to start %s: cannot read it to check it is the running lssr binary (%s)",
				exe, strings.TrimPrefix(err.Error(), "error verifying checksum: "))
		case errors.As(err, &pathErr): // the exec itself failed
			return nil, startError(exe, pathErr.Err)
		}
		return nil, handshakeError(exe, err, stderr.firstLine())
	}
	raw, err := rpc.Dispense(PluginName)
	if err != nil {
		client.Kill()
		os.RemoveAll(sockDir)
		return nil, handshakeError(exe, err, "")
	}
	runner, ok := raw.(Runner)
	if !ok { // cannot happen: our own plugin map made it
		client.Kill()
		os.RemoveAll(sockDir)
		return nil, fmt.Errorf("worker: plugin %q of %s is a %T, not a Runner", PluginName, exe, raw)
	}
	p := &Process{client: client, runner: runner, sockDir: sockDir}
	if rc := client.ReattachConfig(); rc != nil {
		p.pid = rc.Pid
	}
	return p, nil
}

// selfChecksum is the SHA-256 of the running binary, read through
// /proc/self/exe: that is the file this process was started from even if
// its path now names another (a rebuilt lssr), so workers started from the
// path then fail the check instead of running a different build.
var selfChecksum = sync.OnceValues(func() ([]byte, error) {
	f, err := os.Open("/proc/self/exe")
	if err != nil { // not Linux
		exe, eerr := os.Executable()
		if eerr != nil {
			return nil, eerr
		}
		if f, err = os.Open(exe); err != nil {
			return nil, err
		}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
})

// Run runs job on the worker, see Runner and the package doc for the errors.
func (p *Process) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	if p.client.Exited() {
		return lssr.Result{}, fmt.Errorf("%w: worker pid %d has exited", ErrLost, p.pid)
	}
	res, err := p.runner.Run(ctx, job, progress)
	if errors.Is(err, ErrLost) {
		err = fmt.Errorf("%w (worker pid %d)", err, p.pid)
	}
	return res, err
}

// Exited reports whether the worker process has exited.
func (p *Process) Exited() bool { return p.client.Exited() }

// Kill ends the worker: it asks the worker to stop, which ends a running job
// with an ErrLost error, and kills the process if it has not exited after
// two seconds. Kill returns when the process is gone; it is safe to call
// more than once.
func (p *Process) Kill() {
	p.client.Kill()
	os.RemoveAll(p.sockDir)
}

// PID returns the worker's process ID.
func (p *Process) PID() int { return p.pid }

// startError says in one line why exe could not be executed.
func startError(exe string, err error) error {
	reason := err.Error()
	var execErr *exec.Error
	if errors.As(err, &execErr) {
		reason = execErr.Err.Error()
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		reason = "no such file"
	case errors.Is(err, fs.ErrPermission):
		reason = "permission denied (is it executable?)"
	case errors.Is(err, exec.ErrNotFound):
		reason = "not found in $PATH"
	}
	return fmt.Errorf("worker: cannot start %s: %s", exe, reason)
}

// handshakeError says in one line why exe, which started, is not a worker
// this host can talk to.
func handshakeError(exe string, err error, stderrLine string) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "incompatible API version"):
		msg = "protocol version mismatch (" + firstLine(msg) + "): host and worker are different lssr builds"
	case strings.Contains(msg, "exited before we could connect"),
		strings.Contains(msg, "Failed to read any lines"): // stdout closed
		msg = "it exited before the handshake (not an lssr worker, or one with a different handshake)"
	case strings.HasPrefix(msg, "Unrecognized remote plugin message: "):
		line := strings.TrimPrefix(firstLine(msg), "Unrecognized remote plugin message: ")
		msg = fmt.Sprintf("it printed %q instead of the handshake (not an lssr worker?)", line)
	default:
		msg = firstLine(msg)
	}
	if stderrLine != "" {
		msg += fmt.Sprintf("; it said %q", stderrLine)
	}
	return fmt.Errorf("worker: handshake with %s failed: %s", exe, msg)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// headWriter keeps the first limit bytes written to it: the start of a
// failing worker's stderr, where Go and go-plugin put the reason.
type headWriter struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (w *headWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.limit - len(w.buf); room > 0 {
		w.buf = append(w.buf, b[:min(room, len(b))]...)
	}
	return len(b), nil
}

// firstLine returns the first non-blank line written.
func (w *headWriter) firstLine() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for line := range strings.Lines(string(w.buf)) {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
