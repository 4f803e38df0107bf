package runner

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/script"
)

// hostSnapshot is everything a scenario must leave as it found it on the
// host, by kind: snapshotHost's links, routes, /run/netns entries and nsfs
// mounts, plus addresses and every network sysctl of the host's namespace.
func hostSnapshot(t *testing.T) map[string][]string {
	t.Helper()
	h := snapshotHost(t)
	snap := map[string][]string{
		"/run/netns (ip netns list)": h.netns,
		"links":                      h.links,
		"routes (v4+v6)":             h.routes,
		"nsfs mounts":                h.mounts,
	}
	addrs, err := netlink.AddrList(nil, netlink.FAMILY_ALL)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		snap["addresses"] = append(snap["addresses"], fmt.Sprintf("%d %s", a.LinkIndex, a.IPNet))
	}
	slices.Sort(snap["addresses"])
	// /proc/sys/net shows the namespace of the thread that opens it; an
	// unlocked thread of this process is always in the host's.
	_ = filepath.WalkDir("/proc/sys/net", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Mode().Perm()&0o444 == 0 {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		snap["sysctls"] = append(snap["sysctls"], path+"="+strings.TrimSpace(string(data)))
		return nil
	})
	return snap
}

// hostDiff lists what changed between two snapshots, ignoring the keys of
// noisy: sysctls that changed between two snapshots with nothing running.
func hostDiff(before, after map[string][]string, noisy map[string]bool) []string {
	var diff []string
	for kind, b := range before {
		a := after[kind]
		if kind == "sysctls" {
			b, a = dropNoisy(b, noisy), dropNoisy(a, noisy)
		}
		if !slices.Equal(b, a) {
			for _, x := range b {
				if !slices.Contains(a, x) {
					diff = append(diff, kind+": - "+x)
				}
			}
			for _, x := range a {
				if !slices.Contains(b, x) {
					diff = append(diff, kind+": + "+x)
				}
			}
		}
	}
	return diff
}

func dropNoisy(list []string, noisy map[string]bool) []string {
	var kept []string
	for _, kv := range list {
		if k, _, _ := strings.Cut(kv, "="); !noisy[k] {
			kept = append(kept, kv)
		}
	}
	return kept
}

// noisySysctls returns the sysctls that change by themselves: those that
// differ between two snapshots taken a little apart.
func noisySysctls(t *testing.T, a map[string][]string) map[string]bool {
	time.Sleep(20 * time.Millisecond) // two samples apart in time, not a wait for a condition
	b := hostSnapshot(t)
	noisy := make(map[string]bool)
	for _, d := range hostDiff(a, b, nil) {
		if rest, ok := strings.CutPrefix(d, "sysctls: "); ok {
			k, _, _ := strings.Cut(rest[2:], "=")
			noisy[k] = true
		}
	}
	return noisy
}

// checkHostUntouched fails t if the host differs from before.
func checkHostUntouched(t *testing.T, before map[string][]string, noisy map[string]bool) {
	t.Helper()
	after := hostSnapshot(t)
	if diff := hostDiff(before, after, noisy); len(diff) > 0 {
		t.Errorf("the host changed:\n%s", strings.Join(diff, "\n"))
	}
	n := 0
	for _, v := range before {
		n += len(v)
	}
	t.Logf("host snapshot: %d entries (%d sysctls, %d ignored as changing by themselves), no difference",
		n, len(before["sysctls"]), len(noisy))
}

// TestHostUntouched runs the whole scenario library and checks that the
// host's links, addresses, routes, namespaces, nsfs mounts and network
// sysctls are exactly as before.
func TestHostUntouched(t *testing.T) {
	requireRoot(t)
	if !inPrivateHost(t) {
		return
	}
	before := hostSnapshot(t)
	if len(before["sysctls"]) < 100 || len(before["links"]) == 0 {
		t.Fatalf("snapshot too small to prove anything: %d sysctls, %d links", len(before["sysctls"]), len(before["links"]))
	}
	noisy := noisySysctls(t, before)
	files, err := Expand([]string{filepath.Join("..", "scenarios")})
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	t.Run("scenarios", func(t *testing.T) { Run(t, "", WithFiles(files...)) })
	checkHostUntouched(t, before, noisy)
}

// interferenceRounds is how many times TestInterference runs its copies;
// tutorialRounds of them run scenarios/veth-pair.txtar itself, which waits
// two seconds on purpose, the others a quicker scenario with the same
// names that also checks sysctls.
const (
	interferenceCopies = 8
	interferenceRounds = 20
	tutorialRounds     = 2
)

// quickCopy uses the tutorial's names (ns0, ns1, tap0, tap1, veth0,
// veth2, 10.0.0.1-2) and sets sysctls to values of its own: FWD and GID.
// After the barrier, when every copy has set its values, each must still
// read its own.
const quickCopy = `
ip netns add ns0
ip netns add ns1
ip -n ns0 tuntap add dev tap0 mode tap
ip -n ns1 tuntap add dev tap1 mode tap
ip link add veth0 type veth peer name veth2
ip link set veth0 netns ns0
ip link set veth2 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns1 addr add 10.0.0.2/24 dev veth2
ip -n ns0 link set veth0 up
ip -n ns1 link set veth2 up
sysctl -w net.ipv4.ip_forward=FWD
ip netns exec ns0 sysctl -w net.ipv4.conf.all.forwarding=FWD
ip netns exec ns1 sysctl -w net.ipv4.ping_group_range='GID GID'
barrier
sysctl -n net.ipv4.ip_forward
stdout '^FWD$'
ip netns exec ns0 sysctl -n net.ipv4.conf.all.forwarding
stdout '^FWD$'
ip netns exec ns1 sysctl -n net.ipv4.ping_group_range
stdout '^GID\tGID$'
ip netns exec ns0 ping -c 1 -W 5 10.0.0.2
stdout '1 received'
ip netns exec ns1 route -n
stdout '^10.0.0.0 +0.0.0.0 +255.255.255.0 +U .* veth2$'
`

// barrierCmd is "barrier": it returns once n scenarios have reached it, or
// at the scenario's deadline.
func barrierCmd(n int) *script.Cmd {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return &script.Cmd{
		Name:  "barrier",
		Usage: script.Usage{Summary: "wait until every parallel copy got here"},
		Parse: func(args []string) (script.Action, error) {
			return script.ActionFunc(func(s *script.State) error {
				mu.Lock()
				if arrived++; arrived == n {
					close(all)
				}
				mu.Unlock()
				select {
				case <-all:
					return nil
				case <-s.Ctx.Done():
					return fmt.Errorf("barrier: not every copy arrived: %w", s.Ctx.Err())
				}
			}), nil
		},
	}
}

// TestInterference runs interferenceCopies copies at once with identical
// names, interferenceRounds times: all pass, each reads back its own
// sysctls, and the host is untouched.
func TestInterference(t *testing.T) {
	requireRoot(t)
	if !inPrivateHost(t) {
		return
	}
	before := hostSnapshot(t)
	noisy := noisySysctls(t, before)
	dir := t.TempDir()
	var quick []string
	for i := range interferenceCopies {
		text := strings.NewReplacer("FWD", strconv.Itoa(i%2), "GID", strconv.Itoa(100+i)).Replace(quickCopy)
		file := filepath.Join(dir, fmt.Sprintf("copy%d.txtar", i))
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		quick = append(quick, file)
	}
	tutorial := filepath.Join("..", "scenarios", "veth-pair.txtar")
	for round := range interferenceRounds {
		files, opts := quick, []Option{WithCmd(barrierCmd(interferenceCopies)), WithTimeout(30 * time.Second)}
		if round < tutorialRounds {
			files, opts = slices.Repeat([]string{tutorial}, interferenceCopies), nil
		}
		// Each copy on a testscript.T of its own, all at once: go test's
		// -parallel limit must not serialize them.
		logs := make([]*fakeT, len(files))
		var wg sync.WaitGroup
		for i, file := range files {
			logs[i] = &fakeT{}
			wg.Go(func() { RunT(logs[i], []string{file}, opts...) })
		}
		wg.Wait()
		for i, ft := range logs {
			if ft.Failed() {
				t.Errorf("round %d, copy %d (%s) failed:\n%s", round, i, filepath.Base(files[i]), ft)
			}
		}
		if t.Failed() {
			break
		}
	}
	t.Logf("%d rounds of %d parallel copies (%d of the tutorial itself), all passed", interferenceRounds, interferenceCopies, tutorialRounds)
	checkHostUntouched(t, before, noisy)
}

// hostTxPackets reads the transmit counters of the host namespace's
// interfaces.
func hostTxPackets(t *testing.T) map[string]uint64 {
	t.Helper()
	files, err := filepath.Glob("/sys/class/net/*/statistics/tx_packets")
	if err != nil || len(files) == 0 {
		t.Fatalf("no interface counters: %v", err)
	}
	tx := make(map[string]uint64)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the interface went away
		}
		n, _ := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
		tx[strings.Split(f, "/")[4]] = n
	}
	return tx
}

// outsideProbes is how many packets TestNoReachOutside tries to send out
// of its world; the host's counters must not grow by anything close.
const outsideProbes = 200

// TestNoReachOutside probes addresses the scenario never configured, with
// no route and with a default route out of a veth: the probes fail inside
// the world, and the host's interfaces send nothing because of them
// (other programs on the machine may send a few packets meanwhile, so the
// counters may move by far less than the number of probes).
func TestNoReachOutside(t *testing.T) {
	requireRoot(t)
	before := hostTxPackets(t)
	log, failed := runScenario(t, fmt.Sprintf(`
ip netns add ns0
ip netns add ns1
ip -n ns0 link set lo up
! ip netns exec ns0 ping -c 1 -W 1 192.0.2.7
stderr 'connect: Network is unreachable'
! ip netns exec ns0 ping -c 1 -W 1 8.8.8.8
stderr 'connect: Network is unreachable'
! connect -n ns0 -t 200ms tcp 198.51.100.1:80
ip link add veth0 type veth peer name veth1
ip link set veth0 netns ns0
ip link set veth1 netns ns1
ip -n ns0 addr add 10.0.0.1/24 dev veth0
ip -n ns0 link set veth0 up
ip -n ns1 link set veth1 up
ip -n ns0 route add default via 10.0.0.2
! ip netns exec ns0 ping -c %d -i 0.002 -W 1 -q 192.0.2.7
stdout '%d packets transmitted, 0 received'
! ip netns exec ns0 ping -c 1 -W 1 8.8.8.8
stdout '100%% packet loss'
! ping -c 1 -W 1 192.0.2.7
stderr 'connect: Network is unreachable'
`, outsideProbes, outsideProbes))
	if failed {
		t.Fatalf("scenario failed:\n%s", log)
	}
	after := hostTxPackets(t)
	for dev, n := range after {
		if d := n - before[dev]; d >= outsideProbes/4 {
			t.Errorf("host interface %s sent %d packets during the scenario (%d probes)", dev, d, outsideProbes)
		} else {
			t.Logf("host interface %s: %d packets sent meanwhile", dev, d)
		}
	}
}
