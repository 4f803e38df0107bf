package runner

import (
	"bytes"
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

// scenarioFiles lists dir's scenarios as testscript would: *.txtar and *.txt.
func scenarioFiles(dir string) ([]string, error) {
	var files []string
	for _, pattern := range []string{"*.txtar", "*.txt"} {
		found, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			return nil, err
		}
		files = append(files, found...)
	}
	slices.Sort(files)
	return files, nil
}
