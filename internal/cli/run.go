package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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
	-update       rewrite golden files whose cmp (or cmptime) fails, and say which
	-parallel N   run at most N scenarios at once (default: the number of CPUs, at least 2)
	-timeout D    deadline of each scenario (default 5m)
	-json         print events as JSON lines, shaped like go test -json
	-junit FILE   also write a JUnit XML report to FILE
	-keep         on failure, keep the scenario's namespaces alive and print how to enter them
	-html DIR     also write a self-contained HTML report into DIR (index.html)
	-pcap DIR     capture the packets of every interface of each scenario, and keep
	              those of a failed one as DIR/SCENARIO/NS-IFACE.pcap (tcpdump -r reads them)
	-shard K/N    run only the K-th of N disjoint parts of the scenarios (K from 1)
	-durations FILE
	              balance the shards by the scenarios' times in FILE, the -json
	              output of an earlier run (without it, a hash of each name decides)
	-shards N     the number of shards of a Kubernetes Indexed Job (see below)
	-no-fallback  never run the real tool (ip, bridge) for a form netscript does not
	              implement; such a line fails with "not implemented by netscript"
	              (as does NETSCRIPT_NO_FALLBACK=1)

Sharding also follows the CI engine's environment, without flags: under
Bazel (a test target with shard_count), TEST_TOTAL_SHARDS and
TEST_SHARD_INDEX pick the shard and TEST_SHARD_STATUS_FILE is touched;
XML_OUTPUT_FILE, when set, receives the JUnit report. In a Kubernetes
Indexed Job, JOB_COMPLETION_INDEX picks the shard of -shards N (or of
NETSCRIPT_SHARDS=N). "netscript report" merges the shards' -json streams.

A builtin form netscript does not implement (ip rule, ip link add ... type
vxlan) runs the real tool of the same name in the scenario's sandbox, when
it is installed; -v marks those lines "(real ip)".

Without root, netscript re-runs itself inside a new user and network
namespace where the kernel allows unprivileged user namespaces.

A scenario is named by its file name without .txtar, or, when two share
it (a/x.txtar, b/x.txtar), by the end of its path (a/x, b/x).

SIGINT (Ctrl-C) or SIGTERM stops the run: running commands end, scenarios
not started never start, and the summary names the interrupted ones. The
work directories are removed, then netscript exits 130 (SIGINT) or 143
(SIGTERM). A second signal exits at once. A run killed by SIGKILL leaves
its work directory ($TMPDIR/netscript-PID-*) behind; the next run removes it.

Exit status: 0 if every scenario passed (or was skipped), 1 if one failed,
2 for usage and input errors, 130 or 143 after SIGINT or SIGTERM.`,
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
	sharding shardFlags
	html     string
	pcap     string
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
	f.sharding.register(fs)
	fs.StringVar(&f.html, "html", "", "write an HTML report into `dir`")
	fs.StringVar(&f.pcap, "pcap", "", "keep failed scenarios' packets as pcap files in `dir`")
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
	if err == nil {
		files, err = shardRun(files, &f, os.Getenv, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "netscript run: %v\n", err)
		return exitUsage
	}
	if len(files) == 0 {
		return runEmptyShard(f, stdout, stderr)
	}
	if msg := runner.MissingPrivilege(); msg != "" {
		return runRootless(args, stdout, stderr, msg)
	}
	if !f.update {
		return runScenarios(files, f, stdout, stderr)
	}
	paths := make([]string, len(files))
	for i, sf := range files {
		paths[i] = sf.path
	}
	before := snapshotGoldens(paths)
	code := runScenarios(files, f, stdout, stderr)
	before.reportUpdates(paths, stderr)
	return code
}

func defaultParallel() int {
	return max(2, runtimeNumCPU())
}

// scenarioFiles expands paths into scenario files (runner.Expand), names
// them (nameScenarios), keeps those -run selects, and checks each is a
// readable txtar archive that can
// start (runner.ReadArchive); the error lists every file that is not.
func scenarioFiles(paths []string, match *regexp.Regexp) ([]scenarioFile, error) {
	files, err := runner.Expand(paths)
	if err != nil {
		return nil, err
	}
	var kept []scenarioFile
	var errs []error
	for _, file := range nameScenarios(files) {
		if match != nil && !match.MatchString(file.name) {
			continue
		}
		if _, err := runner.ReadArchive(file.path); err != nil {
			errs = append(errs, err)
			continue
		}
		kept = append(kept, file)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no scenario matches -run %q", match)
	}
	return kept, nil
}
