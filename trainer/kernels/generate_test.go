package kernels

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedAssembly runs each script of asmgen into a temporary folder
// and checks that the assembly it writes is the committed file, so that
// nobody edits the generated code by hand and loses the change at the next
// go generate.
func TestGeneratedAssembly(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to run the generators")
	}
	scripts, err := filepath.Glob("asmgen/*.py")
	if err != nil || len(scripts) == 0 {
		t.Fatalf("no generator scripts in asmgen (%v)", err)
	}
	for _, s := range scripts {
		if strings.HasPrefix(filepath.Base(s), "_") {
			continue // a module the scripts share
		}
		dir := t.TempDir()
		if out, err := exec.Command(py, "-B", s, dir).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", s, err, out)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.s"))
		if len(files) != 1 {
			t.Fatalf("%s wrote %d .s files, want 1", s, len(files))
		}
		want, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(files[0])
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s writes %s, which is not committed: %v", s, name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the output of %s: run go generate ./trainer/kernels (or edit the script, not the .s file)", name, strings.TrimPrefix(s, "asmgen/"))
		}
	}
}
