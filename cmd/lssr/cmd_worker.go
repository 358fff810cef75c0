package main

import (
	"github.com/lssr/lssr/worker"
	"github.com/urfave/cli/v2"
)

// workerCommand is the plugin side of go-plugin: the orchestrator starts
// `lssr worker` processes and talks to them over gRPC. It is hidden because
// it refuses to run unless started by lssr itself (the handshake cookie).
func workerCommand() *cli.Command {
	return &cli.Command{
		Name:   "worker",
		Usage:  "serve jobs to an lssr orchestrator (started by lssr itself)",
		Hidden: true,
		Action: func(*cli.Context) error {
			worker.Serve(&worker.TrainerRunner{})
			return nil
		},
	}
}
