package iproute

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// The scenario command "bridge": iproute2 6.1's bridge tool, of which
// netscript implements "bridge link show|set" (bridge/link.c), "bridge
// fdb" (bridge/fdb.c), "bridge vlan add|del|show" (bridge/vlan.c) and
// "bridge mdb add|del|show" (bridge/mdb.c).

// BridgeUsage documents bridge in the command table.
var BridgeUsage = script.Usage{
	Summary: "show and set the ports, forwarding entries, VLANs and multicast groups of Linux bridges (iproute2's bridge tool)",
	Args:    "[-n NETNS] [-d] [-j [-p]] link [show [dev DEV]] | link set dev DEV [OPTION VALUE]... | fdb ... | vlan ... | mdb ...",
	Detail: []string{
		"bridge link show lists every bridge port of the namespace (the scenario's root, NETNS " +
			"with -n, or NS under \"ip netns exec NS bridge ...\") as iproute2 6.1's bridge tool " +
			"prints it, byte for byte: index, name (with its peer, \"p0@if2\"), flags, mtu, " +
			"master, STP state, priority and cost; -d adds the port's options on a second line, " +
			"-j prints JSON (-p: pretty). \"dev DEV\" shows one port; other words are ignored, as " +
			"by the real tool.",
		"bridge link set dev DEV sets a port's options: cost, priority, state (a number or " +
			"disabled|listening|learning|forwarding|blocking), guard, hairpin, fastleave, " +
			"root_block, learning, learning_sync, flood, mcast_router, mcast_flood, bcast_flood, " +
			"mcast_to_unicast, neigh_suppress, vlan_tunnel, isolated, locked (on|off), hwmode " +
			"vepa|veb, backup_port DEV, nobackup_port, self, master.",
		"bridge fdb add|append|replace|del ADDR dev DEV [master] [self] [static|dynamic|local] " +
			"[vlan VID] [dst IP] [port PORT] [vni VNI] [src_vni VNI] [via DEV] edits forwarding " +
			"entries; bridge fdb [show] [br BR] [brport DEV] [dev DEV] [vlan VID] [state STATE] " +
			"[dynamic] lists them; bridge fdb flush dev DEV [brport DEV] [vlan VID] [self] " +
			"[master] [[no]permanent|[no]static|[no]dynamic] [[no]added_by_user] " +
			"[[no]extern_learn] [[no]sticky] [[no]offloaded] deletes the entries that match; bridge " +
			"fdb get ADDR {dev|brport DEV | br BR} [vlan VID] [vni VNI] [self] [master] [dynamic] " +
			"shows one.",
		"bridge vlan add|del vid VID[-END] dev DEV [pvid] [untagged] [self] [master] edits a " +
			"port's VLANs (the kernel needs bridge VLAN filtering); bridge vlan [show] [dev DEV] " +
			"[vid VID] lists them, -j as JSON.",
		"bridge mdb add|del dev BR port PORT grp GROUP [src SOURCE] [permanent|temp] [vid VID] " +
			"edits the bridge's multicast groups; bridge mdb [show] [dev BR] [vid VID] lists them " +
			"(-d adds the protocol and the router ports, -j as JSON).",
		"Errors and statuses are the real tool's: 255 for usage errors, unknown objects and " +
			"options, and a missing device (\"Cannot find device \\\"DEV\\\"\"); 234 for a bad on/off " +
			"value of link set; 254 when fdb get finds no entry. bridge vni, monitor, vlan " +
			"set|global|tunnelshow and -d vlan show are not implemented by netscript.",
	},
}

// BridgeCmd returns the "bridge" entry of the command table.
func BridgeCmd() *script.Cmd {
	return &script.Cmd{Name: "bridge", Usage: BridgeUsage, Parse: parseBridge}
}

// bridgeUsageText is bridge/bridge.c's usage().
const bridgeUsageText = "Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\n" +
	"       bridge [ -force ] -batch filename\n" +
	"where  OBJECT := { link | fdb | mdb | vlan | monitor }\n" +
	"       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n" +
	"                    -o[neline] | -t[imestamp] | -n[etns] name |\n" +
	"                    -c[ompressvlans] -color -p[retty] -j[son] }"

// brlinkUsageText is bridge/link.c's usage().
const brlinkUsageText = "Usage: bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]\n" +
	"                               [ guard {on | off} ]\n" +
	"                               [ hairpin {on | off} ]\n" +
	"                               [ fastleave {on | off} ]\n" +
	"                               [ root_block {on | off} ]\n" +
	"                               [ learning {on | off} ]\n" +
	"                               [ learning_sync {on | off} ]\n" +
	"                               [ flood {on | off} ]\n" +
	"                               [ mcast_router MULTICAST_ROUTER ]\n" +
	"                               [ mcast_flood {on | off} ]\n" +
	"                               [ bcast_flood {on | off} ]\n" +
	"                               [ mcast_to_unicast {on | off} ]\n" +
	"                               [ neigh_suppress {on | off} ]\n" +
	"                               [ vlan_tunnel {on | off} ]\n" +
	"                               [ isolated {on | off} ]\n" +
	"                               [ locked {on | off} ]\n" +
	"                               [ hwmode {vepa | veb} ]\n" +
	"                               [ backup_port DEVICE ] [ nobackup_port ]\n" +
	"                               [ self ] [ master ]\n" +
	"       bridge link show [dev DEV]"

// bridgeOpts are bridge's global options.
type bridgeOpts struct {
	netns   string
	details bool
	json    bool
	pretty  bool
}

func parseBridge(args []string) (script.Action, error) {
	var o bridgeOpts
	for len(args) > 0 {
		opt := args[0]
		if opt == "--" {
			args = args[1:]
			break
		}
		if opt == "" || opt[0] != '-' {
			break
		}
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		switch {
		case matches(opt, "-help"):
			return nil, script.Errorf(exitUsage, "%s", bridgeUsageText)
		case matches(opt, "-Version"):
			return script.ActionFunc(func(s *script.State) error {
				_, err := fmt.Fprintln(s.Stdout, "bridge utility, 6.1.0")
				return err
			}), nil
		case matches(opt, "-details"):
			o.details = true
		case matches(opt, "-netns"):
			if len(args) < 2 {
				return nil, script.Errorf(exitUsage, `Cannot open network namespace "(null)": No such file or directory`)
			}
			o.netns = args[1]
			args = args[1:]
		case matches(opt, "-json"):
			o.json = true
		case matches(opt, "-pretty"):
			o.pretty = true
		case matches(opt, "-stats"), matches(opt, "-statistics"), matches(opt, "-oneline"),
			matches(opt, "-timestamp"), matches(opt, "-family"), opt == "-4", opt == "-6",
			matches(opt, "-compressvlans"), matches(opt, "-force"), matches(opt, "-batch"),
			matches(opt, "-color"):
			return nil, script.Unimplemented(exitUsage, "bridge: option %q is not implemented by netscript", args[0])
		default:
			return nil, script.Errorf(exitUsage, "Option %q is unknown, try \"bridge help\".", opt)
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return nil, script.Errorf(exitUsage, "%s", bridgeUsageText)
	}
	var act script.Action
	switch obj := args[0]; {
	case matches(obj, "link"):
		var err error
		if act, err = parseBrlink(&o, args[1:]); err != nil {
			return nil, err
		}
	case matches(obj, "fdb"):
		var err error
		if act, err = parseFdb(&o, args[1:]); err != nil {
			return nil, err
		}
	case matches(obj, "vlan"):
		var err error
		if act, err = parseVlan(&o, args[1:]); err != nil {
			return nil, err
		}
	case matches(obj, "mdb"):
		var err error
		if act, err = parseMdb(&o, args[1:]); err != nil {
			return nil, err
		}
	case matches(obj, "vni"), matches(obj, "monitor"):
		return nil, script.Unimplemented(exitUsage, "bridge %s: not implemented by netscript", obj)
	case matches(obj, "help"):
		return nil, script.Errorf(exitUsage, "%s", bridgeUsageText)
	default:
		return nil, script.Errorf(exitUsage, "Object %q is unknown, try \"bridge help\".", obj)
	}
	if o.netns == "" {
		return act, nil
	}
	return inNetns(o.netns, act), nil
}

// parseBrlink parses "bridge link ...", as do_link and brlink_show do.
func parseBrlink(o *bridgeOpts, args []string) (script.Action, error) {
	if len(args) > 0 {
		switch cmd := args[0]; {
		case matches(cmd, "set"), matches(cmd, "change"):
			return parseBrlinkSet(args[1:])
		case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
			args = args[1:]
		case matches(cmd, "help"):
			return nil, script.Errorf(exitUsage, "%s", brlinkUsageText)
		default:
			return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"bridge link help\".", cmd)
		}
	}
	dev := ""
	for ; len(args) > 0; args = args[1:] {
		if args[0] != "dev" { // brlink_show ignores other words
			continue
		}
		if len(args) < 2 {
			return nil, script.Errorf(exitUsage, "Command line is not complete. Try option \"help\"")
		}
		args = args[1:]
		if dev != "" {
			return nil, script.Errorf(exitUsage, "Error: duplicate \"dev\": %q is the second value.", args[0])
		}
		dev = args[0]
	}
	return script.ActionFunc(func(s *script.State) error {
		return brlinkShow(s, o, dev)
	}), nil
}

// brlinkShow dumps the bridge ports of the command's namespace.
func brlinkShow(s *script.State, o *bridgeOpts, dev string) error {
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("bridge: list links in %s: %w", nsName(s.NS), err)
	}
	cache := make(map[int]netlink.Link, len(links))
	filterIndex := 0
	for _, l := range links {
		cache[l.Attrs().Index] = l
		if dev != "" && l.Attrs().Name == dev {
			filterIndex = l.Attrs().Index
		}
	}
	if dev != "" && filterIndex == 0 {
		return s.Fail(exitUsage, "Cannot find device %q", dev)
	}
	req, err := s.NS.Request(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	if err != nil {
		return err
	}
	req.AddData(nl.NewIfInfomsg(unix.AF_BRIDGE))
	msgs, err := dump(s.NS, req, unix.RTM_NEWLINK)
	if err != nil {
		return kernelError(s, err)
	}
	var out strings.Builder
	var jw *jsonw.Writer
	if o.json {
		jw = jsonw.New(&out, o.pretty)
		jw.StartArray()
	}
	for _, m := range msgs {
		printBrlink(&out, jw, o.details, m, filterIndex, cache)
	}
	if jw != nil {
		jw.EndArray()
		jw.Destroy()
	}
	_, err = fmt.Fprint(s.Stdout, out.String())
	return err
}

// brAttrs maps attribute types, NLA_F_NESTED masked off, to payloads, and
// keeps which were nested.
type brAttrs struct {
	val    map[uint16][]byte
	nested map[uint16]bool
}

func parseBrAttrs(b []byte) brAttrs {
	a := brAttrs{val: map[uint16][]byte{}, nested: map[uint16]bool{}}
	for _, at := range rtattr.List(b) {
		t := at.Type &^ unix.NLA_F_NESTED
		if _, dup := a.val[t]; dup {
			continue // the first wins, as in parse_rtattr
		}
		a.val[t] = at.Value
		a.nested[t] = at.Type&unix.NLA_F_NESTED != 0
	}
	return a
}

func (a brAttrs) has(t uint16) bool { _, ok := a.val[t]; return ok }

func (a brAttrs) u8(t uint16) uint8 {
	if v := a.val[t]; len(v) >= 1 {
		return v[0]
	}
	return 0
}

func (a brAttrs) u16(t uint16) uint16 {
	if v := a.val[t]; len(v) >= 2 {
		return binary.NativeEndian.Uint16(v)
	}
	return 0
}

func (a brAttrs) u32(t uint16) uint32 {
	if v := a.val[t]; len(v) >= 4 {
		return binary.NativeEndian.Uint32(v)
	}
	return 0
}

// iflaBridgeMode is IFLA_BRIDGE_MODE (linux/if_bridge.h), which
// golang.org/x/sys does not name.
const iflaBridgeMode = 1

var stpStates = []string{"disabled", "listening", "learning", "forwarding", "blocking"}

// printBrlink is bridge/link.c's print_linkinfo for one message.
func printBrlink(out *strings.Builder, jw *jsonw.Writer, details bool, m []byte, filterIndex int, cache map[int]netlink.Link) {
	if len(m) < unix.SizeofIfInfomsg {
		return
	}
	family := m[0]
	index := int(int32(binary.NativeEndian.Uint32(m[4:8])))
	flags := binary.NativeEndian.Uint32(m[8:12])
	if family != unix.AF_BRIDGE && family != unix.AF_UNSPEC {
		return
	}
	if filterIndex != 0 && filterIndex != index {
		return
	}
	tb := parseBrAttrs(m[unix.SizeofIfInfomsg:])
	name := "if" + strconv.Itoa(index)
	if v, ok := tb.val[unix.IFLA_IFNAME]; ok {
		name = strings.TrimRight(string(v), "\x00")
	}
	if name == "" || len(name) >= unix.IFNAMSIZ || strings.ContainsAny(name, "/ \t\n") {
		return // check_ifname refuses it; print_linkinfo stops
	}
	p := brPrinter{out: out, jw: jw}
	if jw != nil {
		jw.StartObject()
	}
	p.int("ifindex", "%d: ", int64(index))

	// print_name_and_link: the peer by index, looked up in this namespace
	// even when it lives in another one (the kernel sends no netnsid here).
	mdown := false
	if tb.has(unix.IFLA_LINK) {
		iflink := int(tb.u32(unix.IFLA_LINK))
		switch {
		case iflink == 0:
			if jw != nil {
				jw.Name("link")
				jw.Printf("null")
			} else {
				name += "@NONE"
			}
		case tb.has(unix.IFLA_LINK_NETNSID):
			if jw != nil {
				jw.Name("link_index")
				jw.Printf("%d", iflink)
			} else {
				name += "@if" + strconv.Itoa(iflink)
			}
		default:
			peer := "if" + strconv.Itoa(iflink)
			if l, ok := cache[iflink]; ok {
				peer = l.Attrs().Name
				mdown = l.Attrs().RawFlags&unix.IFF_UP == 0
			}
			if jw != nil {
				jw.Name("link")
				jw.Str(peer)
			} else {
				name += "@" + peer
			}
		}
	}
	p.str("ifname", "%s: ", name)

	// print_link_flags
	if jw != nil {
		jw.Name("flags")
		jw.StartArray()
	} else {
		out.WriteByte('<')
	}
	flag := func(s string, more bool) {
		if jw != nil {
			jw.Str(s)
		} else if more {
			out.WriteString(s + ",")
		} else {
			out.WriteString(s)
		}
	}
	words, rest := ipshow.LinkFlagWords(flags)
	for i, w := range words {
		flag(w, i < len(words)-1 || rest != 0)
	}
	if rest != 0 {
		flag(strconv.FormatUint(uint64(rest), 16), false)
	}
	if mdown {
		if jw != nil {
			jw.Str("M-DOWN")
		} else {
			out.WriteString(",M-DOWN")
		}
	}
	if jw != nil {
		jw.EndArray()
	} else {
		out.WriteString("> ")
	}

	if tb.has(unix.IFLA_MTU) {
		p.int("mtu", "mtu %d ", int64(tb.u32(unix.IFLA_MTU)))
	}
	if tb.has(unix.IFLA_MASTER) {
		master := int(tb.u32(unix.IFLA_MASTER))
		mname := "if" + strconv.Itoa(master)
		if l, ok := cache[master]; ok {
			mname = l.Attrs().Name
		}
		p.str("master", "master %s ", mname)
	}
	if tb.has(unix.IFLA_PROTINFO) {
		p.protinfo(tb.val[unix.IFLA_PROTINFO], tb.nested[unix.IFLA_PROTINFO], details, cache)
	}
	if tb.has(unix.IFLA_AF_SPEC) {
		af := parseBrAttrs(tb.val[unix.IFLA_AF_SPEC])
		if af.has(iflaBridgeMode) {
			switch mode := af.u16(iflaBridgeMode); mode {
			case 0:
				p.str("hwmode", "hwmode %s ", "VEB")
			case 1:
				p.str("hwmode", "hwmode %s ", "VEPA")
			default:
				if jw != nil {
					jw.Name("hwmode")
					jw.Printf("\"%#x\"", mode)
				} else {
					fmt.Fprintf(out, "hwmode %#x ", mode)
				}
			}
		}
	}
	if jw != nil {
		jw.EndObject()
	} else {
		out.WriteByte('\n')
	}
}

// brPrinter is print_string/print_uint/print_on_off: text or JSON.
type brPrinter struct {
	out *strings.Builder
	jw  *jsonw.Writer
}

func (p brPrinter) str(key, format, v string) {
	if p.jw != nil {
		p.jw.Name(key)
		p.jw.Str(v)
		return
	}
	fmt.Fprintf(p.out, format, v)
}

func (p brPrinter) int(key, format string, v int64) {
	if p.jw != nil {
		p.jw.Name(key)
		p.jw.Printf("%d", v)
		return
	}
	fmt.Fprintf(p.out, format, v)
}

func (p brPrinter) onOff(key string, v uint8) {
	if p.jw != nil {
		p.jw.Name(key)
		p.jw.Printf("%t", v != 0)
		return
	}
	text := "off"
	if v != 0 {
		text = "on"
	}
	fmt.Fprintf(p.out, "%s %s ", key, text)
}

// protinfo is print_protinfo: the port's STP state, priority and cost, and
// with details its options.
func (p brPrinter) protinfo(b []byte, nested, details bool, cache map[int]netlink.Link) {
	state := func(st uint8) {
		if int(st) < len(stpStates) {
			p.str("state", "state %s ", stpStates[st])
		} else {
			p.int("state", "state (%d) ", int64(st))
		}
	}
	if !nested {
		if len(b) >= 1 {
			state(b[0])
		}
		return
	}
	pt := parseBrAttrs(b)
	if pt.has(unix.IFLA_BRPORT_STATE) {
		state(pt.u8(unix.IFLA_BRPORT_STATE))
	}
	if pt.has(unix.IFLA_BRPORT_PRIORITY) {
		p.int("priority", "priority %d ", int64(pt.u16(unix.IFLA_BRPORT_PRIORITY)))
	}
	if pt.has(unix.IFLA_BRPORT_COST) {
		p.int("cost", "cost %d ", int64(pt.u32(unix.IFLA_BRPORT_COST)))
	}
	if !details {
		return
	}
	if p.jw == nil {
		p.out.WriteString("\n    ")
	}
	onOffs := []struct {
		attr uint16
		key  string
	}{
		{unix.IFLA_BRPORT_MODE, "hairpin"}, {unix.IFLA_BRPORT_GUARD, "guard"},
		{unix.IFLA_BRPORT_PROTECT, "root_block"}, {unix.IFLA_BRPORT_FAST_LEAVE, "fastleave"},
		{unix.IFLA_BRPORT_LEARNING, "learning"}, {unix.IFLA_BRPORT_LEARNING_SYNC, "learning_sync"},
		{unix.IFLA_BRPORT_UNICAST_FLOOD, "flood"}, {unix.IFLA_BRPORT_MCAST_FLOOD, "mcast_flood"},
		{unix.IFLA_BRPORT_BCAST_FLOOD, "bcast_flood"},
	}
	for _, f := range onOffs {
		if pt.has(f.attr) {
			p.onOff(f.key, pt.u8(f.attr))
		}
	}
	if pt.has(unix.IFLA_BRPORT_MULTICAST_ROUTER) {
		p.int("mcast_router", "mcast_router %d ", int64(pt.u8(unix.IFLA_BRPORT_MULTICAST_ROUTER)))
	}
	for _, f := range []struct {
		attr uint16
		key  string
	}{
		{unix.IFLA_BRPORT_MCAST_TO_UCAST, "mcast_to_unicast"},
		{unix.IFLA_BRPORT_NEIGH_SUPPRESS, "neigh_suppress"},
		{unix.IFLA_BRPORT_VLAN_TUNNEL, "vlan_tunnel"},
	} {
		if pt.has(f.attr) {
			p.onOff(f.key, pt.u8(f.attr))
		}
	}
	if pt.has(unix.IFLA_BRPORT_BACKUP_PORT) {
		idx := int(pt.u32(unix.IFLA_BRPORT_BACKUP_PORT))
		bname := "if" + strconv.Itoa(idx)
		if l, ok := cache[idx]; ok {
			bname = l.Attrs().Name
		}
		p.str("backup_port", "backup_port %s ", bname)
	}
	if pt.has(unix.IFLA_BRPORT_ISOLATED) {
		p.onOff("isolated", pt.u8(unix.IFLA_BRPORT_ISOLATED))
	}
	if pt.has(unix.IFLA_BRPORT_LOCKED) {
		p.onOff("locked", pt.u8(unix.IFLA_BRPORT_LOCKED))
	}
}
