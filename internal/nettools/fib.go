package nettools

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/rtattr"
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
// multicast routes. It dumps the table on the namespace's socket, which
// checks dumps strictly: the kernel dumps only the table asked for, in
// trie order, and answers ENOENT when it does not exist.
func mainRoutes(ns *world.NS) ([]procRoute, error) {
	var msgs [][]byte
	var err error
	for try := 0; ; try++ {
		var req *nl.NetlinkRequest
		if req, err = ns.Request(unix.RTM_GETROUTE, unix.NLM_F_DUMP); err != nil {
			return nil, err
		}
		req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: unix.AF_INET, Table: unix.RT_TABLE_MAIN}})
		msgs, err = ns.Dump(req, unix.RTM_NEWROUTE)
		if !errors.Is(err, nl.ErrDumpInterrupted) || try == dumpRetries {
			break
		}
	}
	if errors.Is(err, unix.ENOENT) {
		return nil, errNoMainTable
	}
	if err != nil && !errors.Is(err, nl.ErrDumpInterrupted) {
		return nil, fmt.Errorf("dump main routing table: %w", err)
	}
	var list []fibRoute
	for _, m := range msgs {
		if r, ok := decodeFibRoute(m); ok {
			list = append(list, r)
		}
	}
	names, err := linkNames(ns, list)
	if err != nil {
		return nil, err
	}
	var routes []procRoute
	for _, r := range list {
		if r.typ == unix.RTN_BROADCAST || r.typ == unix.RTN_MULTICAST {
			continue
		}
		routes = append(routes, procLine(r, names))
	}
	return routes, nil
}

// fibRoute is what /proc/net/route shows of an IPv4 route: its first
// nexthop stands for it.
type fibRoute struct {
	typ      uint8
	dstLen   int
	dst      []byte
	priority uint32
	link     int
	gw       net.IP
	via      []byte // RTA_VIA's address, after its family
	metrics  rtattr.Table
}

// decodeFibRoute decodes an RTM_NEWROUTE of the main IPv4 table; ok is
// false for a message that is not one (short, another family or table,
// or a cached clone).
func decodeFibRoute(m []byte) (r fibRoute, ok bool) {
	if len(m) < unix.SizeofRtMsg {
		return r, false
	}
	family, typ := m[0], m[7]
	table := uint32(m[4])
	flags := binary.NativeEndian.Uint32(m[8:12])
	tb := rtattr.ParseMasked(m[unix.SizeofRtMsg:], 0)
	if t, ok := tb.Uint32(unix.RTA_TABLE); ok {
		table = t
	}
	if family != unix.AF_INET || table != unix.RT_TABLE_MAIN || flags&unix.RTM_F_CLONED != 0 {
		return r, false
	}
	r = fibRoute{typ: typ, dstLen: int(m[1]), dst: tb[unix.RTA_DST], priority: tb.U32(unix.RTA_PRIORITY),
		link: int(tb.U32(unix.RTA_OIF)), gw: net.IP(tb[unix.RTA_GATEWAY]), metrics: tb.Nested(unix.RTA_METRICS)}
	via := tb[unix.RTA_VIA]
	if mp := tb[unix.RTA_MULTIPATH]; len(mp) >= unix.SizeofRtNexthop {
		n := int(binary.NativeEndian.Uint16(mp[0:2]))
		if n >= unix.SizeofRtNexthop && n <= len(mp) {
			nh := rtattr.ParseMasked(mp[unix.SizeofRtNexthop:n], 0)
			r.link = int(int32(binary.NativeEndian.Uint32(mp[4:8])))
			r.gw, via = net.IP(nh[unix.RTA_GATEWAY]), nh[unix.RTA_VIA]
		}
	}
	if len(via) >= 2 {
		r.via = via[2:]
	}
	return r, true
}

// linkNames maps the devices the routes use to their names.
func linkNames(ns *world.NS, routes []fibRoute) (map[int]string, error) {
	names := map[int]string{}
	if len(routes) == 0 {
		return names, nil
	}
	h, err := ns.Netlink()
	if err != nil {
		return nil, err
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
func procLine(r fibRoute, names map[int]string) procRoute {
	p := procRoute{iface: "*", metric: r.priority}
	ones := min(r.dstLen, 32)
	p.mask = ^uint32(0) << (32 - ones)
	if ones == 0 {
		p.mask = 0
	}
	p.dst = ipv4(r.dst)
	if name, ok := names[r.link]; ok && r.link != 0 {
		p.iface = name
	}
	// RTF_GATEWAY tests nhc_gw.ipv4, the first four bytes of the gateway
	// whatever its family; only an IPv4 gateway is printed (an IPv6 one
	// shows as 0.0.0.0).
	switch gw := r.gw; {
	case gw.To4() != nil:
		p.gw = ipv4(gw)
	case r.via != nil:
		if len(r.via) >= 4 && binary.BigEndian.Uint32(r.via[:4]) != 0 {
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
	if r.typ == unix.RTN_UNREACHABLE || r.typ == unix.RTN_PROHIBIT {
		p.flags |= rtfReject
		p.reject = true
	}
	if p.mask == ^uint32(0) {
		p.flags |= rtfHost
	}
	p.flags |= rtfUp
	if mss := r.metrics.U32(unix.RTAX_ADVMSS); mss != 0 {
		p.mss = int(int32(mss + 40))
	}
	p.window = int(int32(r.metrics.U32(unix.RTAX_WINDOW)))
	p.irtt = int(int32(r.metrics.U32(unix.RTAX_RTT) >> 3))
	return p
}

// ipv4 returns an IPv4 address in host order, or 0.
func ipv4(ip net.IP) uint32 {
	if v4 := ip.To4(); v4 != nil {
		return binary.BigEndian.Uint32(v4)
	}
	return 0
}
