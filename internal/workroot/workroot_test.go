package workroot

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// A test binary started with this variable set creates a root, prints its
// path and waits to be killed.
const holderEnv = "NETSCRIPT_WORKROOT_TEST_HOLDER"

func TestMain(m *testing.M) {
	if os.Getenv(holderEnv) != "" {
		r, err := Create()
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.WriteFile(filepath.Join(r.Dir, "data"), []byte("x"), 0o644)
		fmt.Println(r.Dir)
		select {}
	}
	os.Exit(m.Run())
}

// holder starts a process that holds a root in tmp; it returns the root
// and the process, which the test kills.
func holder(t *testing.T, tmp string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holderEnv+"=1", "TMPDIR="+tmp)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, tmp) {
		t.Fatalf("holder printed %q (%v)", line, err)
	}
	return strings.TrimSpace(line), cmd
}

func TestCreateRemove(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r, err := Create()
	if err != nil {
		t.Fatal(err)
	}
	if pid, ok := ownerPid(filepath.Base(r.Dir)); !ok || pid != os.Getpid() {
		t.Errorf("root %s does not name this process (%d)", r.Dir, os.Getpid())
	}
	sub := filepath.Join(r.Dir, "script-x", "ro")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(sub, "f"), nil, 0o644)
	os.Chmod(sub, 0o555) // as a scenario may leave it
	if removed, err := Sweep(); err != nil || len(removed) != 0 {
		t.Errorf("Sweep removed %v (%v) while the run lives", removed, err)
	}
	if err := r.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(r.Dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after Remove: %v", r.Dir, err)
	}
}

// TestSweep kills a run with SIGKILL and checks that Sweep removes its root,
// and nothing else: not a live run's root, not a root whose lock is held,
// not names of another shape, not symbolic links, not another user's root.
func TestSweep(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dead, killed := holder(t, tmp)
	live, _ := holder(t, tmp)
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()

	// A dead PID's name whose lock a live process (this one) holds.
	deadPid := killed.Process.Pid
	locked := filepath.Join(tmp, fmt.Sprintf("netscript-%d-locked", deadPid))
	os.Mkdir(locked, 0o700)
	f, err := os.Open(locked)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	keep := []string{live, locked}
	for _, name := range []string{
		"netscript-x-1", "netscript--1", fmt.Sprintf("netscript-%d", deadPid), fmt.Sprintf("netscript-%d-", deadPid),
		"go-test-script123", fmt.Sprintf("netscript-rootless-%d", deadPid), fmt.Sprintf("netscript-0%d-a", deadPid),
	} {
		p := filepath.Join(tmp, name)
		os.Mkdir(p, 0o700)
		keep = append(keep, p)
	}
	target := t.TempDir()
	link := filepath.Join(tmp, fmt.Sprintf("netscript-%d-link", deadPid))
	os.Symlink(target, link)
	keep = append(keep, link, target)
	file := filepath.Join(tmp, fmt.Sprintf("netscript-%d-file", deadPid))
	os.WriteFile(file, nil, 0o600)
	keep = append(keep, file)
	// Another user's directory, where this process may give one away
	// (CAP_CHOWN, and uid 65534 mapped): Sweep must leave it.
	other := filepath.Join(tmp, fmt.Sprintf("netscript-%d-other", deadPid))
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(other, 65534, 65534); err == nil {
		keep = append(keep, other)
	} else if err := os.Remove(other); err != nil {
		t.Fatal(err)
	}

	removed, err := Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{dead}) {
		t.Errorf("Sweep removed %v, want only the killed run's %s", removed, dead)
	}
	if _, err := os.Lstat(dead); !os.IsNotExist(err) {
		t.Errorf("%s still there: %v", dead, err)
	}
	for _, p := range keep {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("Sweep removed %s: %v", p, err)
		}
	}
}
