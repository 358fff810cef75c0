package kernels

import (
	"fmt"
	"os"
)

// EnvVar names the environment variable that forces a kernel path, for
// tests and speed comparisons: "avx512", "avx2" or "purego". Unset or empty,
// the CPU decides (see Path). Worker processes and Slurm tasks inherit it
// with the rest of the environment, so a whole sweep runs on the path it
// names.
const EnvVar = "LSSR_KERNELS"

// envErr is why EnvVar could not be honoured, or nil. It is computed while
// the package's variables are initialised, before the init function that
// installs the kernels of the path then chosen.
var envErr = applyEnv(os.Getenv(EnvVar))

// EnvError reports why the kernel path EnvVar asks for is not the one in
// use: an unknown name, or a path this build or CPU cannot run. The path
// then stays the CPU's choice; a program should refuse to run on it, since
// its numbers would silently come from another path than the one asked for.
func EnvError() error { return envErr }

// applyEnv switches to the path v names ("" leaves the CPU's choice) and
// says why it cannot.
func applyEnv(v string) error {
	switch v {
	case "":
		return nil
	case PathPureGo:
		useAsm = false
		return nil
	case PathAVX2:
		if !haveAsm {
			return fmt.Errorf("%s=%s: this build or CPU has no %s path (it has %s)", EnvVar, v, PathAVX2, Path())
		}
		useAsm, useZmm = true, false
		return nil
	case PathAVX512:
		if !haveZmm {
			return fmt.Errorf("%s=%s: this build or CPU has no %s path (it has %s)", EnvVar, v, PathAVX512, Path())
		}
		useAsm, useZmm = true, true
		return nil
	}
	return fmt.Errorf("%s=%q: unknown kernel path (want %s, %s or %s)", EnvVar, v, PathAVX512, PathAVX2, PathPureGo)
}
