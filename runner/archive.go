package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/rogpeppe/go-internal/txtar"
)

// ReadArchive reads and parses a scenario file. go-internal's txtar parser
// panics on a line "-- --" (a file marker without a name); ReadArchive
// reports that as an error naming the file and line instead, and turns any
// other panic of the parser into an error too.
func ReadArchive(file string) (a *txtar.Archive, err error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		if string(bytes.TrimRight(line, "\r")) == "-- --" {
			return nil, fmt.Errorf("%s:%d: \"-- --\" is a file marker without a name", file, i+1)
		}
	}
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("%s: not a txtar archive: %v", file, r)
		}
	}()
	return txtar.Parse(data), nil
}

// Expand turns paths into scenario files, as Run, "netscript run" and
// "netscript check" read them: a file stands for itself, a directory for
// its *.txtar and *.txt files (testscript's), sorted; no paths means
// "scenarios". A directory without scenarios is an error.
func Expand(paths []string) ([]string, error) {
	if len(paths) == 0 {
		paths = []string{"scenarios"}
	}
	var files []string
	var errs error
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			errs = errors.Join(errs, err)
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		for _, pattern := range []string{"*.txtar", "*.txt"} {
			m, err := filepath.Glob(filepath.Join(p, pattern))
			if err != nil {
				return nil, err
			}
			found = append(found, m...)
		}
		if len(found) == 0 {
			errs = errors.Join(errs, fmt.Errorf("%s: no .txtar scenarios in the directory", p))
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	return files, errs
}
