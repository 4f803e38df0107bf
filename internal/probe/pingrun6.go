package probe

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// setup6 is iputils' ping6_run up to the header: the destination's scope
// resolved as getaddrinfo(3) does, the source chosen (a UDP socket
// connected to the destination, unless -I gave one), the watching socket
// bound as iputils binds its own. It runs on a thread inside the namespace.
func (o *pingOpts) setup6(s *script.State) (*setup, error) {
	q, err := openErrQueue6(o.prog)
	if err != nil {
		return nil, err
	}
	names, err := interfaceNames()
	if err != nil {
		return &setup{q: q}, err
	}
	st := &setup{q: q, names: names}
	target := o.target()
	scope, ok := scopeID(target, names)
	if !ok {
		return st, &callError{prog: o.prog, msg: o.hostname + ": Name or service not known"}
	}
	st.target, st.targetScope = target.WithZone(""), scope
	st.checkSource = !st.target.IsMulticast() && !subnetRouterAnycast(st.target)

	var devIndex uint32
	if o.device != "" {
		devIndex, ok = indexOf(names, o.device)
		if !ok {
			return st, &callError{prog: o.prog, msg: "unknown iface: " + o.device}
		}
	}
	linkLocal := func(a netip.Addr) bool { return a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() }
	src, srcScope := o.source6, uint32(0)
	if !src.IsValid() {
		hopScope := scope
		if o.device != "" && linkLocal(st.target) {
			hopScope = devIndex
		}
		if src, srcScope, err = o.probeSource6(st.target, hopScope, q); err != nil {
			return st, err
		}
		if o.device != "" && !deviceHas(o.device, src) {
			fmt.Fprintf(s.Stderr, "%s: Warning: source address might be selected on device other than: %s\n", o.prog, o.device)
		}
	} else if o.device != "" && linkLocal(src) {
		srcScope = devIndex
	}
	if o.device != "" && o.strictSource {
		if err := q.bindToDevice("SO_BINDTODEVICE", o.device); err != nil {
			return st, err
		}
	}
	if o.strictSource {
		if err := q.bind("bind icmp socket", src, srcScope); err != nil {
			return st, err
		}
	}
	st.src, st.srcScope = src, srcScope

	header := fmt.Sprintf("PING %s(%s) ", o.hostname, st.withScope(st.target, scope))
	if o.device != "" || o.strictSource {
		header += fmt.Sprintf("from %s %s: ", st.withScope(src, srcScope), o.device)
	}
	st.header = header + fmt.Sprintf("%d data bytes\n", dataLen)
	return st, nil
}

// probeSource6 finds the source address as ping6_run does: it connects a
// UDP socket to the first hop (port 1025) and asks for its address. A
// link-local first hop is not connected to (iputils leaves the socket
// address's family unset, which connect(2) takes as a disconnect), so the
// source stays "::". With -I DEVICE the socket, and q, are bound to the
// device first. scope is the index of the interface of a link-local source.
func (o *pingOpts) probeSource6(hop netip.Addr, hopScope uint32, q *errQueue) (src netip.Addr, scope uint32, err error) {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return src, 0, &callError{prog: o.prog, call: "socket", err: err}
	}
	defer unix.Close(fd)
	if o.device != "" {
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.device); err != nil {
			return src, 0, &callError{prog: o.prog, call: "setsockopt(SO_BINDTODEVICE) " + o.device, err: err}
		}
		if err := q.bindToDevice("setsockopt(SO_BINDTODEVICE)", o.device); err != nil {
			return src, 0, err
		}
	}
	if hop.IsLinkLocalUnicast() || hop.IsLinkLocalMulticast() {
		return netip.IPv6Unspecified(), 0, nil
	}
	if err := unix.Connect(fd, &unix.SockaddrInet6{Port: 1025, Addr: hop.As16(), ZoneId: hopScope}); err != nil {
		return src, 0, &callError{prog: o.prog, call: "connect", err: err}
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return src, 0, &callError{prog: o.prog, call: "getsockname", err: err}
	}
	in6, ok := sa.(*unix.SockaddrInet6)
	if !ok {
		return src, 0, fmt.Errorf("getsockname: unexpected address %T", sa)
	}
	return netip.AddrFrom16(in6.Addr), in6.ZoneId, nil
}

// interfaceNames maps the interface indexes of the calling thread's
// namespace to their names.
func interfaceNames() (map[int]string, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	names := make(map[int]string, len(ifs))
	for _, ifi := range ifs {
		names[ifi.Index] = ifi.Name
	}
	return names, nil
}

// indexOf is if_nametoindex(3) over names.
func indexOf(names map[int]string, name string) (uint32, bool) {
	for i, n := range names {
		if n == name {
			return uint32(i), true
		}
	}
	return 0, false
}

// scopeID resolves the zone of an IPv6 address as glibc's
// __inet6_scopeid_pton does for getaddrinfo(3): an interface name, for
// link-local and interface- or link-local multicast addresses, or else a
// decimal number. No zone is scope 0.
func scopeID(a netip.Addr, names map[int]string) (uint32, bool) {
	zone := a.Zone()
	if zone == "" {
		return 0, true
	}
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		if i, ok := indexOf(names, zone); ok {
			return i, true
		}
	}
	if zone[0] < '0' || zone[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseUint(zone, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// subnetRouterAnycast reports whether a looks like a subnet-router anycast
// address of a /64 (its interface identifier is zero): iputils then takes
// replies from any address as answers.
func subnetRouterAnycast(a netip.Addr) bool {
	b := a.As16()
	for _, x := range b[8:] {
		if x != 0 {
			return false
		}
	}
	return true
}
