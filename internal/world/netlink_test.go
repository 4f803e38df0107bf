package world

import (
	"errors"
	"net"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// TestNetlinkIsBoundToItsNamespace checks that the handle and the socket
// of a namespace talk to that namespace whatever thread calls them, are
// shared, and refuse once the namespace is deleted.
func TestNetlinkIsBoundToItsNamespace(t *testing.T) {
	w := newWorld(t)
	ns := addNS(t, w, "a", "b")
	a, b := ns[0], ns[1]
	// From the test's own thread, in neither namespace.
	ha, err := a.Netlink()
	if err != nil {
		t.Fatal(err)
	}
	if err := ha.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "only-in-a"}, PeerName: "peer-in-a"}); err != nil {
		t.Fatal(err)
	}
	if again, _ := a.Netlink(); again != ha {
		t.Error("Netlink opened a second handle for the same namespace")
	}
	hb, err := b.Netlink()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ha.LinkByName("only-in-a"); err != nil {
		t.Errorf("a's handle does not see a's link: %v", err)
	}
	var notFound netlink.LinkNotFoundError
	if _, err := hb.LinkByName("only-in-a"); !errors.As(err, &notFound) {
		t.Errorf("b's handle: got %v, want link not found", err)
	}

	// Many callers at once share the socket (run with -race).
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := ha.LinkByName("only-in-a"); err != nil {
				t.Errorf("concurrent lookup: %v", err)
			}
			req, err := a.Request(unix.RTM_GETLINK, unix.NLM_F_DUMP)
			if err != nil {
				t.Errorf("Request: %v", err)
				return
			}
			req.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
			msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
			if err != nil || len(msgs) != 3 { // lo and the veth pair
				t.Errorf("link dump in a: %d links, %v; want 3", len(msgs), err)
			}
		})
	}
	wg.Wait()

	// The socket asks for extended acks: a refused request says why, as
	// "ip route add 10.9.0.0/16 via 192.0.2.1" does in a namespace with no
	// address.
	req, err := a.Request(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	if err != nil {
		t.Fatal(err)
	}
	req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: unix.AF_INET, Dst_len: 16, Table: unix.RT_TABLE_MAIN,
		Protocol: unix.RTPROT_BOOT, Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_UNICAST}})
	req.AddData(nl.NewRtAttr(unix.RTA_DST, []byte{10, 9, 0, 0}))
	req.AddData(nl.NewRtAttr(unix.RTA_GATEWAY, []byte{192, 0, 2, 1}))
	_, err = req.Execute(unix.NETLINK_ROUTE, 0)
	if want := "network is unreachable: Nexthop has invalid gateway"; err == nil || err.Error() != want {
		t.Errorf("route via an unreachable gateway: %v, want %q", err, want)
	}

	// The handle's socket asks for extended acks too, and does not check
	// dumps strictly: a filter the kernel would refuse in a dump request,
	// on the destination, is applied here.
	lo, err := ha.LinkByName("lo")
	if err != nil {
		t.Fatal(err)
	}
	gone := &netlink.Addr{IPNet: &net.IPNet{IP: net.IPv4(10, 1, 2, 3), Mask: net.CIDRMask(24, 32)}}
	if err, want := ha.AddrDel(lo, gone), "cannot assign requested address: ipv4: Address not found"; err == nil || err.Error() != want {
		t.Errorf("delete an address lo lacks: %v, want %q", err, want)
	}
	dst := &net.IPNet{IP: net.IPv6loopback, Mask: net.CIDRMask(128, 128)}
	routes, err := ha.RouteListFiltered(netlink.FAMILY_V6, &netlink.Route{Table: unix.RT_TABLE_LOCAL, Dst: dst},
		netlink.RT_FILTER_TABLE|netlink.RT_FILTER_DST)
	if err != nil || len(routes) != 0 {
		t.Errorf("dump the local route to ::1, with lo down: %v, %v; want none", routes, err)
	}

	reqA, err := a.Request(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	if err != nil {
		t.Fatal(err)
	}
	reqA.AddData(nl.NewIfInfomsg(unix.AF_UNSPEC))
	if err := w.Delete("a"); err != nil {
		t.Fatal(err)
	}
	// What was handed out before the delete fails after it, even from a
	// thread in another namespace: it must not fall back to a socket there.
	if err := b.Do(func() error {
		if _, err := hb.LinkByName("lo"); err != nil {
			t.Errorf("b's handle after a's delete: %v", err)
		}
		if _, err := ha.LinkByName("lo"); !errors.Is(err, ErrClosed) {
			t.Errorf("a's handle after delete: %v, want ErrClosed", err)
		}
		if msgs, err := reqA.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK); err == nil {
			t.Errorf("a request on a's socket after delete answered %d messages", len(msgs))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Netlink(); !errors.Is(err, ErrClosed) {
		t.Errorf("Netlink after delete: %v, want ErrClosed", err)
	}
	if _, err := a.Request(unix.RTM_GETLINK, unix.NLM_F_DUMP); !errors.Is(err, ErrClosed) {
		t.Errorf("Request after delete: %v, want ErrClosed", err)
	}
}

// TestNetlinkFirstUseRace opens a namespace's handle and socket from many
// goroutines at once: all get the same ones, and the losers' are closed.
func TestNetlinkFirstUseRace(t *testing.T) {
	w := newWorld(t)
	c := addNS(t, w, "c")[0]
	handles := make([]*Netlink, 8)
	conns := make([]*nl.SocketHandle, 8)
	var wg sync.WaitGroup
	for i := range handles {
		wg.Go(func() {
			var err error
			if handles[i], err = c.Netlink(); err != nil {
				t.Error(err)
			}
			if conns[i], err = c.Conn(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range handles {
		if handles[i] != handles[0] || conns[i] != conns[0] {
			t.Fatalf("caller %d got its own handle or socket", i)
		}
	}
	if _, err := handles[0].LinkByName("lo"); err != nil {
		t.Error(err)
	}
}
