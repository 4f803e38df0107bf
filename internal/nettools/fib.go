package nettools

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

// Route flags of /proc/net/route (linux/route.h): the only ones the kernel
// sets there (fib_flag_trans in net/ipv4/fib_trie.c).
const (
	rtfUp      = 0x0001
	rtfGateway = 0x0002
	rtfHost    = 0x0004
	rtfReject  = 0x0200
)

// procRoute is one line of /proc/net/route. Addresses are in host order.
type procRoute struct {
	iface   string // the first nexthop's device, or "*"
	dst, gw uint32
	mask    uint32
	flags   uint32
	metric  uint32 // fib_priority
	mss     int    // advmss + 40, or 0
	window  int
	irtt    int // RTAX_RTT >> 3
	reject  bool
}

// dumpRetries bounds the retries of a dump the kernel marks as interrupted
// (the table changed while it ran).
const dumpRetries = 5

// errNoMainTable reports that the namespace has no main table yet: the
// kernel creates it with the first route or local address, and until then
// /proc/net/route is empty, header included.
var errNoMainTable = errors.New("no main routing table")

// mainRoutes returns what /proc/net/route would list in ns: the main
// table's routes in the kernel's trie order, without broadcast and
// multicast routes. It dumps the table over netlink from a thread inside ns.
func mainRoutes(ns *world.NS) ([]procRoute, error) {
	var routes []procRoute
	err := ns.Do(func() error {
		h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
		if err != nil {
			return fmt.Errorf("open netlink socket: %w", err)
		}
		defer h.Close()
		// With strict checking the kernel dumps only the table asked for,
		// in trie order, and answers ENOENT when it does not exist.
		if err := h.SetStrictCheck(true); err != nil {
			return fmt.Errorf("netlink strict checking: %w", err)
		}
		var list []netlink.Route
		for try := 0; ; try++ {
			list = list[:0]
			err = h.RouteListFilteredIter(netlink.FAMILY_V4,
				&netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE,
				func(r netlink.Route) bool { list = append(list, r); return true })
			if !errors.Is(err, netlink.ErrDumpInterrupted) || try == dumpRetries {
				break
			}
		}
		if errors.Is(err, unix.ENOENT) {
			return errNoMainTable
		}
		if err != nil {
			return fmt.Errorf("dump main routing table: %w", err)
		}
		names, err := linkNames(h, list)
		if err != nil {
			return err
		}
		for _, r := range list {
			if r.Type == unix.RTN_BROADCAST || r.Type == unix.RTN_MULTICAST {
				continue
			}
			routes = append(routes, procLine(r, names))
		}
		return nil
	})
	return routes, err
}

// linkNames maps the devices the routes use to their names.
func linkNames(h *netlink.Handle, routes []netlink.Route) (map[int]string, error) {
	names := map[int]string{}
	if len(routes) == 0 {
		return names, nil
	}
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	return names, nil
}

// procLine formats a route as fib_route_seq_show does.
func procLine(r netlink.Route, names map[int]string) procRoute {
	p := procRoute{iface: "*", metric: uint32(r.Priority)}
	ones, _ := r.Dst.Mask.Size()
	p.mask = ^uint32(0) << (32 - ones)
	if ones == 0 {
		p.mask = 0
	}
	p.dst = ipv4(r.Dst.IP)
	// The first nexthop stands for the route.
	link, gw, via := r.LinkIndex, r.Gw, r.Via
	if len(r.MultiPath) > 0 {
		nh := r.MultiPath[0]
		link, gw, via = nh.LinkIndex, nh.Gw, nh.Via
	}
	if name, ok := names[link]; ok && link != 0 {
		p.iface = name
	}
	// RTF_GATEWAY tests nhc_gw.ipv4, the first four bytes of the gateway
	// whatever its family; only an IPv4 gateway is printed (an IPv6 one
	// shows as 0.0.0.0).
	switch {
	case gw.To4() != nil:
		p.gw = ipv4(gw)
	case via != nil:
		if v, ok := via.(*netlink.Via); ok && len(v.Addr) >= 4 && binary.BigEndian.Uint32(v.Addr[:4]) != 0 {
			p.flags |= rtfGateway
		}
	case len(gw) == net.IPv6len:
		if binary.BigEndian.Uint32(gw[:4]) != 0 {
			p.flags |= rtfGateway
		}
	}
	if p.gw != 0 {
		p.flags |= rtfGateway
	}
	if r.Type == unix.RTN_UNREACHABLE || r.Type == unix.RTN_PROHIBIT {
		p.flags |= rtfReject
		p.reject = true
	}
	if p.mask == ^uint32(0) {
		p.flags |= rtfHost
	}
	p.flags |= rtfUp
	if r.AdvMSS != 0 {
		p.mss = int(int32(uint32(r.AdvMSS) + 40))
	}
	p.window = int(int32(uint32(r.Window)))
	p.irtt = int(int32(uint32(r.Rtt) >> 3))
	return p
}

// ipv4 returns an IPv4 address in host order, or 0.
func ipv4(ip net.IP) uint32 {
	if v4 := ip.To4(); v4 != nil {
		return binary.BigEndian.Uint32(v4)
	}
	return 0
}
