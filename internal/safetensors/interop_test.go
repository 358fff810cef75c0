package safetensors

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// systemPython is Debian's interpreter, which has python3-torch; the python3
// first on PATH may be another one without torch.
const systemPython = "/usr/bin/python3"

// skipUnlessCI skips the test, or fails it when CI=true, where a missing
// dependency means the interop check silently stopped running.
func skipUnlessCI(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true, so this is a failure)", args...)
	}
	t.Skipf(format+"; install python3-torch to run it", args...)
}

// TestPythonInterop moves files both ways between this package and a writer
// and reader built from Python's struct, json and torch: Go writes a file
// that Python parses and compares value by value, and Python writes one that
// Go decodes. One Python process does both, as importing torch takes ~2 s.
func TestPythonInterop(t *testing.T) {
	if _, err := os.Stat(systemPython); err != nil {
		skipUnlessCI(t, "skipping PyTorch interop: %v", err)
	}
	dir := t.TempDir()
	fromGo := filepath.Join(dir, "from_go.safetensors")
	fromPython := filepath.Join(dir, "from_python.safetensors")
	if err := WriteFile(fromGo, referenceTensors(), map[string]string{"format": "pt", "writer": "lssr go test"}); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(systemPython, "testdata/safetensors_ref.py", "check", fromGo, "write", fromPython)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 77 {
		skipUnlessCI(t, "skipping PyTorch interop: %s", bytes.TrimSpace(out))
	}
	if err != nil {
		t.Fatalf("python rejected the file Go wrote: %v\n%s", err, out)
	}

	f, err := Read(fromPython)
	if err != nil {
		t.Fatal(err)
	}
	checkReference(t, f)
	got, _ := os.ReadFile(fromPython)
	want, _ := os.ReadFile(referenceFixture)
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: safetensors_ref.py now writes different bytes; regenerate it (see the script's doc)", referenceFixture)
	}
}
