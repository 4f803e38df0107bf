package iproute

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// "ip neigh show": the neighbour tables (ARP, NDP) as iproute2 6.1's
// ip/ipneigh.c prints them. Only showing is implemented: the kernel fills
// the tables as traffic flows.

// Neighbour states (NUD_*) in the order print_neigh_state prints them.
var nudNames = []struct {
	state uint16
	name  string
}{
	{unix.NUD_INCOMPLETE, "INCOMPLETE"},
	{unix.NUD_REACHABLE, "REACHABLE"},
	{unix.NUD_STALE, "STALE"},
	{unix.NUD_DELAY, "DELAY"},
	{unix.NUD_PROBE, "PROBE"},
	{unix.NUD_FAILED, "FAILED"},
	{unix.NUD_NOARP, "NOARP"},
	{unix.NUD_PERMANENT, "PERMANENT"},
}

// nudNone stands for NUD_NONE in a filter, as iproute2's 0x100 does.
const nudNone = 0x100

// neighFilter is ip/ipneigh.c's filter for show.
type neighFilter struct {
	family     int
	dev        string
	state      int
	unusedOnly bool
	pfx        netip.Prefix // invalid: no prefix; Bits()==0: every address of its family
	master     string       // "" none; nomaster is masterNone
	protocol   int          // 0: any
	proxy      bool
}

const masterNone = "\x00nomaster"

// parseNeigh parses "ip neigh ...".
func parseNeigh(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return parseNeighShow(g, a)
	}
	switch cmd := a.next(); {
	case matches(cmd, "show") || matches(cmd, "lst") || matches(cmd, "list"):
		return parseNeighShow(g, a)
	case matches(cmd, "add"):
		return parseNeighModify(g, a, "add", unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"), cmd == "chg":
		return parseNeighModify(g, a, "change", unix.RTM_NEWNEIGH, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return parseNeighModify(g, a, "replace", unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return parseNeighModify(g, a, "delete", unix.RTM_DELNEIGH, 0)
	case matches(cmd, "get"):
		return parseNeighGet(g, a)
	case matches(cmd, "flush"):
		return parseNeighShowOrFlush(g, a, true)
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", neighUsageText)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip neigh help\".", cmd)
	}
}

// neighUsageText is ip/ipneigh.c's usage().
const neighUsageText = "Usage: ip neigh { add | del | change | replace }\n" +
	"                { ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }\n" +
	"                [ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]\n" +
	"                [ protocol PROTO ]\n" +
	"\n" +
	"\tip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]\n" +
	"\t\t\t\t  [ vrf NAME ] [ nomaster ]\n" +
	"\tip neigh get { ADDR | proxy ADDR } dev DEV\n" +
	"\n" +
	"STATE := { delay | failed | incomplete | noarp | none |\n" +
	"           permanent | probe | reachable | stale }"

// parseNeighShow parses the arguments of "ip neigh show", as
// do_show_or_flush does.
func parseNeighShow(g *globals, a *args) (script.Action, error) {
	return parseNeighShowOrFlush(g, a, false)
}

// parseNeighShowOrFlush is do_show_or_flush: flush deletes what show
// would print, by default every entry but the permanent and noarp ones.
func parseNeighShowOrFlush(g *globals, a *args, flush bool) (script.Action, error) {
	if flush {
		if err := g.refuse("ip neigh flush", optStats|optNumeric|optResolve|optColor); err != nil {
			return nil, err
		}
		if g.stats >= 2 {
			// -s -s prints each entry with its statistics (timers), which
			// netscript does not print.
			return nil, script.Unimplemented(exitUsage, "ip neigh flush: \"-s -s\" is not implemented by netscript")
		}
		if !a.more() {
			return nil, script.Errorf(exitErr, "Flush requires arguments.")
		}
	} else if err := g.refuse("ip neigh show", optBrief|optJSON|optDetails); err != nil {
		return nil, err
	}
	f := neighFilter{family: g.family, state: 0xff &^ unix.NUD_NOARP}
	if flush {
		f.state = ^(unix.NUD_PERMANENT | unix.NUD_NOARP)
	}
	stateGiven := false
	for a.more() {
		word := a.next()
		switch word {
		case "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if f.dev != "" {
				return nil, script.Errorf(exitUsage, "Error: duplicate \"dev\": %q is the second value.", v)
			}
			f.dev = v
		case "master", "vrf":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if word == "vrf" {
				// netscript makes no VRF devices, so no name is one.
				return nil, invalidArg("Not a valid VRF name", v)
			}
			f.master = v
		case "nomaster":
			f.master = masterNone
		case "unused":
			f.unusedOnly = true
		case "nud":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if !stateGiven {
				stateGiven = true
				f.state = 0
			}
			st, ok := nudByName(v)
			if !ok {
				if v != "all" {
					// invarg() with a message that has no newline of its own.
					return nil, script.Errorf(exitUsage, "Error: argument %q is wrong: nud state is bad", v)
				}
				st = ^0
				if flush {
					st &^= unix.NUD_NOARP
				}
			}
			if st == 0 {
				st = nudNone
			}
			f.state |= st
		case "proxy":
			f.proxy = true
		default:
			if matches(word, "protocol") {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				p, ok := byName(protoNames, v, 255)
				if !ok {
					if v != "all" {
						return nil, invalidArg("invalid \"protocol\"", v)
					}
					p = 0
				}
				f.protocol = p
				continue
			}
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", neighUsageText)
			}
			p, err := neighPrefix(word, f.family)
			if err != nil {
				return nil, err
			}
			f.pfx = p
			if f.family == 0 && p.IsValid() {
				f.family = familyOf(p.Addr())
			}
		}
	}
	if flush {
		return script.ActionFunc(func(s *script.State) error { return flushNeigh(s, g, &f) }), nil
	}
	return script.ActionFunc(func(s *script.State) error {
		return showNeigh(s, g, &f)
	}), nil
}

// neighPrefix is iproute2's get_prefix for "ip neigh show PREFIX", with
// its address syntax: IPv4 in get_addr_ipv4's loose form (10.2 is
// 10.2.0.0, 0x0a.1 and 012.1 are 10.1.0.0), IPv6 as inet_pton reads it, a
// prefix length or a dotted netmask after the slash. "default", "any" and
// "all" match every address (of family, when one is given).
func neighPrefix(v string, family int) (netip.Prefix, error) {
	bad := script.Errorf(exitErr, "Error: %s prefix is expected rather than %q.", familyName(family), v)
	addrPart, maskPart, slash := strings.Cut(v, "/")
	var addr netip.Addr
	switch {
	case addrPart == "default" || addrPart == "all" || addrPart == "any":
		if slash {
			return netip.Prefix{}, bad
		}
		switch family {
		case unix.AF_INET:
			return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
		case unix.AF_INET6:
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
		}
		return netip.Prefix{}, nil // no family: matches everything
	case strings.Contains(addrPart, ":"):
		a, err := netip.ParseAddr(addrPart)
		if err != nil || a.Zone() != "" || !a.Is6() || (family != 0 && family != unix.AF_INET6) {
			return netip.Prefix{}, bad
		}
		addr = a
	default:
		a, ok := parseIPv4Loose(addrPart)
		if !ok || (family != 0 && family != unix.AF_INET) {
			return netip.Prefix{}, bad
		}
		addr = a
	}
	bits := addr.BitLen()
	if slash {
		n, ok := parseNetmask(maskPart)
		if !ok || n > bits {
			return netip.Prefix{}, bad
		}
		bits = n
	}
	return netip.PrefixFrom(addr, bits), nil
}

// parseIPv4Loose is iproute2's get_addr_ipv4: up to four parts, each a C
// number (decimal, 0x hex, 0 octal) up to 255, missing parts zero.
func parseIPv4Loose(s string) (netip.Addr, bool) {
	var b [4]byte
	for i := 0; i < 4; i++ {
		n, rest, ok := cnum.Strtoul(s)
		if !ok || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
		if rest == "" {
			return netip.AddrFrom4(b), true
		}
		if i == 3 || rest[0] != '.' {
			return netip.Addr{}, false
		}
		s = rest[1:]
	}
	return netip.Addr{}, false
}

// parseNetmask is get_netmask: a C number, or a dotted netmask whose ones
// are contiguous.
func parseNetmask(s string) (int, bool) {
	if n, rest, ok := cnum.Strtoul(s); ok && rest == "" {
		return int(min(n, 1<<32-1)), n <= 1<<32-1
	}
	if strings.Contains(s, ":") {
		return 0, false
	}
	a, ok := parseIPv4Loose(s)
	if !ok {
		return 0, false
	}
	mask := binary.BigEndian.Uint32(a.AsSlice())
	if host := ^mask; host&(host+1) != 0 {
		return 0, false
	}
	bits := 0
	for ; mask != 0; mask <<= 1 {
		bits++
	}
	return bits, true
}

// nudByName is nud_state_a2n.
func nudByName(v string) (int, bool) {
	switch {
	case matches(v, "permanent"):
		return unix.NUD_PERMANENT, true
	case matches(v, "reachable"):
		return unix.NUD_REACHABLE, true
	case v == "noarp":
		return unix.NUD_NOARP, true
	case v == "none":
		return unix.NUD_NONE, true
	case v == "stale":
		return unix.NUD_STALE, true
	case v == "incomplete":
		return unix.NUD_INCOMPLETE, true
	case v == "delay":
		return unix.NUD_DELAY, true
	case v == "probe":
		return unix.NUD_PROBE, true
	case matches(v, "failed"):
		return unix.NUD_FAILED, true
	}
	n, ok := cnum.GetU32(v)
	if !ok || n >= 0x100 || n&(n-1) != 0 {
		return 0, false
	}
	return int(n), true
}

// neighEntry is one RTM_NEWNEIGH message.
type neighEntry struct {
	family   int
	ifindex  int
	state    int
	flags    int
	dst      []byte
	lladdr   []byte
	hasLL    bool
	refcnt   uint32
	hasCache bool
	protocol int
	extFlags uint32
}

// showNeigh dumps the neighbour tables of the command's namespace and
// prints the entries that pass f.
func showNeigh(s *script.State, g *globals, f *neighFilter) error {
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("ip neigh: list links in %s: %w", nsName(s.NS), err)
	}
	byIndex := make(map[int]netlink.Link, len(links))
	index := func(name string) int {
		for _, l := range links {
			if l.Attrs().Name == name {
				return l.Attrs().Index
			}
		}
		return 0
	}
	for _, l := range links {
		byIndex[l.Attrs().Index] = l
	}
	filterIndex, masterIndex := 0, 0
	switch f.master {
	case "":
	case masterNone:
		masterIndex = -1
	default:
		if masterIndex = index(f.master); masterIndex == 0 {
			return s.Fail(exitUsage, "Error: argument %q is wrong: Device does not exist\n", f.master)
		}
	}
	if f.dev != "" {
		if filterIndex = index(f.dev); filterIndex == 0 {
			return s.Fail(exitErr, "Cannot find device %q", f.dev)
		}
	}
	entries, err := dumpNeigh(s.NS, f.family, f.proxy)
	if err != nil {
		return kernelError(s, err)
	}

	var out strings.Builder
	var jw *jsonw.Writer
	if g.json {
		jw = jsonw.New(&out, g.pretty)
		jw.StartArray()
	}
	for _, e := range entries {
		if !f.pass(e, filterIndex, masterIndex, byIndex) {
			continue
		}
		printNeigh(&out, jw, g.brief, e, filterIndex, byIndex)
	}
	if jw != nil {
		jw.EndArray()
		jw.Destroy()
	}
	_, err = fmt.Fprint(s.Stdout, out.String())
	return err
}

// pass is print_neigh's filter, and the kernel's for dev and master.
func (f *neighFilter) pass(e *neighEntry, filterIndex, masterIndex int, byIndex map[int]netlink.Link) bool {
	if f.family != 0 && f.family != e.family {
		return false
	}
	if filterIndex != 0 && filterIndex != e.ifindex {
		return false
	}
	if masterIndex != 0 {
		master := 0
		if l, ok := byIndex[e.ifindex]; ok {
			master = l.Attrs().MasterIndex
		}
		if (masterIndex == -1 && master != 0) || (masterIndex > 0 && master != masterIndex) {
			return false
		}
	}
	if f.state&e.state == 0 && e.flags&unix.NTF_PROXY == 0 && e.flags&unix.NTF_EXT_LEARNED == 0 &&
		(e.state != 0 || f.state&nudNone == 0) {
		return false
	}
	if f.pfx.IsValid() && f.pfx.Bits() > 0 && e.dst != nil {
		a, ok := netip.AddrFromSlice(e.dst)
		if !ok || a.BitLen() != f.pfx.Addr().BitLen() || !f.pfx.Contains(a) {
			return false
		}
	}
	if f.protocol != 0 && f.protocol != e.protocol {
		return false
	}
	if f.unusedOnly && e.hasCache && e.refcnt != 0 {
		return false
	}
	return true
}

// dumpNeigh asks the kernel for every neighbour entry of family (0: all),
// or for the proxy entries, of ns.
func dumpNeigh(ns *world.NS, family int, proxy bool) ([]*neighEntry, error) {
	req, err := ns.Request(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	if err != nil {
		return nil, err
	}
	msg := &netlink.Ndmsg{Family: uint8(family)}
	if proxy {
		msg.Flags = unix.NTF_PROXY
	}
	req.AddData(msg)
	msgs, err := dump(ns, req, unix.RTM_NEWNEIGH)
	if err != nil {
		return nil, err
	}
	var entries []*neighEntry
	for _, m := range msgs {
		e, err := parseNeighMsg(m)
		if err != nil {
			return nil, err
		}
		if e != nil {
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// parseNeighMsg reads one RTM_NEWNEIGH message; nil for a short one.
func parseNeighMsg(m []byte) (*neighEntry, error) {
	if len(m) < unix.SizeofNdMsg {
		return nil, nil
	}
	e := &neighEntry{
		family:  int(m[0]),
		ifindex: int(int32(binary.NativeEndian.Uint32(m[4:8]))),
		state:   int(binary.NativeEndian.Uint16(m[8:10])),
		flags:   int(m[10]),
	}
	tb := rtattr.ParseMasked(m[unix.SizeofNdMsg:], 0)
	e.dst = tb[unix.NDA_DST]
	e.lladdr, e.hasLL = tb[unix.NDA_LLADDR]
	if v := tb[unix.NDA_CACHEINFO]; len(v) >= 16 {
		e.refcnt, e.hasCache = binary.NativeEndian.Uint32(v[12:16]), true
	}
	e.protocol = int(tb.U8(ndaProtocol))
	e.extFlags = tb.U32(ndaFlagsExt)
	return e, nil
}

// printNeigh is print_neigh (and print_neigh_brief with brief).
func printNeigh(out *strings.Builder, jw *jsonw.Writer, brief bool, e *neighEntry, filterIndex int, byIndex map[int]netlink.Link) {
	devName := func() string {
		if l, ok := byIndex[e.ifindex]; ok {
			return l.Attrs().Name
		}
		return "if" + strconv.Itoa(e.ifindex)
	}
	lladdr := func() string { return llAddrText(e.lladdr) }
	if jw != nil {
		jw.StartObject()
		if e.dst != nil {
			jw.Name("dst")
			jw.Str(neighDst(e))
		}
		if filterIndex == 0 && e.ifindex != 0 {
			jw.Name("dev")
			jw.Str(devName())
		}
		if e.hasLL {
			jw.Name("lladdr")
			jw.Str(lladdr())
		}
		if !brief {
			for _, fl := range neighFlags(e) {
				jw.Name(fl)
				jw.Printf("null")
			}
			if e.state != 0 {
				jw.Name("state")
				jw.StartArray()
				for _, st := range nudNames {
					if e.state&int(st.state) != 0 {
						jw.Str(st.name)
					}
				}
				jw.EndArray()
			}
			if e.protocol != 0 {
				jw.Name("protocol")
				jw.Str(name(protoNames, e.protocol))
			}
		}
		jw.EndObject()
		return
	}
	if brief {
		if e.dst != nil {
			fmt.Fprintf(out, "%-39s ", neighDst(e))
		}
		if filterIndex == 0 && e.ifindex != 0 {
			fmt.Fprintf(out, "%-16s ", devName())
		}
		if e.hasLL {
			out.WriteString(lladdr())
		}
		out.WriteByte('\n')
		return
	}
	if e.dst != nil {
		fmt.Fprintf(out, "%s ", neighDst(e))
	}
	if filterIndex == 0 && e.ifindex != 0 {
		fmt.Fprintf(out, "dev %s ", devName())
	}
	if e.hasLL {
		fmt.Fprintf(out, "lladdr %s ", lladdr())
	}
	for _, fl := range neighFlags(e) {
		out.WriteString(fl + " ")
	}
	for _, st := range nudNames {
		if e.state&int(st.state) != 0 {
			out.WriteString(st.name + " ")
		}
	}
	if e.protocol != 0 {
		fmt.Fprintf(out, "proto %s ", name(protoNames, e.protocol))
	}
	out.WriteByte('\n')
}

// neighFlags returns the names of the entry's flags, in print_neigh's order.
func neighFlags(e *neighEntry) []string {
	var names []string
	if e.flags&unix.NTF_ROUTER != 0 {
		names = append(names, "router")
	}
	if e.flags&unix.NTF_PROXY != 0 {
		names = append(names, "proxy")
	}
	if e.extFlags&ntfExtManaged != 0 {
		names = append(names, "managed")
	}
	if e.flags&unix.NTF_EXT_LEARNED != 0 {
		names = append(names, "extern_learn")
	}
	if e.flags&unix.NTF_OFFLOADED != 0 {
		names = append(names, "offload")
	}
	return names
}

// Neighbour attributes and flags golang.org/x/sys does not name
// (linux/neighbour.h).
const (
	ndaProtocol   = 12     // NDA_PROTOCOL
	ndaFlagsExt   = 15     // NDA_FLAGS_EXT
	ntfExtManaged = 1 << 0 // NTF_EXT_MANAGED, in NDA_FLAGS_EXT
)

// neighDst formats the entry's address: format_host_rta without name
// resolution, which is the default.
func neighDst(e *neighEntry) string {
	if a, ok := netip.AddrFromSlice(e.dst); ok {
		return a.String()
	}
	return "???"
}

// llAddrText is ll_addr_n2a for the link types netscript makes (tunnels,
// whose addresses print as IP addresses, are not among them).
func llAddrText(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(parts, ":")
}
