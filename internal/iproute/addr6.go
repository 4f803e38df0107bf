package iproute

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

// settleAddr6 waits, briefly, until the kernel has finished setting up a
// new IPv6 address added with nodad. The kernel does that from a work queue
// shared by every namespace, some time after "ip addr add" returns:
//   - it adds the address's local route (table local), on a link up or down,
//     so "ip -6 route show table all" or "route -A inet6" run at once would
//     miss it;
//   - on a link up with carrier, it joins the address's solicited-node
//     multicast group; a neighbour solicitation that comes before is
//     dropped, and the first ping to the address then waits for the next
//     solicitation, a second later.
//
// Waiting here, as settleLink does for links, makes a scenario's next
// command see the address ready, whatever the machine's load. Nothing is
// printed and nothing fails: after the deadline the command simply
// returns. It waits on a thread inside the namespace.
func settleAddr6(ns *world.NS, link netlink.Link, addr netip.Addr, flags uint32) {
	a := link.Attrs()
	if !addr.Is6() || flags&unix.IFA_F_NODAD == 0 || a.RawFlags&unix.IFF_LOOPBACK != 0 {
		return
	}
	joinsGroup := a.RawFlags&unix.IFF_UP != 0 && a.RawFlags&unix.IFF_LOWER_UP != 0 && a.RawFlags&unix.IFF_NOARP == 0
	group, index := solicitedNode(addr), strconv.Itoa(a.Index)
	ready := func() bool {
		return hasLocalRoute(ns, addr) && (!joinsGroup || joined(index, group))
	}
	// joined reads the namespace's /proc/thread-self/net/igmp6.
	_ = ns.Do(func() error {
		deadline := time.Now().Add(time.Second)
		for !ready() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		return nil
	})
}

// hasLocalRoute reports whether ns has the local route of addr in its
// local table.
func hasLocalRoute(ns *world.NS, addr netip.Addr) bool {
	h, err := ns.Netlink()
	if err != nil {
		return true // nothing to wait on
	}
	filter := &netlink.Route{Table: unix.RT_TABLE_LOCAL, Dst: &net.IPNet{IP: addr.AsSlice(), Mask: net.CIDRMask(128, 128)}}
	routes, err := h.RouteListFiltered(netlink.FAMILY_V6, filter, netlink.RT_FILTER_TABLE|netlink.RT_FILTER_DST)
	return err != nil || len(routes) > 0 // on an error there is nothing to wait on
}

// solicitedNode is the solicited-node multicast group of addr
// (ff02::1:ffXX:XXXX) as /proc/net/igmp6 writes it.
func solicitedNode(addr netip.Addr) string {
	b := addr.As16()
	return fmt.Sprintf("ff0200000000000000000001ff%02x%02x%02x", b[13], b[14], b[15])
}

// joined reports whether the link with the given index (in decimal) listens to group,
// in the calling thread's namespace.
func joined(index, group string) bool {
	data, err := os.ReadFile("/proc/thread-self/net/igmp6")
	if err != nil {
		return true // nothing to wait on
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == index && f[2] == group {
			return true
		}
	}
	return false
}
