package iproute

import (
	"encoding/binary"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
)

// vlan, vrf and ipvlan/ipvtap: kinds a kernel without 8021q, vrf or ipvlan
// cannot create (the scenarios that use them carry [link:KIND]); their
// options are parsed and built as iproute2 does all the same.

func init() {
	linkKinds["vlan"] = &linkKind{parse: parseVlanKind}
	linkKinds["vrf"] = &linkKind{parse: parseVrfKind}
	linkKinds["ipvlan"] = &linkKind{parse: func(a *args, o *kindOpts) error { return parseIpvlanKind("ipvlan", a, o) }}
	linkKinds["ipvtap"] = &linkKind{parse: func(a *args, o *kindOpts) error { return parseIpvlanKind("ipvtap", a, o) }}
}

// vlanExplain is iplink_vlan.c's print_explain.
const vlanExplain = "Usage: ... vlan id VLANID\n" +
	"\t\t[ protocol VLANPROTO ]\n" +
	"\t\t[ reorder_hdr { on | off } ]\n" +
	"\t\t[ gvrp { on | off } ]\n" +
	"\t\t[ mvrp { on | off } ]\n" +
	"\t\t[ loose_binding { on | off } ]\n" +
	"\t\t[ bridge_binding { on | off } ]\n" +
	"\t\t[ ingress-qos-map QOS-MAP ]\n" +
	"\t\t[ egress-qos-map QOS-MAP ]\n" +
	"\n" +
	"VLANID := 0-4095\n" +
	"VLANPROTO: [ 802.1Q | 802.1ad ]\n" +
	"QOS-MAP := [ QOS-MAP ] QOS-MAPPING\n" +
	"QOS-MAPPING := FROM:TO"

// vlanFlags are vlan_parse_opt's on/off options and their VLAN_FLAG_ bits.
var vlanFlags = []struct {
	name string
	bit  uint32
}{
	{"reorder_hdr", 0x1}, {"gvrp", 0x2}, {"mvrp", 0x8}, {"loose_binding", 0x4}, {"bridge_binding", 0x10},
}

// parseVlanKind is vlan_parse_opt.
func parseVlanKind(a *args, o *kindOpts) error {
	var flags, mask uint32
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "protocol"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			proto, ok := vlanProtocols[v]
			if !ok {
				return invalidName("protocol is invalid", v)
			}
			o.be16(unix.IFLA_VLAN_PROTOCOL, proto)
			continue
		case matches(word, "id"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			id, err := getUint(v, 16, "id is invalid")
			if err != nil {
				return err
			}
			o.u16(unix.IFLA_VLAN_ID, uint16(id))
			continue
		case matches(word, "ingress-qos-map"), matches(word, "egress-qos-map"):
			return kindError("vlan: %q is not implemented by netscript", word)
		}
		found := false
		for _, f := range vlanFlags {
			if !matches(word, f.name) {
				continue
			}
			found = true
			v, err := a.value(word)
			if err != nil {
				return err
			}
			mask |= f.bit
			switch v {
			case "on":
				flags |= f.bit
			case "off":
				flags &^= f.bit
			default:
				return kindError("Error: argument of %q must be \"on\" or \"off\", not %q", f.name, v)
			}
			break
		}
		if found {
			continue
		}
		if matches(word, "help") {
			return kindError("%s", vlanExplain)
		}
		return kindError("vlan: unknown command \"%s\"?\n%s", word, vlanExplain)
	}
	if mask != 0 {
		b := make([]byte, 8)
		binary.NativeEndian.PutUint32(b[0:4], flags)
		binary.NativeEndian.PutUint32(b[4:8], mask)
		o.add(nl.NewRtAttr(unix.IFLA_VLAN_FLAGS, b))
	}
	return nil
}

// routeTableNames are rtnl_rttable_a2n's names in the stock rt_tables.
var routeTableNames = map[string]uint32{"local": 255, "main": 254, "default": 253, "unspec": 0}

// parseVrfKind is vrf_parse_opt.
func parseVrfKind(a *args, o *kindOpts) error {
	const explain = "Usage: ... vrf table TABLEID"
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "table"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			table, ok := routeTableNames[v]
			if !ok {
				n, rest, digits := cnum.Strtoul(v)
				if !digits || rest != "" || n > 1<<32-1 {
					return invalidArg("invalid table ID", v)
				}
				table = uint32(n)
			}
			o.u32(unix.IFLA_VRF_TABLE, table)
		case matches(word, "help"):
			return kindError("%s", explain)
		default:
			return kindError("vrf: unknown option \"%s\"?\n%s", word, explain)
		}
	}
	return nil
}

// parseIpvlanKind is ipvlan_parse_opt (ipvlan and ipvtap).
func parseIpvlanKind(kind string, a *args, o *kindOpts) error {
	explain := "Usage: ... " + kind + " [ mode MODE ] [ FLAGS ]\n" +
		"\n" +
		"MODE: l3 | l3s | l2\n" +
		"FLAGS: bridge | private | vepa\n" +
		"(first values are the defaults if nothing is specified)."
	var flags uint16
	given := false
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "mode"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			mode, ok := map[string]uint16{"l2": 0, "l3": 1, "l3s": 2}[v]
			if !ok {
				return kindError("Error: argument of \"mode\" must be either \"l2\", \"l3\" or \"l3s\"")
			}
			o.u16(unix.IFLA_IPVLAN_MODE, mode)
		case matches(word, "private") && !given:
			flags |= 0x01
			given = true
		case matches(word, "vepa") && !given:
			flags |= 0x02
			given = true
		case matches(word, "bridge") && !given:
			given = true
		case matches(word, "help"):
			return kindError("%s", explain)
		default:
			return kindError("%s: unknown option \"%s\"?\n%s", kind, word, explain)
		}
	}
	o.u16(unix.IFLA_IPVLAN_FLAGS, flags)
	return nil
}
