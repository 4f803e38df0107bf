package runner

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/script"
)

// The child mode of this test binary: run one scenario and report progress.
const (
	childScenarioEnv = "NETSCRIPT_TEST_CHILD_SCENARIO"
	childReadyEnv    = "NETSCRIPT_TEST_CHILD_READY"
	childTimeoutEnv  = "NETSCRIPT_TEST_CHILD_TIMEOUT"
)

// startNetns is the test process's namespace when it started, before any
// scenario ran.
var startNetns string

func TestMain(m *testing.M) {
	// The variable is this process's alone: the children it starts are
	// not private hosts of their own.
	privateHostTest = os.Getenv(privateHostEnv)
	os.Unsetenv(privateHostEnv)
	if privateHostTest != "" {
		if err := setUpPrivateHost(); err != nil {
			fmt.Fprintf(os.Stderr, "private host: %v\n", err)
			os.Exit(1)
		}
	}
	startNetns, _ = os.Readlink("/proc/self/ns/net")
	if file := os.Getenv(childScenarioEnv); file != "" {
		ft := &fakeT{}
		opts := []Option{WithFiles(file), WithCmd(readyCmd()), WithCmd(panicCmd())}
		if d, err := time.ParseDuration(os.Getenv(childTimeoutEnv)); err == nil {
			opts = append(opts, WithTimeout(d))
		}
		testscript.RunT(ft, params(opts))
		fmt.Print(ft.String())
		if ft.Failed() {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// readyCmd is "ready WORD": it appends WORD and a newline to the file named by
// $NETSCRIPT_TEST_CHILD_READY, so the parent knows how far the child got.
func readyCmd() *script.Cmd {
	return &script.Cmd{
		Name:  "ready",
		Usage: script.Usage{Summary: "tell the killing test how far the scenario got", Args: "WORD"},
		Parse: func(args []string) (script.Action, error) {
			return script.ActionFunc(func(s *script.State) error {
				f, err := os.OpenFile(os.Getenv(childReadyEnv), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = fmt.Fprintln(f, strings.Join(args, " "))
				return err
			}), nil
		},
	}
}

// panicCmd is "panic": a command with a bug, to check that a crash of
// netscript itself leaves nothing behind. It panics once the file
// $NETSCRIPT_TEST_CHILD_READY.go exists (the parent has looked at the
// child's namespaces by then), or after 10 seconds.
func panicCmd() *script.Cmd {
	return &script.Cmd{
		Name:  "panic",
		Usage: script.Usage{Summary: "panic, as a buggy command would"},
		Parse: func(args []string) (script.Action, error) {
			return script.ActionFunc(func(*script.State) error {
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
					if _, err := os.Stat(os.Getenv(childReadyEnv) + ".go"); err == nil {
						break
					}
				}
				panic("a command with a bug")
			}), nil
		},
	}
}

const killScenario = `
ready start
ip netns add ns0
ip netns add ns1
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ip link set veth1 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns1 addr add 10.0.0.2/24 dev veth1
ip -n ns0 link set veth0 up
ip -n ns1 link set veth1 up
ip -n ns0 tuntap add dev tap0 mode tap
ready built
ip netns exec ns0 ping -c 1 -W 5 10.0.0.2
ready pinging
ip netns exec ns0 ping -c 20 -i 0.005 -q 10.0.0.2
ready routing
ip -n ns0 route add 10.1.0.0/24 via 10.0.0.2
ip -n ns0 route change 10.1.0.0/24 via 10.0.0.2 dev veth0 metric 0
ip -n ns0 route replace 10.1.0.0/24 dev veth0
ip -n ns0 route change 10.1.0.0/24 via 10.0.0.2
ip -n ns0 route del 10.1.0.0/24
ip -n ns0 route add 10.1.0.0/24 via 10.0.0.2
ip -n ns0 route change 10.1.0.0/24 via 10.0.0.2 dev veth0
ip -n ns0 route del 10.1.0.0/24
ready looping
ip netns exec ns0 ping -c 100000 -i 0.01 -q 10.0.0.2
`

// nextRunScenario must pass after every fault: it uses the names the
// faulted runs used.
const nextRunScenario = `
ip netns add ns0
ip netns add ns1
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ip link set veth1 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns1 addr add 10.0.0.2/24 dev veth1
ip -n ns0 link set veth0 up
ip -n ns1 link set veth1 up
ip netns exec ns0 ping -c 1 -W 5 10.0.0.2
stdout '1 received'
`

const panicScenario = `
ip netns add ns0
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ready panicking
panic
`

const deadlineScenario = `
ip netns add ns0
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ip -n ns0 link set lo up
ready waiting
ip netns exec ns0 sleep 30
`

const killProgramScenario = `
ip netns add ns0
ip netns exec ns0 ip link set lo up
ready program
ip netns exec ns0 sleep 1000
`

// hostState is what a run must leave as it found it on the host.
type hostState struct {
	netns  []string // entries of /run/netns
	links  []string // the host namespace's links
	routes []string // its IPv4 and IPv6 routes
	mounts []string // nsfs mounts
}

func snapshotHost(t *testing.T) hostState {
	t.Helper()
	var h hostState
	if entries, err := os.ReadDir("/run/netns"); err == nil {
		for _, e := range entries {
			h.netns = append(h.netns, e.Name())
		}
	}
	links, err := netlink.LinkList()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		a := l.Attrs()
		h.links = append(h.links, fmt.Sprintf("%d %s %s mtu %d %v", a.Index, a.Name, l.Type(), a.MTU, a.Flags))
	}
	routes, err := netlink.RouteList(nil, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range routes {
		h.routes = append(h.routes, r.String())
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, " - nsfs ") {
			h.mounts = append(h.mounts, line)
		}
	}
	return h
}

// netnsHeldBy returns the network namespaces a process holds: its threads'
// namespaces and its open namespace descriptors, as "net:[INODE]".
func netnsHeldBy(pid int) map[string]bool {
	held := make(map[string]bool)
	links, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/ns/net", pid))
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	for _, p := range append(links, fds...) {
		if target, err := os.Readlink(p); err == nil && strings.HasPrefix(target, "net:[") {
			held[target] = true
		}
	}
	return held
}

// netnsInUse returns every network namespace any process or mount holds.
func netnsInUse() map[string]bool {
	all := make(map[string]bool)
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range pids {
		var pid int
		if _, err := fmt.Sscan(filepath.Base(p), &pid); err == nil {
			for ns := range netnsHeldBy(pid) {
				all[ns] = true
			}
		}
	}
	if data, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if i := strings.Index(line, "net:["); i >= 0 {
				all[line[i:i+strings.Index(line[i:], "]")+1]] = true
			}
		}
	}
	return all
}

// stillHeld waits, up to within, until no process or mount holds any of
// the namespaces in held (other than the test's own), and returns those
// still held then. The kernel frees a namespace once its last holder is
// gone, and a killed process's exit, and its programs', is asynchronous:
// checking right after Wait raced it on a busy machine.
func stillHeld(held map[string]bool, within time.Duration) []string {
	deadline := time.Now().Add(within)
	for {
		inUse := netnsInUse()
		var still []string
		for ns := range held {
			if inUse[ns] && !hostHolds(ns) {
				still = append(still, ns)
			}
		}
		if len(still) == 0 || time.Now().After(deadline) {
			slices.Sort(still)
			return still
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// killMoments is how many times TestSIGKILLLeavesNothing kills a run.
const killMoments = 20

// TestSIGKILLLeavesNothing kills a child run at killMoments random moments
// of a scenario (creating namespaces, setting up links, mid-ping,
// mid-route-change, during a real program), lets one child panic inside a
// command and one hit its deadline, and checks after each that none of the
// namespaces it made survive, no program it started survives, the host
// looks as before, and the next run with the same names passes.
func TestSIGKILLLeavesNothing(t *testing.T) {
	requireRoot(t)
	if !inPrivateHost(t) {
		return
	}
	type fault struct {
		name     string
		scenario string
		after    string        // act once the child reported this
		delay    time.Duration // kill this long after the child reported `after`; <0: let it end
		env      []string
	}
	// The phases of killScenario, with how long each lasts at most here:
	// a random moment is drawn within the phase.
	phases := []struct {
		name, after string
		span        time.Duration
	}{
		{"while creating namespaces", "start", 3 * time.Millisecond},
		{"mid-setup", "start", 15 * time.Millisecond},
		{"after setup", "built", 2 * time.Millisecond},
		{"mid-ping", "pinging", 100 * time.Millisecond},
		{"mid-route-change", "routing", 5 * time.Millisecond},
		{"mid-long-ping", "looping", 200 * time.Millisecond},
	}
	var faults []fault
	for i := range killMoments {
		if i%7 == 6 {
			faults = append(faults, fault{fmt.Sprintf("kill %d during a real program", i), killProgramScenario, "program",
				time.Duration(rand.IntN(50000)) * time.Microsecond, nil})
			continue
		}
		p := phases[rand.IntN(len(phases))]
		d := time.Duration(rand.Int64N(int64(p.span)))
		faults = append(faults, fault{fmt.Sprintf("kill %d %s +%v", i, p.name, d.Round(time.Microsecond)), killScenario, p.after, d, nil})
	}
	faults = append(faults,
		fault{"panic inside a command", panicScenario, "panicking", -1, nil},
		fault{"scenario deadline", deadlineScenario, "waiting", -1, []string{childTimeoutEnv + "=300ms"}})
	before := snapshotHost(t)
	for _, k := range faults {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "kill.txtar")
			ready := filepath.Join(dir, "ready")
			if err := os.WriteFile(file, []byte(k.scenario), 0o644); err != nil {
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
			child.Env = append(child.Env, k.env...)
			var out strings.Builder
			child.Stdout, child.Stderr = &out, &out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitReady(t, ready, k.after, child)
			if k.after == "program" {
				// "ready program" comes just before the program
				// starts: kill during it, not before it, however
				// slowly a busy machine starts it.
				for deadline := time.Now().Add(30 * time.Second); len(childPids(child.Process.Pid)) == 0 && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
			}
			held := netnsHeldBy(child.Process.Pid)
			var children []int
			if k.delay >= 0 {
				time.Sleep(k.delay) // the moment of the kill, not a wait for convergence
				for ns := range netnsHeldBy(child.Process.Pid) {
					held[ns] = true
				}
				children = childPids(child.Process.Pid)
				if err := child.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				_ = child.Wait()
			} else {
				children = childPids(child.Process.Pid)
				if err := os.WriteFile(ready+".go", nil, 0o644); err != nil {
					t.Fatal(err)
				}
				err := child.Wait()
				if err == nil {
					t.Fatalf("the child passed; want a failure. Output:\n%s", out.String())
				}
				if k.scenario == panicScenario && !strings.Contains(out.String(), "a command with a bug") {
					t.Errorf("the child did not die of the panic: %v\n%s", err, out.String())
				}
				if k.scenario == deadlineScenario && strings.Contains(out.String(), "panic") {
					t.Errorf("the deadline made the child panic:\n%s", out.String())
				}
			}
			if k.after == "program" && len(children) == 0 {
				t.Errorf("the child had started no program by the time of the kill; output:\n%s", out.String())
			}
			// A program the child started gets SIGKILL from the kernel when
			// the child dies; wait (bounded) until it is gone.
			deadline := time.Now().Add(10 * time.Second)
			for _, pid := range children {
				for processExists(pid) && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
				if processExists(pid) {
					t.Errorf("program %d started by the killed run is still running", pid)
				}
			}
			if len(held) < 2 {
				t.Errorf("the child held %d namespaces; it should have had its World by then", len(held))
			}
			left := 0
			for _, ns := range stillHeld(held, 10*time.Second) {
				left++
				t.Errorf("namespace %s of the killed run is still held", ns)
			}
			faultsInjected.Add(1)
			leftoversFound.Add(int64(left))
			if log, failed := runScenario(t, nextRunScenario); failed {
				t.Errorf("the run after the fault failed:\n%s", log)
			}
			t.Logf("%s; it held %d network namespaces, %d left", k.name, len(held), left)
		})
	}
	after := snapshotHost(t)
	for _, c := range []struct {
		what          string
		before, after []string
	}{
		{"/run/netns", before.netns, after.netns},
		{"host links", before.links, after.links},
		{"host routes", before.routes, after.routes},
		{"nsfs mounts", before.mounts, after.mounts},
	} {
		if !slices.Equal(c.before, c.after) {
			leftoversFound.Add(1)
			t.Errorf("%s changed:\nbefore: %q\nafter:  %q", c.what, c.before, c.after)
		}
	}
	t.Logf("faults injected: %d, leftovers found: %d", faultsInjected.Load(), leftoversFound.Load())
}

// Counts for the report of the trust tests.
var faultsInjected, leftoversFound atomic.Int64

// hostHolds reports whether ns is the namespace this test process, and so
// the child, started in.
func hostHolds(ns string) bool { return ns == startNetns }

func waitReady(t *testing.T, file, word string, child *exec.Cmd) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if sc.Text() == word {
				f.Close()
				return
			}
		}
		f.Close()
		time.Sleep(time.Millisecond)
	}
	child.Process.Kill()
	t.Fatalf("child never reported %q", word)
}

// childPids lists the processes whose parent is pid.
func childPids(pid int) []int {
	var pids []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, p := range tasks {
		data, _ := os.ReadFile(p)
		for _, f := range strings.Fields(string(data)) {
			var c int
			if _, err := fmt.Sscan(f, &c); err == nil {
				pids = append(pids, c)
			}
		}
	}
	return pids
}

func processExists(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// A zombie has exited; only its parent's wait is missing.
	f := strings.Fields(string(data))
	return len(f) > 2 && f[2] != "Z"
}
