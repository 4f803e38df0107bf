package jobs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/netscript/netscript/script"
)

// LookPath finds the program file as the scenario's shell would, and as
// testscript's exec does: a name with a slash as it is, any other in the
// directories of the scenario's PATH (that of s.Env, or the process's when
// s.Env has none), relative ones taken from s.Dir.
func LookPath(s *script.State, file string) (string, error) {
	if strings.Contains(file, "/") {
		return exec.LookPath(file)
	}
	path := os.Getenv("PATH")
	for _, kv := range s.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(s.Dir, dir)
		}
		p := filepath.Join(dir, file)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
}
