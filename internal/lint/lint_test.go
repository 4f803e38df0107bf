package lint

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/scenariofile"
	"github.com/netscript/netscript/runner"
)

// TestScenario checks small scenarios, each with the diagnostics it must
// get, as "LINE: message".
func TestScenario(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string
	}{
		{"clean", `# The tutorial's start.
ip netns add ns0
ip -n ns0 tuntap add dev tap0 mode tap
ip -n ns0 addr add 10.0.0.1/24 dev tap0
ip netns exec ns0 route -n
cmp stdout ns0.route
! ip netns exec ns0 ping -c 1 -W 1 10.0.0.2
stdout '100% packet loss'
-- ns0.route --
Kernel IP routing table
`, nil},
		{"no commands", "# only a comment\n", []string{"0: the scenario has no commands"}},
		{"unknown commands", `pnig 10.0.0.1
!ip link
ipp link
echo hi
-- x.golden--
`, []string{
			`1: unknown command "pnig" (did you mean "ping"?)`,
			`2: unknown command "!ip" (did you mean "! ip"?)`,
			`3: unknown command "ipp" (did you mean "ip"?)`,
			`4: unknown command "echo"`,
			`5: unknown command "--" (a file in the archive starts with a line "-- NAME --")`,
		}},
		{"the tools' own messages", `ip link set veth0 mtu abc
ip addr add 10.0.0.300/24 dev veth0
ip route add 10.1.0.0/24 via 10.0.0.300
ip frob
ip netns add ns0
ip netns exec ns0 ping -c x 10.0.0.1
! ip link set veth0 mtu abc
`, []string{
			`1: ip: Error: argument "abc" is wrong: Invalid "mtu" value`,
			`2: ip: Error: any valid prefix is expected rather than "10.0.0.300/24".`,
			`3: ip: Error: inet address is expected rather than "10.0.0.300".`,
			`4: ip: Object "frob" is unknown, try "ip help".`,
			`6: ping: invalid argument: 'x'`,
		}},
		{"used before created", `ip netns exec ns0 ip link
ip netns add ns0
ip link set veth0 up
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ip link set veth0 up
ip netns exec ns0 ip link set veth0 up
`, []string{
			`1: namespace "ns0" does not exist (it is added later, at line 2)`,
			`3: no device "veth0" in the root namespace (it is created later, at line 4)`,
			`6: no device "veth0" in the root namespace (moved to namespace "ns0" at line 5)`,
		}},
		{"conditions", `[root] ip link
[!root] skip
[linux] [amd64] [go1.21] [exec:ping] [!short] [net] ip link
[frob] ip link
[!nope] ip link
`, []string{`4: unknown condition [frob]`, `5: unknown condition [nope]`}},
		{"quotes and variables", `stdout 'open
env NS=ns0
ip netns add $NS
ip netns add $NOPE$ALSO
stdout $WORK
`, []string{
			`1: unterminated quoted argument`,
			`4: $ALSO is not set: it expands to nothing`,
			`4: $NOPE is not set: it expands to nothing`,
			`4: ip: Invalid netns name ""`,
		}},
		{"builtins", `cmp stdout
cmp stdout stdout
cmp a.golden stdout
stdout '('
stdout -count=0 x
! stdout -count=2 x
stdout
grep x
cd
! cd x
! env
exec
exec ip link
exec sh -c true
kill -HUP
chmod 999 x
symlink a b
wait x y
-- a.golden --
`, []string{
			`1: usage: cmp file1 file2`,
			`2: cmp: cannot compare a file against itself`,
			`3: cmp reads only its first file from the last command's output: write "cmp stdout a.golden"`,
			"4: stdout: bad regexp: error parsing regexp: missing closing ): `(?m)(`",
			`5: bad -count=: must be at least 1`,
			`6: cannot use -count= with negated match`,
			`7: usage: stdout [-count=N] 'pattern'`,
			`8: usage: grep [-count=N] 'pattern' file`,
			`9: usage: cd dir`,
			`10: unsupported: ! cd`,
			`11: unsupported: ! env`,
			`12: usage: exec program [args...] [&]`,
			`15: unknown signal: HUP`,
			`16: invalid mode: 999`,
			`17: usage: symlink file -> target`,
			`18: usage: wait [name]`,
		}},
		{"golden files", `ip link
cmp stdout ns0.route
cmp stdout ns0.rout
cmp stdout missing
cmpenv stdout $WORK/ns0.route
cp stdout saved.txt
cmp stdout saved.txt
mkdir sub
cp ns0.route sub
cmp stdout sub/ns0.route
cd sub
cmp stdout ns0.route
cmp stdout ../ns0.route
grep x nowhere
stdin nothing
cmp stdout /etc/hostname
ip netns add ns0
ip netns exec ns0 ping -c 1 -W 1 10.0.0.1
cmp stdout made-by-ping
ip netns exec ns0 sh -c 'echo > made-by-sh'
cmp stdout made-by-sh
-- ns0.route --
x
-- unused.golden --
-- dir/nested.golden --
-- ns0.route --
-- ../escape --
`, []string{
			`3: cmp: file "ns0.rout" is not in the archive (no "-- ns0.rout --" section) and no earlier command makes it (did you mean "ns0.route"?)`,
			`4: cmp: file "missing" is not in the archive (no "-- missing --" section) and no earlier command makes it`,
			`14: grep: file "nowhere" is not in the archive (no "-- nowhere --" section) and no earlier command makes it`,
			`15: file "nothing" is not in the archive (no "-- nothing --" section) and no earlier command makes it`,
			`19: cmp: file "made-by-ping" is not in the archive (no "-- made-by-ping --" section) and no earlier command makes it`,
			`24: archive file "unused.golden" is not used by any command`,
			`25: archive file "dir/nested.golden" is not used by any command`,
			`26: archive file "ns0.route" is given twice (first at line 22)`,
			`27: archive file "../escape" is outside the scenario's directory`,
		}},
		{"unnamed file marker", "ip link\n-- --\nx\n-- --", []string{
			`2: "-- --" is a file marker without a name, on which testscript's txtar parser panics`,
			`3: unknown command "x"`,
			`4: "-- --" is a file marker without a name, on which testscript's txtar parser panics`,
		}},
		{"cmptime reads a file of the archive", `ip netns add ns0
ip netns exec ns0 ping -c 1 -W 1 127.0.0.1
cmptime stdout ping.out
cmptime stdout ping.ot
cmptime stdout
cmptime stdin ping.out
-- ping.out --
`, []string{
			`4: cmptime: file "ping.ot" is not in the archive (no "-- ping.ot --" section) and no earlier command makes it (did you mean "ping.out"?)`,
			`5: cmptime: usage: cmptime stdout|stderr FILE`,
			`6: cmptime: compares stdout or stderr, not "stdin"`,
		}},
		{"archive files testscript would write elsewhere", "ip netns add a\n-- $WORK/x --\n-- /abs --\n-- a --\n-- a/b --\n-- .tmp --\n", []string{
			`2: archive file "$WORK/x" is outside the scenario's directory (written as "/x": variables are empty when testscript writes the archive)`,
			`3: archive file "/abs" is outside the scenario's directory`,
			`5: archive file "a/b" is inside "a", a file of the archive (line 4)`,
			`6: archive file ".tmp" is in testscript's temporary directory .tmp`,
		}},
		{"retry nested as deep as allowed", "ip netns add a\n" + strings.Repeat("retry ", 64) + "ip link\n", nil},
		{"retry nested too deep", "ip netns add a\n" + strings.Repeat("retry ", 200_000) + "ip link\n", []string{
			"2: retry: more than 64 commands that run another command (retry, ip netns exec) nested on one line",
		}},
		{"ip netns exec nested as deep as allowed", "ip netns add a\n" + strings.Repeat("ip netns exec a ", 64) + "ip link\n", nil},
		{"ip netns exec nested too deep", "ip netns add a\n" + strings.Repeat("ip netns exec a ", 100_000) + "ip link\n", []string{
			"2: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line",
		}},
		{"both nested too deep", "ip netns add a\n" + strings.Repeat("retry ip netns exec a ", 33) + "ip link\n", []string{
			"2: retry: more than 64 commands that run another command (retry, ip netns exec) nested on one line",
		}},
		{"negated and conditional lines are not reported", `! ip link set veth9 up
! ip link set veth9 mtu abc
[root] ip link set veth9 up
`, nil},
	}
	var c Checker
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range c.Scenario("s.txtar", []byte(tt.script)) {
				if d.File != "s.txtar" {
					t.Errorf("diagnostic for file %q", d.File)
				}
				got = append(got, strings.TrimPrefix(d.String(), "s.txtar:"))
			}
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], " ") // file-wide: "s.txtar: msg"
				if !strings.Contains(got[i], ":") || got[i][0] < '0' || got[i][0] > '9' {
					got[i] = "0: " + got[i]
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestShippedScenarios: every scenario netscript ships lints clean.
func TestShippedScenarios(t *testing.T) {
	files, err := filepath.Glob("../../scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios (%v)", err)
	}
	var c Checker
	diags, err := c.Paths(files)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range diags {
		t.Error(d)
	}
}

func TestMain_(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.txtar", "ip netns add ns0\n")
	special := t.TempDir()
	fifo := filepath.Join(special, "fifo.txtar")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(special, "zero.txtar")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	dirTxtar := filepath.Join(special, "dir.txtar")
	if err := os.Mkdir(dirTxtar, 0o755); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(special, "big.txtar")
	if err := os.WriteFile(big, nil, 0o644); err != nil || os.Truncate(big, scenariofile.MaxSize+1) != nil {
		t.Fatal("cannot make a big file")
	}
	bad := write("bad.txtar", "ip netns add ns0\nip link set veth0 up\n")
	empty := t.TempDir()
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{good}, 0, ""},
		{[]string{bad}, 1, bad + `:2: no device "veth0" in the root namespace` + "\n"},
		{[]string{dir}, 1, bad + `:2: no device "veth0" in the root namespace` + "\n"},
		{[]string{"../../scenarios"}, 0, ""},
		{[]string{filepath.Join(dir, "nope.txtar")}, 2, "no such file or directory"},
		{[]string{empty}, 2, "no .txtar scenarios in the directory"},
		{[]string{"-v", good}, 2, "flag provided but not defined: -v"},
		{[]string{fifo}, 2, "netscript check: " + fifo + ": not a regular file (a FIFO)\n"},
		{[]string{zero}, 2, "netscript check: " + zero + ": not a regular file (a character device)\n"},
		{[]string{big}, 2, "netscript check: " + big + ": larger than 16 MiB\n"},
		{[]string{special}, 2, big + ": larger than 16 MiB\n" + dirTxtar + ": not a regular file (a directory)\n" +
			fifo + ": not a regular file (a FIFO)\n" + zero + ": not a regular file (a character device)\n"},
		{[]string{good, fifo}, 2, "netscript check: " + fifo + ": not a regular file (a FIFO)\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := mainWithin(t, tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) || stdout.Len() > 0 {
			t.Errorf("Main(%q) = %d, stderr %q, stdout %q; want %d, stderr with %q",
				tt.args, code, stderr.String(), stdout.String(), tt.code, tt.stderr)
		}
	}
}

// mainWithin runs Main, and fails the test if it does not return in time:
// no file may block check.
func mainWithin(t *testing.T, args []string, stdout, stderr *bytes.Buffer) int {
	t.Helper()
	done := make(chan int, 1)
	var out, errout bytes.Buffer
	go func() { done <- Main(args, &out, &errout) }()
	select {
	case code := <-done:
		stdout.Write(out.Bytes())
		stderr.Write(errout.Bytes())
		return code
	case <-time.After(time.Minute):
		t.Fatalf("Main(%q) still running after a minute", args)
		return 0
	}
}

func TestDefaultPath(t *testing.T) {
	files, err := runner.Expand(nil)
	if err == nil || len(files) > 0 {
		t.Errorf(`runner.Expand(nil) in a directory without "scenarios" = %v, %v; want an error`, files, err)
	}
	if !strings.Contains(err.Error(), "scenarios") {
		t.Errorf("error %v does not name the default path", err)
	}
}

func TestAlmostEqual(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"pnig", "ping", true}, {"ipp", "ip", true}, {"i", "ip", false}, {"ip", "ip", false},
		{"stdot", "stdout", true}, {"stdout", "stderr", false}, {"cmp", "cp", true}, {"rm", "mv", false},
	} {
		if got := almostEqual(tt.a, tt.b); got != tt.want {
			t.Errorf("almostEqual(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

// FuzzScenario: any file is checked without a panic.
func FuzzScenario(f *testing.F) {
	files, _ := filepath.Glob("../../scenarios/*.txtar")
	for _, src := range files {
		data, err := os.ReadFile(src)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("cmp stdout\ncd ..\ncp a b c\nmv x y\ncmp stdout y/z\n[!] !\n-- a --\n-- $WORK/../b --\n"))
	var c Checker
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range c.Scenario("fuzz.txtar", data) {
			if d.Msg == "" {
				t.Errorf("empty diagnostic at line %d", d.Line)
			}
		}
	})
}

// TestRealToolNotes checks that a builtin form netscript does not
// implement is a note, not a problem, and that what the real ip may have
// made is not reported missing after it runs.
func TestRealToolNotes(t *testing.T) {
	var c Checker
	diags := c.Scenario("s.txtar", []byte(`ip netns add ns1
ip -n ns1 mroute show
exec ip -n ns1 link add v1 type veth peer name v2
ip -n ns1 link set v1 up
`))
	want := []string{"s.txtar:2: note: ip mroute: not implemented by netscript: runs the real ip when it is installed"}
	var got []string
	for _, d := range diags {
		got = append(got, d.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	var stderr strings.Builder
	dir := t.TempDir()
	file := dir + "/s.txtar"
	if err := os.WriteFile(file, []byte("ip mroute show\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := Main([]string{file}, io.Discard, &stderr); code != ExitClean {
		t.Errorf("Main with only notes = %d, want %d (%s)", code, ExitClean, stderr.String())
	}
}
