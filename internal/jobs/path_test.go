package jobs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/netscript/netscript/script"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []struct {
		path string
		mode os.FileMode
	}{{"bin/tc", 0o755}, {"bin/nft", 0o644}, {"rel/ss", 0o755}, {"bin/ethtool/x", 0o755}} {
		p := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, f.mode); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "bin")
	for _, tt := range []struct {
		file string
		env  []string
		want string
	}{
		{"tc", []string{"PATH=/nonexistent:" + bin}, filepath.Join(bin, "tc")},
		{"tc", []string{"PATH=/nonexistent"}, ""},
		{"nft", []string{"PATH=" + bin}, ""},     // not executable
		{"ethtool", []string{"PATH=" + bin}, ""}, // a directory
		{"ss", []string{"PATH=rel"}, filepath.Join(dir, "rel", "ss")},
		{"tc", []string{"HOME=/", "PATH=" + bin}, filepath.Join(bin, "tc")},
	} {
		got, err := LookPath(&script.State{Env: tt.env, Dir: dir}, tt.file)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("LookPath(%q, %q) = %q, %v; want %q", tt.file, tt.env, got, err, tt.want)
		}
	}
}
