package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFile writes data to path with mode 0644 and fails the test if it
// cannot.
func WriteFile[T ~string | ~[]byte](t testing.TB, path string, data T) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteFiles writes each file of files, keyed by its name, into dir.
func WriteFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		WriteFile(t, filepath.Join(dir, name), data)
	}
}
