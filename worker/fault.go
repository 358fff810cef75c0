package worker

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/lssr/lssr"
)

// Fault injection, for the crash-safety tests (and for anyone who wants to
// see what lssr does when a worker misbehaves). With LSSR_FAULT=KIND@EPOCH
// in the environment of `lssr sweep run`, which passes it on to its
// workers, a worker misbehaves right after reporting that epoch of a job:
//
//	hang   stops reporting and ignores cancellation (the orchestrator's
//	       --hang-timeout must kill it)
//	panic  panics inside the job (the job fails with the panic's text)
//	exit   exits at once with status 3, as a crash would
//
// With LSSR_FAULT_ONCE=FILE as well, only the first worker to create FILE
// misbehaves, once; the retry then runs clean. Without LSSR_FAULT nothing
// changes.
type fault struct {
	kind  string
	epoch int
	once  string
}

// faultFromEnv reads LSSR_FAULT and LSSR_FAULT_ONCE; it returns nil when no
// fault is asked for, and an error for a malformed one.
func faultFromEnv() (*fault, error) {
	spec := os.Getenv("LSSR_FAULT")
	if spec == "" {
		return nil, nil
	}
	kind, at, ok := strings.Cut(spec, "@")
	epoch, err := strconv.Atoi(at)
	if !ok || err != nil || epoch < 1 || (kind != "hang" && kind != "panic" && kind != "exit") {
		return nil, fmt.Errorf("LSSR_FAULT=%q: want hang@N, panic@N or exit@N with N ≥ 1", spec)
	}
	return &fault{kind: kind, epoch: epoch, once: os.Getenv("LSSR_FAULT_ONCE")}, nil
}

// wrap returns progress with the fault fired after the fault's epoch.
func (f *fault) wrap(progress func(lssr.Progress)) func(lssr.Progress) {
	if f == nil {
		return progress
	}
	return func(p lssr.Progress) {
		if progress != nil {
			progress(p)
		}
		if p.Epoch != f.epoch || !f.claim() {
			return
		}
		switch f.kind {
		case "hang":
			select {}
		case "panic":
			panic(fmt.Sprintf("injected fault (LSSR_FAULT=panic@%d)", f.epoch))
		case "exit":
			removeSocketDir()
			os.Exit(3)
		}
	}
}

// claim reports whether this worker fires the fault: always without
// LSSR_FAULT_ONCE, else only if it is the first to create that file.
func (f *fault) claim() bool {
	if f.once == "" {
		return true
	}
	file, err := os.OpenFile(f.once, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return false
	}
	file.Close()
	return true
}
