package runner

import (
	"errors"
	"fmt"

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
func ReadArchive(file string) (*txtar.Archive, error) {
	data, err := scenariofile.Read(file)
	if err != nil {
		return nil, err
	}
	sc, err := scenariofile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(sc.UnnamedMarkers) > 0 {
		return nil, fmt.Errorf("%s:%d: \"-- --\" is a file marker without a name", file, sc.UnnamedMarkers[0])
	}
	a := sc.Archive
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
// "netscript check" read them: see scenariofile.Expand.
func Expand(paths []string) ([]string, error) { return scenariofile.Expand(paths) }
