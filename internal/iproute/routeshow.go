package iproute

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"

	"syscall"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/script"
	"github.com/netscript/netscript/internal/world"
)

// routeFilter selects routes for "ip route show", as iproute2's filter does.
// A field the user filtered on is not printed, as in iproute2.
type routeFilter struct {
	family int
	table  int // 0: all tables
	dev    string
	proto  *int
	scope  *int
	typ    *int
	dst    *netip.Prefix
}

func parseRouteShow(g *globals, a *args) (script.Action, error) {
	f := routeFilter{family: g.family, table: unix.RT_TABLE_MAIN}
	for a.more() {
		word := a.next()
		switch word {
		case "table", "dev", "oif", "proto", "protocol", "scope", "type":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			switch word {
			case "table":
				if v == "all" {
					f.table = 0
					continue
				}
				t, ok := byName(tableNames, v, 1<<31-1)
				if !ok {
					return nil, invalidArg(`table id value is invalid`, v)
				}
				f.table = t
			case "dev", "oif":
				f.dev = v
			case "proto", "protocol":
				p, ok := byName(protoNames, v, 255)
				if !ok {
					return nil, invalidArg(`invalid "protocol"`, v)
				}
				f.proto = &p
			case "scope":
				sc, ok := scopeByName(v)
				if !ok {
					return nil, invalidArg(`invalid "scope"`, v)
				}
				f.scope = &sc
			case "type":
				t, ok := routeTypeByName(v)
				if !ok {
					return nil, invalidArg(`node type value is invalid`, v)
				}
				f.typ = &t
			}
		default:
			if word == "to" || word == "exact" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			p, err := parsePrefix(word, g.family, true)
			if err != nil {
				return nil, err
			}
			f.dst = &p
			if g.family == 0 {
				f.family = familyOf(p.Addr())
			}
		}
	}
	// As iproute2: without -4/-6, a table filter means IPv4 only, and
	// "table all" (no filter) means every family.
	if f.family == 0 && f.table != 0 {
		f.family = unix.AF_INET
	}
	return func(s *script.State) error {
		return s.NS.Do(func() error { return routeShow(s, f) })
	}, nil
}

// route is one RTM_NEWROUTE message, decoded.
type route struct {
	msg   *nl.RtMsg
	table int
	attrs map[uint16][]byte
}

func (r *route) addr(attr uint16) (netip.Addr, bool) {
	b, ok := r.attrs[attr]
	if !ok {
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(b)
	return a, ok
}

func (r *route) u32(attr uint16) (uint32, bool) {
	b, ok := r.attrs[attr]
	if !ok || len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

func decodeRoute(m []byte) (*route, error) {
	msg := nl.DeserializeRtMsg(m)
	attrs, err := nl.ParseRouteAttr(m[msg.Len():])
	if err != nil {
		return nil, fmt.Errorf("decode route: %w", err)
	}
	r := &route{msg: msg, table: int(msg.Table), attrs: make(map[uint16][]byte, len(attrs))}
	for _, a := range attrs {
		r.attrs[a.Attr.Type] = a.Value
	}
	if t, ok := r.u32(unix.RTA_TABLE); ok {
		r.table = int(t)
	}
	return r, nil
}

// routeShow dumps and prints the routes f selects. It runs on a thread
// inside the command's namespace.
func routeShow(s *script.State, f routeFilter) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	filterIndex := 0
	if f.dev != "" {
		for index, name := range names {
			if name == f.dev {
				filterIndex = index
			}
		}
		if filterIndex == 0 { // not a primary name: ask the kernel (altnames)
			index, err := linkIndex(s, f.dev)
			if err != nil {
				return err
			}
			filterIndex = index
		}
	}
	req, err := s.NS.Request(unix.RTM_GETROUTE, unix.NLM_F_DUMP)
	if err != nil {
		return err
	}
	req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: uint8(f.family)}})
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWROUTE)
	if err != nil {
		return kernelError(s, err)
	}
	var out bytes.Buffer
	for _, m := range msgs {
		r, err := decodeRoute(m)
		if err != nil {
			return err
		}
		if !f.match(r, filterIndex) {
			continue
		}
		printRoute(&out, r, names, f)
		out.WriteByte('\n')
	}
	_, err = s.Stdout.Write(out.Bytes())
	return err
}

func (f *routeFilter) match(r *route, oif int) bool {
	if (f.family != 0 && int(r.msg.Family) != f.family) || r.msg.Flags&unix.RTM_F_CLONED != 0 {
		return false
	}
	if f.table != 0 && r.table != f.table {
		return false
	}
	if oif != 0 {
		if got, ok := r.u32(unix.RTA_OIF); !ok || int(got) != oif {
			return false
		}
	}
	if f.proto != nil && int(r.msg.Protocol) != *f.proto {
		return false
	}
	if f.scope != nil && int(r.msg.Scope) != *f.scope {
		return false
	}
	if f.typ != nil && int(r.msg.Type) != *f.typ {
		return false
	}
	if f.dst != nil {
		dst, _ := r.addr(unix.RTA_DST)
		if int(r.msg.Dst_len) != f.dst.Bits() || (f.dst.Bits() > 0 && dst != f.dst.Addr()) {
			return false
		}
	}
	return true
}

// printRoute writes one route as iproute2's print_route does, every field
// followed by a space, without the final newline.
func printRoute(w io.Writer, r *route, names map[int]string, f routeFilter) {
	m := r.msg
	if m.Type != unix.RTN_UNICAST {
		fmt.Fprintf(w, "%s ", name(typeNames, int(m.Type)))
	}
	hostLen := 32
	if m.Family == unix.AF_INET6 {
		hostLen = 128
	}
	if dst, ok := r.addr(unix.RTA_DST); ok {
		if int(m.Dst_len) != hostLen {
			fmt.Fprintf(w, "%s/%d ", dst, m.Dst_len)
		} else {
			fmt.Fprintf(w, "%s ", dst)
		}
	} else if m.Dst_len != 0 {
		fmt.Fprintf(w, "0/%d  ", m.Dst_len)
	} else {
		fmt.Fprint(w, "default ")
	}
	if src, ok := r.addr(unix.RTA_SRC); ok {
		if int(m.Src_len) != hostLen {
			fmt.Fprintf(w, "from %s/%d ", src, m.Src_len)
		} else {
			fmt.Fprintf(w, "from %s ", src) // an IPv6 "ip route get" answer
		}
	} else if m.Src_len != 0 {
		fmt.Fprintf(w, "from 0/%d ", m.Src_len)
	}
	if gw, ok := r.addr(unix.RTA_GATEWAY); ok {
		fmt.Fprintf(w, "via %s ", gw)
	}
	if oif, ok := r.u32(unix.RTA_OIF); ok && f.dev == "" {
		fmt.Fprintf(w, "dev %s ", linkName(names, int(oif)))
	}
	if r.table != unix.RT_TABLE_MAIN && f.table == 0 {
		fmt.Fprintf(w, "table %s ", name(tableNames, r.table))
	}
	if m.Flags&unix.RTM_F_CLONED == 0 {
		if m.Protocol != unix.RTPROT_BOOT && f.proto == nil {
			fmt.Fprintf(w, "proto %s ", name(protoNames, int(m.Protocol)))
		}
		if m.Scope != unix.RT_SCOPE_UNIVERSE && f.scope == nil {
			fmt.Fprintf(w, "scope %s ", name(scopeNames, int(m.Scope)))
		}
	}
	if src, ok := r.addr(unix.RTA_PREFSRC); ok {
		fmt.Fprintf(w, "src %s ", src)
	}
	if metric, ok := r.u32(unix.RTA_PRIORITY); ok {
		fmt.Fprintf(w, "metric %d ", metric)
	}
	printRouteFlags(w, m.Flags)
	if uid, ok := r.u32(unix.RTA_UID); ok {
		fmt.Fprintf(w, "uid %d ", uid)
	}
	if m.Family == unix.AF_INET && m.Flags&unix.RTM_F_CLONED != 0 {
		printCacheFlags(w, m.Flags)
	}
	if ci, ok := r.attrs[unix.RTA_CACHEINFO]; ok && len(ci) >= 20 {
		// struct rta_cacheinfo: clntref, lastuse, expires (in
		// clock ticks of USER_HZ, 100), error, used.
		if expires := binary.NativeEndian.Uint32(ci[8:12]); expires != 0 {
			// An unsigned division printed as a signed int, as in C.
			fmt.Fprintf(w, "expires %dsec ", int32(expires/100))
		}
		if e := binary.NativeEndian.Uint32(ci[12:16]); e != 0 {
			fmt.Fprintf(w, "error %d ", e)
		}
	}
	if pref, ok := r.attrs[unix.RTA_PREF]; ok && len(pref) > 0 {
		// iproute2 prints no space after the preference (print_rt_pref).
		if name, ok := map[uint8]string{0: "medium", 1: "high", 3: "low"}[pref[0]]; ok {
			fmt.Fprintf(w, "pref %s", name)
		} else {
			fmt.Fprintf(w, "%d", pref[0])
		}
	}
	if mp, ok := r.attrs[unix.RTA_MULTIPATH]; ok {
		printMultipath(w, mp, names)
	}
}

// printMultipath prints the nexthops of a multipath route as iproute2's
// print_rta_multipath does, each on a line of its own after a tab.
func printMultipath(w io.Writer, b []byte, names map[int]string) {
	const nhLen = 8 // struct rtnexthop: len, flags, hops, ifindex
	for len(b) >= nhLen {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n > len(b) || n < nhLen {
			break
		}
		flags, hops := b[2], b[3]
		ifindex := int(int32(binary.NativeEndian.Uint32(b[4:8])))
		fmt.Fprint(w, "\n\tnexthop ")
		if n > nhLen {
			if attrs, err := nl.ParseRouteAttr(b[nhLen:n]); err == nil {
				for _, a := range attrs {
					if a.Attr.Type != unix.RTA_GATEWAY {
						continue
					}
					if gw, ok := netip.AddrFromSlice(a.Value); ok {
						fmt.Fprintf(w, "via %s ", gw)
					}
				}
			}
		}
		fmt.Fprintf(w, "dev %s weight %d ", linkName(names, ifindex), int(hops)+1)
		printRouteFlags(w, uint32(flags))
		align := (n + 3) &^ 3
		if align > len(b) {
			break
		}
		b = b[align:]
	}
}

func printRouteFlags(w io.Writer, flags uint32) {
	for _, fl := range []struct {
		bit  uint32
		name string
	}{
		{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"},
		{unix.RTNH_F_PERVASIVE, "pervasive"}, {unix.RTNH_F_OFFLOAD, "offload"},
		{unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"},
		{unix.RTNH_F_LINKDOWN, "linkdown"}, {unix.RTNH_F_UNRESOLVED, "unresolved"},
		{unix.RTM_F_OFFLOAD, "rt_offload"}, {unix.RTM_F_TRAP, "rt_trap"},
		{unix.RTM_F_OFFLOAD_FAILED, "rt_offload_failed"},
	} {
		if flags&fl.bit != 0 {
			fmt.Fprintf(w, "%s ", fl.name)
		}
	}
}

// printCacheFlags prints the "cache <...>" line of an IPv4 "ip route get".
func printCacheFlags(w io.Writer, flags uint32) {
	fmt.Fprint(w, "\n    cache ")
	flags &^= 0xFFFF
	if flags == 0 {
		return
	}
	first := true
	fmt.Fprint(w, "<")
	for _, fl := range []struct {
		bit  uint32
		name string
	}{
		{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"},
		{0x10000000, "brd"}, {0x08000000, "dst-nat"}, {0x00800000, "snat"},
		{0x00400000, "masq"}, {0x00020000, "dst-direct"}, {0x04000000, "src-direct"},
		{0x00040000, "redirected"}, {0x01000000, "redirect"}, {0x00200000, "fastroute"},
		{0x00010000, "notify"}, {0x00080000, "tproxy"},
	} {
		if flags&fl.bit != 0 {
			flags &^= fl.bit
			if !first {
				fmt.Fprint(w, ",")
			}
			fmt.Fprint(w, fl.name)
			first = false
		}
	}
	if flags != 0 {
		if !first {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, "%x", flags)
	}
	fmt.Fprint(w, "> ")
}

// parseRouteGet parses "ip route get [to] ADDR [from ADDR] [oif DEV]".
func parseRouteGet(g *globals, a *args) (script.Action, error) {
	var dst, from *netip.Prefix
	var oif string
	for a.more() {
		word := a.next()
		switch word {
		case "from", "oif", "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if word == "from" {
				p, err := parsePrefix(v, g.family, false)
				if err != nil {
					return nil, err
				}
				from = &p
			} else {
				oif = v
			}
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if dst != nil {
				return nil, duplicateArg("to", word)
			}
			p, err := parsePrefix(word, g.family, false)
			if err != nil {
				return nil, err
			}
			dst = &p
		}
	}
	if dst == nil {
		return nil, script.Errorf(exitErr, "need at least a destination address")
	}
	return func(s *script.State) error {
		return s.NS.Do(func() error { return routeGet(s, *dst, from, oif) })
	}, nil
}

func routeGet(s *script.State, dst netip.Prefix, from *netip.Prefix, oif string) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	msg := &nl.RtMsg{RtMsg: unix.RtMsg{Family: uint8(familyOf(dst.Addr())), Dst_len: uint8(dst.Bits())}}
	req, err := s.NS.Request(unix.RTM_GETROUTE, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(msg)
	req.AddData(nl.NewRtAttr(unix.RTA_DST, dst.Addr().AsSlice()))
	if from != nil {
		msg.Src_len = uint8(from.Bits())
		req.AddData(nl.NewRtAttr(unix.RTA_SRC, from.Addr().AsSlice()))
	}
	if oif != "" {
		index, err := linkIndex(s, oif)
		if err != nil {
			return err
		}
		req.AddData(nl.NewRtAttr(unix.RTA_OIF, nl.Uint32Attr(uint32(index))))
	}
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWROUTE)
	if err != nil {
		return kernelError(s, err)
	}
	if len(msgs) == 0 {
		return s.Fail(exitKernel, "RTNETLINK answers: %s", script.Strerror(syscall.ENETUNREACH))
	}
	r, err := decodeRoute(msgs[0])
	if err != nil {
		return err
	}
	var out bytes.Buffer
	printRoute(&out, r, names, routeFilter{table: 0})
	out.WriteByte('\n')
	_, err = s.Stdout.Write(out.Bytes())
	return err
}

// linkNames maps the link indexes of ns to names.
func linkNames(ns *world.NS) (map[int]string, error) {
	h, err := ns.Netlink()
	if err != nil {
		return nil, err
	}
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	names := make(map[int]string, len(links))
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	return names, nil
}

func linkName(names map[int]string, index int) string {
	if n, ok := names[index]; ok {
		return n
	}
	return fmt.Sprintf("if%d", index)
}

// linkIndex resolves a device name in the command's namespace.
func linkIndex(s *script.State, dev string) (int, error) {
	l, err := linkByName(s.NS, dev)
	if err != nil {
		return 0, s.Fail(exitErr, "Cannot find device %q", dev)
	}
	return l.Attrs().Index, nil
}
