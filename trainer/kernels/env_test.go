package kernels

import (
	"strings"
	"testing"
)

func TestApplyEnv(t *testing.T) {
	for _, tc := range []struct {
		value   string
		want    string // the path in use afterwards, starting from the CPU's choice
		wantErr string // a substring of the error, "" for none
	}{
		{"", cpuPath(), ""},
		{PathPureGo, PathPureGo, ""},
		{PathAVX2, map[bool]string{true: PathAVX2, false: cpuPath()}[haveAsm], map[bool]string{true: "", false: "has no avx2 path"}[haveAsm]},
		{PathAVX512, map[bool]string{true: PathAVX512, false: cpuPath()}[haveZmm], map[bool]string{true: "", false: "has no avx512 path"}[haveZmm]},
		{"avx", cpuPath(), `unknown kernel path (want avx512, avx2 or purego)`},
		{"AVX2", cpuPath(), "unknown kernel path"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			defer usePath(cpuPath())()
			setPath(cpuPath())
			err := applyEnv(tc.value)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("applyEnv(%q) = %v, want no error", tc.value, err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), EnvVar+"=")) {
				t.Fatalf("applyEnv(%q) = %v, want an error naming %s and containing %q", tc.value, err, EnvVar, tc.wantErr)
			}
			if got := Path(); got != tc.want {
				t.Errorf("after applyEnv(%q): Path() = %q, want %q", tc.value, got, tc.want)
			}
		})
	}
}

// cpuPath is the path the CPU chooses when nothing forces one.
func cpuPath() string {
	switch {
	case haveZmm && zmmRatio >= zmmMinRatio:
		return PathAVX512
	case haveAsm:
		return PathAVX2
	}
	return PathPureGo
}
