// Package sysctl implements the scenario command "sysctl": procps-ng
// 4.0.2's sysctl, reading and writing kernel settings of the scenario's
// network namespace, with its grammar, output, messages and exit statuses.
//
// The files under /proc/sys/net are those of the network namespace of the
// thread that opens them, so every access happens on a thread inside the
// scenario's namespace (world.NS.Do). Writes are limited to the settings the
// kernel keeps per network namespace (perNetns): writing any other would
// change the host.
package sysctl

import (
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"github.com/netscript/netscript/internal/getopt"
	"github.com/netscript/netscript/script"
)

// Exit statuses of procps sysctl: 0, EXIT_FAILURE, and for reads the sum of
// each key's status (a missing key counts 1, an empty name -1), as an exit
// status truncates it.
const exitFailure = 1

// SysctlUsage is the "sysctl" entry's documentation in the command table.
var SysctlUsage = script.Usage{
	Summary: "read and write kernel settings of the namespace (procps sysctl)",
	Args:    "[-n] [-N] [-b] [-e] [-q] [-w] [-r PATTERN] [-a] KEY[=VALUE] ...",
	Detail: []string{
		"sysctl reads and writes /proc/sys from a thread inside the scenario's network " +
			"namespace, so net.* keys are the namespace's own, with procps-ng 4.0.2's output " +
			"(\"KEY = VALUE\"), messages and exit statuses. Keys may use dots or slashes; an " +
			"argument with \"=\" is a write, as with -w. A directory key lists its settings.",
		"Only settings the kernel keeps per network namespace may be written (net.ipv4.ip_forward, " +
			"net.ipv4.conf.*.*, net.ipv6.conf.*.*, most of net.ipv4, net.ipv6 and net.core.somaxconn, " +
			"...). Any other key (kernel.*, vm.*, global net.* keys such as net.ipv4.tcp_mem) is " +
			"refused before anything is written, since writing it would change the host. " +
			"-p and --system (loading files) are not supported.",
	},
}

// SysctlCmd returns the "sysctl" command.
func SysctlCmd() *script.Cmd {
	return &script.Cmd{Name: "sysctl", Usage: SysctlUsage, Parse: parse}
}

// Values of sysctl's long options without a short form.
const (
	optDeprecated = 256 + iota
	optSystem
	optDryRun
)

// spec is sysctl's getopt_long call.
var spec = &getopt.Spec{
	Prog:  "sysctl",
	Short: "bneNwfp::qoxaAXr:Vdh",
	Long: []getopt.Long{
		{Name: "all", Val: 'a'}, {Name: "deprecated", Val: optDeprecated},
		{Name: "dry-run", Val: optDryRun}, {Name: "binary", Val: 'b'},
		{Name: "ignore", Val: 'e'}, {Name: "names", Val: 'N'},
		{Name: "values", Val: 'n'},
		{Name: "load", HasArg: getopt.OptionalArgument, Val: 'p'},
		{Name: "quiet", Val: 'q'}, {Name: "write", Val: 'w'},
		{Name: "system", Val: optSystem},
		{Name: "pattern", HasArg: getopt.RequiredArgument, Val: 'r'},
		{Name: "help", Val: 'h'}, {Name: "version", Val: 'V'},
	},
}

// options are sysctl's global flags.
type options struct {
	printName        bool // "KEY = VALUE"; -n and -b clear it
	printNewline     bool // -b clears it
	ignoreError      bool // -e
	quiet            bool // -q
	nameOnly         bool // -N
	dryRun           bool // --dry-run
	ignoreDeprecated bool // cleared by --deprecated
	pattern          *string
	re               *regexp.Regexp // pattern compiled; nil if it does not compile
}

// match is pattern_match: an extended regular expression that does not
// compile matches nothing.
func (o *options) match(s string) bool {
	return o.re != nil && o.re.MatchString(s)
}

// matcher returns match, or nil without -r.
func (o *options) matcher() func(string) bool {
	if o.pattern == nil {
		return nil
	}
	return o.match
}

// step is one command-line argument: a key to read or a setting to write.
type step struct {
	read  string
	write bool
	set   setting
	ok    bool   // the write argument parsed (else status 1)
	msg   string // the parse warning, printed when the step runs
}

// request is a parsed sysctl command line.
type request struct {
	options
	all   bool
	steps []step
}

func parse(args []string) (script.Action, error) {
	if len(args) == 0 {
		return nil, script.Errorf(exitFailure, "%s", strings.TrimSuffix(usageText, "\n"))
	}
	r := &request{options: options{printName: true, printNewline: true, ignoreDeprecated: true}}
	writeMode := false
	opts, operands := spec.Parse(args)
	for _, o := range opts {
		switch o.C {
		case 'b':
			r.printNewline = false
			r.printName = false
		case 'n':
			r.printName = false
		case 'e':
			r.ignoreError = true
		case 'N':
			r.nameOnly = true
		case 'w':
			writeMode = true
		case 'f', 'p':
			return nil, script.Errorf(exitFailure, "sysctl: netscript does not load settings from files (-p): write them with sysctl -w KEY=VALUE")
		case 'q':
			r.quiet = true
		case 'a', 'A', 'X':
			r.all = true
		case optDeprecated:
			r.ignoreDeprecated = false
		case optSystem:
			return nil, script.Errorf(exitFailure, "sysctl: netscript does not apply the host's configuration files (--system): write settings with sysctl -w KEY=VALUE")
		case optDryRun:
			r.dryRun = true
		case 'r':
			p := o.Arg
			r.pattern = &p
			r.re, _ = regexp.CompilePOSIX(p)
		case 'V':
			return printing(versionText, ""), nil
		case 'd', 'h':
			return printing(usageText, ""), nil
		case '?':
			return printing(usageText, o.Err+"\n"), nil
		}
	}
	if r.all {
		return script.ActionFunc(r.run), nil
	}
	if len(operands) == 0 {
		return nil, script.Errorf(exitFailure, "sysctl: no variables specified%s", tryHelp)
	}
	if r.nameOnly && r.quiet {
		return nil, script.Errorf(exitFailure, "sysctl: options -N and -q cannot coexist%s", tryHelp)
	}
	for _, arg := range operands {
		if !writeMode && !strings.Contains(arg, "=") {
			r.steps = append(r.steps, step{read: arg})
			continue
		}
		set, ok, msg := parseSettingLine(arg, r.matcher())
		if ok {
			if err := checkWritable(set.path); err != nil {
				return nil, err
			}
		}
		r.steps = append(r.steps, step{write: true, set: set, ok: ok, msg: msg})
	}
	return script.ActionFunc(r.run), nil
}

// checkWritable refuses a write to a sysctl known to be shared with the
// host. Paths outside /proc/sys are left to sysctl's own check, keys that
// may not exist to the check before writing (request.run).
func checkWritable(p string) error {
	rel, under := strings.CutPrefix(path.Clean(p), procPath)
	if !under || !knownGlobal(rel) {
		return nil
	}
	return script.Errorf(exitFailure, "%s", refusal(rel))
}

// refusal explains why netscript will not write the sysctl at rel.
func refusal(rel string) string {
	key, _ := slashdot(rel, '/', '.')
	return fmt.Sprintf("sysctl: netscript refuses to write %s: it is not kept per network namespace, "+
		"so writing it would change the host (only per-namespace net.* settings may be written)", key)
}

// printing returns an action that prints fixed text and succeeds.
func printing(stdout, stderr string) script.Action {
	return script.ActionFunc(func(s *script.State) error {
		io.WriteString(s.Stderr, stderr)
		io.WriteString(s.Stdout, stdout)
		return nil
	})
}
