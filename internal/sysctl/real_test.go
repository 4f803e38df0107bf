package sysctl

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
)

func requireRoot(t *testing.T) { realtool.RequireRoot(t) }

// result is one run of a sysctl command.
type result = realtool.Result

// runReal runs procps sysctl in ns: started from a thread inside ns, the
// process is born there and /proc/sys/net is the namespace's.
func runReal(t *testing.T, ns *world.NS, args []string) result {
	return realtool.MustReal(t, ns, 30*time.Second, realtool.CLocale, append([]string{"sysctl"}, args...)...)
}

// runOurs runs the builtin in ns as the runner would.
func runOurs(t *testing.T, w *world.World, ns *world.NS, args []string) result {
	return realtool.MustBuiltin(t, w, ns, 30*time.Second, SysctlCmd(), args...)
}

// buildState gives a namespace two veth pairs, one with a dot in a name.
func buildState(ns *world.NS) error {
	return ns.Do(func() error {
		for _, p := range [][2]string{{"veth0", "veth1"}, {"v.1", "v2"}} {
			if err := netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: p[0]}, PeerName: p[1]}); err != nil {
				return err
			}
		}
		return nil
	})
}

// realCommands are run in order by both tools, each in its own namespace
// built the same way. Every write is to a per-namespace key: the real
// sysctl is never asked to write anything else.
var realCommands = [][]string{
	{"net.ipv4.ip_forward"}, {"-n", "net.ipv4.ip_forward"}, {"net/ipv4/ip_forward"},
	{"net.ipv4.conf.veth0.forwarding", "net.ipv4.ip_forward"},
	{"net.ipv4.nope"}, {"net.ipv4.nope", "net.ipv4.nope2"}, {"net.ipv4.nope", "x.y", "fs.nope"},
	{""}, {"", ""}, {"-n", ""}, {"-e", "net.ipv4.nope"}, {"-e", ""},
	{"-N", "net.ipv4.ip_forward"}, {"-b", "net.ipv4.ip_forward"}, {"-nN", "net.ipv4.ip_forward"},
	{"--values", "net.ipv4.ip_forward"},
	{"net.ipv4.conf.v/1.forwarding"}, {"net/ipv4/conf/v.1/forwarding"},
	{"net.ipv4..ip_forward"}, {"net.ipv4.ip_forward."}, {".net.ipv4.ip_forward"},
	{"net/ipv4/../ipv4/ip_forward"}, {"net.ipv4.ip_forward "}, {" net.ipv4.ip_forward"},
	{"net.ipv4.route.flush"}, {"-n", "net.ipv4.route.flush"}, {"-N", "net.ipv4.route.flush"},
	{"net.ipv4.ip_local_port_range"}, {"-b", "net.ipv4.ip_local_port_range"},
	{"net.core.somaxconn"}, {"kernel.ostype"}, {"-n", "kernel.ostype", "net.unix.max_dgram_qlen"},
	{"net.ipv4.route"}, {"net.ipv4.conf.v/1"}, {"net.ipv4.neigh.veth0"},
	{"--deprecated", "net.ipv4.neigh.veth0"}, {"net.ipv6.conf.all"}, {"net.ipv6.conf"},
	{"net.ipv6.conf.all.stable_secret"}, {"-N", "net.ipv4.conf.all"},
	{"-r", "forward", "net.ipv4.ip_forward"}, {"-r", "nope", "net.ipv4.ip_forward"},
	{"-r", "[", "net.ipv4.ip_forward"}, {"-r", `conf\.all\.(forwarding|rp_filter)`, "net.ipv4.conf.all"},
	{"-a", "-N", "-r", `^net\.ipv4\.conf\.`}, {"-a", "-r", `^net\.(unix|ipv4\.conf\.v)`},
	{"-V"}, {"--version"}, {"-h"}, {"-d"}, {"-Z"}, {"--foo"}, {}, {"-x"}, {"-o"},
	{"-N", "-q", "net.ipv4.ip_forward"}, {"-r"},

	{"-w", "net.ipv4.ip_forward=1"}, {"net.ipv4.ip_forward=0"}, {"-q", "-w", "net.ipv4.ip_forward=1"},
	{"-wq", "net.ipv4.ip_forward=0"}, {"-n", "-w", "net.ipv4.ip_forward=1"},
	{"-N", "-w", "net.ipv4.ip_forward=0"}, {"-b", "-w", "net.ipv4.ip_forward=1"},
	{"net.ipv4.ip_forward"}, {"--write", "net.ipv4.ip_forward=0"},
	{"-w", "net.ipv4.nope=1"}, {"-e", "-w", "net.ipv4.nope=1"},
	{"-w", "net.ipv4.ip_forward=abc"}, {"-w", "net.ipv4.ip_forward="},
	{"-w", "net.ipv4.ip_forward = 1"}, {"-w", " net.ipv4.ip_forward=  0  "},
	{"-w", "net.ipv4.ip_forward"}, {"-w", "x"}, {"-w", "=1"}, {"-w", "#a=1"}, {"-w", ";a=1"},
	{"-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.forwarding=0", "net.ipv4.nope=1"},
	{"net.ipv4.ip_forward", "-w", "net.ipv4.conf.all.forwarding=1"},
	{"-w", "--", "-net.ipv4.ip_forward=0"}, {"-w", "--", "-net.ipv4.nope=1"},
	{"-e", "-w", "--", "-net.ipv4.nope=1"}, {"-w", "--", "-net.ipv4.ip_forward"},
	{"-w", "net.ipv4.ip_forward=1=2"}, {"-w", "net.ipv4.ip_forward=1\n2"},
	{"-w", "net.ipv4.ip_local_port_range=1000 2000"}, {"-w", "net.ipv4.ip_local_port_range=20000 30001"},
	{"net.ipv4.ip_local_port_range"},
	{"-w", "net.ipv4.route.flush=1"}, {"-w", "net.ipv4.route=1"}, {"-w", "net.ipv4.tcp_ehash_entries=5"},
	{"-w", "net.netfilter.nf_conntrack_count=5"},
	{"--dry-run", "-w", "net.ipv4.ip_forward=0"}, {"net.ipv4.ip_forward"},
	{"-w", "net.ipv4.conf.v/1.forwarding=1"}, {"-w", "net/ipv4/conf/v.1/forwarding=0"},
	{"-w", "net.ipv4..ip_forward=0"}, {"-w", "-r", "forward", "net.ipv4.ip_forward=1"},
	{"-w", "-r", "nope", "net.ipv4.ip_forward=0"}, {"-w", "net/../../../etc/passwd=x"},
	{"-w", "net.ipv4.conf.*.forwarding=1"}, {"-w", "net.ipv6.conf.all.disable_ipv6=1"},
	{"net.ipv6.conf.all.disable_ipv6"}, {"-w", "net.ipv4.neigh.veth0.base_reachable_time=20"},
	{"net.ipv4.neigh.veth0.base_reachable_time_ms"}, {"-w", "net.core.somaxconn=1024"},
	{"-w", "net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.default.rp_filter=1"},
	{"net.ipv4.conf.all.rp_filter", "net.ipv4.conf.default.rp_filter", "net.ipv4.conf.veth0.rp_filter"},
}

func TestMatchesRealTool(t *testing.T) {
	realtool.Require(t, "sysctl")
	w, nss := realtool.NewWorld(t, "real", "ours")
	realNS, ourNS := nss[0], nss[1]
	for _, ns := range []*world.NS{realNS, ourNS} {
		if err := buildState(ns); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range realCommands {
		real, ours := runReal(t, realNS, args), runOurs(t, w, ourNS, args)
		if real != ours {
			t.Errorf("sysctl %q:\nreal:\n%s\nnetscript:\n%s", args, real, ours)
		}
	}
}

// hostValue reads a sysctl from a thread that is in the host's namespace.
func hostValue(t *testing.T, key string) string {
	t.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	here, err := netnsID("/proc/thread-self/ns/net")
	if err != nil || here != hostNetns {
		t.Fatalf("test thread is not in the host's namespace (%v)", err)
	}
	b, err := os.ReadFile(procPath + strings.ReplaceAll(key, ".", "/"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWriteStaysInNamespace writes net.ipv4.ip_forward in a world
// namespace and checks that the host's value did not change, and that the
// namespace sees the new value, through both tools.
func TestWriteStaysInNamespace(t *testing.T) {
	requireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ns, err := w.Add("a")
	if err != nil {
		t.Fatal(err)
	}
	before := hostValue(t, "net.ipv4.ip_forward")
	want := "1"
	if strings.TrimSpace(before) == "1" {
		want = "0"
	}
	got := runOurs(t, w, ns, []string{"-w", "net.ipv4.ip_forward=" + want})
	if got.Code != 0 || got.Stdout != "net.ipv4.ip_forward = "+want+"\n" {
		t.Fatalf("write: %s", got)
	}
	if after := hostValue(t, "net.ipv4.ip_forward"); after != before {
		t.Fatalf("the host's net.ipv4.ip_forward changed from %q to %q", before, after)
	}
	if got := runOurs(t, w, ns, []string{"-n", "net.ipv4.ip_forward"}); got.Stdout != want+"\n" {
		t.Errorf("the namespace's value, read by netscript: %s", got)
	}
	if _, err := exec.LookPath("sysctl"); err == nil {
		if got := runReal(t, ns, []string{"-n", "net.ipv4.ip_forward"}); got.Stdout != want+"\n" {
			t.Errorf("the namespace's value, read by procps sysctl: %s", got)
		}
	}
	// A second namespace of the same World keeps its own value.
	other, err := w.Add("b")
	if err != nil {
		t.Fatal(err)
	}
	if got := runOurs(t, w, other, []string{"-n", "net.ipv4.ip_forward"}); got.Stdout != "0\n" {
		t.Errorf("a fresh namespace's value: %s", got)
	}
}

// TestGlobalKeysRefused checks that global keys are refused, even as root,
// and that nothing was written.
func TestGlobalKeysRefused(t *testing.T) {
	requireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ns := w.Root()
	for _, tt := range []struct {
		key, value string
	}{
		{"kernel.hostname", "netscript-must-not-write"},
		{"vm.swappiness", "13"},
		{"net.core.netdev_max_backlog", "17"},
		{"net.ipv4.tcp_mem", "1 2 3"},
		{"net.ipv4.tcp_allowed_congestion_control", "reno"},
	} {
		before := hostValue(t, tt.key)
		got := runOurs(t, w, ns, []string{"-w", "net.ipv4.ip_forward=1", tt.key + "=" + tt.value})
		wantErr := "sysctl: netscript refuses to write " + tt.key + ": it is not kept per network namespace"
		if got.Code != 1 || got.Stdout != "" || !strings.HasPrefix(got.Stderr, wantErr) {
			t.Errorf("sysctl -w %s=%s: %s", tt.key, tt.value, got)
		}
		if after := hostValue(t, tt.key); after != before {
			t.Fatalf("%s changed from %q to %q", tt.key, before, after)
		}
	}
	// Nothing at all was written: the per-namespace key before it neither.
	if got := runOurs(t, w, ns, []string{"-n", "net.ipv4.ip_forward"}); got.Stdout != "0\n" {
		t.Errorf("net.ipv4.ip_forward in the namespace: %s", got)
	}
}

// TestCheckNotHost checks the last guard: a write from a thread in the
// host's namespace is refused, one from a world namespace is not.
func TestCheckNotHost(t *testing.T) {
	requireRoot(t)
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- checkNotHost()
	}()
	if err := <-done; err == nil {
		t.Error("checkNotHost allowed a write from the host's namespace")
	}
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Root().Do(checkNotHost); err != nil {
		t.Errorf("checkNotHost in a world namespace: %v", err)
	}
}
