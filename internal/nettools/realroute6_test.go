package nettools

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/realtool"
)

// addAddr6 adds an IPv6 address without duplicate address detection.
func addAddr6(dev, prefix string) error {
	l, err := netlink.LinkByName(dev)
	if err != nil {
		return err
	}
	a, err := netlink.ParseAddr(prefix)
	if err != nil {
		return err
	}
	a.Flags = unix.IFA_F_NODAD
	return netlink.AddrAdd(l, a)
}

// rich6State has the kinds of IPv6 routes /proc/net/ipv6_route shows:
// prefix routes of addresses, a route whose link is down, gateways
// (global and link-local), host routes, metrics, reject routes, an
// expiring route, a multipath route, another table, an IPv4-compatible
// destination, and a 15-byte device name.
var rich6State = steps(
	func() error { return addVeth("veth0", "veth1") },
	func() error { return addVeth("abcdefghijklmno", "p1") },
	func() error { return addVeth("down0", "down1") },
	func() error { return setUp("lo") },
	func() error { return setUp("veth0") },
	func() error { return setUp("veth1") },
	func() error { return setUp("abcdefghijklmno") },
	func() error { return setUp("down0") },
	func() error { return addAddr6("veth0", "fd00::1/64") },
	func() error { return addAddr6("abcdefghijklmno", "fd07::1/64") },
	func() error { return addAddr6("down0", "fd08::1/64") },
	func() error {
		v0, long := "veth0", "abcdefghijklmno"
		return addRoutes(
			[]string{v0, v0, v0, v0, "", "", "", v0, v0, v0, long, ""},
			[]netlink.Route{
				{Dst: cidr("fd01::/64"), Gw: ip("fd00::2")},
				{Dst: cidr("::/0"), Gw: ip("fe80::1")},
				{Dst: cidr("fd02::5/128")},
				{Dst: cidr("fd03::/48"), Priority: 7},
				{Dst: cidr("fd04::/64"), Type: unix.RTN_BLACKHOLE},
				{Dst: cidr("fd05::/64"), Type: unix.RTN_UNREACHABLE},
				{Dst: cidr("fd06::/64"), Type: unix.RTN_PROHIBIT},
				{Dst: cidr("fd09::/64"), Table: 100},
				{Dst: cidr("::2:3/128")},
				{Dst: cidr("fd0a::/64"), Gw: ip("fd00::3"), Priority: 0xffffffff},
				{Dst: cidr("fd0b::/64"), Gw: ip("fd07::2")},
				{Dst: cidr("fd0c::/64"), MultiPath: []*netlink.NexthopInfo{
					{LinkIndex: linkIndex(v0), Gw: ip("fe80::2")},
					{LinkIndex: linkIndex(v0), Gw: ip("fe80::3")}}},
			})
	},
	func() error {
		// An expiring route (RTA_EXPIRES), which netlink.Route cannot say.
		req := nl.NewNetlinkRequest(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
		req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: unix.AF_INET6, Dst_len: 64, Table: unix.RT_TABLE_MAIN,
			Protocol: unix.RTPROT_BOOT, Type: unix.RTN_UNICAST}})
		req.AddData(nl.NewRtAttr(unix.RTA_DST, ip("fd0d::").To16()))
		req.AddData(nl.NewRtAttr(unix.RTA_OIF, nl.Uint32Attr(uint32(linkIndex("veth0")))))
		req.AddData(nl.NewRtAttr(unix.RTA_EXPIRES, nl.Uint32Attr(1000)))
		_, err := req.Execute(unix.NETLINK_ROUTE, 0)
		return err
	},
)

var route6States = []struct {
	name  string
	build netState
}{
	{"empty", steps()},
	{"lo-up", steps(func() error { return setUp("lo") })},
	{"rich", rich6State},
}

// route6Args are the IPv6 command lines compared in every state.
var route6Args = [][]string{
	{"-n", "-A", "inet6"}, {"-6", "-n"}, {"-n", "--inet6"}, {"-nA", "inet6", "-e"},
	{"-nA", "inet6", "-ee"}, {"-nA", "inet6", "-C"}, {"-nA", "inet6", "-CF"}, {"-N", "-6"},
	{"-n", "-A", "inet6,inet"}, {"-n", "-A", "inet,inet6"}, {"-n", "-A", "ip6"},
	{"-A", "inet6"}, {"-6"}, {"-6", "-C"},
}

// TestRoute6MatchesRealTool compares route's IPv6 table with net-tools' in
// the same namespace. The kernel finishes bringing links up (routes of
// multicast and local addresses) on its own time, so each comparison is
// retried for a while until the two agree.
func TestRoute6MatchesRealTool(t *testing.T) {
	requireRealRoute(t)
	for _, st := range route6States {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			w, nss := realtool.NewWorld(t, "a")
			ns := nss[0]
			if err := ns.Do(func() error { return st.build(t) }); err != nil {
				t.Fatalf("build state: %v", err)
			}
			for _, a := range route6Args {
				deadline := time.Now().Add(5 * time.Second)
				for {
					real, ours := runRealRoute(t, ns, a), runOurRoute(t, w, ns, a)
					if real == ours {
						break
					}
					if time.Now().After(deadline) {
						t.Errorf("route %s:\nreal:\n%s\nnetscript:\n%s", strings.Join(a, " "), real, ours)
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
}

func TestNtop6(t *testing.T) {
	tests := []struct{ in, want string }{
		{"::", "::"},
		{"::1", "::1"},
		{"::2:3", "::0.2.0.3"},
		{"::1.2.3.4", "::1.2.3.4"},
		{"::ffff:1.2.3.4", "::ffff:1.2.3.4"},
		{"::ffff:0:1.2.3.4", "::ffff:0:102:304"},
		{"fd00::", "fd00::"},
		{"fd00:0:0:1::1", "fd00:0:0:1::1"},
		{"fd00:0:1:0:0:1::", "fd00:0:1::1:0:0"},
		{"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
		{"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
		{"1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},
		{"fe80::a0e1:f8ff:feb8:712a", "fe80::a0e1:f8ff:feb8:712a"},
	}
	for _, tt := range tests {
		if got := ntop6(netipMust(tt.in)); got != tt.want {
			t.Errorf("ntop6(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestResolver6(t *testing.T) {
	var n *resolver6
	for _, tt := range []struct{ in, want string }{
		{"::", "::"}, {"::ffff:1.2.3.0", "1.2.3.0"}, {"fd00::1", "fd00::1"},
	} {
		if got, _ := n.name(netipMust(tt.in)); got != tt.want {
			t.Errorf("numeric %s: got %s, want %s", tt.in, got, tt.want)
		}
	}
	withNameFiles(t, "hosts: files dns\n", "::1 localhost ip6-localhost\nfd00::9 nine\n10.0.0.1 ten\n", "")
	n = &resolver6{}
	for _, tt := range []struct{ in, want string }{
		{"::", "[::]"}, {"::1", "localhost"}, {"fd00::9", "nine"}, {"fd00::1", "fd00::1"}, {"::ffff:1.2.3.0", "1.2.3.0"},
	} {
		if got, err := n.name(netipMust(tt.in)); got != tt.want || err != nil {
			t.Errorf("names %s: got %s, %v, want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestParseRoute6(t *testing.T) {
	line := "fd010000000000000000000000000000 40 00000000000000000000000000000000 00 fd000000000000000000000000000002 00000400 00000003 00000000 00400003    veth0"
	r, ok := parseRoute6(line)
	if !ok || r.dst.String() != "fd01::" || r.dstLen != 64 || r.gw.String() != "fd00::2" ||
		r.metric != 1024 || r.refcnt != 3 || r.flags != 0x00400003 || r.iface != "veth0" {
		t.Errorf("parseRoute6: %+v, %v", r, ok)
	}
	var b strings.Builder
	if err := formatFIB6(&b, []route6{r}, false, nil); err != nil {
		t.Fatal(err)
	}
	want := fib6Title + fib6Header +
		"fd01::/64                      fd00::2                    UGe  1024 3      0 veth0\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	for _, bad := range []string{"", "x", strings.Replace(line, "00000400", "0000040g", 1), strings.Replace(line, "fd01", "fd0", 1)} {
		if _, ok := parseRoute6(bad); ok {
			t.Errorf("parseRoute6(%q) accepted", bad)
		}
	}
}

func netipMust(s string) netip.Addr { return netip.MustParseAddr(s) }
