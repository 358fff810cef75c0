package worker

import (
	"fmt"
	"os"
	"testing"
)

// serveEnv, when set in a test binary's environment, makes TestMain serve a
// worker plugin instead of running tests: the test binary re-executed by
// Start is the worker. The value picks an entry of serveModes.
const serveEnv = "LSSR_WORKER_TEST_SERVE"

// serveModes are the workers a test binary can become, filled in by the
// test files that use them.
var serveModes = map[string]func(){}

func TestMain(m *testing.M) {
	mode, ok := os.LookupEnv(serveEnv)
	if !ok {
		os.Exit(m.Run())
	}
	serve, ok := serveModes[mode]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown %s=%q\n", serveEnv, mode)
		os.Exit(3)
	}
	serve()
	os.Exit(0)
}
