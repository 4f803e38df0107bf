package lint

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/internal/topology"
	"github.com/netscript/netscript/script"
)

// check is the checking of one scenario.
type check struct {
	name    string
	table   script.Table
	conds   []scenariofile.Condition
	sc      *topology.Scenario
	files   *fileSet
	diags   []Diagnostic
	guarded map[string]bool // programs an earlier "[!exec:PROG] skip" requires
	// badArchive holds the lines of archive files refused already, whose
	// use is not reported.
	badArchive map[int]bool
	// realFrom is the first line from which the real ip (or bridge) runs
	// and may change namespaces and links the static topology cannot
	// follow; 0 when none does.
	realFrom int
}

// realTopology notes that line runs a real tool that may change the
// topology.
func (c *check) realTopology(line int) {
	if c.realFrom == 0 || line < c.realFrom {
		c.realFrom = line
	}
}

func (c *check) report(line int, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{File: c.name, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// warning reports what may go wrong at run time, not a mistake.
func (c *check) warning(line int, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{File: c.name, Line: line, Msg: fmt.Sprintf(format, args...), Warning: true})
}

func (c *check) run() {
	c.files = newFileSet(c.sc.Archive)
	c.badArchive = make(map[int]bool)
	c.archive()
	for _, l := range c.sc.Lines {
		c.line(l)
	}
	for _, p := range c.sc.Problems {
		if c.realFrom > 0 && p.Line > c.realFrom && !strings.HasPrefix(p.Msg, `"-- --"`) {
			continue // the real tool made what the topology cannot see
		}
		c.report(p.Line, "%s", p.Msg)
	}
	c.unused()
}

// line checks one command line.
func (c *check) line(l topology.Line) {
	if l.Err != "" {
		c.report(l.Num, "%s", l.Err)
		return
	}
	for _, v := range uniq(l.Unset) {
		c.report(l.Num, "$%s is not set: it expands to nothing", v)
	}
	for _, cond := range l.Conds {
		c.condition(l.Num, cond)
	}
	c.files.use(l.Args)
	c.warn(l)
	name := l.Args[0]
	if b, ok := builtins[name]; ok {
		if b.noNeg && l.Neg {
			c.report(l.Num, "unsupported: ! %s", name)
		}
		if b.check == nil {
			return
		}
		if msg := b.check(c, l); msg != "" {
			c.report(l.Num, "%s", msg)
		}
		return
	}
	if c.table[name] == nil {
		c.unknown(l, name)
		return
	}
	act, err := l.Act, l.ParseErr // parsed once, for the topology too
	if c.runsProgram(act, l.Args) {
		c.files.wild = true
	}
	if fb, ok := script.AsFallback(err); ok {
		c.realTopology(l.Num)
		c.diags = append(c.diags, Diagnostic{File: c.name, Line: l.Num, Msg: fmt.Sprintf("%s: runs the real %s when it is installed", fb.Reason, fb.Tool), Note: true})
		return
	}
	if err == nil && c.table[name].Checks {
		// A check reads its FILE as cmp reads its second file.
		if msg := c.need(l.Args[len(l.Args)-1], name, false); msg != "" {
			c.report(l.Num, "%s", msg)
		}
		return
	}
	if err == nil || l.Neg {
		return // a negated line may fail on purpose, even to parse
	}
	c.report(l.Num, "%s", parseMessage(c.table, name, err))
}

// runsProgram reports whether args, parsed as act, run a real program,
// which may write files: "ip netns exec NS PROGRAM", perhaps nested or
// under retry, or a tool such as "tcpdump -w FILE".
func (c *check) runsProgram(act script.Action, args []string) bool {
	if argv := program(act); argv != nil {
		args = argv
	}
	return len(args) > 0 && (c.table[args[0]] == nil || c.table[args[0]].Background)
}

// parseMessage formats a command's parse error: the real tool's message,
// named after the command when it does not say itself.
func parseMessage(table script.Table, name string, err error) string {
	msg := err.Error()
	var e *script.ExitError
	if errors.As(err, &e) && e.Msg != "" {
		msg = strings.TrimSpace(e.Msg)
		msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", " ")), " ")
	}
	if word, _, ok := strings.Cut(msg, ":"); ok && table[word] != nil {
		return msg // "ping: ...", from "ip netns exec NS ping ..."
	}
	return name + ": " + msg
}

// unknown reports a command that is neither testscript's nor netscript's.
func (c *check) unknown(l topology.Line, name string) {
	var hint string
	switch {
	case strings.HasPrefix(name, "!") && (builtins[name[1:]] != nil || c.table[name[1:]] != nil):
		hint = fmt.Sprintf(` (did you mean "! %s"?)`, name[1:])
	case c.markerProblem(l.Num):
		return // reported as a marker without a name
	case strings.HasPrefix(strings.TrimSpace(l.Text), "--"):
		hint = ` (a file in the archive starts with a line "-- NAME --")`
	default:
		names := c.table.Names()
		for b := range builtins {
			names = append(names, b)
		}
		slices.Sort(names)
		var near []string
		for _, n := range names {
			if almostEqual(name, n) {
				near = append(near, fmt.Sprintf("%q", n))
			}
		}
		if len(near) > 0 {
			hint = " (did you mean " + strings.Join(near, " or ") + "?)"
		}
	}
	c.report(l.Num, "unknown command %q%s", name, hint)
}

// markerProblem reports whether the topology found an unnamed file marker
// on the line.
func (c *check) markerProblem(line int) bool {
	for _, p := range c.sc.Problems {
		if p.Line == line && strings.HasPrefix(p.Msg, `"-- --"`) {
			return true
		}
	}
	return false
}

// condition checks a [condition] against testscript's and the runner's.
func (c *check) condition(line int, cond string) {
	if !scenariofile.KnownCondition(cond, c.conds) {
		c.report(line, "unknown condition [%s]", strings.TrimSpace(strings.TrimPrefix(cond, "!")))
	}
}

// almostEqual reports whether a and b differ by one edit: a letter added,
// removed, changed, or two neighbours swapped.
func almostEqual(a, b string) bool {
	if a == b || len(a) < 2 || len(b) < 2 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	ra, rb := a[i:], b[i:]
	switch {
	case len(ra) == len(rb):
		return ra[1:] == rb[1:] || (len(ra) >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2:] == rb[2:])
	case len(ra) == len(rb)+1:
		return ra[1:] == rb
	case len(rb) == len(ra)+1:
		return rb[1:] == ra
	}
	return false
}

func uniq(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return slices.Compact(out)
}
