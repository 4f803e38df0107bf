package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netscript/netscript/script"
)

func requireRoot(t *testing.T) {
	t.Helper()
	if msg := MissingPrivilege(); msg != "" {
		t.Skip(msg)
	}
}

// runScenario runs one scenario text with a fakeT and returns its log.
func runScenario(t *testing.T, text string) (log string, failed bool) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "case.txtar")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file)}))
	return strings.ReplaceAll(ft.String(), file, "FILE"), ft.Failed()
}

// TestFailuresNameFileLineAndCommand checks what a user sees when a step
// fails: file:line, the command, and the real tool's message and status.
func TestFailuresNameFileLineAndCommand(t *testing.T) {
	requireRoot(t)
	tests := []struct {
		name   string
		script string
		want   []string
	}{
		{"missing device", "ip link set veth9 up\n",
			[]string{`FAIL: FILE:1: ip link set veth9 up: Cannot find device "veth9" (exit status 1)`}},
		{"line number", "ip netns add a\n\nip netns add a\n",
			[]string{`FAIL: FILE:3: ip netns add a: Cannot create namespace file "/run/netns/a": File exists (exit status 1)`}},
		{"unknown command", "ipp link\n",
			[]string{`FAIL: FILE:1: unknown command "ipp" (did you mean "ip"?)`}},
		{"bad prefix", "ip addr add 10.0.0.300/24 dev lo\n",
			[]string{`FAIL: FILE:1: ip addr add 10.0.0.300/24 dev lo: Error: any valid prefix is expected rather than "10.0.0.300/24". (exit status 1)`}},
		{"bad flag", "ip link set lo mtu abc\n",
			[]string{`FAIL: FILE:1: ip link set lo mtu abc: Error: argument "abc" is wrong: Invalid "mtu" value (exit status 255)`}},
		{"missing namespace", "ip netns exec ns9 ip link\n",
			[]string{`FAIL: FILE:1: ip netns exec ns9 ip link: Cannot open network namespace "ns9": No such file or directory (exit status 255)`}},
		{"kernel refusal", "ip route add 10.9.0.0/24 via 10.7.7.7\n",
			[]string{`FAIL: FILE:1: ip route add 10.9.0.0/24 via 10.7.7.7: Error: Nexthop has invalid gateway. (exit status 2)`}},
		{"unexpected success", "! ip link set lo up\n",
			[]string{`FAIL: FILE:1: ip link set lo up: unexpected success`}},
		{"no pid namespaces", "ip link add va type veth peer name vb\nip link set va netns 1\n",
			[]string{`FAIL: FILE:2: ip link set va netns 1: Error: argument "1" is wrong: netscript moves links only into namespaces made with "ip netns add"`}},
		{"state dump", "ip netns add ns0\nip -n ns0 addr add 10.1.1.1/24 dev lo\n! ip link show\n",
			[]string{"state of every namespace", "--- ns0: ip addr", "inet 10.1.1.1/24 scope global lo"}},
		{"missing program", "ip netns add ns0\nip netns exec ns0 no-such-program-here\n",
			[]string{`FAIL: FILE:2: ip netns exec ns0 no-such-program-here: exec of "no-such-program-here" failed: No such file or directory (exit status 1)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, failed := runScenario(t, tt.script)
			if !failed {
				t.Fatalf("scenario passed; want a failure. Log:\n%s", log)
			}
			for _, w := range tt.want {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q. Log:\n%s", w, log)
				}
			}
			if strings.Contains(log, "panic") {
				t.Errorf("log mentions a panic:\n%s", log)
			}
		})
	}
}

// TestPassingScenario checks that negated failures, real programs in a
// namespace, and output checks pass.
func TestPassingScenario(t *testing.T) {
	requireRoot(t)
	log, failed := runScenario(t, `ip netns add ns0
! ip link set veth9 up
stderr 'Cannot find device "veth9"'
ip netns exec ns0 ip link set lo up
[exec:ip] ip netns exec ns0 sh -c 'ip -br link; echo $MARK'
[exec:ip] stdout '^lo +UNKNOWN'
env MARK=seen
[exec:sh] ip netns exec ns0 sh -c 'echo $MARK'
[exec:sh] stdout '^seen$'
[exec:ip] exec ip -br link
[exec:ip] stdout '^lo +DOWN'
[exec:ip] ! stdout 'eth|veth|ens|enp'
`)
	if failed {
		t.Fatalf("scenario failed:\n%s", log)
	}
}

// TestParallelCopies runs four copies of the tutorial at once. They use the
// same namespace and link names, each in a World of its own.
func TestParallelCopies(t *testing.T) {
	requireRoot(t)
	file := filepath.Join("..", "scenarios", "veth-pair.txtar")
	Run(t, "", WithFiles(file, file, file, file))
}

// TestUpdateRewritesGoldens checks that NETSCRIPT_UPDATE=1 (like -update)
// rewrites a golden file whose cmp fails, and leaves the commands alone.
func TestUpdateRewritesGoldens(t *testing.T) {
	requireRoot(t)
	t.Setenv(UpdateEnv, "1")
	file := filepath.Join(t.TempDir(), "update.txtar")
	script := "ip netns add b\nip netns add a\nip netns list\ncmp stdout want\n"
	if err := os.WriteFile(file, []byte(script+"-- want --\nwrong\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file)}))
	if ft.Failed() {
		t.Fatalf("update run failed:\n%s", ft)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := script + "-- want --\na\nb\n"; string(got) != want {
		t.Errorf("after update:\n%s\nwant:\n%s", got, want)
	}
}

// TestThreadsLeaveTheWorld runs scenarios and checks that no thread of this
// process stays inside a scenario's namespace afterwards (the main thread,
// which Go cannot end, included).
func TestThreadsLeaveTheWorld(t *testing.T) {
	requireRoot(t)
	for i := 0; i < 20; i++ {
		if _, failed := runScenario(t, "ip netns add ns0\nip link add va type veth peer name vb\n"); failed {
			t.Fatal("scenario failed")
		}
	}
	tasks, err := filepath.Glob("/proc/self/task/*/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if ns, err := os.Readlink(task); err == nil && ns != startNetns {
			t.Errorf("thread %s is in %s, not in the process's namespace %s", task, ns, startNetns)
		}
	}
}

// TestDeadlineEndsCommands runs scenarios whose commands outlast the
// scenario deadline: each command is stopped, the scenario fails, and no
// program or thread is left behind.
func TestDeadlineEndsCommands(t *testing.T) {
	requireRoot(t)
	for _, tt := range []struct{ name, script string }{
		{"builtin ping", "ip netns add ns0\nip -n ns0 link set lo up\nip netns exec ns0 ping -i 0.2 -c 1000 127.0.0.1\n"},
		{"real program", "ip netns add ns0\nip netns exec ns0 sleep 30\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "deadline.txtar")
			if err := os.WriteFile(file, []byte(tt.script), 0o644); err != nil {
				t.Fatal(err)
			}
			ft := &fakeT{}
			testscript.RunT(ft, params([]Option{WithFiles(file), WithTimeout(300 * time.Millisecond)}))
			if !ft.Failed() || !strings.Contains(ft.String(), "the scenario's deadline passed") {
				t.Errorf("a command outliving the deadline did not fail the scenario:\n%s", ft)
			}
			if strings.Contains(ft.String(), "panic") {
				t.Errorf("panic:\n%s", ft)
			}
			if kids := childPids(os.Getpid()); len(kids) > 0 {
				for _, pid := range kids {
					if processExists(pid) {
						t.Errorf("process %d outlived the scenario", pid)
					}
				}
			}
		})
	}
}

// TestBackgroundProgramEndsWithScenario starts a real program in the
// background in a namespace; it must be running inside that namespace
// during the scenario and gone after it.
func TestBackgroundProgramEndsWithScenario(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	log, failed := runScenario(t, `ip netns add ns0
ip netns exec ns0 sh -c 'read -r pid rest < /proc/self/stat; echo $pid > `+pidFile+`; exec sleep 1000' &
retry exec test -s `+pidFile+`
! ip netns exec ns0 ip link show &
stderr 'ip is a netscript command: only real programs run in the background'
`)
	if failed {
		t.Fatalf("scenario failed:\n%s", log)
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the background program never ran: %v\n%s", err, log)
	}
	var pid int
	if _, err := fmt.Sscan(string(data), &pid); err != nil {
		t.Fatal(err)
	}
	if processExists(pid) {
		t.Errorf("background program %d outlived its scenario", pid)
	}
}

// TestUnparsableScenario checks that a file go-internal's txtar parser
// would panic on fails alone, with file:line, while the others run.
func TestUnparsableScenario(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.txtar"), []byte("ip netns add a\n-- --\nx\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadArchive(filepath.Join(dir, "bad.txtar")); err == nil || !strings.Contains(err.Error(), "bad.txtar:2: \"-- --\" is a file marker without a name") {
		t.Errorf("ReadArchive: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.txtar"), []byte("ip netns add a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadArchive(filepath.Join(dir, "good.txtar")); err != nil {
		t.Errorf("ReadArchive of a good file: %v", err)
	}
}

// recordT records the names testscript gives subtests, without running them.
type recordT struct {
	fakeT
	names []string
}

func (t *recordT) Run(name string, f func(testscript.T)) { t.names = append(t.names, name) }

// TestSubtestNames checks SubtestNames against the names testscript itself
// gives files of the same base name in different directories.
func TestSubtestNames(t *testing.T) {
	files := []string{"a/x.txtar", "b/x.txtar", "c/x#1.txt", "d/x.txt", "e/y.txtar", "f/x#1.txtar"}
	rt := &recordT{}
	testscript.RunT(rt, testscript.Params{Files: files, WorkdirRoot: t.TempDir()})
	got := SubtestNames(files)
	if strings.Join(got, " ") != strings.Join(rt.names, " ") {
		t.Errorf("SubtestNames = %q, testscript names them %q", got, rt.names)
	}
	if want := "x x#1 x#1#1 x#2 y x#1#2"; strings.Join(got, " ") != want {
		t.Errorf("SubtestNames = %q, want %s", got, want)
	}
}

// TestContextStopsScenarios cancels WithContext's context while a scenario
// runs a long command: the command ends and the scenario fails with the
// cancellation's cause, not as a deadline. A scenario set up after the
// cancellation fails at once.
func TestContextStopsScenarios(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "long.txtar")
	text := "started\nip netns add ns0\nip -n ns0 link set lo up\nip netns exec ns0 ping -i 0.2 -c 100000 127.0.0.1\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	started := &script.Cmd{
		Name:  "started",
		Usage: script.Usage{Summary: "cancel the scenarios' context, as a signal would"},
		Parse: func([]string) (script.Action, error) {
			return script.ActionFunc(func(*script.State) error {
				// Most likely while ping runs; wherever it lands, the
				// scenario must end with the cause, not the deadline.
				time.AfterFunc(200*time.Millisecond, func() { cancel(errors.New("interrupted by SIGINT")) })
				return nil
			}), nil
		},
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file), WithContext(ctx), WithCmd(started), WithTimeout(time.Minute)}))
	if !ft.Failed() || !regexp.MustCompile(`long.txtar:[234]: .*: interrupted by SIGINT\n`).MatchString(ft.String()) {
		t.Errorf("the cancelled scenario did not fail with the cause:\n%s", ft)
	}
	if strings.Contains(ft.String(), "deadline") {
		t.Errorf("an interruption reported as a deadline:\n%s", ft)
	}

	ft = &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file), WithContext(ctx), WithCmd(started)}))
	if !ft.Failed() || !strings.Contains(ft.String(), "netscript: interrupted by SIGINT") || strings.Contains(ft.String(), "> started") {
		t.Errorf("a scenario set up after the cancellation ran:\n%s", ft)
	}
}
