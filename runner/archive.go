package runner

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/netscript/netscript/internal/scenariofile"
)

// ReadArchive reads and parses a scenario file, and refuses one that
// would fail before its first line runs, with the same messages as
// "netscript check", each as file:line: message:
//
//   - what is not a regular file, or is over scenariofile.MaxSize bytes
//     (a FIFO, a symlink to /dev/zero), which is never read;
//   - a line "-- --" (a file marker without a name), on which
//     go-internal's txtar parser panics; any other panic of the parser is
//     turned into an error too;
//   - the problems scenariofile.Check finds: archive files testscript
//     would write outside the work directory, or twice; a scenario without
//     commands; a name too long for testscript's work directory.
func ReadArchive(file string) (a *txtar.Archive, err error) {
	data, err := scenariofile.Read(file)
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
	a = txtar.Parse(data)
	var errs []error
	for _, p := range scenariofile.Check(file, a) {
		if p.Line == 0 {
			errs = append(errs, fmt.Errorf("%s: %s", file, p.Msg))
		} else {
			errs = append(errs, fmt.Errorf("%s:%d: %s", file, p.Line, p.Msg))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return a, nil
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
