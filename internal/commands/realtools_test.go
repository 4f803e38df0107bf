package commands_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/netscript/netscript/internal/cmptime"
	"github.com/netscript/netscript/internal/commands"
	"github.com/netscript/netscript/internal/linkprobe"
	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// The differential tests run the same command lines twice: through the real
// iproute2, net-tools and iputils in a private sandbox (a new mount and
// network namespace made by unshare(1), with a private /run, so "ip netns
// add" pins nothing on the host), and through netscript's builtins in a
// World. Each command's stdout, stderr and exit status must match, except
// timing figures and random MAC addresses. Before each command both sides
// wait for the kernel's deferred work (linkwatch, duplicate address
// detection: realtool.Settle), so what a command shows does not depend on
// how long the commands before it took on a busy machine.

// scenarioCommands returns the command lines of a scenario, without
// testscript's own checks and without the "!" of expected failures.
func scenarioCommands(t *testing.T, file string) [][]string {
	t.Helper()
	a, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cmds [][]string
	table := commands.Table()
	for _, line := range strings.Split(string(a.Comment), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "!" {
			f = f[1:]
		}
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "stdout", "stderr", "cmp", "cmpenv", "exists", "env":
			continue
		}
		if c := table[f[0]]; c != nil && c.Checks { // cmptime: a check, not a tool
			continue
		}
		cmds = append(cmds, f)
	}
	return cmds
}

// transcript formats one command's results the same way on both sides.
func transcript(b *bytes.Buffer, argv []string, stdout, stderr string, rc int) {
	fmt.Fprintf(b, "$ %s\n%s[stderr]\n%s[rc %d]\n", strings.Join(argv, " "), stdout, stderr, rc)
}

var masks = []struct {
	re   *regexp.Regexp
	with string
}{
	// With -w, ping sends until -c replies came: how many requests that
	// took, and so the loss, is timing on a busy machine.
	{regexp.MustCompile(`[0-9]+ packets transmitted, ([0-9]+) received(, \+[0-9]+ errors)?, [0-9.]+% packet loss`), "N packets transmitted, $1 received$2, P% packet loss"},
	// Bridge IDs are the priority and the bridge's (random) MAC, which
	// ether_ntoa prints without leading zeros; bridge timers run.
	{regexp.MustCompile(`\b[0-9a-f]{4}\.[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}\b`), "BRIDGE-ID"},
	{regexp.MustCompile(`(_timer"?:?) *[0-9]+\.[0-9]{2}`), "${1} T"},
	{regexp.MustCompile(`([0-9a-f]{2}:){5}[0-9a-f]{2}`), "MAC"},
	{regexp.MustCompile(`fe80::[0-9a-f:]+/64`), "fe80::EUI64/64"},
}

// mask hides timing figures (as cmptime does: ", pipe N" is timing too)
// and what differs from run to run: MAC addresses, EUI-64 link-locals.
func mask(s string) string {
	s = cmptime.MaskTiming(s)
	for _, m := range masks {
		s = m.re.ReplaceAllString(s, m.with)
	}
	return s
}

// settleTimeout bounds each wait for the kernel's deferred work (see
// realtool.Settle): duplicate address detection takes up to 2 s, more on
// a loaded machine.
const settleTimeout = 30 * time.Second

// runReal runs cmds with the real tools in a private sandbox. Before each
// command the script asks the test, over a pipe, to settle the sandbox's
// namespaces (realtool.SettleProcess), as runBuiltin settles its World, so
// both sides show the same state however long their commands took.
func runReal(t *testing.T, cmds [][]string) string {
	t.Helper()
	var sh strings.Builder
	sh.WriteString("set -u\nmount -t tmpfs netscript-test /run || exit 99\nd=$(mktemp -d)\ntrap 'rm -rf \"$d\"' EXIT\n")
	sh.WriteString("settle() { echo settle >&3 && read -r ack <&4 && [ \"$ack\" = ok ] || exit 98; }\n")
	for _, argv := range cmds {
		quoted := make([]string, len(argv))
		for i, a := range argv {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q := strings.Join(quoted, " ")
		fmt.Fprintf(&sh, "settle\n%s >\"$d/out\" 2>\"$d/err\" 3>&- 4<&-; rc=$?\nprintf '$ %%s\\n' %q\ncat \"$d/out\"; echo '[stderr]'; cat \"$d/err\"; echo \"[rc $rc]\"\n",
			q, strings.Join(argv, " "))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--net", "--propagation", "private", "bash", "-c", sh.String())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	reqR, reqW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ackR, ackW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{reqW, ackR}
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reqW.Close()
	ackR.Close()
	// unshare execs bash in the new namespaces: same process.
	settleErr := make(chan error, 1)
	go func() {
		defer ackW.Close()
		sc := bufio.NewScanner(reqR)
		for sc.Scan() {
			sctx, cancel := context.WithTimeout(ctx, settleTimeout)
			err := realtool.SettleProcess(sctx, cmd.Process.Pid)
			cancel()
			if err != nil {
				settleErr <- fmt.Errorf("real side: %w", err)
				return
			}
			if _, err := ackW.WriteString("ok\n"); err != nil {
				break
			}
		}
		settleErr <- nil
	}()
	err = cmd.Wait()
	reqR.Close()
	if serr := <-settleErr; serr != nil {
		t.Fatal(serr)
	}
	if err != nil {
		t.Fatalf("real tools: %v\n%s", err, stderr.String())
	}
	return stdout.String()
}

// runBuiltin runs cmds with netscript's command table in a new World,
// settling its namespaces before each command as runReal does.
func runBuiltin(t *testing.T, cmds [][]string) string {
	t.Helper()
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	table := commands.Table()
	var b bytes.Buffer
	for _, argv := range cmds {
		sctx, scancel := context.WithTimeout(ctx, settleTimeout)
		err := realtool.SettleWorld(sctx, w)
		scancel()
		if err != nil {
			t.Fatalf("builtin side, before %s: %v", strings.Join(argv, " "), err)
		}
		var stdout, stderr strings.Builder
		s := &script.State{Ctx: ctx, World: w, NS: w.Root(), Stdout: &stdout, Stderr: &stderr}
		err = table.Run(s, argv)
		if err != nil {
			if _, ok := err.(*script.ExitError); !ok {
				t.Fatalf("%s: netscript error: %v", strings.Join(argv, " "), err)
			}
		}
		transcript(&b, argv, stdout.String(), stderr.String(), script.ExitCode(err))
	}
	return b.String()
}

func requireRealTools(t *testing.T, tools ...string) {
	t.Helper()
	privilege.Require(t)
	for _, tool := range append([]string{"unshare", "bash"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: no real tool to compare with", tool)
		}
	}
}

func compareTranscripts(t *testing.T, real, ours string) {
	t.Helper()
	real, ours = mask(real), mask(ours)
	if real == ours {
		return
	}
	rl, ol := strings.Split(real, "\n"), strings.Split(ours, "\n")
	for i := 0; i < len(rl) || i < len(ol); i++ {
		var r, o string
		if i < len(rl) {
			r = rl[i]
		}
		if i < len(ol) {
			o = ol[i]
		}
		if r != o {
			lo := max(0, i-8)
			t.Fatalf("netscript differs from the real tools at line %d:\nreal: %q\nours: %q\n\ncontext (real):\n%s\n\ncontext (ours):\n%s",
				i+1, r, o, strings.Join(rl[lo:min(len(rl), i+3)], "\n"), strings.Join(ol[lo:min(len(ol), i+3)], "\n"))
		}
	}
}

// TestTutorialMatchesRealTools replays the article's scenario with the real
// tools and with the builtins.
func TestTutorialMatchesRealTools(t *testing.T) {
	requireRealTools(t, "ip", "route", "ping")
	for _, file := range []string{"../../scenarios/veth-pair.txtar", "../../scenarios/netns-tap.txtar", "../../scenarios/ipv6.txtar", "../../scenarios/policy-routing.txtar"} {
		t.Run(file[len("../../scenarios/"):], func(t *testing.T) {
			t.Parallel()
			cmds := scenarioCommands(t, file)
			compareTranscripts(t, runReal(t, cmds), runBuiltin(t, cmds))
		})
	}
}

// TestCommandsMatchRealTools compares outputs, error messages and exit
// statuses on the states and mistakes of testdata/*.cmds: one command a
// line, each file run from a fresh sandbox. A file with a "# needs: " line
// is skipped, with the reason, on a kernel that lacks what it names.
func TestCommandsMatchRealTools(t *testing.T) {
	requireRealTools(t, "ip", "route", "ping", "sysctl")
	files, err := filepathGlob("testdata/*.cmds")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.cmds: %v", err)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if need, ok := strings.CutPrefix(line, "# needs: "); ok {
					if why := kernelLacks(t, need); why != "" {
						t.Skip(why)
					}
				}
			}
			// The lines are read as a scenario's: quotes give an empty
			// argument ('').
			sc, err := scenariofile.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			var cmds [][]string
			for _, l := range sc.Lines {
				if l.Err != "" || len(l.Conds) > 0 || l.Neg {
					t.Fatalf("%s:%d: a .cmds line is a plain command line: %q", file, l.Num, l.Text)
				}
				cmds = append(cmds, l.Args)
			}
			compareTranscripts(t, runReal(t, cmds), runBuiltin(t, cmds))
		})
	}
}

var filepathGlob = filepath.Glob

// kernelLacks answers a "# needs: " line of a .cmds file: "link:KIND" (the
// kernel creates links of KIND) or "bridge-vlan-filtering". It returns why
// the running kernel cannot run the file, or "".
func kernelLacks(t *testing.T, need string) string {
	t.Helper()
	need = strings.TrimSpace(need)
	if kind, ok := strings.CutPrefix(need, "link:"); ok {
		if ok, why := linkprobe.CanCreate(kind); !ok {
			return why
		}
		return ""
	}
	if need == "bridge-vlan-filtering" {
		if ok, why := linkprobe.BridgeVlanFiltering(); !ok {
			return why
		}
		return ""
	}
	t.Fatalf("unknown need %q (want link:KIND or bridge-vlan-filtering)", need)
	return ""
}

// endStateShows are the show commands compared in every namespace of a
// scenario's end state. Left out: ip neigh (entries age on their own) and
// route -A inet6 (its Ref column counts the kernel's references, which
// differ from run to run for the real tool too).
var endStateShows = [][]string{
	{"ip", "-br", "link"}, {"ip", "-br", "addr"}, {"ip", "addr"}, {"ip", "-j", "addr"},
	{"ip", "route", "show", "table", "all"}, {"ip", "-6", "route", "show", "table", "all"},
	{"route", "-n"}, {"bridge", "link"},
}

// netnsNaming masks how a veth peer's namespace is named: netscript prints
// the World's name (link-netns ns1), as iproute2 does on a host with
// /run/netns; the real ip run inside a World namespace can only print the
// netnsid.
var netnsNaming = regexp.MustCompile(`link-netns(id)? \S+|"link_netns(id)?":("[^"]*"|\d+)`)

// TestScenarioEndStatesMatchRealTools builds the end state of every shipped
// scenario with the builtins, then runs each show command with the real
// tool and with the builtin in every namespace of it, and compares.
func TestScenarioEndStatesMatchRealTools(t *testing.T) {
	requireRealTools(t, "ip", "route", "bridge")
	files, err := filepath.Glob("../../scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	var compared atomic.Int64
	t.Cleanup(func() {
		t.Logf("%d show commands compared in the end states of %d scenarios", compared.Load(), len(files))
	})
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			w, err := world.New()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			table := commands.Table()
			for _, argv := range scenarioCommands(t, file) {
				if cmd, ok := table[argv[0]]; !ok || cmd.Checks {
					continue // testscript's own commands and checks: nothing to build
				}
				var sink strings.Builder
				s := &script.State{Ctx: ctx, World: w, NS: w.Root(), Stdout: &sink, Stderr: &sink}
				if err := table.Run(s, argv); err != nil && !isExitError(err) {
					t.Fatalf("%s: %v", strings.Join(argv, " "), err)
				}
			}
			sctx, scancel := context.WithTimeout(ctx, settleTimeout)
			err = realtool.SettleWorld(sctx, w)
			scancel()
			if err != nil {
				t.Fatal(err)
			}
			for _, ns := range w.All() {
				for _, argv := range endStateShows {
					real, err := realtool.Real(ctx, ns, nil, argv...)
					if err != nil {
						t.Fatal(err)
					}
					ours, err := realtool.Builtin(ctx, w, ns, table[argv[0]], argv[1:]...)
					if err != nil {
						t.Fatal(err)
					}
					r, o := endStateMask(real.String()), endStateMask(ours.String())
					if r != o {
						t.Errorf("namespace %q: %s differs:\nreal:\n%s\nours:\n%s", ns.Name, strings.Join(argv, " "), r, o)
					}
					compared.Add(1)
				}
			}
		})
	}
}

func endStateMask(s string) string {
	return netnsNaming.ReplaceAllString(mask(s), "link-netns NS")
}

func isExitError(err error) bool {
	_, ok := err.(*script.ExitError)
	return ok
}
