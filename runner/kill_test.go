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
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/internal/script"
)

// The child mode of this test binary: run one scenario and report progress.
const (
	childScenarioEnv = "NETSCRIPT_TEST_CHILD_SCENARIO"
	childReadyEnv    = "NETSCRIPT_TEST_CHILD_READY"
)

// startNetns is the test process's namespace when it started, before any
// scenario ran.
var startNetns string

func TestMain(m *testing.M) {
	startNetns, _ = os.Readlink("/proc/self/ns/net")
	if file := os.Getenv(childScenarioEnv); file != "" {
		ft := &fakeT{}
		testscript.RunT(ft, params("", []Option{WithFiles(file), WithCmd(readyCmd())}))
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
			return func(s *script.State) error {
				f, err := os.OpenFile(os.Getenv(childReadyEnv), os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					return err
				}
				defer f.Close()
				_, err = fmt.Fprintln(f, strings.Join(args, " "))
				return err
			}, nil
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
ip netns exec ns0 ping -c 100000 -i 0.01 -q 10.0.0.2
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

// TestSIGKILLLeavesNothing kills a child run at several moments of a
// scenario and checks that none of the namespaces it made survive, no
// program it started survives, and the host looks as before.
func TestSIGKILLLeavesNothing(t *testing.T) {
	requireRoot(t)
	type kill struct {
		name     string
		scenario string
		after    string        // kill once the child reported this ("" = after delay)
		delay    time.Duration // kill this long after the child started, or after `after`
	}
	kills := []kill{
		{"while creating namespaces", killScenario, "start", time.Duration(rand.IntN(3000)) * time.Microsecond},
		{"mid-setup", killScenario, "start", time.Duration(3000+rand.IntN(5000)) * time.Microsecond},
		{"after setup", killScenario, "built", 0},
		{"mid-ping", killScenario, "pinging", 50 * time.Millisecond},
		{"during a real program", killProgramScenario, "program", 50 * time.Millisecond},
	}
	before := snapshotHost(t)
	for _, k := range kills {
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
			child.Env = append(os.Environ(), childScenarioEnv+"="+file, childReadyEnv+"="+ready)
			var out strings.Builder
			child.Stdout, child.Stderr = &out, &out
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			waitReady(t, ready, k.after, child)
			time.Sleep(k.delay) // the moment of the kill, not a wait for convergence
			held := netnsHeldBy(child.Process.Pid)
			children := childPids(child.Process.Pid)
			if err := child.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = child.Wait()
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
			inUse := netnsInUse()
			for ns := range held {
				if inUse[ns] && !hostHolds(ns) {
					t.Errorf("namespace %s of the killed run is still held", ns)
				}
			}
			t.Logf("killed %s; it held %d network namespaces, none left", k.name, len(held))
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
			t.Errorf("%s changed:\nbefore: %q\nafter:  %q", c.what, c.before, c.after)
		}
	}
}

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
