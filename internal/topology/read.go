package topology

import (
	"slices"
	"sync"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/script"

	"github.com/netscript/netscript/internal/scenariofile"
)

// Line is one command line of a scenario, as scenariofile reads it, with
// the command parsed.
type Line struct {
	scenariofile.Line

	// Act is the command parsed with the command table, once, as the
	// runner parses it, for the topology and for lint; InTable reports
	// whether the table has the command, and ParseErr is its parse error
	// (a *script.Fallback for a form that runs the real tool).
	Act      script.Action
	InTable  bool
	ParseErr error
}

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
	sc := &Scenario{Name: name}
	s := newSim()
	file, err := scenariofile.Parse(data)
	if err != nil {
		s.report(0, "%v", err)
		sc.Archive = &txtar.Archive{}
		sc.Topology, sc.Problems = s.t, s.problems
		return sc
	}
	sc.Archive = file.Archive
	for _, line := range file.UnnamedMarkers {
		s.report(line, "%s", scenariofile.UnnamedMarkerMsg)
	}
	for _, fl := range file.Lines {
		l := Line{Line: fl}
		if l.Err == "" && len(l.Args) > 0 {
			l.Act, l.InTable, l.ParseErr = table.Parse(l.Args)
		}
		sc.Lines = append(sc.Lines, l)
		if l.Err != "" || len(l.Args) == 0 || l.Stopped || l.Neg {
			continue
		}
		s.quiet = len(l.Conds) > 0
		s.run(l)
	}
	s.hint()
	sc.Topology, sc.Problems = s.t, s.problems
	slices.SortStableFunc(sc.Problems, func(a, b Problem) int { return a.Line - b.Line })
	return sc
}
