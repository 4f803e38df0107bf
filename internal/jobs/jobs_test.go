package jobs

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// hostPID is shell code that prints the shell's process id as /proc, the
// host's, numbers it.
const hostPID = "read -r pid rest < /proc/self/stat; echo $pid"

// waitPID waits for the program to write its process id to file.
func waitPID(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no process id in %s", file)
		}
		time.Sleep(delay)
	}
}

// alive reports whether pid still runs: a zombie, killed and waiting for
// its parent (or init, for an orphan) to reap it, does not.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	_, rest, _ := bytes.Cut(b, []byte(") "))
	return len(rest) > 0 && rest[0] != 'Z' && rest[0] != 'X'
}

// gone waits a little for pid to end: a signal to a grandchild, which
// nobody waits for, takes effect asynchronously.
func gone(pid int) bool {
	deadline := time.Now().Add(5 * time.Second)
	for delay := time.Millisecond; alive(pid); delay = min(2*delay, 50*time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(delay)
	}
	return true
}

func netnsInode(t *testing.T, pid int) uint64 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat("/proc/"+strconv.Itoa(pid)+"/ns/net", &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// TestStartAndStop starts programs in namespaces and checks that they run
// there, and that closing the namespace ends them, their children, and
// those that ignore SIGTERM, before the namespace is released.
func TestStartAndStop(t *testing.T) {
	realtool.RequireRoot(t)
	grace = 100 * time.Millisecond
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ns, err := w.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	s := &script.State{Ctx: ctx, World: w, NS: ns, Dir: dir, Env: os.Environ(), Stdout: &bytes.Buffer{}, Stderr: &stderr}

	// Programs run in the scenario's PID namespace, where $$ is not the
	// number /proc knows them by: they read theirs from /proc/self.
	programs := []struct{ name, script string }{
		{"plain", hostPID + " > plain; exec sleep 60"},
		{"deaf", `trap "" TERM; ` + hostPID + " > deaf; exec sleep 60"},
		{"parent", "sh -c '" + hostPID + " > parent; exec sleep 60' & wait"},
	}
	for _, p := range programs {
		if err := Start(s, []string{"sh", "-c", p.script}); err != nil {
			t.Fatalf("%s: %v (%s)", p.name, err, stderr.String())
		}
	}
	want, err := ns.Inode()
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]int{}
	for _, p := range programs {
		pid := waitPID(t, filepath.Join(dir, p.name))
		pids[p.name] = pid
		if got := netnsInode(t, pid); got != want {
			t.Errorf("%s runs in namespace %d, want %d", p.name, got, want)
		}
	}
	if err := w.Delete("a"); err != nil {
		t.Fatal(err)
	}
	for name, pid := range pids {
		if !gone(pid) {
			t.Errorf("%s (pid %d) still runs after its namespace was deleted", name, pid)
		}
	}

	// A program that could not start.
	stderr.Reset()
	root := s.In(w.Root())
	err = Start(root, []string{"no-such-program-netscript"})
	var e *script.ExitError
	if !errors.As(err, &e) || e.Code != 1 || stderr.String() != "exec of \"no-such-program-netscript\" failed: No such file or directory\n" {
		t.Errorf("got %v, stderr %q", err, stderr.String())
	}
	if err := Start(root, nil); script.ExitCode(err) != 1 {
		t.Errorf("no command: got %v", err)
	}

	// The World's close ends a program in the root namespace too.
	if err := Start(root, []string{"sh", "-c", hostPID + " > root; exec sleep 60"}); err != nil {
		t.Fatal(err)
	}
	pid := waitPID(t, filepath.Join(dir, "root"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !gone(pid) {
		t.Errorf("pid %d still runs after the World closed", pid)
	}
}

// BenchmarkStart measures one real-program start: "true" run through the
// job control (the World's sandbox, made once) against a plain os/exec
// start from an unlocked goroutine.
func BenchmarkStart(b *testing.B) {
	realtool.RequireRoot(b)
	w, err := world.New()
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ns, err := w.Add("a")
	if err != nil {
		b.Fatal(err)
	}
	s := &script.State{Ctx: context.Background(), World: w, NS: ns, Dir: b.TempDir(), Env: os.Environ(), Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	if err := Run(s, []string{"true"}); err != nil { // makes the sandbox
		b.Fatal(err)
	}
	b.Run("jobs.Run", func(b *testing.B) {
		for b.Loop() {
			if err := Run(s, []string{"true"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("exec.Command", func(b *testing.B) {
		for b.Loop() {
			if err := exec.Command("true").Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
