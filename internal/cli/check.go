package cli

import (
	"github.com/netscript/netscript/internal/lint"
	"github.com/netscript/netscript/internal/topology"
)

var checkCmd = &subcommand{
	name:    "check",
	args:    "[paths...]",
	summary: "lint scenarios without running them (no privileges needed)",
	detail: `Check reads the scenarios named by paths (files, or directories of .txtar
files; default: scenarios) and reports, as file:line: message, what would
fail before anything runs: unknown commands, bad flags and malformed
addresses (with the real tool's message), devices and namespaces used before
they are created, and golden files that cmp names but the archive lacks.
It also warns, as file:line: warning: message, about what may go wrong when
the scenario runs: a ping without -c or -w and a tcpdump without -c, -w or
-G, which run until the scenario's deadline, and real tools (tc, nft,
tcpdump, ...) that this machine does not have.

Exit status: 0 if every scenario is clean or has only warnings, 1 if a
problem was found, 2 for usage errors and unreadable files.`,
	run: lint.Main,
}

var graphCmd = &subcommand{
	name:    "graph",
	args:    "[-format dot|mermaid|svg] FILE",
	summary: "draw a scenario's topology as Graphviz DOT, Mermaid or SVG",
	detail: `Graph derives a scenario's final topology without running it (namespaces,
links, veth pairs, bridges and their ports, addresses) and prints it as
Graphviz DOT (the default), Mermaid, or a self-contained SVG picture.`,
	run: topology.Main,
}
