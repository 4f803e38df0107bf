package ipshow

import (
	"fmt"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// linkFlagNames are the flags print_link_flags names, in its order.
var linkFlagNames = []struct {
	flag uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"},
	{unix.IFF_BROADCAST, "BROADCAST"},
	{unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"},
	{unix.IFF_NOARP, "NOARP"},
	{unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"},
	{unix.IFF_MASTER, "MASTER"},
	{unix.IFF_SLAVE, "SLAVE"},
	{unix.IFF_DEBUG, "DEBUG"},
	{unix.IFF_DYNAMIC, "DYNAMIC"},
	{unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"},
	{unix.IFF_NOTRAILERS, "NOTRAILERS"},
	{unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"},
	{unix.IFF_DORMANT, "DORMANT"},
	{unix.IFF_ECHO, "ECHO"},
}

// LinkFlagWords is what print_link_flags (ip link, bridge link) prints
// for an interface's flags, in its order: NO-CARRIER for a link that is up
// without carrier, then the name of each flag it knows; rest is what is
// left of flags, which it prints in hex.
func LinkFlagWords(flags uint32) (words []string, rest uint32) {
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		words = append(words, "NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range linkFlagNames {
		if flags&f.flag != 0 {
			flags &^= f.flag
			words = append(words, f.name)
		}
	}
	return words, flags
}

// printLinkFlags is print_link_flags: "<NO-CARRIER,BROADCAST,...,M-DOWN> ".
func (s *shower) printLinkFlags(flags uint32, mdown bool) {
	p := s.p
	key := ""
	if p.IsJSON() {
		key = "flags"
	}
	p.OpenArray(jsonw.Any, key, "<")
	words, rest := LinkFlagWords(flags)
	for i, w := range words {
		format := "%s"
		if i < len(words)-1 || rest != 0 {
			format = "%s,"
		}
		p.Str(jsonw.Any, "", format, w)
	}
	if rest != 0 {
		p.hex(jsonw.Any, "", "%x", rest)
	}
	if mdown {
		p.Str(jsonw.Any, "", ",%s", "M-DOWN")
	}
	p.CloseArray(jsonw.Any, "> ")
}

var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// printOperstate is print_operstate.
func (s *shower) printOperstate(state uint8) {
	p := s.p
	switch {
	case int(state) >= len(operStates):
		if p.IsJSON() {
			p.Uint(jsonw.JSON, "operstate_index", "", int64(state))
		} else {
			p.lit(fmt.Sprintf("state %#x", state))
		}
	case s.opt.Brief:
		p.Str(jsonw.Any, "operstate", "%-14s ", operStates[state])
	case p.IsJSON():
		p.Str(jsonw.JSON, "operstate", "", operStates[state])
	default:
		p.lit("state " + operStates[state] + " ")
	}
}

// printQueuelen is print_queuelen: IFLA_TXQLEN, or the SIOCGIFTXQLEN ioctl
// for messages without it (IPv6's link dump).
func (s *shower) printQueuelen(tb rtattr.Table) {
	var qlen int64
	if tb.Has(unix.IFLA_TXQLEN) {
		qlen = int64(int32(tb.U32(unix.IFLA_TXQLEN)))
	} else {
		q, ok := txqlenIoctl(tb.Str(unix.IFLA_IFNAME))
		if !ok {
			return
		}
		qlen = q
	}
	if qlen != 0 {
		s.p.Uint(jsonw.Any, "txqlen", "qlen %d", qlen)
	}
}

func txqlenIoctl(name string) (int64, bool) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return 0, false
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFTXQLEN, ifr); err != nil {
		return 0, false
	}
	return int64(int32(ifr.Uint32())), true
}

var linkModes = []string{"DEFAULT", "DORMANT"}

// printLinkmode is print_linkmode.
func (s *shower) printLinkmode(mode uint8) {
	if int(mode) >= len(linkModes) {
		s.p.Uint(jsonw.Any, "linkmode_index", "mode %d ", int64(mode))
		return
	}
	s.p.Str(jsonw.Any, "linkmode", "mode %s ", linkModes[mode])
}

var linkEvents = []string{"NONE", "REBOOT", "FEATURE CHANGE", "BONDING FAILOVER", "NOTIFY PEERS", "RESEND IGMP", "BONDING OPTION"}

// printLinkEvent is print_link_event.
func (s *shower) printLinkEvent(event uint32) {
	if int(event) >= len(linkEvents) {
		s.p.Uint(jsonw.Any, "event", "event %d ", int64(int32(event)))
	} else if event != 0 {
		s.p.Str(jsonw.Any, "event", "event %s ", linkEvents[event])
	}
}

// linkKind is parse_link_kind: IFLA_INFO_KIND (or IFLA_INFO_SLAVE_KIND).
func linkKind(linkinfo []byte, slave bool) string {
	want := uint16(nl.IFLA_INFO_KIND)
	if slave {
		want = nl.IFLA_INFO_SLAVE_KIND
	}
	info := rtattr.ParseMasked(linkinfo, 0)
	if !info.Has(want) {
		return ""
	}
	return info.Str(want)
}

// kindMismatch is match_link_kind != 0.
func kindMismatch(tb rtattr.Table, kind string, slave bool) bool {
	li, ok := tb[unix.IFLA_LINKINFO]
	return !ok || linkKind(li, slave) != kind
}

// printNameAndLink is print_name_and_link: NAME, NAME@PEER, NAME@ifN or
// NAME@NONE. It reports whether a peer in this namespace is down (M-DOWN).
func (s *shower) printNameAndLink(format, name string, tb rtattr.Table) bool {
	p := s.p
	mdown := false
	if tb.Has(unix.IFLA_LINK) {
		link := ""
		iflink := int(int32(tb.U32(unix.IFLA_LINK)))
		switch {
		case iflink == 0:
			if p.IsJSON() {
				p.null("link")
			} else {
				link = "NONE"
			}
		case tb.Has(unix.IFLA_LINK_NETNSID):
			if p.IsJSON() {
				p.Uint(jsonw.JSON, "link_index", "", int64(iflink))
			} else {
				link = fmt.Sprintf("if%d", uint32(iflink))
			}
		default:
			link = s.ll.indexToName(iflink)
			if p.IsJSON() {
				p.Str(jsonw.JSON, "link", "", link)
				link = ""
			}
			mdown = s.ll.indexToFlags(iflink)&unix.IFF_UP == 0
		}
		if link != "" {
			name = name + "@" + link
		}
	}
	p.Str(jsonw.Any, "ifname", format, name)
	return mdown
}

// printLinkinfoBrief is print_linkinfo_brief.
func (s *shower) printLinkinfoBrief(name string, m *linkMsg) int {
	p, tb := s.p, m.tb
	mdown := s.printNameAndLink("%-16s ", name, tb)
	if tb.Has(unix.IFLA_OPERSTATE) {
		s.printOperstate(tb.U8(unix.IFLA_OPERSTATE))
	}
	if s.f.family == unix.AF_PACKET {
		if tb.Has(unix.IFLA_ADDRESS) {
			p.Str(jsonw.Any, "address", "%s ", llAddr(tb[unix.IFLA_ADDRESS], m.typ))
		}
		s.printLinkFlags(m.flags, mdown)
		p.lit("\n")
	}
	return 0
}

// printLinkinfo is print_linkinfo: one link's header lines, or nothing
// when the link is filtered out (-1).
func (s *shower) printLinkinfo(m *linkMsg) int {
	p, tb, f := s.p, m.tb, &s.f
	if f.ifindex != 0 && int(m.index) != f.ifindex {
		return -1
	}
	if f.up && m.flags&unix.IFF_UP == 0 {
		return -1
	}
	name := fmt.Sprintf("if%d", uint32(m.index))
	if tb.Has(unix.IFLA_IFNAME) {
		name = tb.Str(unix.IFLA_IFNAME)
	}
	if !CheckIfname(name) {
		return -1
	}
	if g := s.opt.Group; g != nil && tb.Has(unix.IFLA_GROUP) && int32(tb.U32(unix.IFLA_GROUP)) != *g {
		return -1
	}
	if tb.Has(unix.IFLA_MASTER) {
		if f.master > 0 && int(int32(tb.U32(unix.IFLA_MASTER))) != f.master {
			return -1
		}
	} else if f.master > 0 {
		return -1
	}
	if f.kind != nil && kindMismatch(tb, *f.kind, false) {
		return -1
	}
	if f.slaveKind != nil && kindMismatch(tb, *f.slaveKind, true) {
		return -1
	}

	if s.opt.Brief {
		return s.printLinkinfoBrief(name, m)
	}

	p.Uint(jsonw.Any, "ifindex", "%d: ", int64(m.index))
	mdown := s.printNameAndLink("%s: ", name, tb)
	s.printLinkFlags(m.flags, mdown)

	if tb.Has(unix.IFLA_MTU) {
		p.Uint(jsonw.Any, "mtu", "mtu %d ", int64(tb.U32(unix.IFLA_MTU)))
	}
	if tb.Has(unix.IFLA_QDISC) {
		p.Str(jsonw.Any, "qdisc", "qdisc %s ", tb.Str(unix.IFLA_QDISC))
	}
	if tb.Has(unix.IFLA_MASTER) {
		p.Str(jsonw.Any, "master", "master %s ", s.ll.indexToName(int(int32(tb.U32(unix.IFLA_MASTER)))))
	}
	if tb.Has(unix.IFLA_OPERSTATE) {
		s.printOperstate(tb.U8(unix.IFLA_OPERSTATE))
	}
	if s.doLink && tb.Has(unix.IFLA_LINKMODE) {
		s.printLinkmode(tb.U8(unix.IFLA_LINKMODE))
	}
	if tb.Has(unix.IFLA_GROUP) {
		p.Str(jsonw.Any, "group", "group %s ", groupName(int32(tb.U32(unix.IFLA_GROUP))))
	}
	s.printQueuelen(tb)
	if tb.Has(unix.IFLA_EVENT) {
		s.printLinkEvent(tb.U32(unix.IFLA_EVENT))
	}

	if f.family == unix.AF_UNSPEC || f.family == unix.AF_PACKET || s.opt.Details {
		p.nl()
		p.Str(jsonw.Any, "link_type", "    link/%s ", llTypeName(m.typ))
		if tb.Has(unix.IFLA_ADDRESS) {
			p.Str(jsonw.Any, "address", "%s", llAddr(tb[unix.IFLA_ADDRESS], m.typ))
		}
		if tb.Has(unix.IFLA_BROADCAST) {
			if m.flags&unix.IFF_POINTOPOINT != 0 {
				p.lit(" peer ")
				p.Bool(jsonw.JSON, "link_pointtopoint", "", true)
			} else {
				p.lit(" brd ")
			}
			p.Str(jsonw.Any, "broadcast", "%s", llAddr(tb[unix.IFLA_BROADCAST], m.typ))
		}
		if perm, ok := tb[unix.IFLA_PERM_ADDRESS]; ok {
			if addr, ok := tb[unix.IFLA_ADDRESS]; !ok || string(addr) != string(perm) {
				p.lit(" permaddr ")
				p.Str(jsonw.Any, "permaddr", "%s", llAddr(perm, m.typ))
			}
		}
	}

	if tb.Has(unix.IFLA_LINK_NETNSID) {
		id := int32(tb.U32(unix.IFLA_LINK_NETNSID))
		switch {
		case p.IsJSON():
			p.Uint(jsonw.JSON, "link_netnsid", "", int64(id))
		case id >= 0:
			if name := s.netnsName(int(id)); name != "" {
				p.lit(" link-netns " + name)
			} else {
				p.lit(fmt.Sprintf(" link-netnsid %d", id))
			}
		default:
			p.lit(" link-netnsid unknown")
		}
	}
	if tb.Has(unix.IFLA_NEW_NETNSID) {
		id := int32(tb.U32(unix.IFLA_NEW_NETNSID))
		if name := s.netnsName(int(id)); name != "" {
			p.lit(" new-netns " + name)
		} else {
			p.lit(fmt.Sprintf(" new-netnsid %d", id))
		}
	}
	if tb.Has(unix.IFLA_NEW_IFINDEX) {
		p.lit(fmt.Sprintf(" new-ifindex %d", int32(tb.U32(unix.IFLA_NEW_IFINDEX))))
	}
	if tb.Has(unix.IFLA_PROTO_DOWN) && tb.U8(unix.IFLA_PROTO_DOWN) != 0 {
		p.Bool(jsonw.Any, "proto_down", " protodown on ", true)
	}

	if s.opt.Details {
		s.printDetails(tb)
	}

	if (s.doLink || s.opt.Details) && tb.Has(unix.IFLA_IFALIAS) {
		p.lit("\n    ")
		p.Str(jsonw.Any, "ifalias", "alias %s", tb.Str(unix.IFLA_IFALIAS))
	}

	if prop, ok := tb[unix.IFLA_PROP_LIST]; ok {
		p.OpenArray(jsonw.JSON, "altnames", "")
		for t, v := range nestedAll(prop) {
			if t != unix.IFLA_ALT_IFNAME {
				continue
			}
			p.lit("\n    altname ")
			p.Str(jsonw.Any, "", "%s", unix.ByteSliceToString(v))
		}
		p.CloseArray(jsonw.JSON, "")
	}

	p.lit("\n")
	return 1
}

// netnsName is get_name_from_nsid through the caller's mapping.
func (s *shower) netnsName(id int) string {
	if id < 0 || s.names == nil {
		return ""
	}
	return s.names(id)
}
