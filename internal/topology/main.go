package topology

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of Main.
const (
	ExitOK    = 0
	ExitError = 1 // the picture could not be written
	ExitUsage = 2 // bad arguments or an unreadable scenario
)

// Main is "netscript graph [-format dot|mermaid|svg] FILE": it writes the
// topology FILE's scenario ends with to stdout. Commands that would fail
// when run are reported on stderr as "file:line: message"; the picture
// shows what the other commands build.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "dot", "picture format: "+strings.Join(Formats, ", "))
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netscript graph [-format %s] FILE\n", strings.Join(Formats, "|"))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return ExitUsage
	}
	if !isFormat(*format) {
		fmt.Fprintf(stderr, "netscript graph: unknown format %q (want %s)\n", *format, strings.Join(Formats, ", "))
		return ExitUsage
	}
	sc, err := ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "netscript graph: %v\n", err)
		return ExitUsage
	}
	for _, p := range sc.Problems {
		fmt.Fprintf(stderr, "%s:%d: %s\n", sc.Name, p.Line, p.Msg)
	}
	if err := Render(stdout, sc.Topology, Title(sc.Name), *format); err != nil {
		fmt.Fprintf(stderr, "netscript graph: %v\n", err)
		return ExitError
	}
	return ExitOK
}

func isFormat(f string) bool {
	for _, g := range Formats {
		if f == g {
			return true
		}
	}
	return false
}
