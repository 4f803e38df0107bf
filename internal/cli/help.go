package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/lint"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/runner"
	"github.com/netscript/netscript/script"
)

var helpCmd = &subcommand{
	name:    "help",
	args:    "[command [object...]]",
	summary: "show help for a netscript command or a scenario command",
	detail: `Help without arguments lists netscript's commands and the commands a
scenario can use. "netscript help run" explains a netscript command;
"netscript help ip" (or ping, route, ...) explains a scenario command, from
the same command table the runner uses. "netscript help ip route" (or
"bridge fdb", "ip neigh", ...) prints the full grammar of that object: the
usage text the command itself prints for "ip route help".`,
	run: helpMain,
}

func helpMain(args []string, stdout, stderr io.Writer) int {
	table := commands.Table()
	switch len(args) {
	case 0:
		printUsage(stdout)
		fmt.Fprintf(stdout, "\nThe scenario commands are:\n\n")
		width := 0
		for _, name := range table.Names() {
			width = max(width, len(name))
		}
		for _, name := range table.Names() {
			fmt.Fprintf(stdout, "\t%-*s %s\n", width, name, table[name].Usage.Summary)
		}
		fmt.Fprintf(stdout, "\nand testscript's own: %s.\n", strings.Join(lint.Builtins(), ", "))
		fmt.Fprintf(stdout, "A line is a command; \"! cmd\" expects it to fail; \"[cond] cmd\" runs it only if cond\n"+
			"holds, \"[!cond] cmd\" only if it does not; files after \"-- name --\" are expected outputs.\n"+
			"\nThe conditions are netscript's:\n\n")
		ours := runner.ConditionList()
		all := append(slices.Clip(ours), scenariofile.TestscriptConditions...)
		printConditions(stdout, ours, all)
		fmt.Fprintf(stdout, "\nand testscript's:\n\n")
		printConditions(stdout, scenariofile.TestscriptConditions, all)
		return exitOK
	case 1:
		for _, c := range subcommands {
			if c.name == args[0] {
				fmt.Fprintf(stdout, "usage: netscript %s %s\n\n%s\n", c.name, c.args, c.detail)
				return exitOK
			}
		}
		if cmd, ok := table[args[0]]; ok {
			printCmdHelp(stdout, cmd)
			return exitOK
		}
		fmt.Fprintf(stderr, "netscript help: unknown command %q\nRun 'netscript help' for the list.\n", args[0])
		return exitUsage
	}
	if _, ok := table[args[0]]; !ok {
		fmt.Fprintf(stderr, "netscript help: unknown scenario command %q\nRun 'netscript help' for the list.\n", args[0])
		return exitUsage
	}
	text, err := grammar(table, args)
	if err != nil {
		fmt.Fprintf(stderr, "netscript help: %v\nRun 'netscript help %s' for the command.\n", err, args[0])
		return exitUsage
	}
	fmt.Fprintln(stdout, text)
	return exitOK
}

// grammar returns the usage text that the scenario command line args
// ("ip route") prints when "help" follows it, as iproute2's objects do: it
// is parsed by the command table, never run, so the text is the command's
// own.
func grammar(table script.Table, args []string) (string, error) {
	line := strings.Join(args, " ")
	_, _, err := table.Parse(append(slices.Clone(args), "help"))
	if f, ok := script.AsFallback(err); ok {
		return "", fmt.Errorf("no grammar for %q: %s", line, f.Reason)
	}
	var e *script.ExitError
	if !errors.As(err, &e) || !strings.HasPrefix(e.Msg, "Usage:") {
		why := fmt.Sprintf("%q prints no usage", line+" help")
		if e != nil && e.Msg != "" {
			why = e.Msg
		}
		return "", fmt.Errorf("no grammar for %q: %s", line, why)
	}
	return e.Msg, nil
}

// printCmdHelp prints a scenario command's usage from its table entry.
func printCmdHelp(w io.Writer, cmd *script.Cmd) {
	fmt.Fprintf(w, "usage: %s %s\n\n%s: %s\n", cmd.Name, cmd.Usage.Args, cmd.Name, cmd.Usage.Summary)
	for _, para := range cmd.Usage.Detail {
		fmt.Fprintf(w, "\n%s\n", wrap(para, 76))
	}
}

// wrap folds text at width, keeping existing line breaks.
func wrap(text string, width int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		var cur string
		for _, word := range strings.Fields(line) {
			if cur != "" && len(cur)+1+len(word) > width {
				out = append(out, cur)
				cur = word
				continue
			}
			if cur != "" {
				cur += " "
			}
			cur += word
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// printConditions writes one line per condition: its name and summary,
// aligned for all.
func printConditions(w io.Writer, conds, all []scenariofile.Condition) {
	width := 0
	for _, c := range all {
		width = max(width, len(c.String())+2)
	}
	for _, c := range conds {
		fmt.Fprintf(w, "\t%-*s %s\n", width, "["+c.String()+"]", c.Summary)
	}
}
