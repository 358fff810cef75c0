// Package worker is the contract between the lssr orchestrator and its worker
// processes, and the worker side that runs the trainer.
//
// The pieces follow go-plugin's examples/grpc: the plain Go interface
// (Runner), the Handshake and plugin map shared by both sides (interface.go),
// unexported gRPC adapters (grpc.go) over worker.proto (proto/), the plugin
// side (Serve, used by the hidden `lssr worker` command, with TrainerRunner)
// and the host side (Start, Process).
//
// # Errors
//
// Process.Run tells three kinds of failure apart, because the orchestrator
// handles them differently:
//   - the caller's context ended: ctx.Err() itself;
//   - the worker process or its connection is gone: an error wrapping
//     ErrLost (retry the job on a fresh worker);
//   - the job itself failed inside a healthy worker (the Runner returned an
//     error or panicked, or the job was refused): a *JobError carrying the
//     worker's error text.
//
// # Security
//
// Workers are local processes of the same user; what the host enforces is
// that it talks only to its own binary, and that nothing else can talk to a
// worker:
//   - Start pins the worker binary: go-plugin's SecureConfig compares the
//     SHA-256 of the file it is about to execute with that of the running
//     binary (read through /proc/self/exe), so a binary rebuilt or replaced
//     since the host started, or any other program, is refused before it
//     runs. go-plugin checks the file and then executes its path, so a
//     replacement in between those two steps is not caught.
//   - AutoMTLS: the host makes a one-off certificate and hands it to the
//     worker in its environment; the worker answers with its own in the
//     handshake, and the gRPC connection is TLS with both certificates
//     required. A client without the host's certificate is refused.
//   - Nothing listens on the network: on Linux go-plugin serves on a unix
//     socket, a file named plugin* in $TMPDIR (only its owner may connect
//     under the usual umask; mTLS guards it either way). It is the only
//     listening socket of a worker, and the host listens on nothing:
//     go-plugin's stdio forwarding travels over that connection and logs
//     over the worker's stderr.
//
// worker/security_test.go checks the last two against real worker
// processes; TestStartErrors the first.
package worker

import (
	"context"
	"errors"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"

	"github.com/lssr/lssr"
)

// Runner runs one job to its end, reporting progress.
//
// Run calls progress (if not nil) once per finished epoch, before it
// returns, and returns when the job has finished, failed, or ctx is done. A
// diverged run is a Result with Diverged set, and a run its stall rule
// stopped one with Stopped set (training.stop_early), not an error.
type Runner interface {
	Run(ctx context.Context, job lssr.Job, progress func(lssr.Progress)) (lssr.Result, error)
}

// Handshake is the go-plugin handshake both sides must agree on. Bump
// ProtocolVersion on any incompatible change of worker.proto or of the
// meaning of its fields; the cookie only keeps `lssr worker` from being run
// by hand or by another program's plugin loader.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  1,
	MagicCookieKey:   "LSSR_WORKER_PLUGIN",
	MagicCookieValue: "4eed2dbd9363003d",
}

// PluginName is the name the Runner is served and dispensed under.
const PluginName = "runner"

// ErrLost is wrapped by the errors Process.Run returns when the worker
// process died, was killed, or its connection broke before the job ended.
// The job did not fail on its own: it can be run again on another worker.
var ErrLost = errors.New("worker lost")

// JobError is returned by Process.Run when the job failed inside a healthy
// worker: the Runner returned an error or panicked, or the worker refused the
// job. Msg is the worker's error text, unchanged.
type JobError struct {
	Msg string
	// BadInput is true when the Runner's error wrapped lssr.ErrBadInput (a
	// dataset file missing, say): the JobError then wraps it too, so the
	// cause survives the trip between processes.
	BadInput bool
}

// Error returns the worker's error text.
func (e *JobError) Error() string { return e.Msg }

// Unwrap returns lssr.ErrBadInput for a bad-input failure, else nil.
func (e *JobError) Unwrap() error {
	if e.BadInput {
		return lssr.ErrBadInput
	}
	return nil
}

// pluginMap is the plugin set of both sides; impl and logger are nil on
// the host.
func pluginMap(impl Runner, logger hclog.Logger) plugin.PluginSet {
	return plugin.PluginSet{PluginName: &runnerPlugin{Impl: impl, Logger: logger}}
}

// runnerPlugin serves and dispenses a Runner over gRPC only.
type runnerPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	Impl   Runner       // plugin side only
	Logger hclog.Logger // plugin side only; nil discards
}

var _ plugin.GRPCPlugin = (*runnerPlugin)(nil)
