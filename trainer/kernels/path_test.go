package kernels

import (
	"os"
	"testing"
)

func TestPathNamesTheKernelsInUse(t *testing.T) {
	for _, p := range paths() {
		restore := usePath(p)
		got := Path()
		restore()
		if got != p {
			t.Errorf("kernels of path %q: Path() = %q", p, got)
		}
	}
}

// TestCPUPath: without EnvVar the path in use is the CPU's choice, AVX-512
// exactly where the CPU has it and its zmm FMAs measured clearly faster than
// ymm ones at start-up.
func TestCPUPath(t *testing.T) {
	t.Logf("zmm/ymm register FMA throughput measured at start-up: %.2f; CPU's path %s", zmmRatio, cpuPath())
	if os.Getenv(EnvVar) != "" {
		t.Skipf("%s is set", EnvVar)
	}
	if got := Path(); got != cpuPath() {
		t.Errorf("Path() = %q, want %q (zmm/ymm FMA ratio %.2f)", got, cpuPath(), zmmRatio)
	}
}

func TestRounding(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{PathAVX512, PathAVX2, true},
		{PathAVX2, PathAVX2, true},
		{PathAVX2, PathPureGo, false},
		{PathAVX512, PathPureGo, false},
		{PathAVX512, "neon", false},
	} {
		if got := Rounding(tc.a) == Rounding(tc.b); got != tc.same {
			t.Errorf("Rounding(%q) == Rounding(%q) is %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}
