package worker

import (
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
)

// Serve serves r as the worker plugin of this process: the plugin side of
// Start, and all the hidden `lssr worker` command does. It returns when the
// host closes the connection, and exits the process if the host dies without
// closing it. Run by hand (without the host's handshake cookie in its
// environment) it prints a notice and exits with status 1.
//
// Logs go to stderr as JSON lines, which go-plugin parses and forwards to the
// host's logger at their own level; stdout belongs to the handshake.
func Serve(r Runner) {
	logger := hclog.New(&hclog.LoggerOptions{
		Name:       "worker",
		Level:      hclog.Debug, // the host's logger filters
		Output:     os.Stderr,   // taken before plugin.Serve redirects os.Stderr
		JSONFormat: true,
	})
	// A host killed with SIGKILL breaks the pipes of the worker's stdout and
	// stderr, and Go would end the worker with SIGPIPE at its next log
	// line, leaving its socket folder behind: ignore the signal, and let
	// exitWithParent clean up and exit.
	signal.Ignore(syscall.SIGPIPE)
	go exitWithParent(logger)
	defer removeSocketDir()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: Handshake,
		Plugins:         pluginMap(r, logger),
		GRPCServer:      plugin.DefaultGRPCServer,
		Logger:          logger,
	})
}

// removeSocketDir removes the folder Start made for this worker's socket,
// which go-plugin leaves behind when the host is gone.
func removeSocketDir() {
	if d := os.Getenv(plugin.EnvUnixSocketDir); strings.HasPrefix(filepath.Base(d), socketDirPrefix) {
		os.RemoveAll(d)
	}
}

// socketDirPrefix starts the name of the folder Start makes for a worker's
// socket.
const socketDirPrefix = "lssr-worker-"

// hostPIDEnv names the variable through which Start tells a worker its
// host's PID.
const hostPIDEnv = "LSSR_HOST_PID"

// exitWithParent exits when the process that started this worker is gone.
// The host does not manage its workers through go-plugin's global cleanup,
// so a host killed with SIGKILL would otherwise leave its workers training,
// then idling, for ever. An orphan is re-parented, so its parent PID changes.
//
// The host's PID comes from LSSR_HOST_PID, which Start sets: the parent
// PID read at start-up would already be the re-parenting process's if the
// host died while this worker was starting.
func exitWithParent(logger hclog.Logger) {
	parent := os.Getppid()
	if pid, err := strconv.Atoi(os.Getenv(hostPIDEnv)); err == nil {
		parent = pid
	}
	for range time.Tick(time.Second) {
		if os.Getppid() != parent {
			logger.Error("host process is gone; worker exits", "host_pid", parent)
			removeSocketDir()
			os.Exit(1)
		}
	}
}
