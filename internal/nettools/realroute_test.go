package nettools

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
)

// The differential tests build routing tables in a World's namespace with
// netlink, then run the real net-tools route (started from a thread inside
// the namespace, so it reads that namespace's /proc/net/route) and the
// builtin on the same namespace, and compare stdout, stderr and exit status.

func requireRoot(t *testing.T) { realtool.RequireRoot(t) }

func requireRealRoute(t *testing.T) { realtool.Require(t, "route") }

// result is one run of a route command.
type result = realtool.Result

// runRealRoute runs net-tools route in ns.
func runRealRoute(t *testing.T, ns *world.NS, args []string) result {
	return realtool.MustReal(t, ns, 30*time.Second, realtool.CLocale, append([]string{"route"}, args...)...)
}

// runOurRoute runs the builtin in ns as the runner would.
func runOurRoute(t *testing.T, w *world.World, ns *world.NS, args []string) result {
	return realtool.MustBuiltin(t, w, ns, 30*time.Second, RouteCmd(), args...)
}

// netState builds a namespace's state with netlink calls made from a thread
// inside it.
type netState func(t *testing.T) error

func linkIndex(name string) int {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return -1
	}
	return l.Attrs().Index
}

func cidr(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

func addVeth(name, peer string) error {
	return netlink.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: name}, PeerName: peer})
}

func setUp(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	return netlink.LinkSetUp(l)
}

func addAddr(dev, prefix string) error {
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return err
	}
	a, err := netlink.ParseAddr(prefix)
	if err != nil {
		return err
	}
	return netlink.AddrAdd(l, a)
}

// routes adds rs in order, filling LinkIndex from the device names in devs
// (one per route, "" for none).
func addRoutes(devs []string, rs []netlink.Route) error {
	for i, r := range rs {
		if devs[i] != "" {
			r.LinkIndex = linkIndex(devs[i])
		}
		if err := netlink.RouteAdd(&r); err != nil {
			return fmt.Errorf("route %d (%v): %w", i, r, err)
		}
	}
	return nil
}

func steps(fs ...func() error) netState {
	return func(t *testing.T) error {
		for _, f := range fs {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	}
}

var (
	ip        = net.ParseIP
	tableMain = unix.RT_TABLE_MAIN
)

// richState has every kind of route /proc/net/route shows, and some it
// must not: a down peer (linkdown routes), gateways, host routes, metrics
// up to 2^32-1, TOS, multipath, an IPv6 gateway, reject and other types,
// a local and a broadcast route put in main, a route in table 100, and a
// 15-byte device name.
var richState = steps(
	func() error { return addVeth("veth0", "veth1") },
	func() error { return addVeth("abcdefghijklmno", "p1") },
	func() error { return setUp("veth0") },
	func() error { return setUp("abcdefghijklmno") },
	func() error { return setUp("p1") },
	func() error { return addAddr("veth0", "10.0.0.1/24") },
	func() error { return addAddr("abcdefghijklmno", "192.168.7.1/16") },
	func() error {
		v0, long := "veth0", "abcdefghijklmno"
		return addRoutes(
			[]string{v0, v0, v0, "", "", "", "", v0, v0, v0, v0, v0, v0, "", v0, v0, v0, v0, v0, long, long, "", v0},
			[]netlink.Route{
				{Dst: cidr("10.1.0.0/24"), Gw: ip("10.0.0.2"), Priority: 5},
				{Dst: cidr("0.0.0.0/0"), Gw: ip("10.0.0.2")},
				{Dst: cidr("10.2.0.0/16"), Src: ip("10.0.0.1"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.4.0.0/16"), Type: unix.RTN_BLACKHOLE},
				{Dst: cidr("10.6.0.0/16"), Type: unix.RTN_UNREACHABLE, Priority: 9},
				{Dst: cidr("10.7.0.0/16"), Type: unix.RTN_PROHIBIT},
				{Dst: cidr("10.10.0.0/16"), Type: unix.RTN_THROW},
				{Dst: cidr("10.5.0.5/32"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.5.0.5/32"), Gw: ip("10.0.0.9"), Priority: 3},
				{Dst: cidr("10.8.0.0/16"), Table: 100, Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.9.0.0/16"), Scope: netlink.SCOPE_HOST},
				{Dst: cidr("10.0.0.0/16"), Priority: 0xffffffff, Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.0.0.0/8"), AdvMSS: 1400, Window: 9000, Rtt: 800, Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.11.0.0/16"), MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: linkIndex(v0), Gw: ip("10.0.0.3")},
					{LinkIndex: linkIndex(v0), Gw: ip("10.0.0.4")}}},
				{Dst: cidr("10.12.0.1/32"), Type: unix.RTN_LOCAL, Table: tableMain, Scope: netlink.SCOPE_HOST},
				{Dst: cidr("10.13.0.255/32"), Type: unix.RTN_BROADCAST, Table: tableMain, Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.1.0.0/24"), Gw: ip("10.0.0.2"), Priority: 5, Tos: 4},
				{Dst: cidr("0.0.0.0/1"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("0.0.0.0/32"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.30.0.0/16"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.31.0.0/16"), Gw: ip("192.168.0.1")},
				{Dst: cidr("10.6.6.6/32"), Type: unix.RTN_UNREACHABLE},
				{Dst: cidr("10.20.0.0/16"), Via: &netlink.Via{AddrFamily: unix.AF_INET6, Addr: ip("fe80::1")}},
			})
	},
)

// namesState has only routes whose names net-tools finds without DNS:
// default, networks from /etc/networks, localhost from /etc/hosts.
var namesState = steps(
	func() error { return addVeth("veth0", "veth1") },
	func() error { return setUp("veth0") },
	func() error { return addAddr("veth0", "10.0.0.1/24") },
	func() error {
		v0 := "veth0"
		return addRoutes([]string{v0, v0, v0, v0, v0, "", v0},
			[]netlink.Route{
				{Dst: cidr("127.0.0.0/8"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("169.254.0.0/16"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("0.0.0.0/1"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("0.0.0.0/0"), Scope: netlink.SCOPE_LINK},
				{Dst: cidr("10.9.0.0/16"), Scope: netlink.SCOPE_LINK, Priority: 7},
				{Dst: cidr("10.6.0.0/16"), Type: unix.RTN_UNREACHABLE},
				{Dst: cidr("127.0.0.1/32"), Scope: netlink.SCOPE_LINK},
			})
	},
)

var routeStates = []struct {
	name    string
	build   netState
	symbols bool // also compare output with names (no -n)
}{
	{"empty", steps(), true},
	{"lo-up", steps(func() error { return setUp("lo") }), true},
	{"other-table-only", steps(
		func() error { return addVeth("veth0", "veth1") },
		func() error { return setUp("veth0") },
		func() error {
			return addRoutes([]string{"veth0"}, []netlink.Route{{Dst: cidr("10.8.0.0/16"), Table: 100, Scope: netlink.SCOPE_LINK}})
		}), true},
	{"emptied", steps(
		func() error { return addVeth("veth0", "veth1") },
		func() error { return setUp("veth0") },
		func() error {
			return addRoutes([]string{"veth0"}, []netlink.Route{{Dst: cidr("10.8.0.0/16"), Scope: netlink.SCOPE_LINK}})
		},
		func() error {
			return netlink.RouteDel(&netlink.Route{Dst: cidr("10.8.0.0/16"), LinkIndex: linkIndex("veth0"), Scope: netlink.SCOPE_LINK})
		}), true},
	{"down-link", steps(
		func() error { return addVeth("veth0", "veth1") },
		func() error { return addAddr("veth0", "10.0.0.1/24") },
		func() error { return setUp("veth0") },
		func() error { return setUp("veth1") },
		func() error {
			l, err := netlink.LinkByName("veth1")
			if err != nil {
				return err
			}
			return netlink.LinkSetDown(l)
		}), true},
	{"rich", richState, false},
	{"names", namesState, true},
}

// numericArgs are the command lines compared in every state.
var numericArgs = [][]string{
	{"-n"}, {"-ne"}, {"-nee"}, {"-neee"}, {"-n", "-e", "-e"}, {"-nC"}, {"-nCe"}, {"-nCee"},
	{"-nFC"}, {"-n", "-4"}, {"-n", "-A", "inet"}, {"-n", "-4", "-A", "inet"}, {"--numeric"},
	{"-N"}, {"-nv"}, {"-n", "--tcpip"}, {"--inet", "-n"}, {"-n", "-A", "ip,tcpip"},
	{"--protocol", "inet", "--num"}, {"-nF"}, {"-n", "-A", "inet,unix"},
}

// symbolArgs are compared where no name needs DNS.
var symbolArgs = [][]string{{}, {"-e"}, {"-ee"}, {"-v"}, {"-C"}}

// staticArgs give the same result whatever the state.
var staticArgs = [][]string{
	{"-V"}, {"--version"}, {"-x", "-V"}, {"-h"}, {"--help"}, {"-n", "-x"}, {"--ver"},
	{"--numeric=3"}, {"--protocol"}, {"-A"}, {"-n", "--foo"}, {"foo"}, {"-n", "--", "foo"},
	{"-A", "foo", "-n"}, {"-n", "-A", "inet,foo"}, {"add"}, {"-n", "del"}, {"delete"},
	{"-h", "-4"}, {"-h", "-6"}, {"flush"}, {"-6", "flush"}, {"-nC", "add", "1"},
	{"-4", "-6", "add", "1"}, {"-h", "-A", "unix"}, {"-A", "ax25", "-h"}, {"-n", "-A", "ash"},
	{"-n", "-A", "econet"}, {"-n", "-A", "bluetooth"}, {"-h", "-A", "inet,inet6"}, {"-n", "-A", ","},
	{"-h", "inet"}, {"-hn"}, {"-n", "-h", "--extend"}, {"--foo=1"}, {"--ver=1"}, {"--num=1"},
}

func TestRouteMatchesRealTool(t *testing.T) {
	requireRealRoute(t)
	for _, st := range routeStates {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			w, nss := realtool.NewWorld(t, "a")
			ns := nss[0]
			if err := ns.Do(func() error { return st.build(t) }); err != nil {
				t.Fatalf("build state: %v", err)
			}
			args := numericArgs
			if st.symbols {
				args = append(append([][]string{}, args...), symbolArgs...)
			}
			if st.name == "empty" {
				args = append(append([][]string{}, args...), staticArgs...)
			}
			for _, a := range args {
				real, ours := runRealRoute(t, ns, a), runOurRoute(t, w, ns, a)
				if real != ours {
					t.Errorf("route %s:\nreal:\n%s\nnetscript:\n%s", strings.Join(a, " "), real, ours)
				}
			}
		})
	}
}

// TestRouteRefusals checks the command lines netscript does not carry out,
// whose real output depends on the network or would change it.
func TestRouteRefusals(t *testing.T) {
	requireRoot(t)
	w, err := world.New()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ns := w.Root()
	if err := ns.Do(func() error { return richState(t) }); err != nil {
		t.Fatalf("build state: %v", err)
	}
	withNameFiles(t, "hosts: files dns\nnetworks: files\n", testHosts, testNetworks)
	tests := []struct {
		args       []string
		stderr     string
		tableFirst bool // the inet table is printed before the refusal
	}{
		{nil, "route: netscript cannot look up the host name of 10.5.0.5 without the network (DNS): use route -n\n", false},
		{[]string{"-n", "-A", "ipx"}, "route: netscript shows only the IPv4 (inet) and IPv6 (inet6) routing tables, not `ipx'\n", false},
		{[]string{"-n", "-A", "inet,ipx"}, "route: netscript shows only the IPv4 (inet) and IPv6 (inet6) routing tables, not `ipx'\n", true},
		{[]string{"-A", "inet6", "add", "fd00::/64", "dev", "lo"}, "route add: `inet6' routes are not implemented by netscript: use ip route\n", false},
		{[]string{"-A", "ipx", "del", "x"}, "route del: `ipx' routes are not implemented by netscript: use ip route\n", false},
	}
	for _, tt := range tests {
		got := runOurRoute(t, w, ns, tt.args)
		if got.Code != exitOptErr || !strings.HasSuffix(got.Stderr, tt.stderr) {
			t.Errorf("route %q: got\n%s\nwant exit %d and stderr ending\n%s", tt.args, got, exitOptErr, tt.stderr)
		}
		if tt.tableFirst && !strings.HasPrefix(got.Stdout, fibTitle) {
			t.Errorf("route %q: the inet table should come first:\n%s", tt.args, got)
		}
	}
}
