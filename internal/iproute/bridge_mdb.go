package iproute

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// "bridge mdb": bridge/mdb.c's add, del and show: the multicast groups
// a bridge forwards to its ports.

// mdbUsageText is bridge/mdb.c's usage().
const mdbUsageText = "Usage: bridge mdb { add | del } dev DEV port PORT grp GROUP [src SOURCE] [permanent | temp] [vid VID]\n" +
	"       bridge mdb {show} [ dev DEV ] [ vid VID ]"

// Attributes and sizes of the bridge's multicast database
// (linux/if_bridge.h) that golang.org/x/sys does not name.
const (
	mdbaMdb            = 1 // MDBA_MDB
	mdbaRouter         = 2 // MDBA_ROUTER
	mdbaSetEntry       = 1 // MDBA_SET_ENTRY
	mdbaSetEntryAttrs  = 2 // MDBA_SET_ENTRY_ATTRS
	mdbeAttrSource     = 1 // MDBE_ATTR_SOURCE
	mdbEattrSrcList    = 2 // MDBA_MDB_EATTR_SRC_LIST
	mdbEattrGroupMode  = 3 // MDBA_MDB_EATTR_GROUP_MODE
	mdbEattrSource     = 4 // MDBA_MDB_EATTR_SOURCE
	mdbEattrRtprot     = 5 // MDBA_MDB_EATTR_RTPROT
	mdbSrcattrAddress  = 1 // MDBA_MDB_SRCATTR_ADDRESS
	mdbSrcattrTimer    = 2 // MDBA_MDB_SRCATTR_TIMER
	mdbPermanent       = 1 // MDB_PERMANENT
	mcastInclude       = 1 // MCAST_INCLUDE
	sizeofBrPortMsg    = 8 // struct br_port_msg, padded
	sizeofBrMdbEntry   = 28
	mdbFlagsOffload    = 1 << 0
	mdbFlagsFastLeave  = 1 << 1
	mdbFlagsStarExcl   = 1 << 2
	mdbFlagsBlocked    = 1 << 3
	ethPIP             = 0x0800
	ethPIPv6           = 0x86dd
	brPortMsgIndexOffs = 4
)

// parseMdb parses "bridge mdb ...", as do_mdb does.
func parseMdb(o *bridgeOpts, list []string) (script.Action, error) {
	if len(list) == 0 {
		return mdbShowAction(o, "", 0), nil
	}
	cmd, rest := list[0], list[1:]
	switch {
	case matches(cmd, "add"):
		return parseMdbModify(unix.RTM_NEWMDB, unix.NLM_F_CREATE|unix.NLM_F_EXCL, rest)
	case matches(cmd, "delete"):
		return parseMdbModify(unix.RTM_DELMDB, 0, rest)
	case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
		dev, vid := "", 0
		a := &args{list: rest}
		for a.more() {
			switch word := a.next(); word {
			case "dev":
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				if dev != "" {
					return nil, duplicateValue("dev", v)
				}
				dev = v
			case "vid":
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				if vid != 0 {
					return nil, duplicateValue("vid", v)
				}
				vid = int(uint32(atoi(v)))
			}
		}
		return mdbShowAction(o, dev, vid), nil
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", mdbUsageText)
	}
	return nil, script.Errorf(exitUsage, "Command \"%s\" is unknown, try \"bridge mdb help\".", cmd)
}

// mdbRequest is one parsed mdb_modify.
type mdbRequest struct {
	cmd, flags     int
	dev, port, grp string
	src            string
	hasSrc         bool
	state          uint8
	vid            int16
}

// parseMdbModify is mdb_modify's argument loop and required arguments.
func parseMdbModify(cmd, flags int, list []string) (script.Action, error) {
	r := mdbRequest{cmd: cmd, flags: flags}
	a := &args{list: list}
	for a.more() {
		word := a.next()
		var dst *string
		switch word {
		case "dev":
			dst = &r.dev
		case "grp":
			dst = &r.grp
		case "port":
			dst = &r.port
		case "src":
			dst, r.hasSrc = &r.src, true
		case "vid":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.vid = int16(atoi(v))
		case "permanent":
			if cmd == unix.RTM_NEWMDB {
				r.state |= mdbPermanent
			}
		case "temp":
		default:
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", mdbUsageText)
			}
		}
		if dst != nil {
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			*dst = v
		}
	}
	if r.dev == "" || r.grp == "" || r.port == "" {
		return nil, script.Errorf(exitUsage, "Device, group address and port name are required arguments.")
	}
	return script.ActionFunc(func(s *script.State) error { return mdbModify(s, r) }), nil
}

// mdbEntry is struct br_mdb_entry for the group grp, as mdb_parse_grp
// reads it: an IPv4 or IPv6 address, or a MAC address. When grp is none
// of these, it returns mdb_modify's error text, with what ll_addr_a2n
// printed first: ll_addr_a2n cuts the string at its first colon, so the
// message names only what comes before it.
func mdbEntry(ifindex int, state uint8, vid int16, grp string) ([]byte, string) {
	e := make([]byte, sizeofBrMdbEntry)
	binary.NativeEndian.PutUint32(e, uint32(ifindex))
	e[4] = state
	binary.NativeEndian.PutUint16(e[6:], uint16(vid))
	proto := uint16(0)
	if ip, ok := inetPton(grp); ok {
		copy(e[8:], ip.AsSlice())
		proto = ethPIP
		if ip.Is6() {
			proto = ethPIPv6
		}
	} else {
		mac, n, msg := llAddrA2n(grp, 6)
		if n != 6 {
			if first, _, cut := strings.Cut(grp, ":"); cut && !strings.Contains(grp, ".") {
				grp = first
			}
			return nil, msg + fmt.Sprintf("Invalid address %q", grp)
		}
		copy(e[8:], mac)
	}
	binary.BigEndian.PutUint16(e[24:], proto)
	return e, ""
}

// inetPton is inet_pton(AF_INET) then inet_pton(AF_INET6): strict dotted
// quads, or IPv6 text without a zone.
func inetPton(s string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(s)
	if err != nil || ip.Zone() != "" {
		return netip.Addr{}, false
	}
	return ip, true
}

// llAddrA2n is ll_addr_a2n for a buffer of size bytes: the bytes it
// read, its return value (-1 for an error), and what it printed.
func llAddrA2n(arg string, size int) ([]byte, int, string) {
	if strings.Contains(arg, ".") {
		ip, ok := parseIPv4Loose(arg)
		if !ok {
			return nil, -1, fmt.Sprintf("%q is invalid lladdr.\n", arg)
		}
		if size < 4 {
			return nil, -1, ""
		}
		return ip.AsSlice(), 4, ""
	}
	var out []byte
	i := 0
	for ; i < size; i++ {
		part, rest, more := strings.Cut(arg, ":")
		v, ok := scanHex(part)
		if !ok || v < 0 || v > 255 {
			return nil, -1, fmt.Sprintf("%q is invalid lladdr.\n", part)
		}
		out = append(out, byte(v))
		if !more {
			break
		}
		arg = rest
	}
	return out, i + 1, ""
}

// scanHex is sscanf("%x") into an int: blanks, a sign, an optional 0x,
// hex digits (at least one); the rest is ignored.
func scanHex(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") && strings.IndexByte("0123456789abcdefABCDEF", s[2]) >= 0 {
		s = s[2:]
	}
	var v int64
	n := 0
	for n < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[n]) >= 0 {
		if v < 1<<32 {
			d, _ := strconv.ParseInt(s[n:n+1], 16, 64)
			v = v*16 + d
		}
		n++
	}
	if n == 0 {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

// mdbModify sends the request mdb_modify builds.
func mdbModify(s *script.State, r mdbRequest) error {
	br, err := findLink(s, r.dev, exitUsage, "Cannot find device %q")
	if err != nil {
		return err
	}
	port, err := findLink(s, r.port, exitUsage, "Cannot find device %q")
	if err != nil {
		return err
	}
	entry, msg := mdbEntry(port.Attrs().Index, r.state, r.vid, r.grp)
	if entry == nil {
		return s.Fail(exitUsage, "%s", msg)
	}
	var src []byte
	if r.hasSrc {
		ip, ok := inetPton(r.src)
		if !ok {
			return s.Fail(exitUsage, "Invalid source address %q", r.src)
		}
		src = ip.AsSlice()
	}
	req, err := s.NS.Request(r.cmd, r.flags|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(brPortMsg(br.Attrs().Index))
	req.AddData(nl.NewRtAttr(mdbaSetEntry, entry))
	if src != nil {
		nest := nl.NewRtAttr(mdbaSetEntryAttrs|unix.NLA_F_NESTED, nil)
		nest.AddRtAttr(mdbeAttrSource, src)
		req.AddData(nest)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return bridgeKernelError(s, err)
	}
	return nil
}

// brPortMsg is struct br_port_msg, the header of RTM_*MDB messages: the
// AF_BRIDGE family and the bridge's index.
type brPortMsg int

// Len is the struct's size with its padding.
func (m brPortMsg) Len() int { return sizeofBrPortMsg }

// Serialize returns the struct's bytes.
func (m brPortMsg) Serialize() []byte {
	b := make([]byte, sizeofBrPortMsg)
	b[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(b[brPortMsgIndexOffs:], uint32(m))
	return b
}

// mdbShowAction dumps the multicast database, as mdb_show does without -s.
func mdbShowAction(o *bridgeOpts, dev string, filterVlan int) script.Action {
	return script.ActionFunc(func(s *script.State) error {
		h, err := s.NS.Netlink()
		if err != nil {
			return err
		}
		links, err := h.LinkList()
		if err != nil {
			return fmt.Errorf("bridge mdb: list links in %s: %w", nsName(s.NS), err)
		}
		names := make(map[int]string, len(links))
		filterIndex := 0
		for _, l := range links {
			names[l.Attrs().Index] = l.Attrs().Name
			if dev != "" && l.Attrs().Name == dev {
				filterIndex = l.Attrs().Index
			}
		}
		if dev != "" && filterIndex == 0 {
			return s.Fail(exitUsage, "Cannot find device %q", dev)
		}
		req, err := s.NS.Request(unix.RTM_GETMDB, unix.NLM_F_DUMP)
		if err != nil {
			return err
		}
		req.AddData(brPortMsg(0))
		msgs, err := dump(s.NS, req, unix.RTM_GETMDB)
		if err != nil {
			return kernelError(s, err)
		}
		m := mdbPrinter{details: o.details, filterIndex: filterIndex, filterVlan: filterVlan, names: names}
		_, err = fmt.Fprint(s.Stdout, m.format(msgs, o.json, o.pretty))
		return err
	})
}

// mdbPrinter is mdb_show's printing of the dump's messages (all of type
// RTM_GETMDB): the entries, then the router ports, which print only with
// -d.
type mdbPrinter struct {
	details                 bool
	filterIndex, filterVlan int
	names                   map[int]string
}

func (m mdbPrinter) name(index int) string {
	if n, ok := m.names[index]; ok {
		return n
	}
	return "if" + strconv.Itoa(index)
}

// format prints msgs twice over, as mdb_show's two dumps do.
func (m mdbPrinter) format(msgs [][]byte, json, pretty bool) string {
	var out strings.Builder
	var jw *jsonw.Writer
	if json {
		jw = jsonw.New(&out, pretty)
		jw.StartArray()
		jw.StartObject()
		jw.Name("mdb")
		jw.StartArray()
	}
	p := brPrinter{out: &out, jw: jw}
	for _, msg := range msgs {
		if index, tb, ok := m.parse(msg); ok && tb.has(mdbaMdb) {
			for _, group := range rtattr.List(tb.val[mdbaMdb]) {
				for _, info := range rtattr.List(group.Value) {
					m.entry(p, index, info.Value)
				}
			}
		}
	}
	if jw != nil {
		jw.EndArray()
		jw.Name("router")
		jw.StartObject()
	}
	for _, msg := range msgs {
		if index, tb, ok := m.parse(msg); ok && tb.has(mdbaRouter) && m.details {
			m.routerPorts(p, m.name(index), tb.val[mdbaRouter])
		}
	}
	if jw != nil {
		jw.EndObject()
		jw.EndObject()
		jw.EndArray()
		jw.Destroy()
	}
	return out.String()
}

// parse is __parse_mdb_nlmsg: the bridge's index and the attributes of a
// message the filter keeps.
func (m mdbPrinter) parse(msg []byte) (int, brAttrs, bool) {
	if len(msg) < sizeofBrPortMsg {
		return 0, brAttrs{}, false
	}
	index := int(binary.NativeEndian.Uint32(msg[brPortMsgIndexOffs:]))
	if m.filterIndex != 0 && m.filterIndex != index {
		return 0, brAttrs{}, false
	}
	return index, parseBrAttrs(msg[sizeofBrPortMsg:]), true
}

// entry is print_mdb_entry for one struct br_mdb_entry and the
// attributes that follow it.
func (m mdbPrinter) entry(p brPrinter, index int, b []byte) {
	if len(b) < sizeofBrMdbEntry {
		return
	}
	port := int(binary.NativeEndian.Uint32(b))
	state, flags := b[4], b[5]
	vid := binary.NativeEndian.Uint16(b[6:])
	proto := binary.BigEndian.Uint16(b[24:])
	if m.filterVlan != 0 && int(vid) != m.filterVlan {
		return
	}
	tb := parseBrAttrs(b[sizeofBrMdbEntry:])
	addr := func(raw []byte) string {
		switch proto {
		case 0:
			return net.HardwareAddr(raw[:6]).String()
		case ethPIP:
			return netip.AddrFrom4([4]byte(raw[:4])).String()
		}
		return netip.AddrFrom16([16]byte(raw[:16])).String()
	}
	if p.jw != nil {
		p.jw.StartObject()
		p.jw.Name("index")
		p.jw.Printf("%d", index)
	}
	p.str("dev", "dev %s", m.name(index))
	p.str("port", " port %s", m.name(port))
	p.str("grp", " grp %s", addr(b[8:24]))
	if v, ok := tb.val[mdbEattrSource]; ok && len(v) >= 4 {
		src := ""
		if proto == ethPIP {
			src = netip.AddrFrom4([4]byte(v[:4])).String()
		} else if len(v) >= 16 {
			src = netip.AddrFrom16([16]byte(v[:16])).String()
		}
		p.str("src", " src %s", src)
	}
	st := "temp"
	if state&mdbPermanent != 0 {
		st = "permanent"
	}
	p.str("state", " %s", st)
	if m.details {
		if tb.has(mdbEattrGroupMode) {
			mode := "exclude"
			if tb.u8(mdbEattrGroupMode) == mcastInclude {
				mode = "include"
			}
			p.str("filter_mode", " filter_mode %s", mode)
		}
		if v, ok := tb.val[mdbEattrSrcList]; ok {
			if p.jw != nil {
				p.jw.Name("source_list")
				p.jw.StartArray()
			} else {
				p.out.WriteString(" source_list")
			}
			sep := " "
			for _, src := range rtattr.List(v) {
				m.source(p, proto, src.Value, sep)
				sep = ","
			}
			if p.jw != nil {
				p.jw.EndArray()
			}
		}
		if tb.has(mdbEattrRtprot) {
			p.str("protocol", " proto %s ", name(protoNames, int(tb.u8(mdbEattrRtprot))))
		}
	}
	if p.jw != nil {
		p.jw.Name("flags")
		p.jw.StartArray()
	}
	for _, f := range []struct {
		bit  uint8
		name string
	}{{mdbFlagsOffload, "offload"}, {mdbFlagsFastLeave, "fast_leave"},
		{mdbFlagsStarExcl, "added_by_star_ex"}, {mdbFlagsBlocked, "blocked"}} {
		if flags&f.bit != 0 {
			p.elem(" %s", f.name)
		}
	}
	if p.jw != nil {
		p.jw.EndArray()
	}
	if vid != 0 {
		p.int("vid", " vid %d", int64(vid))
	}
	if p.jw != nil {
		p.jw.EndObject()
	} else {
		p.out.WriteByte('\n')
	}
}

// source is print_src_entry: one source of a group's list, address and
// timer.
func (m mdbPrinter) source(p brPrinter, proto uint16, b []byte, sep string) {
	tb := parseBrAttrs(b)
	raw, ok := tb.val[mdbSrcattrAddress]
	if !ok || !tb.has(mdbSrcattrTimer) {
		return
	}
	var addr string
	switch {
	case proto == ethPIP && len(raw) >= 4:
		addr = netip.AddrFrom4([4]byte(raw[:4])).String()
	case proto == ethPIPv6 && len(raw) >= 16:
		addr = netip.AddrFrom16([16]byte(raw[:16])).String()
	default:
		return // inet_ntop fails for AF_PACKET
	}
	if p.jw != nil {
		p.jw.StartObject()
	} else {
		p.out.WriteString(sep)
	}
	p.str("address", "%s", addr)
	p.str("timer", "/%s", formatJiffies(tb.u32(mdbSrcattrTimer)))
	if p.jw != nil {
		p.jw.EndObject()
	}
}

// formatJiffies is format_timer without alignment: centiseconds as
// seconds with two decimals.
func formatJiffies(ticks uint32) string {
	us := uint64(ticks) * 10000
	return fmt.Sprintf("%d.%02d", us/1000000, us%1000000/10000)
}

// routerPorts is br_print_router_ports without -s: "router ports on BR:
// P1 P2 ", or a JSON array named after the bridge.
func (m mdbPrinter) routerPorts(p brPrinter, bridge string, b []byte) {
	if p.jw != nil {
		p.jw.Name(bridge)
		p.jw.StartArray()
	} else {
		fmt.Fprintf(p.out, "router ports on %s: ", bridge)
	}
	for _, port := range rtattr.List(b) {
		if len(port.Value) < 4 {
			continue
		}
		pname := m.name(int(binary.NativeEndian.Uint32(port.Value)))
		if p.jw != nil {
			p.jw.StartObject()
			p.jw.Name("port")
			p.jw.Str(pname)
			p.jw.EndObject()
		} else {
			fmt.Fprintf(p.out, "%s ", pname)
		}
	}
	if p.jw != nil {
		p.jw.EndArray()
	} else {
		p.out.WriteByte('\n')
	}
}
