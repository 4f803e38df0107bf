// Package cli is the netscript command: run, report, check, graph, help,
// version.
//
// Exit statuses: 0 when everything passed, 1 when a scenario failed or a
// check found problems, 2 for usage and input errors.
package cli

import (
	"fmt"
	"io"
)

// Exit statuses of the netscript command.
const (
	exitOK      = 0
	exitFailed  = 1
	exitUsage   = 2
	programName = "netscript"
)

// subcommand is one entry of the CLI's own table; help is generated from it.
type subcommand struct {
	name    string
	args    string
	summary string
	detail  string
	run     func(args []string, stdout, stderr io.Writer) int
}

// subcommands is filled in init to break the cycle with help.
var subcommands []*subcommand

func init() {
	subcommands = []*subcommand{runCmd, reportCmd, checkCmd, graphCmd, helpCmd, versionCmd}
}

// Main runs the netscript command with args (without the program name)
// and returns its exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		printUsage(stdout)
		return exitOK
	}
	for _, c := range subcommands {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "netscript: unknown command %q\nRun 'netscript help' for usage.\n", args[0])
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "netscript runs network scenarios in throwaway network namespaces.\n\nUsage:\n\n\tnetscript <command> [arguments]\n\nThe commands are:\n\n")
	for _, c := range subcommands {
		fmt.Fprintf(w, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nUse \"netscript help <command>\" for more about a command, and\n\"netscript help <scenario command>\" (ip, ping, ...) for the scenario language;\n\"netscript help ip route\" prints that object's full grammar.\n")
}
