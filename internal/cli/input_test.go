package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
)

// mainWithin runs Main and fails the test if it does not return in time:
// no input may block run, check or graph.
func mainWithin(t *testing.T, args ...string) (code int, output string) {
	t.Helper()
	type result struct {
		code int
		out  string
	}
	done := make(chan result, 1)
	go func() {
		var out bytes.Buffer
		code := Main(args, &out, &out)
		done <- result{code, out.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.out
	case <-time.After(2 * time.Minute):
		t.Fatalf("netscript %s still running after 2 minutes", strings.Join(args, " "))
		return 0, ""
	}
}

// verdict is what one of run, check and graph must do with an input: its
// exit status and a substring of its output. A zero verdict is not checked.
type verdict struct {
	code int
	out  string
}

// TestHostileInputsSameVerdict gives run, check and graph the same hostile
// files: special files, archive names outside the work directory, empty
// scenarios, too deep nesting. They must refuse them alike, at once, with
// the same message at the same line.
func TestHostileInputsSameVerdict(t *testing.T) {
	writeText := func(s string) func(string) error {
		return func(p string) error { return os.WriteFile(p, []byte(s), 0o644) }
	}
	longName := strings.Repeat("s", 246) + ".txtar"
	tests := []struct {
		name              string
		file              string // default x.txtar
		make              func(path string) error
		run, check, graph verdict
		root              bool // run needs to run the scenario
	}{
		{name: "fifo", make: func(p string) error { return syscall.Mkfifo(p, 0o644) },
			run:   verdict{2, "netscript run: X: not a regular file (a FIFO)\n"},
			check: verdict{2, "netscript check: X: not a regular file (a FIFO)\n"},
			graph: verdict{2, "netscript graph: X: not a regular file (a FIFO)\n"}},
		{name: "symlink to /dev/zero", make: func(p string) error { return os.Symlink("/dev/zero", p) },
			run:   verdict{2, "netscript run: X: not a regular file (a character device)\n"},
			check: verdict{2, "netscript check: X: not a regular file (a character device)\n"},
			graph: verdict{2, "netscript graph: X: not a regular file (a character device)\n"}},
		{name: "symlink to /dev/urandom", make: func(p string) error { return os.Symlink("/dev/urandom", p) },
			run:   verdict{2, "netscript run: X: not a regular file (a character device)\n"},
			check: verdict{2, "netscript check: X: not a regular file (a character device)\n"},
			graph: verdict{2, "netscript graph: X: not a regular file (a character device)\n"}},
		{name: "over 16 MiB", make: func(p string) error {
			if err := os.WriteFile(p, []byte("ip netns add a\n"), 0o644); err != nil {
				return err
			}
			return os.Truncate(p, 16<<20+1)
		},
			run:   verdict{2, "netscript run: X: larger than 16 MiB\n"},
			check: verdict{2, "netscript check: X: larger than 16 MiB\n"},
			graph: verdict{2, "netscript graph: X: larger than 16 MiB\n"}},
		{name: "empty", make: writeText(""),
			run:   verdict{2, "netscript run: X: the scenario has no commands\n"},
			check: verdict{1, "X: the scenario has no commands\n"}},
		{name: "comments only", make: writeText("# nothing to do\n\n   # at all\n"),
			run:   verdict{2, "netscript run: X: the scenario has no commands\n"},
			check: verdict{1, "X: the scenario has no commands\n"}},
		{name: "archive file above", make: writeText("ip netns add a\n-- ../../netscript-x --\nhi\n"),
			run:   verdict{2, `netscript run: X:2: archive file "../../netscript-x" is outside the scenario's directory` + "\n"},
			check: verdict{1, `X:2: archive file "../../netscript-x" is outside the scenario's directory` + "\n"}},
		{name: "archive file absolute", make: writeText("ip netns add a\n-- /tmp/netscript-x --\nhi\n"),
			run:   verdict{2, `X:2: archive file "/tmp/netscript-x" is outside the scenario's directory`},
			check: verdict{1, `X:2: archive file "/tmp/netscript-x" is outside the scenario's directory`}},
		{name: "archive file twice", make: writeText("ip netns add a\ncmp stdout x\n-- x --\na\n-- x --\nb\n"),
			run:   verdict{2, `X:5: archive file "x" is given twice (first at line 3)`},
			check: verdict{1, `X:5: archive file "x" is given twice (first at line 3)`}},
		{name: "archive name too long", make: writeText("ip netns add a\n-- " + strings.Repeat("n", 300) + " --\n"),
			run:   verdict{2, `X:2: archive file "` + strings.Repeat("n", 80) + `"...: a name in its path is 300 bytes long, over the kernel's 255`},
			check: verdict{1, `X:2: archive file "` + strings.Repeat("n", 80) + `"...: a name in its path is 300 bytes long, over the kernel's 255`}},
		{name: "scenario name too long", file: longName, make: writeText("ip netns add a\n"),
			run:   verdict{2, "X: the scenario's name is 246 bytes long, over 245"},
			check: verdict{1, "X: the scenario's name is 246 bytes long, over 245"}},
		{name: "retry nested too deep", root: true, make: writeText("ip netns add a\n" + strings.Repeat("retry ", 65) + "ip link\n"),
			run:   verdict{1, "ip link: netscript: retry: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
			check: verdict{1, "X:2: retry: more than 64 commands that run another command (retry, ip netns exec) nested on one line\n"},
			graph: verdict{0, ""}},
		{name: "ip netns exec nested too deep", root: true, make: writeText("ip netns add a\n" + strings.Repeat("ip netns exec a ", 65) + "ip link\n"),
			run:   verdict{1, "ip link: netscript: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line"},
			check: verdict{1, "X:2: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line\n"},
			graph: verdict{0, "X:2: ip: more than 64 commands that run another command (retry, ip netns exec) nested on one line\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "x.txtar"
			}
			path := filepath.Join(t.TempDir(), file)
			if err := tt.make(path); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				cmd string
				v   verdict
			}{{"run", tt.run}, {"check", tt.check}, {"graph", tt.graph}} {
				if c.v == (verdict{}) && c.cmd == "graph" {
					continue
				}
				if c.cmd == "run" && tt.root {
					realtool.RequireRoot(t)
				}
				code, out := mainWithin(t, c.cmd, path)
				want := strings.ReplaceAll(c.v.out, "X", path)
				if code != c.v.code || !strings.Contains(out, want) || strings.Contains(out, "panic") {
					t.Errorf("netscript %s: exit %d, want %d with %q; output:\n%s", c.cmd, code, c.v.code, want, clipped(out))
				}
			}
		})
	}
}

func clipped(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "..."
	}
	return s
}

// TestDirectoryWithSpecialFiles: a directory's special .txtar entries are
// named, each with what it is, by run and check; the good one is checked.
func TestDirectoryWithSpecialFiles(t *testing.T) {
	dir := scenarios(t, map[string]string{"good.txtar": passing})
	fifo := filepath.Join(dir, "fifo.txtar")
	sub := filepath.Join(dir, "sub.txtar")
	zero := filepath.Join(dir, "zero.txtar")
	if syscall.Mkfifo(fifo, 0o644) != nil || os.Mkdir(sub, 0o755) != nil || os.Symlink("/dev/zero", zero) != nil {
		t.Fatal("cannot make the special files")
	}
	wants := []string{
		fifo + ": not a regular file (a FIFO)\n",
		sub + ": not a regular file (a directory)\n",
		zero + ": not a regular file (a character device)\n",
	}
	for _, cmd := range []string{"run", "check"} {
		code, out := mainWithin(t, cmd, dir)
		if code != exitUsage {
			t.Errorf("netscript %s DIR: exit %d, want %d; output:\n%s", cmd, code, exitUsage, out)
		}
		for _, want := range wants {
			if !strings.Contains(out, want) {
				t.Errorf("netscript %s DIR: output lacks %q:\n%s", cmd, want, out)
			}
		}
	}
}
