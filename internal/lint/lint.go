// Package lint checks netscript scenarios without running them and without
// privileges: it is "netscript check". It reports, as file:line: message
// like go vet,
//
//   - lines testscript cannot run: unknown commands (with a suggestion),
//     unknown [conditions], unterminated quotes, misuse of its builtins
//     (wrong argument counts, "!" where it is not allowed, bad regexps);
//   - arguments the command's own parser rejects (bad flags, malformed
//     addresses and prefixes), with the real tool's message;
//   - namespaces and devices used before they exist, created twice, or
//     gone (moved, renamed, deleted), from the scenario's static topology;
//   - files compared with cmp (or read by grep, stdin, cp) that are not in
//     the archive, archive files no command uses, and duplicate names;
//   - variables expanded but never set;
//   - as warnings, which leave the exit status 0: a ping without -c or -w
//     and a tcpdump without -c, -w or -G, which run until the scenario's
//     deadline, and real programs this machine does not have.
//
// A builtin form netscript does not implement, which runs the real tool
// instead, is listed as a note ("file:line: note: ..."), not a problem.
//
// Lines negated with "!" are expected to fail: their parse errors and
// their effects are not reported.
package lint

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/internal/topology"
	"github.com/netscript/netscript/runner"
	"github.com/netscript/netscript/script"
)

// Diagnostic is one problem found in a scenario.
type Diagnostic struct {
	File string
	Line int // 0 when it concerns the whole file
	Msg  string
	// Warning marks what may go wrong when the scenario runs (a ping
	// without -c, a tool not installed here), not a mistake in it.
	Warning bool
	// Note marks information, not a problem: a line that runs the real
	// tool because netscript does not implement its form.
	Note bool
}

// String formats d as go vet does: "file:line: message", with "warning: "
// or "note: " before the message of a warning or a note.
func (d Diagnostic) String() string {
	msg := d.Msg
	switch {
	case d.Warning:
		msg = "warning: " + msg
	case d.Note:
		msg = "note: " + msg
	}
	if d.Line == 0 {
		return fmt.Sprintf("%s: %s", d.File, msg)
	}
	return fmt.Sprintf("%s:%d: %s", d.File, d.Line, msg)
}

// Checker checks scenarios. Its zero value checks them against netscript's
// command table and conditions.
type Checker struct {
	// Table holds the scenario commands beyond testscript's own;
	// commands.Table() when nil.
	Table script.Table
	// Conditions are the [conditions] the runner adds to testscript's;
	// DefaultConditions when nil.
	Conditions []scenariofile.Condition
}

// DefaultConditions are the conditions netscript's runner evaluates.
var DefaultConditions = runner.ConditionList()

// Scenario checks the scenario in data; name is the file name used in the
// diagnostics. They come in line order.
func (c *Checker) Scenario(name string, data []byte) []Diagnostic {
	table := c.Table
	if table == nil {
		table = defaultTable()
	}
	conds := c.Conditions
	if conds == nil {
		conds = DefaultConditions
	}
	sc := topology.ReadTable(name, data, table)
	ck := &check{name: name, table: table, conds: conds, sc: sc}
	ck.run()
	slices.SortStableFunc(ck.diags, func(a, b Diagnostic) int { return a.Line - b.Line })
	// A line the parser and the topology both refuse (nesting too deep) is
	// reported once.
	return slices.Compact(ck.diags)
}

// Paths checks the scenario files named by paths; a directory stands for
// the *.txtar files in it. No path at all means "scenarios". The error
// reports a path that cannot be read, or is not a regular file of at most
// scenariofile.MaxSize bytes; the files that could be are checked.
func (c *Checker) Paths(paths []string) ([]Diagnostic, error) {
	files, err := runner.Expand(paths)
	var diags []Diagnostic
	for _, f := range files {
		data, rerr := scenariofile.Read(f)
		if rerr != nil {
			err = errors.Join(err, rerr)
			continue
		}
		diags = append(diags, c.Scenario(f, data)...)
	}
	return diags, err
}

// Exit statuses of Main.
const (
	ExitClean    = 0 // no problems
	ExitProblems = 1 // diagnostics were printed
	ExitUsage    = 2 // bad arguments or unreadable files
)

// Main is "netscript check [paths...]": it checks the scenarios, prints
// each diagnostic as "file:line: message" to stderr, as go vet does, and
// returns ExitClean (warnings only, or nothing), ExitProblems, or ExitUsage
// when a path cannot be read or an argument is a flag (check takes none).
// stdout is not written.
func Main(args []string, stdout, stderr io.Writer) int {
	for _, a := range args {
		if strings.HasPrefix(a, "-") && a != "-" {
			fmt.Fprintf(stderr, "netscript check: flag provided but not defined: %s\nusage: netscript check [paths...]\n", a)
			return ExitUsage
		}
	}
	var c Checker
	diags, err := c.Paths(args)
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
	}
	if err != nil {
		fmt.Fprintf(stderr, "netscript check: %v\n", err)
		return ExitUsage
	}
	for _, d := range diags {
		if !d.Warning && !d.Note {
			return ExitProblems
		}
	}
	return ExitClean
}

// defaultTable is the command table, made once: lint may read many files.
var defaultTable = sync.OnceValue(commands.Table)
