package topology

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/script"

	"github.com/netscript/netscript/internal/scenariofile"
)

// Scenario is a scenario file read without running it.
type Scenario struct {
	Name    string // the file name, for messages
	Archive *txtar.Archive
	// Lines are the script's command lines, in order; blank and comment
	// lines are left out.
	Lines []Line
	// Topology is the network when the script ends (or stops).
	Topology *Topology
	// Problems are the commands that would fail when run: names used
	// before they exist, created twice, and the like. Commands negated
	// with "!" are expected to fail and are neither applied nor reported;
	// commands under a [condition] are applied but not reported.
	Problems []Problem
}

// ReadFile reads the scenario file at path: a regular file of at most
// scenariofile.MaxSize bytes.
func ReadFile(path string) (*Scenario, error) {
	data, err := scenariofile.Read(path)
	if err != nil {
		return nil, err // it names the file
	}
	return Read(path, data), nil
}

// Read reads a scenario from data, with netscript's command table; name is
// used in messages.
func Read(name string, data []byte) *Scenario {
	return ReadTable(name, data, defaultTable())
}

// defaultTable is the command table, made once: graph and lint may read
// many files.
var defaultTable = sync.OnceValue(commands.Table)

// ReadTable reads a scenario from data whose commands are those of table;
// name is used in messages.
func ReadTable(name string, data []byte, table script.Table) *Scenario {
	data, bad := unnamedMarkers(data)
	a := txtar.Parse(data)
	sc := &Scenario{Name: name, Archive: a}
	s := newSim()
	for _, line := range bad {
		s.report(line, "%s", `"-- --" is a file marker without a name, on which testscript's txtar parser panics`)
	}
	e := newEnv()
	stopped := false
	for i, text := range strings.Split(string(a.Comment), "\n") {
		l, ok := readLine(i+1, text, e)
		if !ok {
			continue
		}
		if l.Err == "" && len(l.Args) > 0 {
			l.Act, l.InTable, l.ParseErr = table.Parse(l.Args)
		}
		sc.Lines = append(sc.Lines, l)
		if l.Err != "" || len(l.Args) == 0 || stopped || l.Neg {
			continue
		}
		switch l.Args[0] {
		case "env":
			e.apply(l.Args[1:])
		case "stop", "skip":
			stopped = len(l.Conds) == 0
		}
		s.quiet = len(l.Conds) > 0
		s.run(l)
	}
	s.hint()
	sc.Topology, sc.Problems = s.t, s.problems
	slices.SortStableFunc(sc.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return sc
}

// unnamedMarkers finds the lines "-- --", on which txtar.Parse panics
// (go-internal v1.16 slices the name out of "-- " and " --" overlapping),
// and returns data with them made harmless ("--  --" is no marker).
func unnamedMarkers(data []byte) ([]byte, []int) {
	var bad []int
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, l := range lines {
		if string(bytes.TrimRight(l, "\r\n")) == "-- --" {
			bad = append(bad, i+1)
		}
	}
	if bad == nil {
		return data, nil
	}
	var b bytes.Buffer
	for i, l := range lines {
		if slices.Contains(bad, i+1) {
			l = append([]byte("--  --"), l[len("-- --"):]...)
		}
		b.Write(l)
	}
	return b.Bytes(), bad
}
