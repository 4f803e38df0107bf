package iproute

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// "bridge fdb": bridge/fdb.c's add, append, replace, del, show and flush.

// fdbUsageText is bridge/fdb.c's usage().
const fdbUsageText = "Usage: bridge fdb { add | append | del | replace } ADDR dev DEV\n" +
	"              [ self ] [ master ] [ use ] [ router ] [ extern_learn ]\n" +
	"              [ sticky ] [ local | static | dynamic ] [ vlan VID ]\n" +
	"              { [ dst IPADDR ] [ port PORT] [ vni VNI ] | [ nhid NHID ] }\n" +
	"\t       [ via DEV ] [ src_vni VNI ]\n" +
	"       bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ]\n" +
	"              [ state STATE ] [ dynamic ] ]\n" +
	"       bridge fdb get [ to ] LLADDR [ br BRDEV ] { brport | dev } DEV\n" +
	"              [ vlan VID ] [ vni VNI ] [ self ] [ master ] [ dynamic ]\n" +
	"       bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ]\n" +
	"              [ self ] [ master ] [ [no]permanent | [no]static | [no]dynamic ]\n" +
	"              [ [no]added_by_user ] [ [no]extern_learn ] [ [no]sticky ]\n" +
	"              [ [no]offloaded ]"

// Flags of struct ndmsg (linux/neighbour.h) x/sys/unix does not name.
const (
	ntfSticky = 0x40
	ndaNhID   = 13 // NDA_NH_ID
)

// parseFdb parses "bridge fdb ...", as do_fdb does.
func parseFdb(o *bridgeOpts, args []string) (script.Action, error) {
	if len(args) == 0 {
		return fdbShowAction(o, fdbFilter{}), nil
	}
	cmd, rest := args[0], args[1:]
	switch {
	case matches(cmd, "add"):
		return parseFdbModify(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_EXCL, rest)
	case matches(cmd, "append"):
		return parseFdbModify(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_APPEND, rest)
	case matches(cmd, "replace"):
		return parseFdbModify(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE, rest)
	case matches(cmd, "delete"):
		return parseFdbModify(unix.RTM_DELNEIGH, 0, rest)
	case matches(cmd, "get"):
		return parseFdbGet(o, rest)
	case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
		f, err := parseFdbShow(rest)
		if err != nil {
			return nil, err
		}
		return fdbShowAction(o, f), nil
	case cmd == "flush":
		return parseFdbFlush(rest)
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", fdbUsageText)
	}
	return nil, script.Errorf(exitUsage, "Command \"%s\" is unknown, try \"bridge fdb help\".", cmd)
}

// fdbRequest is one parsed fdb_modify.
type fdbRequest struct {
	cmd, flags     int
	dev            string
	mac            net.HardwareAddr
	ndmFlags       uint8
	state          uint16
	dst            []byte
	vid            int // -1: none
	port           uint64
	vni, srcVni    int64 // -1: none
	via            string
	nhid           uint32
	hasDst, hasVia bool
}

// parseFdbModify is fdb_modify's argument loop and checks.
func parseFdbModify(cmd, flags int, list []string) (script.Action, error) {
	r := fdbRequest{cmd: cmd, flags: flags, state: unix.NUD_NOARP, vid: -1, vni: -1, srcVni: -1}
	a := &args{list: list}
	addr := ""
	for a.more() {
		word := a.next()
		switch {
		case word == "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.dev = v
		case word == "dst":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if r.hasDst {
				return nil, duplicateArg("dst", v)
			}
			ip, err := parseAddr(v, 0)
			if err != nil {
				return nil, err
			}
			r.dst, r.hasDst = ip.AsSlice(), true
		case word == "nhid":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			n, ok := cnum.GetU32(v)
			if !ok {
				return nil, invalidArg(`"id" value is invalid`, v)
			}
			r.nhid = n
		case word == "port":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			n, rest, _ := cnum.Strtoul(v)
			if rest != "" {
				p, err := net.LookupPort("udp", v)
				if err != nil {
					return nil, invalidArg("invalid port", v)
				}
				n = uint64(p)
			} else if n > 0xffff {
				return nil, invalidArg("invalid port", v)
			}
			r.port = n
		case word == "vni", word == "src_vni":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			n, rest, _ := cnum.Strtoul(v)
			if rest != "" || n>>24 != 0 {
				msg := "invalid VNI"
				if word == "src_vni" {
					msg = "invalid src VNI"
				}
				return nil, invalidArg(msg, v)
			}
			if word == "vni" {
				r.vni = int64(n)
			} else {
				r.srcVni = int64(n)
			}
		case word == "via":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.via, r.hasVia = v, true
		case word == "self":
			r.ndmFlags |= unix.NTF_SELF
		case matches(word, "master"):
			r.ndmFlags |= unix.NTF_MASTER
		case matches(word, "router"):
			r.ndmFlags |= unix.NTF_ROUTER
		case matches(word, "local"), matches(word, "permanent"):
			r.state |= unix.NUD_PERMANENT
		case matches(word, "temp"), matches(word, "static"):
			r.state |= unix.NUD_REACHABLE
		case matches(word, "dynamic"):
			r.state |= unix.NUD_REACHABLE
			r.state &^= unix.NUD_NOARP
		case matches(word, "vlan"):
			if r.vid >= 0 {
				return nil, duplicateArg("vlan", word)
			}
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.vid = int(int16(atoi(v)))
		case matches(word, "use"):
			r.ndmFlags |= unix.NTF_USE
		case matches(word, "extern_learn"):
			r.ndmFlags |= unix.NTF_EXT_LEARNED
		case matches(word, "sticky"):
			r.ndmFlags |= ntfSticky
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", fdbUsageText)
			}
			if addr != "" {
				return nil, duplicateArg("to", word)
			}
			addr = word
		}
	}
	if r.dev == "" || addr == "" {
		return nil, script.Errorf(exitUsage, "Device and address are required arguments.")
	}
	if r.nhid != 0 && (r.hasDst || r.port != 0 || r.vni >= 0) {
		return nil, script.Errorf(exitUsage, "dst, port, vni are mutually exclusive with nhid")
	}
	if r.ndmFlags&(unix.NTF_SELF|unix.NTF_MASTER) == 0 {
		r.ndmFlags |= unix.NTF_SELF
	}
	if r.state&(unix.NUD_PERMANENT|unix.NUD_REACHABLE) == 0 {
		r.state |= unix.NUD_PERMANENT
	}
	mac, ok := scanMAC(addr)
	if !ok {
		return nil, script.Errorf(exitUsage, "Invalid mac address %s", addr)
	}
	r.mac = mac
	return script.ActionFunc(func(s *script.State) error { return fdbModify(s, r) }), nil
}

// atoi is C's atoi: leading blanks, a sign, digits; 0 for none.
func atoi(s string) int {
	n, _, _ := cnum.Strtol(strings.TrimLeft(s, " \t\n"))
	return int(int32(n))
}

// scanMAC is sscanf("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx") == 6: six hex
// numbers (each taken modulo 256), the rest ignored.
func scanMAC(s string) (net.HardwareAddr, bool) {
	mac := make(net.HardwareAddr, 6)
	for i := range 6 {
		if i > 0 {
			if !strings.HasPrefix(s, ":") {
				return nil, false
			}
			s = s[1:]
		}
		s = strings.TrimLeft(s, " \t\n")
		j := 0
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			j = 2
		}
		k := j
		for k < len(s) && strings.IndexByte("0123456789abcdefABCDEF", s[k]) >= 0 {
			k++
		}
		if k == j {
			return nil, false
		}
		v, err := strconv.ParseUint(s[j:k], 16, 64)
		if err != nil {
			v = 1<<64 - 1
		}
		mac[i] = byte(v)
		s = s[k:]
	}
	return mac, true
}

// fdbModify sends the request fdb_modify builds.
func fdbModify(s *script.State, r fdbRequest) error {
	msg := &netlink.Ndmsg{Family: unix.AF_BRIDGE, State: r.state, Flags: r.ndmFlags}
	req, err := s.NS.Request(r.cmd, r.flags|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	var attrs []*nl.RtAttr
	attrs = append(attrs, nl.NewRtAttr(unix.NDA_LLADDR, r.mac))
	if r.hasDst {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_DST, r.dst))
	}
	if r.vid >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_VLAN, nl.Uint16Attr(uint16(r.vid))))
	}
	if r.nhid > 0 {
		attrs = append(attrs, nl.NewRtAttr(ndaNhID, nl.Uint32Attr(r.nhid)))
	}
	if r.port != 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_PORT, []byte{byte(r.port >> 8), byte(r.port)}))
	}
	if r.vni >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_VNI, nl.Uint32Attr(uint32(r.vni))))
	}
	if r.srcVni >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_SRC_VNI, nl.Uint32Attr(uint32(r.srcVni))))
	}
	if r.hasVia {
		l, err := findLink(s, r.via, exitUsage, "Cannot find device %q")
		if err != nil {
			return err
		}
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_IFINDEX, nl.Uint32Attr(uint32(l.Attrs().Index))))
	}
	l, err := findLink(s, r.dev, exitUsage, "Cannot find device %q")
	if err != nil {
		return err
	}
	msg.Index = uint32(l.Attrs().Index)
	req.AddData(msg)
	for _, attr := range attrs {
		req.AddData(attr)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return bridgeKernelError(s, err)
	}
	return nil
}

// bridgeKernelError is a refused request as bridge reports it: rtnl_talk's
// message, and status 255.
func bridgeKernelError(s *script.State, err error) error {
	if e, ok := kernelError(s, err).(*script.ExitError); ok {
		e.Code = exitUsage
		return e
	}
	return err
}

// fdbFilter is fdb_show's selection.
type fdbFilter struct {
	dev, br string
	vlan    int
	state   uint16
	dynamic bool
}

// fdbStates are state_a2n's names.
var fdbStates = map[string]uint16{"permanent": unix.NUD_PERMANENT, "static": unix.NUD_NOARP,
	"stale": unix.NUD_STALE, "reachable": unix.NUD_REACHABLE, "dynamic": unix.NUD_REACHABLE}

// parseFdbShow is fdb_show's argument loop: unknown words are ignored.
func parseFdbShow(list []string) (fdbFilter, error) {
	var f fdbFilter
	a := &args{list: list}
	for a.more() {
		word := a.next()
		switch word {
		case "brport", "dev", "br", "vlan", "state":
			v, err := a.value(word)
			if err != nil {
				return f, err
			}
			switch word {
			case "br":
				f.br = v
			case "vlan":
				if f.vlan != 0 {
					return f, duplicateValue("vlan", v)
				}
				f.vlan = atoi(v)
			case "state":
				st, ok := fdbStates[v]
				if !ok {
					n, rest, digits := cnum.Strtoul(v)
					if !digits || rest != "" || n > 0xffff {
						return f, invalidName("invalid state", v)
					}
					st = uint16(n)
				}
				f.state |= st
			default:
				f.dev = v
			}
		case "dynamic":
			f.dynamic = true
		default:
			if matches(word, "help") {
				return f, script.Errorf(exitUsage, "%s", fdbUsageText)
			}
		}
	}
	return f, nil
}

func fdbShowAction(o *bridgeOpts, f fdbFilter) script.Action {
	return script.ActionFunc(func(s *script.State) error { return fdbShow(s, o, f) })
}

// fdbShow dumps the forwarding database (RTM_GETNEIGH, AF_BRIDGE) and
// prints it as print_fdb does.
func fdbShow(s *script.State, o *bridgeOpts, f fdbFilter) error {
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("bridge fdb: list links in %s: %w", nsName(s.NS), err)
	}
	byIndex := make(map[int]netlink.Link, len(links))
	byName := make(map[string]int, len(links))
	for _, l := range links {
		byIndex[l.Attrs().Index] = l
		byName[l.Attrs().Name] = l.Attrs().Index
	}
	brIndex, devIndex := 0, 0
	if f.br != "" {
		if brIndex = byName[f.br]; brIndex == 0 {
			return s.Fail(exitUsage, "Cannot find bridge device %q", f.br)
		}
	}
	if f.dev != "" {
		if devIndex = byName[f.dev]; devIndex == 0 {
			return s.Fail(exitUsage, "Cannot find device %q", f.dev)
		}
	}
	req, err := s.NS.Request(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	if err != nil {
		return err
	}
	req.AddData(&netlink.Ndmsg{Family: unix.AF_BRIDGE})
	msgs, err := dump(s.NS, req, unix.RTM_NEWNEIGH)
	if err != nil {
		return bridgeKernelError(s, err)
	}
	name := func(index int) string {
		if l := byIndex[index]; l != nil {
			return l.Attrs().Name
		}
		return fmt.Sprintf("if%d", index)
	}
	var out strings.Builder
	var jw *jsonw.Writer
	if o.json {
		jw = jsonw.New(&out, o.pretty)
		jw.StartArray()
	}
	for _, m := range msgs {
		if len(m) < unix.SizeofNdMsg || m[0] != unix.AF_BRIDGE {
			continue
		}
		index := int(int32(binary.NativeEndian.Uint32(m[4:8])))
		state := binary.NativeEndian.Uint16(m[8:10])
		flags := m[10]
		// The kernel's strict-check filters, done here: a bridge selects
		// its own entries and its ports'.
		if brIndex != 0 && index != brIndex {
			if l := byIndex[index]; l == nil || l.Attrs().MasterIndex != brIndex {
				continue
			}
		}
		if devIndex != 0 && devIndex != index {
			continue
		}
		if f.state != 0 && state&f.state == 0 {
			continue
		}
		tb := parseBrAttrs(m[unix.SizeofNdMsg:])
		vid := 0
		if tb.has(unix.NDA_VLAN) {
			vid = int(tb.u16(unix.NDA_VLAN))
		}
		if f.vlan != 0 && f.vlan != vid {
			continue
		}
		if f.dynamic && state&unix.NUD_PERMANENT != 0 {
			continue
		}
		printFdb(&out, jw, fdbEntry{index, state, flags, vid, tb}, devIndex, name)
	}
	if jw != nil {
		jw.EndArray()
		jw.Destroy()
	}
	_, err = fmt.Fprint(s.Stdout, out.String())
	return err
}

// fdbEntry is one RTM_NEWNEIGH of the bridge family.
type fdbEntry struct {
	index int
	state uint16
	flags uint8
	vid   int
	tb    brAttrs
}

// fdbFlagNames are fdb_print_flags' names, in its order.
var fdbFlagNames = []struct {
	flag uint8
	name string
}{
	{unix.NTF_SELF, "self"}, {unix.NTF_ROUTER, "router"}, {unix.NTF_EXT_LEARNED, "extern_learn"},
	{unix.NTF_OFFLOADED, "offload"}, {unix.NTF_MASTER, "master"}, {ntfSticky, "sticky"},
}

// fdbStateName is state_n2a.
func fdbStateName(st uint16, json bool) string {
	switch {
	case st&unix.NUD_PERMANENT != 0:
		return "permanent"
	case st&unix.NUD_NOARP != 0:
		return "static"
	case st&unix.NUD_STALE != 0:
		return "stale"
	case st&unix.NUD_REACHABLE != 0:
		return ""
	case json:
		return cHex(uint64(st))
	}
	return "state=" + cHex(uint64(st))
}

// cHex is C's "%#x": "0" for zero.
func cHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

// printFdb is print_fdb for one entry.
func printFdb(out *strings.Builder, jw *jsonw.Writer, e fdbEntry, filterIndex int, name func(int) string) {
	tb := e.tb
	str := func(key, format, v string) {
		if jw != nil {
			jw.Name(key)
			jw.Str(v)
			return
		}
		fmt.Fprintf(out, format, v)
	}
	num := func(key, format string, v uint64) {
		if jw != nil {
			jw.Name(key)
			jw.Printf("%d", v)
			return
		}
		fmt.Fprintf(out, format, v)
	}
	if jw != nil {
		jw.StartObject()
	}
	if v, ok := tb.val[unix.NDA_LLADDR]; ok {
		str("mac", "%s ", llAddrText(v))
	}
	if filterIndex == 0 && e.index != 0 {
		if jw == nil {
			out.WriteString("dev ")
		}
		str("ifname", "%s ", name(e.index))
	}
	if v, ok := tb.val[unix.NDA_DST]; ok {
		if jw == nil {
			out.WriteString("dst ")
		}
		str("dst", "%s ", net.IP(v).String())
	}
	if e.vid != 0 {
		num("vlan", "vlan %d ", uint64(e.vid))
	}
	if v := tb.val[unix.NDA_PORT]; len(v) >= 2 {
		num("port", "port %d ", uint64(v[0])<<8|uint64(v[1]))
	}
	if tb.has(unix.NDA_VNI) {
		num("vni", "vni %d ", uint64(tb.u32(unix.NDA_VNI)))
	}
	if tb.has(unix.NDA_SRC_VNI) {
		num("src_vni", "src_vni %d ", uint64(tb.u32(unix.NDA_SRC_VNI)))
	}
	if tb.has(unix.NDA_IFINDEX) {
		ifindex := int(tb.u32(unix.NDA_IFINDEX))
		if tb.has(unix.NDA_LINK_NETNSID) {
			num("viaIfIndex", "via ifindex %d ", uint64(ifindex))
		} else {
			str("viaIf", "via %s ", name(ifindex))
		}
	}
	if tb.has(ndaNhID) {
		num("nhid", "nhid %d ", uint64(tb.u32(ndaNhID)))
	}
	if tb.has(unix.NDA_LINK_NETNSID) {
		num("linkNetNsId", "link-netnsid %d ", uint64(tb.u32(unix.NDA_LINK_NETNSID)))
	}
	if jw != nil {
		jw.Name("flags")
		jw.StartArray()
	}
	for _, f := range fdbFlagNames {
		if e.flags&f.flag == 0 {
			continue
		}
		if jw != nil {
			jw.Str(f.name)
		} else {
			out.WriteString(f.name + " ")
		}
	}
	if jw != nil {
		jw.EndArray()
	}
	if tb.has(unix.NDA_MASTER) {
		str("master", "master %s ", name(int(tb.u32(unix.NDA_MASTER))))
	}
	str("state", "%s\n", fdbStateName(e.state, jw != nil))
	if jw != nil {
		jw.EndObject()
	}
}

// Attributes and flags of fdb_flush (linux/neighbour.h, linux/netlink.h)
// that golang.org/x/sys does not name.
const (
	ndaNdmStateMask = 16    // NDA_NDM_STATE_MASK
	ndaNdmFlagsMask = 17    // NDA_NDM_FLAGS_MASK
	nlmFBulk        = 0x200 // NLM_F_BULK
)

// fdbFlushRequest is one parsed fdb_flush.
type fdbFlushRequest struct {
	dev, port        string
	vid              int16 // -1: none
	flags, flagsMask uint16
	state, stateMask uint16
}

// parseFdbFlush is fdb_flush's argument loop.
func parseFdbFlush(list []string) (script.Action, error) {
	r := fdbFlushRequest{vid: -1}
	a := &args{list: list}
	for a.more() {
		word := a.next()
		switch word {
		case "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.dev = v
		case "master":
			r.flags |= unix.NTF_MASTER
		case "self":
			r.flags |= unix.NTF_SELF
		case "permanent":
			r.state |= unix.NUD_PERMANENT
			r.stateMask |= unix.NUD_PERMANENT
		case "nopermanent":
			r.state &^= unix.NUD_PERMANENT
			r.stateMask |= unix.NUD_PERMANENT
		case "static":
			r.state |= unix.NUD_NOARP
			r.stateMask |= unix.NUD_NOARP | unix.NUD_PERMANENT
		case "nostatic":
			r.state &^= unix.NUD_NOARP
			r.stateMask |= unix.NUD_NOARP
		case "dynamic":
			r.state &= ^uint16(unix.NUD_NOARP) | unix.NUD_PERMANENT // as C writes it
			r.stateMask |= unix.NUD_NOARP | unix.NUD_PERMANENT
		case "nodynamic":
			r.state |= unix.NUD_NOARP
			r.stateMask |= unix.NUD_NOARP
		case "brport":
			if r.port != "" {
				return nil, duplicateArg("brport", word)
			}
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.port = v
		case "vlan":
			if r.vid >= 0 {
				return nil, duplicateArg("vlan", word)
			}
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.vid = int16(atoi(v))
		case "help":
			if _, err := a.value(word); err != nil {
				return nil, err
			}
		default:
			for _, f := range []struct {
				name string
				flag uint16
			}{{"added_by_user", unix.NTF_USE}, {"extern_learn", unix.NTF_EXT_LEARNED},
				{"sticky", ntfSticky}, {"offloaded", unix.NTF_OFFLOADED}} {
				switch word {
				case f.name:
					r.flags |= f.flag
					r.flagsMask |= f.flag
				case "no" + f.name:
					r.flags &^= f.flag
					r.flagsMask |= f.flag
				}
			}
		}
	}
	if r.dev == "" {
		return nil, script.Errorf(exitUsage, "Device is a required argument.")
	}
	return script.ActionFunc(func(s *script.State) error { return fdbFlush(s, r) }), nil
}

// fdbFlush sends the bulk RTM_DELNEIGH fdb_flush builds.
func fdbFlush(s *script.State, r fdbFlushRequest) error {
	l, err := findLink(s, r.dev, exitUsage, "Cannot find bridge device %q")
	if err != nil {
		return err
	}
	portIndex := -1
	if r.port != "" {
		p, err := findLink(s, r.port, exitUsage, "Cannot find bridge port device %q")
		if err != nil {
			return err
		}
		portIndex = p.Attrs().Index
	}
	if r.vid >= 4096 {
		return s.Fail(exitUsage, "Invalid VLAN ID \"%d\"", uint16(r.vid))
	}
	flags := r.flags
	if flags&(unix.NTF_SELF|unix.NTF_MASTER) == 0 {
		flags |= unix.NTF_SELF
	}
	req, err := s.NS.Request(unix.RTM_DELNEIGH, nlmFBulk|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(&netlink.Ndmsg{Family: unix.AF_BRIDGE, Index: uint32(l.Attrs().Index),
		State: r.state, Flags: uint8(flags)})
	if portIndex > -1 {
		req.AddData(nl.NewRtAttr(unix.NDA_IFINDEX, nl.Uint32Attr(uint32(portIndex))))
	}
	if r.vid > -1 {
		req.AddData(nl.NewRtAttr(unix.NDA_VLAN, nl.Uint16Attr(uint16(r.vid))))
	}
	if r.flagsMask != 0 {
		req.AddData(nl.NewRtAttr(ndaNdmFlagsMask, []byte{uint8(r.flagsMask)}))
	}
	if r.stateMask != 0 {
		req.AddData(nl.NewRtAttr(ndaNdmStateMask, nl.Uint16Attr(r.stateMask)))
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return bridgeKernelError(s, err)
	}
	return nil
}

// fdbGetRequest is one parsed fdb_get.
type fdbGetRequest struct {
	dev, br string
	mac     net.HardwareAddr
	flags   uint8
	vlan    int16 // -1: none
	vni     int64 // -1: none
	dynamic bool
}

// parseFdbGet is fdb_get's argument loop and checks.
func parseFdbGet(o *bridgeOpts, list []string) (script.Action, error) {
	r := fdbGetRequest{vlan: -1, vni: -1}
	a := &args{list: list}
	addr := ""
	for a.more() {
		word := a.next()
		switch {
		case word == "brport", word == "dev", word == "br":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			if word == "br" {
				r.br = v
			} else {
				r.dev = v
			}
		case word == "vni":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			n, rest, ok := cnum.Strtoul(v)
			if rest != "" || !ok || n>>24 != 0 {
				return nil, invalidArg("invalid VNI", v)
			}
			r.vni = int64(n)
		case word == "self":
			r.flags |= unix.NTF_SELF
		case matches(word, "master"):
			r.flags |= unix.NTF_MASTER
		case matches(word, "vlan"):
			if r.vlan >= 0 {
				return nil, duplicateArg("vlan", word)
			}
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.vlan = int16(atoi(v))
		case matches(word, "dynamic"):
			r.dynamic = true
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", fdbUsageText)
			}
			if addr != "" {
				return nil, duplicateArg("to", word)
			}
			addr = word
		}
	}
	if (r.dev == "" && r.br == "") || addr == "" {
		return nil, script.Errorf(exitUsage, "Device or master and address are required arguments.")
	}
	mac, ok := scanMAC(addr)
	if !ok {
		return nil, script.Errorf(exitUsage, "Invalid mac address %s", addr)
	}
	r.mac = mac
	return script.ActionFunc(func(s *script.State) error { return fdbGet(s, r, o) }), nil
}

// fdbGet asks the kernel for one entry and prints it as fdb_get does;
// a refusal exits with rtnl_talk's message and fdb_get's -2 (254).
func fdbGet(s *script.State, r fdbGetRequest, o *bridgeOpts) error {
	msg := &netlink.Ndmsg{Family: unix.AF_BRIDGE, Flags: r.flags}
	attrs := []*nl.RtAttr{nl.NewRtAttr(unix.NDA_LLADDR, r.mac)}
	if r.vlan >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_VLAN, nl.Uint16Attr(uint16(r.vlan))))
	}
	if r.vni >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_VNI, nl.Uint32Attr(uint32(r.vni))))
	}
	if r.dev != "" {
		l, err := findLink(s, r.dev, exitUsage, "Cannot find device %q")
		if err != nil {
			return err
		}
		msg.Index = uint32(l.Attrs().Index)
	}
	if r.br != "" {
		l, err := findLink(s, r.br, exitUsage, "Cannot find bridge device %q")
		if err != nil {
			return err
		}
		attrs = append(attrs, nl.NewRtAttr(unix.NDA_MASTER, nl.Uint32Attr(uint32(l.Attrs().Index))))
	}
	req, err := s.NS.Request(unix.RTM_GETNEIGH, 0)
	if err != nil {
		return err
	}
	req.AddData(msg)
	for _, attr := range attrs {
		req.AddData(attr)
	}
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWNEIGH)
	if err != nil {
		if e, ok := kernelError(s, err).(*script.ExitError); ok {
			e.Code = 254
			return e
		}
		return err
	}
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("bridge fdb get: list links in %s: %w", nsName(s.NS), err)
	}
	names := make(map[int]string, len(links))
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	name := func(index int) string {
		if n, ok := names[index]; ok {
			return n
		}
		return fmt.Sprintf("if%d", index)
	}
	var out strings.Builder
	var jw *jsonw.Writer
	if o.json {
		jw = jsonw.New(&out, o.pretty)
		jw.StartArray()
	}
	for _, m := range msgs {
		if len(m) < unix.SizeofNdMsg || m[0] != unix.AF_BRIDGE {
			continue
		}
		index := int(int32(binary.NativeEndian.Uint32(m[4:8])))
		state := binary.NativeEndian.Uint16(m[8:10])
		tb := parseBrAttrs(m[unix.SizeofNdMsg:])
		vid := 0
		if tb.has(unix.NDA_VLAN) {
			vid = int(tb.u16(unix.NDA_VLAN))
		}
		if r.dynamic && state&unix.NUD_PERMANENT != 0 {
			continue
		}
		printFdb(&out, jw, fdbEntry{index, state, m[10], vid, tb}, 0, name)
	}
	if jw != nil {
		jw.EndArray()
		jw.Destroy()
	}
	_, err = fmt.Fprint(s.Stdout, out.String())
	return err
}
