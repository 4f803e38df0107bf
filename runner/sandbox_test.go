package runner

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/netscript/netscript/script"
)

// requireTools skips t unless every tool is installed.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

// withMarker returns processes whose command line contains marker, as
// "pid cmdline", other than this one.
func withMarker(marker string) []string {
	var found []string
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range pids {
		data, err := os.ReadFile(p + "/cmdline")
		if err != nil || !bytes.Contains(data, []byte(marker)) {
			continue
		}
		var pid int
		fmt.Sscan(filepath.Base(p), &pid)
		if pid == os.Getpid() || !processExists(pid) {
			continue
		}
		found = append(found, fmt.Sprintf("%d %s", pid, bytes.ReplaceAll(data, []byte{0}, []byte{' '})))
	}
	return found
}

// waitNoMarker waits, bounded, until no process carries marker, and
// returns those that still do.
func waitNoMarker(marker string) []string {
	deadline := time.Now().Add(10 * time.Second)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		left := withMarker(marker)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(delay)
	}
}

// markerCmd is "marked N": it checks that exactly N processes carry the
// test's marker (retried by the scenario until they have started).
func markerCmd(marker string) *script.Cmd {
	return &script.Cmd{
		Name:  "marked",
		Usage: script.Usage{Summary: "count the test's marked processes", Args: "N"},
		Parse: func(args []string) (script.Action, error) {
			return script.ActionFunc(func(s *script.State) error {
				got := withMarker(marker)
				if fmt.Sprint(len(got)) != args[0] {
					return s.Fail(1, "%d marked processes, want %s: %q", len(got), args[0], got)
				}
				return nil
			}), nil
		},
	}
}

// daemonScenario starts three programs that daemonize, each carrying
// marker in its arguments (a sleep of 4242.NNN seconds).
func daemonScenario(marker string) string {
	return fmt.Sprintf(`ip netns add ns1
exec ip netns exec ns1 sh -c 'setsid -f sleep %[1]s1 > /dev/null 2>&1'
exec sh -c 'sleep %[1]s2 > /dev/null 2>&1 &'
ip netns exec ns1 sh -c '(sleep %[1]s3 > /dev/null 2>&1 &) &'
`, marker)
}

// newMarker is a sleep duration prefix no other process on the machine
// uses.
func newMarker() string { return fmt.Sprintf("4242.%d%06d", os.Getpid()%1000, rand.IntN(1000000)) }

// TestDaemonsEndWithScenario runs three programs that leave their parent
// behind (setsid, a shell's background job, a double fork), checks that
// they run during the scenario and that none is left after it.
func TestDaemonsEndWithScenario(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip", "sh", "setsid", "sleep")
	marker := newMarker()
	file := filepath.Join(t.TempDir(), "daemons.txtar")
	text := daemonScenario(marker) + "retry marked 3\n"
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file), WithCmd(markerCmd(marker))}))
	if ft.Failed() {
		t.Fatalf("scenario failed:\n%s", ft)
	}
	if left := waitNoMarker(marker); len(left) > 0 {
		t.Errorf("daemons outlived their scenario: %q", left)
	}
}

// TestRealNetnsAddStaysInSandbox runs the real "ip netns add" in a
// scenario: the namespace joins the scenario (the builtin ip sees it) and
// nothing appears under the host's /run/netns, during the scenario or
// after.
func TestRealNetnsAddStaysInSandbox(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip")
	name := fmt.Sprintf("netscript-test-%d-%x", os.Getpid(), rand.Uint32())
	onHost := &script.Cmd{
		Name:  "onhost",
		Usage: script.Usage{Summary: "fail if the host's /run/netns has the test's name"},
		Parse: func(args []string) (script.Action, error) {
			return script.ActionFunc(func(s *script.State) error {
				// Looked at from another goroutine: this one's thread is
				// in the scenario's sandbox, where the name does exist.
				errc := make(chan error, 1)
				go func() { _, err := os.Lstat("/run/netns/" + name); errc <- err }()
				if err := <-errc; err == nil {
					return s.Fail(1, "/run/netns/%s exists on the host", name)
				}
				return nil
			}), nil
		},
	}
	file := filepath.Join(t.TempDir(), "add.txtar")
	text := fmt.Sprintf("exec ip netns add %[1]s\nonhost\nip -n %[1]s link set lo up\nexec ip -n %[1]s -br link show lo\nstdout '^lo +UNKNOWN'\nip netns list\nstdout '^%[1]s$'\n", name)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ft := &fakeT{}
	testscript.RunT(ft, params([]Option{WithFiles(file), WithCmd(onHost)}))
	if ft.Failed() {
		t.Fatalf("scenario failed:\n%s", ft)
	}
	if _, err := os.Lstat("/run/netns/" + name); err == nil {
		t.Errorf("/run/netns/%s is on the host after the scenario", name)
	}
}

// TestDeadlineEndsForegroundExec checks that the scenario's deadline ends
// a foreground program run by testscript's own exec, even one run with "!",
// and fails the scenario.
func TestDeadlineEndsForegroundExec(t *testing.T) {
	requireRoot(t)
	requireTools(t, "sleep")
	marker := newMarker()
	for _, line := range []string{"exec sleep " + marker, "! exec sleep " + marker} {
		t.Run(line, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "deadline.txtar")
			if err := os.WriteFile(file, []byte(line+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			ft := &fakeT{}
			done := make(chan struct{})
			go func() {
				defer close(done)
				testscript.RunT(ft, params([]Option{WithFiles(file), WithTimeout(300 * time.Millisecond)}))
			}()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("the deadline did not end the program")
			}
			if !ft.Failed() || !strings.Contains(ft.String(), "the scenario's deadline (300ms) passed") {
				t.Errorf("the scenario did not fail for its deadline:\n%s", ft)
			}
			if left := waitNoMarker(marker); len(left) > 0 {
				t.Errorf("programs outlived the deadline: %q", left)
			}
		})
	}
}

// realKills is how many times TestSIGKILLDuringRealPrograms kills a run.
const realKills = 20

// TestSIGKILLDuringRealPrograms kills a child run realKills times at a
// random moment of a scenario that runs real programs (daemons, the real
// ip adding a namespace, tc) and checks after each that no program it
// started survives, no namespace it held is still in use, and the host's
// /run/netns, links, routes and nsfs mounts are as before.
func TestSIGKILLDuringRealPrograms(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip", "sh", "setsid", "sleep", "tc")
	before := snapshotHost(t)
	left := 0
	for i := range realKills {
		marker := newMarker()
		scenario := daemonScenario(marker) + fmt.Sprintf(`exec ip netns add x
ip netns exec x sh -c 'sleep %[1]s4 > /dev/null 2>&1 &'
exec ip link add up0 type veth peer name down0 netns x
exec tc qdisc add dev up0 root handle 1: tbf rate 1mbit burst 32kbit latency 400ms
ready running
exec sleep %[1]s5
`, marker)
		t.Run(fmt.Sprint("kill ", i), func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "real.txtar")
			ready := filepath.Join(dir, "ready")
			if err := os.WriteFile(file, []byte(scenario), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(ready, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			child := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			child.Env = append(os.Environ(), childScenarioEnv+"="+file, childReadyEnv+"="+ready,
				"TMPDIR="+dir) // a killed child's work directory goes with dir
			var out strings.Builder
			child.Stdout, child.Stderr = &out, &out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			// Half the kills come at a random moment of the set-up, the
			// others once everything runs.
			if i%2 == 0 {
				time.Sleep(time.Duration(rand.IntN(60000)) * time.Microsecond) // the moment of the kill
			} else {
				waitReady(t, ready, "running", child)
				time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
			}
			held := netnsHeldBy(child.Process.Pid)
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
			n := 0
			if rest := waitNoMarker(marker); len(rest) > 0 {
				n += len(rest)
				t.Errorf("programs of the killed run still run: %q\n%s", rest, out.String())
			}
			if still := stillHeld(held, 10*time.Second); len(still) > 0 {
				n += len(still)
				t.Errorf("%d namespaces of the killed run are still held", len(still))
			}
			left += n
		})
	}
	after := snapshotHost(t)
	// Other programs on the machine may use the host's /run/netns: only
	// the scenario's names must not appear there.
	for _, name := range after.netns {
		if (name == "ns1" || name == "x") && !slices.Contains(before.netns, name) {
			left++
			t.Errorf("the scenario's namespace %s appeared under the host's /run/netns", name)
		}
	}
	for _, m := range after.mounts {
		if (strings.Contains(m, " /run/netns/ns1 ") || strings.Contains(m, " /run/netns/x ")) && !slices.Contains(before.mounts, m) {
			left++
			t.Errorf("the scenario's namespace is mounted on the host: %s", m)
		}
	}
	for _, c := range []struct {
		what          string
		before, after []string
	}{
		{"host links", before.links, after.links},
		{"host routes", before.routes, after.routes},
	} {
		if strings.Join(c.before, "\n") != strings.Join(c.after, "\n") {
			left++
			t.Errorf("%s changed:\nbefore: %q\nafter:  %q", c.what, c.before, c.after)
		}
	}
	t.Logf("SIGKILLs during real programs: %d, leftovers: %d", realKills, left)
}
