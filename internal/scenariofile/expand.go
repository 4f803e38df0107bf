package scenariofile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// Expand turns paths into scenario files, as runner.Run, "netscript run",
// "netscript check" and "netscript graph" read them: a file stands for
// itself, a directory for its *.txtar and *.txt files (testscript's),
// sorted; no paths means "scenarios". A directory without scenarios is an
// error; the files found elsewhere are returned with it.
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
