package bench

import (
	"os"
	"path/filepath"
	"testing"
)

// TestShellTwins writes each scenario's shell twin for inspection when
// BENCH_TWINS names a folder; it is skipped otherwise.
func TestShellTwins(t *testing.T) {
	out := os.Getenv("BENCH_TWINS")
	if out == "" {
		t.Skip("BENCH_TWINS is not set")
	}
	files, _ := filepath.Glob("../scenarios/*.txtar")
	lib, _ := filepath.Abs("lib.sh")
	for _, f := range files {
		dir := filepath.Join(out, filepath.Base(f))
		os.MkdirAll(dir, 0o755)
		text, err := shellTwin(f, lib, dir)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "twin.sh"), []byte(text), 0o644)
	}
}
