// Package buildinfo says which lssr is running and on what: its version and
// commit, the Go toolchain that built it, the trainer's kernel path, the CPU
// model and the OS/arch. `lssr version` prints it, and a job's record can
// carry it as its provenance: two builds, kernel paths or CPUs may round the
// same job differently.
//
// # Version and commit
//
// The Makefile sets Version and Commit at link time:
//
//	go build -ldflags "-X github.com/lssr/lssr/internal/buildinfo.Version=$(git describe --always --dirty) \
//	  -X github.com/lssr/lssr/internal/buildinfo.Commit=$(git rev-parse --short HEAD)" ./cmd/lssr
//
// Get prefers the commit Go stamps into a binary built inside a git checkout
// (vcs.revision; absent with -buildvcs=false), then Commit, then
// UnknownCommit; and Version, then the module version of a `go install
// …@version`, then DevelVersion.
package buildinfo

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/trainer/kernels"
)

// Set at link time with -ldflags -X (see the package doc); empty otherwise.
var (
	// Version is `git describe --always --dirty` of the build's checkout.
	Version string
	// Commit is `git rev-parse --short HEAD` of the build's checkout.
	Commit string
)

// What Get reports when a build says nothing of its version or commit.
const (
	DevelVersion  = "devel"
	UnknownCommit = "unknown"
)

// Info is the provenance of a build running on a machine. Its JSON form is
// meant for records: every field is a plain string.
type Info struct {
	Version    string `json:"version"`     // "v0.4.0-12-g409a061-dirty", or DevelVersion
	Commit     string `json:"commit"`      // "409a061", or UnknownCommit
	GoVersion  string `json:"go_version"`  // the toolchain: "go1.26.8"
	KernelPath string `json:"kernel_path"` // kernels.Path(): "avx512", "avx2" or "purego"
	CPU        string `json:"cpu"`         // the CPU model, "AMD EPYC 7B13", else GOARCH
	Platform   string `json:"platform"`    // GOOS/GOARCH: "linux/amd64"
}

// Get gathers the Info of this process. The CPU model is read once; the
// kernel path is read on every call, since tests switch it.
func Get() Info {
	i := Info{
		Version:    Version,
		Commit:     Commit,
		GoVersion:  runtime.Version(),
		KernelPath: kernels.Path(),
		CPU:        cpuModel(),
		Platform:   runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if rev := vcsRevision(bi); rev != "" {
			i.Commit = rev
		}
		if v := bi.Main.Version; i.Version == "" && v != "" && v != "(devel)" {
			i.Version = v
		}
	}
	if i.Version == "" {
		i.Version = DevelVersion
	}
	if i.Commit == "" {
		i.Commit = UnknownCommit
	}
	return i
}

// String is Info as `lssr version` prints it: the version on the first
// line, then one "key: value" line per field.
func (i Info) String() string {
	return fmt.Sprintf("lssr %s\ncommit:  %s\ngo:      %s\nkernels: %s\ncpu:     %s\nos/arch: %s",
		i.Version, i.Commit, i.GoVersion, i.KernelPath, i.CPU, i.Platform)
}

// vcsRevision is the commit Go stamped into the binary, shortened as git
// does, with "-dirty" when the checkout had changes; "" without a stamp.
func vcsRevision(bi *debug.BuildInfo) string {
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return ""
	}
	rev = rev[:min(len(rev), 12)]
	if modified == "true" {
		rev += "-dirty"
	}
	return rev
}

// cpuModel is the CPU's model name from /proc/cpuinfo (golang.org/x/sys/cpu
// knows features, not names), else GOARCH.
var cpuModel = sync.OnceValue(func() string {
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		if m := modelName(f); m != "" {
			return m
		}
	}
	return runtime.GOARCH
})

// modelName reads the first "model name" line of a /proc/cpuinfo; "" when
// there is none (arm64 kernels, for one, do not write it).
func modelName(r io.Reader) string {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(key) == "model name" {
			return strings.Join(strings.Fields(value), " ")
		}
	}
	return ""
}

// Provenance is this process's provenance for a job it trained: Get's build
// and machine, and the host name.
func Provenance() *lssr.Provenance {
	i := Get()
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	return &lssr.Provenance{Version: i.Version, Commit: i.Commit, GoVersion: i.GoVersion,
		KernelPath: i.KernelPath, CPU: i.CPU, Host: host}
}
