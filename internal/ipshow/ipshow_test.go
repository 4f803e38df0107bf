package ipshow

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

func newLinkAttrs(name string) netlink.LinkAttrs {
	la := netlink.NewLinkAttrs()
	la.Name = name
	return la
}

func tuntap(name string, mode netlink.TuntapMode) func() error {
	return func() error {
		return netlink.LinkAdd(&netlink.Tuntap{LinkAttrs: newLinkAttrs(name), Mode: mode,
			Flags: netlink.TUNTAP_NO_PI | netlink.TUNTAP_TUN_EXCL})
	}
}

func veth(name, peer string, peerNS *world.NS) func() error {
	return func() error {
		v := &netlink.Veth{LinkAttrs: newLinkAttrs(name), PeerName: peer}
		if peerNS != nil {
			v.PeerNamespace = netlink.NsFd(peerNS.Fd())
		}
		return netlink.LinkAdd(v)
	}
}

func up(name string) func() error { return onLink(name, netlink.LinkSetUp) }

func noDAD() []step {
	return []step{
		{"accept_dad all", func() error { return sysctl("ipv6/conf/all/accept_dad", "0") }},
		{"accept_dad default", func() error { return sysctl("ipv6/conf/default/accept_dad", "0") }},
	}
}

// buildTutorial makes the veth tutorial's state: tap0 in ns0, a veth pair
// made in the root namespace and moved to ns0 and ns1, ns0's end up.
func buildTutorial(t *testing.T, root, ns0, ns1 *world.NS) {
	in(t, ns0, func() error {
		return run(append(noDAD(),
			step{"tuntap tap0", tuntap("tap0", netlink.TUNTAP_MODE_TAP)},
			step{"addr tap0", addAddrPlain("tap0", "10.0.0.1/24")},
			step{"up tap0", up("tap0")},
		)...)
	})
	in(t, ns1, func() error { return run(append(noDAD(), step{"up lo", up("lo")})...) })
	in(t, root, func() error {
		return run(
			step{"veth0", veth("veth0", "veth2", nil)},
			step{"move veth0", onLink("veth0", func(l netlink.Link) error { return netlink.LinkSetNsFd(l, ns0.Fd()) })},
			step{"move veth2", onLink("veth2", func(l netlink.Link) error { return netlink.LinkSetNsFd(l, ns1.Fd()) })},
		)
	})
	in(t, ns0, func() error { return run(step{"up veth0", up("veth0")}) })
}

// buildHost fills the root namespace with a bit of everything.
func buildHost(t *testing.T, root, peerNS *world.NS) {
	in(t, root, func() error {
		return run(append(noDAD(),
			// A bridge with one port up whose peer is down: no carrier, so
			// br0's DAD-enabled IPv6 address stays tentative.
			step{"bridge br0", func() error { return netlink.LinkAdd(&netlink.Bridge{LinkAttrs: newLinkAttrs("br0")}) }},
			step{"accept_dad br0", func() error { return sysctl("ipv6/conf/br0/accept_dad", "1") }},
			step{"up br0", up("br0")},
			step{"veth va", veth("va", "vb", nil)},
			step{"master va", onLink("va", func(l netlink.Link) error { return netlink.LinkSetMasterByIndex(l, mustIndex("br0")) })},
			step{"up va", up("va")},
			step{"mtu vb", onLink("vb", func(l netlink.Link) error { return netlink.LinkSetMTU(l, 1400) })},
			step{"mac vb", onLink("vb", func(l netlink.Link) error { return netlink.LinkSetHardwareAddr(l, mustMAC("02:00:00:00:00:0b")) })},
			step{"alias vb", onLink("vb", func(l netlink.Link) error { return netlink.LinkSetAlias(l, "my alias") })},
			step{"promisc vb", onLink("vb", netlink.SetPromiscOn)},
			step{"brd", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("192.168.1.1/24"), Broadcast: net.ParseIP("192.168.1.255")})},
			step{"secondary", addAddrPlain("br0", "192.168.1.2/24")},
			step{"label", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("192.168.1.3/24"), Label: "br0:lbl"})},
			step{"nodad", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("2001:db8::1/64"), Flags: unix.IFA_F_NODAD})},
			step{"tentative", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("2001:db8::2/64")})},
			step{"noprefixroute", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("2001:db8:1::1/64"),
				Flags: unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE | unix.IFA_F_MANAGETEMPADDR})},
			step{"v4 noprefixroute", addAddr("br0", &netlink.Addr{IPNet: mustCIDR("172.16.0.1/16"), Flags: unix.IFA_F_NOPREFIXROUTE})},

			// A tap and a tun nobody has opened: NO-CARRIER, pfifo_fast.
			step{"tuntap tap0", tuntap("tap0", netlink.TUNTAP_MODE_TAP)},
			step{"up tap0", up("tap0")},
			step{"addr tap0", addAddr("tap0", &netlink.Addr{IPNet: mustCIDR("10.0.0.1/24")})},
			step{"deprecated", addAddr("tap0", &netlink.Addr{IPNet: mustCIDR("2001:db8:2::1/64"),
				Flags: unix.IFA_F_NODAD, ValidLft: 1000, PreferedLft: 0})},
			step{"tuntap tun0", tuntap("tun0", netlink.TUNTAP_MODE_TUN)},

			// A pair up at both ends, with odd settings on one end.
			step{"veth p0", veth("p0", "p1", nil)},
			step{"group p0", onLink("p0", func(l netlink.Link) error { return netlink.LinkSetGroup(l, 5) })},
			step{"txqlen p0", onLink("p0", func(l netlink.Link) error { return netlink.LinkSetTxQLen(l, 0) })},
			step{"noarp p0", onLink("p0", netlink.LinkSetARPOff)},
			step{"allmulti p0", onLink("p0", netlink.LinkSetAllmulticastOn)},
			step{"altname p0", onLink("p0", func(l netlink.Link) error { return netlink.LinkAddAltName(l, "p0-alternative-name") })},
			step{"up p0", up("p0")},
			step{"up p1", up("p1")},
			step{"peer", addAddr("p0", &netlink.Addr{IPNet: mustCIDR("10.9.0.1/32"), Peer: mustCIDR("10.9.0.2/32")})},
			step{"dynamic", addAddr("p1", &netlink.Addr{IPNet: mustCIDR("10.9.1.1/24"), ValidLft: 2000, PreferedLft: 1000})},

			// A macvlan on a port whose own peer is down: mv0@p1, and on a
			// down link for a macvlan that stays down too.
			step{"macvlan mv0", func() error {
				la := newLinkAttrs("mv0")
				la.ParentIndex = mustIndex("p1")
				return netlink.LinkAdd(&netlink.Macvlan{LinkAttrs: la, Mode: netlink.MACVLAN_MODE_BRIDGE})
			}},
			step{"macvlan mv1", func() error {
				la := newLinkAttrs("mv1")
				la.ParentIndex = mustIndex("vb")
				return netlink.LinkAdd(&netlink.Macvlan{LinkAttrs: la, Mode: netlink.MACVLAN_MODE_BRIDGE})
			}},
			step{"up mv0", up("mv0")},

			// A pair whose other end is in another namespace.
			step{"veth x0", veth("x0", "x1", peerNS)},
			step{"up x0", up("x0")},
		)...)
	})
}

// buildDAD makes an IPv6 address fail duplicate address detection: dd0
// holds it already (nodad), dd1 then tries it.
func buildDAD(t *testing.T, ns *world.NS) {
	in(t, ns, func() error {
		err := run(append(noDAD(),
			step{"veth dd0", veth("dd0", "dd1", nil)},
			step{"addrgen dd0", func() error { return sysctl("ipv6/conf/dd0/addr_gen_mode", "1") }},
			step{"addrgen dd1", func() error { return sysctl("ipv6/conf/dd1/addr_gen_mode", "1") }},
			step{"accept_dad dd1", func() error { return sysctl("ipv6/conf/dd1/accept_dad", "1") }},
			step{"up dd0", up("dd0")},
			step{"up dd1", up("dd1")},
			step{"addr dd0", addAddr("dd0", &netlink.Addr{IPNet: mustCIDR("2001:db8:9::1/64"), Flags: unix.IFA_F_NODAD})},
			step{"addr dd1", addAddr("dd1", &netlink.Addr{IPNet: mustCIDR("2001:db8:9::1/64")})},
		)...)
		if err != nil {
			return err
		}
		return waitFor(5*time.Second, "dadfailed on dd1", func() (bool, error) {
			l, err := byName("dd1")
			if err != nil {
				return false, err
			}
			addrs, err := netlink.AddrList(l, netlink.FAMILY_V6)
			if err != nil {
				return false, err
			}
			for _, a := range addrs {
				if a.Flags&unix.IFA_F_DADFAILED != 0 {
					return true, nil
				}
			}
			return false, nil
		})
	})
}

func mustIndex(name string) int {
	l, err := netlink.LinkByName(name)
	if err != nil {
		panic(err)
	}
	return l.Attrs().Index
}

// waitFor polls cond every 10 ms until it holds or the deadline passes.
func waitFor(limit time.Duration, what string, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMatchesIproute2 builds namespaces full of links and addresses and
// compares every form of "ip link show" and "ip addr show" with the real
// ip run in the same namespace, byte for byte, exit status and stderr too.
// Peers' namespaces have no names here (nothing is under /run/netns), so
// both sides print link-netnsid.
func TestMatchesIproute2(t *testing.T) {
	needRoot(t)
	ipPath := needIP(t)
	w := newWorld(t)
	root := w.Root()
	var ns [3]*world.NS
	for i := range ns {
		var err error
		if ns[i], err = w.Add(fmt.Sprintf("ns%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	buildTutorial(t, root, ns[0], ns[1])
	buildHost(t, root, ns[1])
	buildDAD(t, ns[2])
	noNames := func(int) string { return "" }

	tests := []struct {
		ns   *world.NS
		name string
		cmds []string
	}{
		{root, "host", []string{
			"link", "addr", "-br link", "-br addr", "-j link", "-j addr",
			"-j -p link", "-j -p addr", "-br -j link", "-br -j addr", "-br -j -p addr",
			"-4 addr", "-6 addr", "-4 -br addr", "-6 -br addr", "-4 -j addr", "-6 -j addr",
			"link show dev br0", "link show vb", "-j link show dev x0", "-br link show p0",
			"link show p0-alternative-name", "addr show dev p0-alternative-name",
			"addr show dev br0", "addr show tap0", "-br addr show dev p0", "-6 addr show dev br0",
			"-4 addr show dev vb", "-j -6 addr show dev tap0",
			"link show up", "addr show up", "-j link show up", "-j addr show up", "-br link show up",
			"link show master br0", "addr show master br0", "-j link show master br0",
			"-4 -j addr show master br0", "-6 addr show master br0", "-6 -j addr show master br0",
			"link show type veth", "link show type bridge", "-j link show type veth",
			"addr show type tun", "link show type bridge_slave", "-j link show type bridge_slave",
			"-j link show type foo", "link show type macvlan", "-br link show type macvlan", "-j addr show type _slave", "link show type veth up",
			"link show dev va type veth", "-j link show dev vb up", "-j addr show dev vb up",
			"link show dev veth9", "addr show dev veth9", "-j link show dev veth9",
			"link show master br9", "-j addr show master br9 dev veth9",
			"link show dev if3", "-j link show dev if3", "addr show dev if3", "addr show dev if99", "-j addr show dev if99",
		}},
		{ns[0], "ns0", []string{"link", "addr", "-br link", "-br addr", "-j link", "-j addr", "link show veth0"}},
		{ns[1], "ns1", []string{"link", "addr", "-j -p link", "-br link", "-6 addr", "-br -4 addr", "addr show lo"}},
		{ns[2], "ns2", []string{"link", "addr", "-j addr", "-br addr", "-6 addr show dev dd1"}},
	}
	for _, tc := range tests {
		for _, cmd := range tc.cmds {
			t.Run(tc.name+"/ip "+cmd, func(t *testing.T) {
				compare(t, tc.ns, ipPath, cmd, noNames)
			})
		}
	}
}
