package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/netscript/netscript/runner"
)

var runCmd = &subcommand{
	name:    "run",
	args:    "[flags] [paths...]",
	summary: "run scenarios and check their outputs",
	detail: `Run runs the scenarios named by paths: .txtar files, or directories whose
.txtar files are all run (default: scenarios). Each scenario runs in
throwaway network namespaces of its own, in parallel with the others.

It prints a line per scenario with its time, the log of every failed one
(the failing line as file:line, the command's output, a diff for cmp, and
the state of every namespace), and a summary. On a terminal a progress line
shows what is running.

Flags:
	-v            print every command and its output, for passing scenarios too
	-run REGEXP   run only the scenarios whose name matches REGEXP
	-update       rewrite golden files whose cmp fails
	-parallel N   run at most N scenarios at once (default: the number of CPUs, at least 2)
	-timeout D    deadline of each scenario (default 5m)
	-json         print events as JSON lines, shaped like go test -json
	-junit FILE   also write a JUnit XML report to FILE
	-keep         on failure, keep the scenario's namespaces alive and print how to enter them
	-no-fallback  never run the real tool (ip, bridge) for a form netscript does not
	              implement; such a line fails with "not implemented by netscript"
	              (as does NETSCRIPT_NO_FALLBACK=1)

A builtin form netscript does not implement (ip rule, ip link add ... type
vxlan) runs the real tool of the same name in the scenario's sandbox, when
it is installed; -v marks those lines "(real ip)".

Without root, netscript re-runs itself inside a new user and network
namespace where the kernel allows unprivileged user namespaces.

Exit status: 0 if every scenario passed (or was skipped), 1 if one failed,
2 for usage and input errors.`,
	run: runMain,
}

// runFlags are the flags of "netscript run".
type runFlags struct {
	verbose  bool
	match    string
	update   bool
	parallel int
	timeout  time.Duration
	json     bool
	junit    string
	keep     bool
	noReal   bool
}

func runMain(args []string, stdout, stderr io.Writer) int {
	var f runFlags
	fs := flag.NewFlagSet("netscript run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.verbose, "v", false, "print every command and its output")
	fs.StringVar(&f.match, "run", "", "run only scenarios whose name matches `regexp`")
	fs.BoolVar(&f.update, "update", false, "rewrite golden files whose cmp fails")
	fs.IntVar(&f.parallel, "parallel", defaultParallel(), "run at most `n` scenarios at once")
	fs.DurationVar(&f.timeout, "timeout", runner.DefaultTimeout, "deadline of each scenario")
	fs.BoolVar(&f.json, "json", false, "print events as JSON lines")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to `file`")
	fs.BoolVar(&f.keep, "keep", false, "keep failed scenarios' namespaces alive")
	fs.BoolVar(&f.noReal, "no-fallback", false, "never run the real tool for a form netscript does not implement")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: netscript run [flags] [paths...]\nRun 'netscript help run' for details.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if f.parallel < 1 {
		fmt.Fprintf(stderr, "netscript run: -parallel must be at least 1, not %d\n", f.parallel)
		return exitUsage
	}
	if f.timeout <= 0 {
		fmt.Fprintf(stderr, "netscript run: -timeout must be positive, not %v\n", f.timeout)
		return exitUsage
	}
	var match *regexp.Regexp
	if f.match != "" {
		var err error
		if match, err = regexp.Compile(f.match); err != nil {
			fmt.Fprintf(stderr, "netscript run: bad -run pattern: %v\n", err)
			return exitUsage
		}
	}
	files, err := scenarioFiles(fs.Args(), match)
	if err != nil {
		fmt.Fprintf(stderr, "netscript run: %v\n", err)
		return exitUsage
	}
	if msg := runner.MissingPrivilege(); msg != "" {
		return runRootless(args, stdout, stderr, msg)
	}
	return runScenarios(files, f, stdout, stderr)
}

func defaultParallel() int {
	return max(2, runtimeNumCPU())
}

// scenarioFiles expands paths into scenario files (runner.Expand), keeps
// those -run selects, and checks each is a readable txtar archive.
func scenarioFiles(paths []string, match *regexp.Regexp) ([]string, error) {
	files, err := runner.Expand(paths)
	if err != nil {
		return nil, err
	}
	var kept []string
	for _, file := range files {
		if match != nil && !match.MatchString(runner.ScenarioName(file)) {
			continue
		}
		if _, err := runner.ReadArchive(file); err != nil {
			return nil, err
		}
		kept = append(kept, file)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no scenario matches -run %q", match)
	}
	return kept, nil
}
