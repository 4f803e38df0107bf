package lint

import (
	"os/exec"
	"strings"

	"github.com/netscript/netscript/internal/probe"
	"github.com/netscript/netscript/internal/tools"
	"github.com/netscript/netscript/internal/topology"
	"github.com/netscript/netscript/script"
)

// warn reports, as warnings, what a line that can run may still do wrong
// when it runs: a ping or tcpdump that runs until it is stopped, and a
// real program this machine lacks.
func (c *check) warn(l topology.Line) {
	if l.Args[0] == "skip" {
		c.guard(l.Conds)
		return
	}
	args, real := l.Args, false
	if args[0] == "exec" {
		args, real = args[1:], true
	} else if l.InTable {
		if _, fellBack := script.AsFallback(l.ParseErr); l.ParseErr == nil || fellBack {
			if argv := program(l.Act); argv != nil {
				args, real = argv, c.table[argv[0]] == nil
			}
		}
		if args[0] == "ip" {
			return // ip itself, or a line that does not parse: check reports it
		}
	}
	if len(args) == 0 {
		return
	}
	if n := len(args); n > 1 && strings.HasPrefix(args[n-1], "&") && strings.HasSuffix(args[n-1], "&") {
		args = args[:n-1] // run in the background
	}
	name := args[0]
	switch {
	case (name == "ping" || name == "ping6") && probe.Unbounded(name, args[1:]):
		c.warning(l.Num, "%s without -c or -w runs until the scenario's deadline (in a terminal, until ^C): "+
			"give it a count, as %s -c 3 ..., or a deadline, as -w 5", name, name)
	case name == "tcpdump" && tools.TcpdumpUnbounded(args[1:]):
		c.warning(l.Num, "tcpdump without -c, -w or -G captures until the scenario ends: "+
			"give it a count, as tcpdump -c 10 ..., and start it in the background with &")
	}
	if c.guarded[name] || hasExecCond(l.Conds) {
		return // the scenario runs the line only where the program is
	}
	tool, isTool := tools.Lookup(name)
	switch {
	case isTool && !installed(name):
		c.warning(l.Num, "%s is not installed here (apt-get install %s): the line fails where it is missing; "+
			"[exec:%s] runs it only where it is", name, tool.Package, name)
	case !isTool && real && c.table[name] == nil && !strings.Contains(name, "/") && !installed(name):
		c.warning(l.Num, "%s is neither a netscript command nor a program installed here: "+
			"a misspelt name, or a tool to install ([exec:%s] runs the line only where it is)", name, name)
	}
}

// program returns the command the innermost "ip netns exec" of act runs,
// seen through the commands that run others (retry, "ip netns exec"), or
// nil when act runs none.
func program(act script.Action) []string {
	var argv []string
	for _, e := range script.Effects(act) {
		if e.Op == script.OpNetnsExec {
			argv = e.Argv
		}
	}
	return argv
}

// guard notes the programs a "skip" line's [!exec:PROG] conditions test:
// the rest of the scenario runs only where they are.
func (c *check) guard(conds []string) {
	for _, cond := range conds {
		if prog, ok := strings.CutPrefix(strings.TrimSpace(cond), "!exec:"); ok {
			if c.guarded == nil {
				c.guarded = make(map[string]bool)
			}
			c.guarded[prog] = true
		}
	}
}

// hasExecCond reports whether a line runs only where some program is, or is not.
func hasExecCond(conds []string) bool {
	for _, cond := range conds {
		if strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(cond), "!"), "exec:") {
			return true
		}
	}
	return false
}

// installed reports whether the program is in this machine's PATH.
func installed(prog string) bool {
	_, err := exec.LookPath(prog)
	return err == nil
}
