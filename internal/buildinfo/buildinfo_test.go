package buildinfo

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/lssr/lssr/trainer/kernels"
)

func TestGetFillsEveryField(t *testing.T) {
	i := Get()
	fields := map[string]string{"version": i.Version, "commit": i.Commit, "go_version": i.GoVersion,
		"kernel_path": i.KernelPath, "cpu": i.CPU, "platform": i.Platform}
	for name, v := range fields {
		if v == "" {
			t.Errorf("%s is empty: %+v", name, i)
		}
	}
	if i.GoVersion != runtime.Version() || i.KernelPath != kernels.Path() || i.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("Get() = %+v", i)
	}
	// The JSON names are what records store.
	b, _ := json.Marshal(i)
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for name, v := range fields {
		if back[name] != v {
			t.Errorf("JSON %s = %q, want %q", name, back[name], v)
		}
	}
}

func TestLinkTimeValuesWin(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "v1.2.3-4-gabcdef0-dirty", "abcdef0"
	i := Get()
	if i.Version != Version {
		t.Errorf("Version %q, want %q", i.Version, Version)
	}
	// A test binary carries no VCS stamp, so the link-time commit stands.
	if i.Commit != Commit {
		t.Errorf("Commit %q, want %q", i.Commit, Commit)
	}
	s := i.String()
	for _, want := range []string{"lssr v1.2.3-4-gabcdef0-dirty\n", "commit:  abcdef0\n", "go:      " + runtime.Version(),
		"kernels: " + kernels.Path(), "cpu:     " + i.CPU, "os/arch: " + i.Platform} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}
}

func TestWithoutLinkTimeValues(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "", ""
	if i := Get(); i.Version != DevelVersion || i.Commit != UnknownCommit {
		t.Errorf("Get() = %q, %q; want %q, %q", i.Version, i.Commit, DevelVersion, UnknownCommit)
	}
}

func TestModelName(t *testing.T) {
	for _, tc := range []struct{ cpuinfo, want string }{
		{"processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\nmodel name\t: AMD EPYC 7B13  64-Core Processor\nflags\t: fpu\n", "AMD EPYC 7B13 64-Core Processor"},
		{"processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n", ""}, // arm64
		{"", ""},
	} {
		if got := modelName(strings.NewReader(tc.cpuinfo)); got != tc.want {
			t.Errorf("modelName(%q) = %q, want %q", tc.cpuinfo, got, tc.want)
		}
	}
}
