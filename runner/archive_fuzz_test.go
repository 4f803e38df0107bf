package runner

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadArchive: any file either parses or gives an error naming the
// file; it never panics. Seeds: the scenarios and the bad-input corpus.
func FuzzReadArchive(f *testing.F) {
	for _, pattern := range []string{"../scenarios/*.txtar", "../testdata/bad/*.txtar"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "fuzz.txtar")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		a, err := ReadArchive(file)
		if err == nil && a == nil {
			t.Fatal("no archive and no error")
		}
		if err != nil && !containsFile(err.Error(), file) {
			t.Errorf("error does not name the file: %v", err)
		}
	})
}

func containsFile(msg, file string) bool {
	return len(msg) >= len(file) && (msg[:len(file)] == file)
}
