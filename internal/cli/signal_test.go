package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
)

// sleepy makes the directory "started" in its work directory, then runs
// until its 30s retry gives up, or a signal stops it.
const sleepy = "mkdir started\nretry -t 30s ! ip link show lo\n"

// syncBuffer is a bytes.Buffer a child process writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// netscriptRun is a "netscript run" started as a process of its own: this
// test binary, acting as the command.
type netscriptRun struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
}

// startRun starts "netscript run args..." with TMPDIR set to tmp.
func startRun(t *testing.T, tmp string, args ...string) *netscriptRun {
	t.Helper()
	r := &netscriptRun{cmd: exec.Command(os.Args[0], append([]string{"run"}, args...)...), done: make(chan struct{})}
	r.cmd.Env = append(os.Environ(), mainEnv+"=1", "TMPDIR="+tmp)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
	})
	return r
}

// wait waits for the run to end and returns its exit status.
func (r *netscriptRun) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("netscript run did not end\nstdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
	}
	return r.cmd.ProcessState.ExitCode()
}

// waitFor polls cond until it holds, or fails the test at the deadline.
func waitFor(t *testing.T, what string, r *netscriptRun, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		select {
		case <-r.done:
			t.Fatalf("netscript run ended before %s\nstdout:\n%s\nstderr:\n%s", what, r.stdout.String(), r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s by the deadline\nstdout:\n%s\nstderr:\n%s", what, r.stdout.String(), r.stderr.String())
		}
	}
}

// workDir returns the work directory of scenario name (testscript's
// script-NAME) in the work root of the run whose PID is pid, once the
// scenario has made its "started" directory there; or "".
func workDir(tmp string, pid int, name string) string {
	m, _ := filepath.Glob(filepath.Join(tmp, "netscript-"+strconv.Itoa(pid)+"-*", "script-"+name, "started"))
	if len(m) == 1 {
		return filepath.Dir(m[0])
	}
	return ""
}

// workRoots returns the work roots in tmp.
func workRoots(tmp string) []string {
	m, _ := filepath.Glob(filepath.Join(tmp, "netscript-*"))
	return m
}

// TestSignalStopsRun sends SIGINT or SIGTERM to a run while a scenario
// waits: the run must stop it, print what finished and name what it
// interrupted, remove its work directories and exit 128+signal. Programs
// started with testscript's exec, which do not see the scenario's context,
// must end too. With -parallel 1, the other scenario either passed before
// the scenario that waits started, or never started.
func TestSignalStopsRun(t *testing.T) {
	realtool.RequireRoot(t)
	for _, tt := range []struct {
		name    string
		sig     syscall.Signal
		sigName string
		code    int
		waiter  string
	}{
		{"SIGINT", syscall.SIGINT, "SIGINT", 130, sleepy},
		{"SIGTERM", syscall.SIGTERM, "SIGTERM", 143, sleepy},
		{"SIGTERM exec", syscall.SIGTERM, "SIGTERM", 143, "mkdir started\nexec sleep 3600\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			dir := scenarios(t, map[string]string{"quick.txtar": passing, "waits.txtar": tt.waiter})
			junit := filepath.Join(t.TempDir(), "junit.xml")
			r := startRun(t, tmp, "-parallel", "1", "-junit", junit, dir)
			waitFor(t, "running scenario", r, func() bool { return workDir(tmp, r.cmd.Process.Pid, "waits") != "" })
			r.cmd.Process.Signal(tt.sig)
			code := r.wait(t)
			out := r.stdout.String()
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, r.stderr.String())
			}
			want := []string{"--- INTERRUPTED: waits (", "FAIL: " + filepath.Join(dir, "waits.txtar") + ":2: ",
				"interrupted by " + tt.sigName + " while running: waits"}
			if strings.Contains(out, "--- PASS: quick (") {
				want = append(want, "1 passed, 0 failed, 0 skipped, 1 interrupted, 0 not run in ")
			} else {
				want = append(want, "interrupted by "+tt.sigName+" while running: waits; not started: quick\n",
					"0 passed, 0 failed, 0 skipped, 1 interrupted, 1 not run in ")
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if m := regexp.MustCompile(`state of every namespace|WORK=`).FindString(out); m != "" {
				t.Errorf("an interrupted scenario's log shows %q:\n%s", m, out)
			}
			if roots := workRoots(tmp); len(roots) != 0 {
				t.Errorf("work directories left behind: %v", roots)
			}
			data, err := os.ReadFile(junit)
			if err != nil || !strings.Contains(string(data), `errors="1"`) ||
				!strings.Contains(string(data), `<error message="interrupted by `+tt.sigName+`" type="interrupted">`) {
				t.Errorf("JUnit report (%v):\n%s", err, data)
			}
		})
	}
}

// TestSecondSignalExits sends two signals at once: however far the run got
// with the first, it ends with 130 and leaves no work directory.
func TestSecondSignalExits(t *testing.T) {
	realtool.RequireRoot(t)
	tmp := t.TempDir()
	dir := scenarios(t, map[string]string{"waits.txtar": sleepy})
	r := startRun(t, tmp, dir)
	waitFor(t, "running scenario", r, func() bool { return workDir(tmp, r.cmd.Process.Pid, "waits") != "" })
	r.cmd.Process.Signal(syscall.SIGINT)
	r.cmd.Process.Signal(syscall.SIGINT)
	if code := r.wait(t); code != 130 {
		t.Errorf("exit %d, want 130\nstdout:\n%s\nstderr:\n%s", code, r.stdout.String(), r.stderr.String())
	}
	if roots := workRoots(tmp); len(roots) != 0 {
		t.Errorf("work directories left behind: %v", roots)
	}
}

// TestSweepAfterSIGKILL kills a run with SIGKILL, which leaves its work
// directory behind; the next run must remove it, and keep the directory of
// a run that is still alive.
func TestSweepAfterSIGKILL(t *testing.T) {
	realtool.RequireRoot(t)
	tmp := t.TempDir()
	dir := scenarios(t, map[string]string{"waits.txtar": sleepy, "quick.txtar": passing})
	waits := filepath.Join(dir, "waits.txtar")

	killed := startRun(t, tmp, waits)
	waitFor(t, "running scenario", killed, func() bool { return workDir(tmp, killed.cmd.Process.Pid, "waits") != "" })
	deadDir := filepath.Dir(workDir(tmp, killed.cmd.Process.Pid, "waits"))
	killed.cmd.Process.Signal(syscall.SIGKILL)
	killed.wait(t)
	if _, err := os.Stat(deadDir); err != nil {
		t.Fatalf("the killed run's work directory is already gone (%v): the test shows nothing", err)
	}

	live := startRun(t, tmp, waits)
	waitFor(t, "running scenario", live, func() bool { return workDir(tmp, live.cmd.Process.Pid, "waits") != "" })
	liveDir := filepath.Dir(workDir(tmp, live.cmd.Process.Pid, "waits"))

	next := startRun(t, tmp, filepath.Join(dir, "quick.txtar"))
	if code := next.wait(t); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, next.stdout.String(), next.stderr.String())
	}
	if _, err := os.Stat(deadDir); !os.IsNotExist(err) {
		t.Errorf("the next run left the dead run's %s (%v)", deadDir, err)
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("the next run removed the live run's %s: %v", liveDir, err)
	}
	live.cmd.Process.Signal(syscall.SIGTERM)
	if code := live.wait(t); code != 143 {
		t.Errorf("live run: exit %d, want 143", code)
	}
	if roots := workRoots(tmp); len(roots) != 0 {
		t.Errorf("work directories left behind: %v", roots)
	}
}
