package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/lssr/lssr"
)

func init() {
	serveModes["fake"] = func() { Serve(&fakeRunner{}) }
	serveModes["slow"] = func() { Serve(slowRunner{}) }
	serveModes["gomaxprocs"] = func() { Serve(gomaxprocsRunner{}) }
	serveModes["big-weights"] = func() { Serve(bigWeightsRunner{}) }
	// Workers of another build: a different cookie, a newer protocol.
	serveModes["other-cookie"] = func() { serveWith(func(h *plugin.HandshakeConfig) { h.MagicCookieValue = "0000000000000000" }) }
	serveModes["protocol-2"] = func() { serveWith(func(h *plugin.HandshakeConfig) { h.ProtocolVersion = 2 }) }
	// Not workers at all, though the right binary: the host checks the
	// checksum first, so only this binary gets as far as the handshake.
	serveModes["exit"] = func() {}
	serveModes["chatty"] = func() { fmt.Println("hello") }
}

func serveWith(change func(*plugin.HandshakeConfig)) {
	h := Handshake
	change(&h)
	plugin.Serve(&plugin.ServeConfig{HandshakeConfig: h, Plugins: pluginMap(&fakeRunner{}, nil), GRPCServer: plugin.DefaultGRPCServer})
}

// slowRunner reports progress every few milliseconds until its context ends.
type slowRunner struct{}

func (slowRunner) Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error) {
	for epoch := 1; ; epoch++ {
		select {
		case <-ctx.Done():
			return lssr.Result{}, ctx.Err()
		case <-time.After(5 * time.Millisecond):
			progress(lssr.Progress{Epoch: epoch})
		}
	}
}

// gomaxprocsRunner reports the worker's GOMAXPROCS as the Result's Epochs.
type gomaxprocsRunner struct{}

func (gomaxprocsRunner) Run(context.Context, lssr.Job, func(lssr.Progress)) (lssr.Result, error) {
	return lssr.Result{Epochs: runtime.GOMAXPROCS(0)}, nil
}

// bigWeightsRunner returns a Result whose Weights are bigWeights(), larger
// than gRPC's default 4 MiB message limit.
type bigWeightsRunner struct{}

func (bigWeightsRunner) Run(context.Context, lssr.Job, func(lssr.Progress)) (lssr.Result, error) {
	return lssr.Result{Epochs: 1, Weights: bigWeights()}, nil
}

func bigWeights() []byte {
	w := make([]byte, 9<<20)
	for i := range w {
		w[i] = byte(i * 7 % 251)
	}
	return w
}

// syncBuffer is a log sink that goroutines may write to after the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testLogger collects the host's and the worker's logs and prints them if
// the test fails.
func testLogger(t *testing.T) hclog.Logger {
	buf := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", buf)
		}
	})
	return hclog.New(&hclog.LoggerOptions{Name: "host", Level: hclog.Debug, Output: buf})
}

// startTestWorker starts this test binary as a worker in the given mode and
// kills it when the test ends.
func startTestWorker(t *testing.T, mode string, env ...string) *Process {
	t.Helper()
	p, err := start(os.Args[0], nil, append(env, serveEnv+"="+mode), testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	return p
}

func TestProcessRoundTrip(t *testing.T) {
	p := startTestWorker(t, "fake")
	if p.PID() <= 0 || p.PID() == os.Getpid() {
		t.Errorf("PID() = %d", p.PID())
	}
	var got []lssr.Progress
	res, err := p.Run(t.Context(), fakeJob("ok"), func(pr lssr.Progress) { got = append(got, pr) })
	if err != nil {
		t.Fatal(err)
	}
	if bits(got) != bits(fakeProgress) || bits(res) != bits(fakeResult) {
		t.Errorf("got %s %s\nwant %s %s", bits(got), bits(res), bits(fakeProgress), bits(fakeResult))
	}
	_, err = p.Run(t.Context(), fakeJob("error"), nil)
	var jobErr *JobError
	if !errors.As(err, &jobErr) || !strings.HasPrefix(err.Error(), "trainer: loss exploded") {
		t.Errorf("error job: got %v", err)
	}
	if p.Exited() {
		t.Error("Exited() is true for a running worker")
	}
	p.Kill()
	if !p.Exited() {
		t.Error("Exited() is false after Kill")
	}
	if _, err := p.Run(t.Context(), fakeJob("ok"), nil); !errors.Is(err, ErrLost) {
		t.Errorf("Run after Kill: got %v, want ErrLost", err)
	}
}

// TestProcessLargeWeights: the weights of a large network, over gRPC's
// default 4 MiB message limit, reach the host whole. go-plugin (v1.8.0)
// dials with grpc.MaxCallRecvMsgSize raised to 2 GiB; this test notices if
// an upgrade takes that away.
func TestProcessLargeWeights(t *testing.T) {
	p := startTestWorker(t, "big-weights")
	res, err := p.Run(t.Context(), fakeJob("ok"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res.Weights, bigWeights()) {
		t.Fatalf("weights: got %d bytes, want the %d sent", len(res.Weights), len(bigWeights()))
	}
}

func TestProcessOneThread(t *testing.T) {
	// A GOMAXPROCS of the host's environment must not reach the worker.
	p := startTestWorker(t, "gomaxprocs", "GOMAXPROCS=4")
	res, err := p.Run(t.Context(), fakeJob("any"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Epochs != 1 {
		t.Errorf("worker GOMAXPROCS = %d, want 1", res.Epochs)
	}
}

// TestProcessDies kills the worker in the middle of a job, once as a crash
// (SIGKILL) and once through Kill, and wants Run to end with ErrLost. The
// broken connection ends it, not a timer, so how long that takes is only
// logged.
func TestProcessDies(t *testing.T) {
	kills := map[string]func(*Process){
		"crash": func(p *Process) {
			proc, err := os.FindProcess(p.PID())
			if err == nil {
				err = proc.Kill()
			}
			if err != nil {
				t.Error(err)
			}
		},
		"Kill": (*Process).Kill,
	}
	for name, kill := range kills {
		t.Run(name, func(t *testing.T) {
			p := startTestWorker(t, "slow")
			var once sync.Once
			var killed time.Time
			_, err := p.Run(t.Context(), fakeJob("any"), func(pr lssr.Progress) {
				once.Do(func() { killed = time.Now(); go kill(p) })
			})
			if !errors.Is(err, ErrLost) {
				t.Fatalf("got %v, want ErrLost", err)
			}
			// Kill may wait up to 2s for a graceful exit before it kills.
			t.Logf("error after %v: %v", time.Since(killed).Round(time.Millisecond), err)
		})
	}
}

func TestStartErrors(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "lssr")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "worker.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho '1|1|unix|/tmp/x|grpc'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The running binary with one byte changed: what a worker started from a
	// binary rebuilt or replaced since the host started would be.
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	self[len(self)/2] ^= 0xff
	changed := filepath.Join(dir, "lssr-changed")
	if err := os.WriteFile(changed, self, 0o755); err != nil {
		t.Fatal(err)
	}
	refused := ": it is not the running lssr binary (its SHA-256 differs); was lssr rebuilt or replaced since this process started? run the new one"
	tests := []struct {
		name, exe, mode string
		args            []string
		want            string // exact, or a substring when prefixed by "~"
	}{
		{name: "missing", exe: "/x/lssr", want: "worker: cannot start /x/lssr: no such file"},
		{name: "not executable", exe: notExec, want: "worker: cannot start " + notExec + ": permission denied (is it executable?)"},
		{name: "not in PATH", exe: "lssr-no-such-command", want: "worker: cannot start lssr-no-such-command: not found in $PATH"},
		{name: "another binary", exe: "/bin/true", want: "worker: refusing to start /bin/true" + refused},
		{name: "shell script", exe: script, want: "worker: refusing to start " + script + refused},
		{name: "one byte changed", exe: changed, mode: "fake", want: "worker: refusing to start " + changed + refused},
		{name: "not a worker", exe: os.Args[0], mode: "exit", want: "~: it exited before the handshake"},
		{name: "chatty", exe: os.Args[0], mode: "chatty", want: "~: it printed \"hello\" instead of the handshake (not an lssr worker?)"},
		{name: "other cookie", exe: os.Args[0], mode: "other-cookie", want: "~failed: it exited before the handshake (not an lssr worker, or one with a different handshake); it said \"This binary is a plugin."},
		{name: "other protocol", exe: os.Args[0], mode: "protocol-2", want: "~failed: protocol version mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			p, err := start(tt.exe, tt.args, []string{serveEnv + "=" + tt.mode}, testLogger(t))
			// Each error must come from what the binary did (the messages
			// below say what), not from the handshake's timeout.
			if took := time.Since(began); took >= startTimeout {
				t.Errorf("the error took %v: the handshake timed out instead of failing on what it saw", took)
			}
			if err == nil {
				p.Kill()
				t.Fatal("Start succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if want, sub := strings.CutPrefix(tt.want, "~"); sub && !strings.Contains(msg, want) || !sub && msg != tt.want {
				t.Errorf("got  %q\nwant %q", msg, tt.want)
			}
		})
	}
}
