package kernels

import "testing"

func TestPathNamesTheKernelsInUse(t *testing.T) {
	defer setPath(false)()
	if got := Path(); got != PathPureGo {
		t.Errorf("Go kernels: Path() = %q, want %q", got, PathPureGo)
	}
	if !haveAsm {
		return
	}
	setPath(true)
	if got := Path(); got != PathAVX2 {
		t.Errorf("assembly kernels: Path() = %q, want %q", got, PathAVX2)
	}
}
