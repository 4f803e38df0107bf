package iproute

import (
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

func init() {
	linkKinds["macvlan"] = &linkKind{parse: func(a *args, o *kindOpts) error { return parseMacvlanKind("macvlan", a, o) }}
	linkKinds["macvtap"] = &linkKind{parse: func(a *args, o *kindOpts) error { return parseMacvlanKind("macvtap", a, o) }}
	linkKinds["ifb"] = &linkKind{}
	linkKinds["dummy"] = &linkKind{}
}

// macvlanExplain is iplink_macvlan.c's print_explain for kind.
func macvlanExplain(kind string) string {
	return "Usage: ... " + kind + " mode MODE [flag MODE_FLAG] MODE_OPTS [bcqueuelen BC_QUEUE_LEN]\n" +
		"\n" +
		"MODE: private | vepa | bridge | passthru | source\n" +
		"MODE_FLAG: null | nopromisc | nodst\n" +
		"MODE_OPTS: for mode \"source\":\n" +
		"\tmacaddr { { add | del } <macaddr> | set [ <macaddr> [ <macaddr>  ... ] ] | flush }\n" +
		"BC_QUEUE_LEN: Length of the rx queue for broadcast/multicast: [0-4294967295]"
}

// Values of linux/if_link.h for macvlan.
const (
	macvlanModePrivate  = 1
	macvlanModeVepa     = 2
	macvlanModeBridge   = 4
	macvlanModePassthru = 8
	macvlanModeSource   = 16

	macvlanFlagNopromisc = 1
	macvlanFlagNodst     = 2

	macvlanMacaddrAdd   = 0
	macvlanMacaddrDel   = 1
	macvlanMacaddrFlush = 2
	macvlanMacaddrSet   = 3
)

var macvlanModeNames = map[string]uint32{
	"private": macvlanModePrivate, "vepa": macvlanModeVepa, "bridge": macvlanModeBridge,
	"passthru": macvlanModePassthru, "source": macvlanModeSource,
}

// parseMacvlanKind is macvlan_parse_opt (macvlan and macvtap).
func parseMacvlanKind(kind string, a *args, o *kindOpts) error {
	var mode uint32
	var flags uint16
	hasFlags := false
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "mode"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			m, ok := macvlanModeNames[v]
			if !ok {
				return kindError("Error: argument of \"mode\" must be \"private\", \"vepa\", \"bridge\", \"passthru\" or \"source\", not \"%s\"", v)
			}
			mode = m
		case matches(word, "flag"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			switch v {
			case "nopromisc":
				flags |= macvlanFlagNopromisc
			case "nodst":
				flags |= macvlanFlagNodst
			case "null":
			default:
				return kindError("Error: argument of \"flag\" must be \"nopromisc\", \"nodst\" or \"null\", not \"%s\"", v)
			}
			hasFlags = true
		case matches(word, "macaddr"):
			if err := parseMacaddr(kind, a, o); err != nil {
				return err
			}
		case matches(word, "nopromisc"):
			flags |= macvlanFlagNopromisc
			hasFlags = true
		case matches(word, "nodst"):
			flags |= macvlanFlagNodst
			hasFlags = true
		case matches(word, "bcqueuelen"):
			v, err := a.value(word)
			if err != nil {
				return err
			}
			n, err := getUint(v, 32, "")
			if err != nil {
				return kindError("Error: argument of \"bcqueuelen\" must be a positive integer [0-4294967295], not \"%s\"", v)
			}
			o.u32(unix.IFLA_MACVLAN_BC_QUEUE_LEN, uint32(n))
		case matches(word, "help"):
			return kindError("%s", macvlanExplain(kind))
		default:
			return kindError("%s: unknown option \"%s\"?\n%s", kind, word, macvlanExplain(kind))
		}
	}
	if mode != 0 {
		o.u32(unix.IFLA_MACVLAN_MODE, mode)
	}
	if hasFlags {
		if flags&macvlanFlagNopromisc != 0 && mode != macvlanModePassthru {
			return kindError("%s: nopromisc flag only valid in passthru mode\n%s", kind, macvlanExplain(kind))
		}
		o.u16(unix.IFLA_MACVLAN_FLAGS, flags)
	}
	return nil
}

// parseMacaddr reads "macaddr add|del MAC", "macaddr set [MAC...]" and
// "macaddr flush".
func parseMacaddr(kind string, a *args, o *kindOpts) error {
	v, err := a.value("macaddr")
	if err != nil {
		return err
	}
	var mode uint32
	switch v {
	case "add":
		mode = macvlanMacaddrAdd
	case "del":
		mode = macvlanMacaddrDel
	case "set":
		mode = macvlanMacaddrSet
	case "flush":
		mode = macvlanMacaddrFlush
	default:
		return kindError("%s", macvlanExplain(kind))
	}
	o.u32(unix.IFLA_MACVLAN_MACADDR_MODE, mode)
	switch mode {
	case macvlanMacaddrAdd, macvlanMacaddrDel:
		v, err := a.value(v)
		if err != nil {
			return err
		}
		mac, err := parseMAC(v)
		if err != nil {
			return err
		}
		if len(mac) != 6 {
			return kindError("")
		}
		o.add(nl.NewRtAttr(unix.IFLA_MACVLAN_MACADDR, mac))
	case macvlanMacaddrSet:
		data := nl.NewRtAttr(unix.IFLA_MACVLAN_MACADDR_DATA, nil)
		for a.more() {
			mac, err := parseMAC(a.list[0])
			if err != nil || len(mac) != 6 {
				break
			}
			a.next()
			data.AddRtAttr(unix.IFLA_MACVLAN_MACADDR, mac)
		}
		o.add(data)
	}
	return nil
}
