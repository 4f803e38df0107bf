package iproute

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// "bridge vlan": bridge/vlan.c's add, del and show.

// vlanUsageText is bridge/vlan.c's usage().
const vlanUsageText = "Usage: bridge vlan { add | del } vid VLAN_ID dev DEV [ tunnel_info id TUNNEL_ID ]\n" +
	"                                                     [ pvid ] [ untagged ]\n" +
	"                                                     [ self ] [ master ]\n" +
	"       bridge vlan { set } vid VLAN_ID dev DEV [ state STP_STATE ]\n" +
	"                                               [ mcast_router MULTICAST_ROUTER ]\n" +
	"       bridge vlan { show } [ dev DEV ] [ vid VLAN_ID ]\n" +
	"       bridge vlan { tunnelshow } [ dev DEV ] [ vid VLAN_ID ]\n" +
	"       bridge vlan global { set } vid VLAN_ID dev DEV\n" +
	"                      [ mcast_snooping MULTICAST_SNOOPING ]\n" +
	"                      [ mcast_querier MULTICAST_QUERIER ]\n" +
	"                      [ mcast_igmp_version IGMP_VERSION ]\n" +
	"                      [ mcast_mld_version MLD_VERSION ]\n" +
	"                      [ mcast_last_member_count LAST_MEMBER_COUNT ]\n" +
	"                      [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]\n" +
	"                      [ mcast_startup_query_count STARTUP_QUERY_COUNT ]\n" +
	"                      [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]\n" +
	"                      [ mcast_membership_interval MEMBERSHIP_INTERVAL ]\n" +
	"                      [ mcast_querier_interval QUERIER_INTERVAL ]\n" +
	"                      [ mcast_query_interval QUERY_INTERVAL ]\n" +
	"                      [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]\n" +
	"       bridge vlan global { show } [ dev DEV ] [ vid VLAN_ID ]"

// Attributes and flags of bridge VLANs (linux/if_bridge.h, linux/rtnetlink.h)
// golang.org/x/sys does not name.
const (
	iflaBridgeVlanInfo     = 2 // IFLA_BRIDGE_VLAN_INFO
	bridgeVlanInfoPVID     = 1 << 1
	bridgeVlanInfoUntagged = 1 << 2
	bridgeVlanInfoRangeBeg = 1 << 3
	bridgeVlanInfoRangeEnd = 1 << 4
	rtextFilterBrvlan      = 1 << 1 // RTEXT_FILTER_BRVLAN
)

// parseVlan parses "bridge vlan ...", as do_vlan does.
func parseVlan(o *bridgeOpts, args []string) (script.Action, error) {
	if len(args) == 0 {
		return parseVlanShow(o, nil)
	}
	cmd, rest := args[0], args[1:]
	switch {
	case matches(cmd, "add"):
		return parseVlanModify(unix.RTM_SETLINK, rest)
	case matches(cmd, "delete"):
		return parseVlanModify(unix.RTM_DELLINK, rest)
	case matches(cmd, "show"), matches(cmd, "lst"), matches(cmd, "list"):
		return parseVlanShow(o, rest)
	case matches(cmd, "tunnelshow"), matches(cmd, "set"), cmd == "global":
		return nil, script.Unimplemented(exitUsage, "bridge vlan %s: not implemented by netscript", cmd)
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", vlanUsageText)
	}
	return nil, script.Errorf(exitUsage, "Command \"%s\" is unknown, try \"bridge vlan help\".", cmd)
}

// vlanRequest is one parsed vlan_modify.
type vlanRequest struct {
	cmd         int
	dev         string
	vid, vidEnd int16 // -1: not given
	flags       uint16
	bridgeFlags uint16
}

// parseVlanModify parses "bridge vlan add|del ...".
func parseVlanModify(cmd int, list []string) (script.Action, error) {
	r, err := parseVlanRequest(cmd, list)
	if err != nil {
		return nil, err
	}
	return script.ActionFunc(func(s *script.State) error { return vlanModify(s, r) }), nil
}

// parseVlanRequest is vlan_modify's argument loop.
func parseVlanRequest(cmd int, list []string) (vlanRequest, error) {
	r := vlanRequest{cmd: cmd, vid: -1, vidEnd: -1}
	a := &args{list: list}
	for a.more() {
		word := a.next()
		switch word {
		case "dev":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			r.dev = v
		case "vid":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			if start, end, ok := strings.Cut(v, "-"); ok {
				r.vid, r.vidEnd = int16(atoi(start)), int16(atoi(end))
				r.flags |= bridgeVlanInfoRangeBeg
			} else {
				r.vid = int16(atoi(v))
			}
		case "self":
			r.bridgeFlags |= bridgeFlagsSelf
		case "master":
			r.bridgeFlags |= bridgeFlagsMaster
		case "pvid":
			r.flags |= bridgeVlanInfoPVID
		case "untagged":
			r.flags |= bridgeVlanInfoUntagged
		case "tunnel_info":
			return r, script.Unimplemented(exitUsage, "bridge vlan: tunnel_info is not implemented by netscript")
		default:
			// vlan_modify ignores other words; an abbreviation of
			// "help" takes the next word as its value.
			if matches(word, "help") {
				if _, err := a.value(word); err != nil {
					return r, err
				}
			}
		}
	}
	if r.dev == "" || r.vid == -1 {
		return r, script.Errorf(exitUsage, "Device and VLAN ID are required arguments.")
	}
	return r, nil
}

// check is vlan_modify's checks of the VLAN IDs, made after the device
// lookup: the message it prints, or "". C prints the IDs with %hu.
func (r vlanRequest) check() string {
	if r.vid >= 4096 {
		return fmt.Sprintf("Invalid VLAN ID \"%d\"", uint16(r.vid))
	}
	if r.flags&bridgeVlanInfoRangeBeg != 0 {
		if r.vidEnd == -1 || r.vidEnd >= 4096 || r.vid >= r.vidEnd {
			return fmt.Sprintf("Invalid VLAN range \"%d-%d\"", uint16(r.vid), uint16(r.vidEnd))
		}
		if r.flags&bridgeVlanInfoPVID != 0 {
			return "pvid cannot be configured for a vlan range"
		}
	}
	return ""
}

// afSpec returns the IFLA_AF_SPEC vlan_modify sends: the bridge flags,
// then one struct bridge_vlan_info, or two for a range.
func (r vlanRequest) afSpec() *nl.RtAttr {
	af := nl.NewRtAttr(unix.IFLA_AF_SPEC, nil)
	if r.bridgeFlags != 0 {
		af.AddRtAttr(iflaBridgeFlags, nl.Uint16Attr(r.bridgeFlags))
	}
	info := func(flags uint16, vid int16) []byte {
		b := make([]byte, 4)
		binary.NativeEndian.PutUint16(b, flags)
		binary.NativeEndian.PutUint16(b[2:], uint16(vid))
		return b
	}
	if r.vidEnd != -1 {
		af.AddRtAttr(iflaBridgeVlanInfo, info(r.flags, r.vid))
		flags := r.flags&^bridgeVlanInfoRangeBeg | bridgeVlanInfoRangeEnd
		af.AddRtAttr(iflaBridgeVlanInfo, info(flags, r.vidEnd))
	} else {
		af.AddRtAttr(iflaBridgeVlanInfo, info(r.flags, r.vid))
	}
	return af
}

// vlanModify sends the request vlan_modify builds.
func vlanModify(s *script.State, r vlanRequest) error {
	l, err := findLink(s, r.dev, exitUsage, "Cannot find bridge device %q")
	if err != nil {
		return err
	}
	if msg := r.check(); msg != "" {
		return s.Fail(exitUsage, "%s", msg)
	}
	req, err := s.NS.Request(r.cmd, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	msg := nl.NewIfInfomsg(unix.AF_BRIDGE)
	msg.Index = int32(l.Attrs().Index)
	req.AddData(msg)
	req.AddData(r.afSpec())
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return bridgeKernelError(s, err)
	}
	return nil
}

// parseVlanShow is vlan_show's argument loop: dev and vid, other words
// ignored.
func parseVlanShow(o *bridgeOpts, list []string) (script.Action, error) {
	if o.details {
		return nil, script.Unimplemented(exitUsage, "bridge -d vlan show: not implemented by netscript")
	}
	dev, vid := "", 0
	a := &args{list: list}
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
	return vlanShowAction(o, dev, vid), nil
}

// vlanShowAction dumps the bridge VLANs of the namespace's ports, as
// vlan_show does without -d and -s.
func vlanShowAction(o *bridgeOpts, dev string, filterVlan int) script.Action {
	return script.ActionFunc(func(s *script.State) error {
		h, err := s.NS.Netlink()
		if err != nil {
			return err
		}
		links, err := h.LinkList()
		if err != nil {
			return fmt.Errorf("bridge vlan: list links in %s: %w", nsName(s.NS), err)
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
		req, err := s.NS.Request(unix.RTM_GETLINK, unix.NLM_F_DUMP)
		if err != nil {
			return err
		}
		req.AddData(nl.NewIfInfomsg(unix.AF_BRIDGE))
		req.AddData(nl.NewRtAttr(unix.IFLA_EXT_MASK, nl.Uint32Attr(rtextFilterBrvlan)))
		msgs, err := dump(s.NS, req, unix.RTM_NEWLINK)
		if err != nil {
			return kernelError(s, err)
		}
		_, err = fmt.Fprint(s.Stdout, formatVlans(msgs, o.json, o.pretty, filterIndex, filterVlan, names))
		return err
	})
}

// formatVlans is vlan_show's output for the messages of a dump: a header
// and print_vlan for each, or a JSON array.
func formatVlans(msgs [][]byte, json, pretty bool, filterIndex, filterVlan int, names map[int]string) string {
	var out strings.Builder
	var jw *jsonw.Writer
	if json {
		jw = jsonw.New(&out, pretty)
		jw.StartArray()
	} else {
		fmt.Fprintf(&out, "%-16s  %-9s\n", "port", "vlan-id")
	}
	for _, m := range msgs {
		if len(m) < unix.SizeofIfInfomsg || m[0] != unix.AF_BRIDGE {
			continue
		}
		index := int(int32(binary.NativeEndian.Uint32(m[4:8])))
		if filterIndex != 0 && filterIndex != index {
			continue
		}
		tb := parseBrAttrs(m[unix.SizeofIfInfomsg:])
		if !tb.has(unix.IFLA_AF_SPEC) {
			continue
		}
		name, ok := names[index]
		if !ok {
			name = "if" + strconv.Itoa(index)
		}
		printVlanInfo(&out, jw, name, tb.val[unix.IFLA_AF_SPEC], filterVlan)
	}
	if jw != nil {
		jw.EndArray()
		jw.Destroy()
	}
	return out.String()
}

// printVlanInfo is print_vlan_info: one port's VLANs, ranges joined, with
// filter_vlan_check's selection.
func printVlanInfo(out *strings.Builder, jw *jsonw.Writer, name string, afSpec []byte, filterVlan int) {
	attrs := rtattr.List(afSpec)
	p := brPrinter{out: out, jw: jw}
	lastStart := uint16(0)
	opened := false
	for _, at := range attrs {
		if at.Type != iflaBridgeVlanInfo || len(at.Value) < 4 {
			continue
		}
		flags := binary.NativeEndian.Uint16(at.Value)
		vid := binary.NativeEndian.Uint16(at.Value[2:])
		if flags&bridgeVlanInfoRangeEnd == 0 {
			lastStart = vid
		}
		if filterVlan != 0 && int(vid) > filterVlan && flags&bridgeVlanInfoRangeEnd == 0 {
			break
		}
		if flags&bridgeVlanInfoRangeBeg != 0 || int(vid) < filterVlan {
			continue
		}
		if !opened {
			if jw != nil {
				jw.StartObject()
			}
			p.str("ifname", "%-16s  ", name)
			if jw != nil {
				jw.Name("vlans")
				jw.StartArray()
			}
			opened = true
		} else if jw == nil {
			fmt.Fprintf(out, "%-16s  ", "")
		}
		if jw != nil {
			jw.StartObject()
		}
		p.int("vlan", "%d", int64(lastStart))
		if lastStart != vid {
			p.int("vlanEnd", "-%d", int64(vid))
		}
		if flags&(bridgeVlanInfoPVID|bridgeVlanInfoUntagged) != 0 {
			if jw != nil {
				jw.Name("flags")
				jw.StartArray()
			}
			if flags&bridgeVlanInfoPVID != 0 {
				p.elem(" %s", "PVID")
			}
			if flags&bridgeVlanInfoUntagged != 0 {
				p.elem(" %s", "Egress Untagged")
			}
			if jw != nil {
				jw.EndArray()
			}
		}
		if jw != nil {
			jw.EndObject()
		} else {
			out.WriteByte('\n')
		}
	}
	if opened && jw != nil {
		jw.EndArray()
		jw.EndObject()
	}
}

// elem is print_string with no key: an element of a JSON array, or text.
func (p brPrinter) elem(format, v string) {
	if p.jw != nil {
		p.jw.Str(v)
		return
	}
	fmt.Fprintf(p.out, format, v)
}
