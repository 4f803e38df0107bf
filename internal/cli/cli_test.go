package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/privilege"
	"github.com/netscript/netscript/internal/realtool"
)

// A test binary started with this variable set acts as the netscript command.
const mainEnv = "NETSCRIPT_CLI_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) != "" {
		os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// scenarios writes named scenario files into a new directory.
func scenarios(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	passing = "ip netns add ns0\nip netns list\ncmp stdout want\n-- want --\nns0\n"
	failing = "ip netns add ns0\nip link set veth9 up\n"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestRunStatusesAndSummary(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"good.txtar": passing, "bad.txtar": failing, "other.txtar": passing})
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"all pass", []string{"run", filepath.Join(dir, "good.txtar")}, 0,
			[]string{"--- PASS: good (", "1 passed, 0 failed, 0 skipped in "}, ""},
		{"one fails", []string{"run", dir}, 1,
			[]string{"--- FAIL: bad (", "bad.txtar:2: ip link set veth9 up: Cannot find device \"veth9\" (exit status 1)",
				"state of every namespace", "2 passed, 1 failed, 0 skipped in "}, ""},
		{"-run filters", []string{"run", "-run", "^go", dir}, 0, []string{"1 passed, 0 failed"}, ""},
		{"-v shows passing logs", []string{"run", "-v", filepath.Join(dir, "good.txtar")}, 0,
			[]string{"> ip netns list", "PASS"}, ""},
		{"-parallel 1", []string{"run", "-parallel", "1", "-run", "good|other", dir}, 0, []string{"2 passed"}, ""},
		{"bad flag", []string{"run", "-frob", dir}, 2, nil, "flag provided but not defined: -frob"},
		{"missing path", []string{"run", filepath.Join(dir, "nope.txtar")}, 2, nil, "no such file or directory"},
		{"no match", []string{"run", "-run", "zzz", dir}, 2, nil, `no scenario matches -run "zzz"`},
		{"bad regexp", []string{"run", "-run", "(", dir}, 2, nil, "bad -run pattern"},
		{"bad parallel", []string{"run", "-parallel", "0", dir}, 2, nil, "-parallel must be at least 1"},
		{"unknown subcommand", []string{"frob"}, 2, nil, `unknown command "frob"`},
		{"no arguments", nil, 2, nil, "Usage:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
		})
	}
}

func TestRunJSON(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{"good.txtar": passing, "bad.txtar": failing})
	code, stdout, _ := run("run", "-json", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	actions := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var e struct {
			Time    time.Time
			Action  string
			Package string
			Test    string
			Elapsed *float64
			Output  string
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("not a JSON event: %q: %v", sc.Text(), err)
		}
		if e.Time.IsZero() || e.Package != "netscript" {
			t.Errorf("event without time or package: %s", sc.Text())
		}
		if (e.Action == "pass" || e.Action == "fail") && e.Elapsed == nil {
			t.Errorf("%s event without Elapsed: %s", e.Action, sc.Text())
		}
		actions[e.Test] = append(actions[e.Test], e.Action)
	}
	for test, want := range map[string][]string{"good": {"run", "pass"}, "bad": {"run", "output", "fail"}, "": {"start", "output", "fail"}} {
		got := actions[test]
		if len(got) < 2 || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] || !contains(got, want[1]) {
			t.Errorf("events of %q: %v, want %v in that order", test, got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRunJUnit checks the report against the JUnit shape CI systems read:
// testsuites > testsuite > testcase, counts that add up, failure and
// skipped elements with a message.
func TestRunJUnit(t *testing.T) {
	realtool.RequireRoot(t)
	dir := scenarios(t, map[string]string{
		"good.txtar": passing, "bad.txtar": failing, "skipped.txtar": "skip 'not today'\n",
	})
	report := filepath.Join(t.TempDir(), "junit.xml")
	if code, out, errs := run("run", "-junit", report, dir); code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration:\n%s", data)
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   int      `xml:"tests,attr"`
		Suites  []struct {
			Name     string  `xml:"name,attr"`
			Tests    int     `xml:"tests,attr"`
			Failures int     `xml:"failures,attr"`
			Errors   int     `xml:"errors,attr"`
			Skipped  int     `xml:"skipped,attr"`
			Time     float64 `xml:"time,attr"`
			Cases    []struct {
				Name      string  `xml:"name,attr"`
				Classname string  `xml:"classname,attr"`
				Time      float64 `xml:"time,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, data)
	}
	if len(doc.Suites) != 1 || doc.Tests != 3 {
		t.Fatalf("want one testsuite of 3 tests:\n%s", data)
	}
	s := doc.Suites[0]
	if s.Tests != 3 || s.Failures != 1 || s.Skipped != 1 || s.Errors != 0 || len(s.Cases) != 3 {
		t.Errorf("counts tests=%d failures=%d skipped=%d errors=%d cases=%d, want 3 1 1 0 3", s.Tests, s.Failures, s.Skipped, s.Errors, len(s.Cases))
	}
	for _, c := range s.Cases {
		if c.Classname == "" || c.Name == "" {
			t.Errorf("testcase without name or classname: %+v", c)
		}
		switch c.Name {
		case "bad":
			if c.Failure == nil || !strings.Contains(c.Failure.Message, `Cannot find device "veth9"`) || c.Failure.Text == "" {
				t.Errorf("bad: failure element missing or without message: %+v", c.Failure)
			}
		case "skipped":
			if c.Skipped == nil {
				t.Error("skipped: no skipped element")
			}
		case "good":
			if c.Failure != nil || c.Skipped != nil {
				t.Error("good: marked failed or skipped")
			}
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"help"}, 0, []string{"run ", "check", "graph", "The scenario commands are:", "ip ", "ping", "route", "sysctl", "testscript's own"}},
		{[]string{"help", "run"}, 0, []string{"usage: netscript run [flags] [paths...]", "-junit FILE", "Exit status"}},
		{[]string{"help", "ip"}, 0, []string{"usage: ip [-n NETNS]", "ip netns add|del|list NAME"}},
		{[]string{"help", "ping"}, 0, []string{"usage: ping"}},
		{[]string{"help", "ip", "route"}, 0, []string{"Usage: ip route { list | flush } SELECTOR", "ROUTE_GET_FLAGS := [ fibmatch ]"}},
		{[]string{"help", "ip", "netns"}, 2, nil},
		{[]string{"help", "nope"}, 2, nil},
		{[]string{"-h"}, 0, []string{"Usage:"}},
		{[]string{"version"}, 0, []string{"netscript ", "go1."}},
		{[]string{"version", "x"}, 2, nil},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, stdout)
			}
		}
	}
}

// TestRootless runs the command as an unprivileged user: it must re-run
// itself in a user namespace and pass there exactly as root does, for the
// builtins and for real programs in the scenario's sandbox: the real ip
// sees the scenario's namespaces by name, a real "ip netns add" pins only
// inside the sandbox, and daemons do not outlive the run.
func TestRootless(t *testing.T) {
	privilege.Require(t, privilege.SetUID, privilege.SetGID) // to switch to an unprivileged user
	if data, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err != nil || strings.TrimSpace(string(data)) == "0" {
		t.Skip("user namespaces are disabled on this kernel")
	}
	// Names of this run's own: the host checks below look for them alone.
	pinned := fmt.Sprintf("netscript-rootless-%d", os.Getpid())
	daemons := []string{fmt.Sprintf("%d.1", os.Getpid()), fmt.Sprintf("%d.2", os.Getpid())}
	tests := []struct {
		name     string
		tools    []string
		scenario string
	}{
		{name: "builtins", scenario: "ip netns add a\nip netns add b\nip link add va type veth peer name vb\n" +
			"ip link set va netns a\nip link set vb netns b\nip -n a addr add 10.9.0.1/24 dev va\n" +
			"ip -n b addr add 10.9.0.2/24 dev vb\nip -n a link set va up\nip -n b link set vb up\n" +
			"ip netns exec a ping -c 2 -i 0.01 10.9.0.2\nstdout '2 packets transmitted, 2 received'\n" +
			"ip netns exec a sysctl -w net.ipv4.ip_forward=1\n"},
		{name: "real programs", tools: []string{"ip", "setsid", "sleep"}, scenario: "ip netns add a\nip netns add b\n" +
			"exec ip netns list\ncmp stdout names\n" +
			"exec ip -n a link add va type veth peer name vb netns b\n" +
			"exec ip netns exec b ip link set vb up\n" +
			"ip -n b link show vb\nstdout 'vb@if2: '\nstdout 'link-netns a'\n" +
			"exec ip netns add " + pinned + "\nip netns list\nstdout " + pinned + "\n" +
			"exec ip netns exec a sh -c 'setsid -f sleep " + daemons[0] + " > /dev/null 2>&1'\n" +
			"exec sh -c 'sleep " + daemons[1] + " > /dev/null 2>&1 &'\n" +
			"[exec:tc] tc -n a qdisc add dev va root tbf rate 1mbit burst 32kbit latency 400ms\n" +
			"[exec:tc] tc -n a qdisc show dev va\n[exec:tc] stdout 'qdisc tbf'\n" +
			"-- names --\nb\na\n"},
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tool := range tt.tools {
				if _, err := exec.LookPath(tool); err != nil {
					t.Skipf("%s is not installed", tool)
				}
			}
			dir, err := os.MkdirTemp("", "netscript-rootless-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			bin := filepath.Join(dir, "netscript")
			for name, content := range map[string][]byte{bin: data, filepath.Join(dir, "s.txtar"): []byte(tt.scenario)} {
				if err := os.WriteFile(name, content, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "run", filepath.Join(dir, "s.txtar"))
			cmd.Env = []string{mainEnv + "=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/"}
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("rootless run: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "1 passed, 0 failed") {
				t.Errorf("rootless run did not pass:\n%s", out)
			}
		})
	}
	// Nothing of the runs is left on the host: the namespace the real ip
	// pinned, and the daemons (killed with the sandbox's PID namespace,
	// which may take the kernel a moment after the run's exit).
	if _, err := os.Lstat(filepath.Join("/run/netns", pinned)); !os.IsNotExist(err) {
		t.Errorf("/run/netns/%s exists on the host after a rootless run (%v)", pinned, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for left := running(daemons); len(left) > 0; left = running(daemons) {
		if time.Now().After(deadline) {
			t.Fatalf("daemons still running 10s after the rootless run: %v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running returns the pids of the processes whose command line is
// "sleep ARG" for one of args.
func running(args []string) []string {
	var pids []string
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for _, arg := range args {
			if string(cmdline) == "sleep\x00"+arg+"\x00" {
				pids = append(pids, e.Name())
			}
		}
	}
	return pids
}

// TestKeep checks that -keep leaves a failed scenario's namespaces alive,
// that the printed nsenter command enters them, and that an interrupt
// releases them.
func TestKeep(t *testing.T) {
	realtool.Require(t, "nsenter", "ip")
	dir := scenarios(t, map[string]string{"kept.txtar": "ip netns add ns0\nip -n ns0 link add keptlink type veth peer name keptpeer\nip link set nothere up\n"})
	var mu sync.Mutex
	var out bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "-keep", dir}, w, w) }()
	var enter string
	deadline := time.Now().Add(30 * time.Second)
	for enter == "" && time.Now().Before(deadline) {
		mu.Lock()
		for _, line := range strings.Split(out.String(), "\n") {
			if f := strings.Fields(line); len(f) >= 3 && f[0] == "kept" && f[1] == "ns0" {
				enter = strings.Join(f[2:], " ")
			}
		}
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	if enter == "" {
		t.Fatalf("no nsenter line for ns0:\n%s", out.String())
	}
	args := append(strings.Fields(enter)[1:], "ip", "-br", "link")
	got, err := exec.Command("nsenter", args...).CombinedOutput()
	if err != nil || !strings.Contains(string(got), "keptlink") {
		t.Errorf("nsenter %v: %v\n%s", args, err, got)
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("netscript did not release the namespaces on SIGINT")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
