package iproute

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
)

func init() {
	linkKinds["vxlan"] = &linkKind{parse: parseVxlanKind}
}

// vxlanExplain is iplink_vxlan.c's print_explain.
const vxlanExplain = "Usage: ... vxlan id VNI\n" +
	"\t\t[ { group | remote } IP_ADDRESS ]\n" +
	"\t\t[ local ADDR ]\n" +
	"\t\t[ ttl TTL ]\n" +
	"\t\t[ tos TOS ]\n" +
	"\t\t[ df DF ]\n" +
	"\t\t[ flowlabel LABEL ]\n" +
	"\t\t[ dev PHYS_DEV ]\n" +
	"\t\t[ dstport PORT ]\n" +
	"\t\t[ srcport MIN MAX ]\n" +
	"\t\t[ [no]learning ]\n" +
	"\t\t[ [no]proxy ]\n" +
	"\t\t[ [no]rsc ]\n" +
	"\t\t[ [no]l2miss ]\n" +
	"\t\t[ [no]l3miss ]\n" +
	"\t\t[ ageing SECONDS ]\n" +
	"\t\t[ maxaddress NUMBER ]\n" +
	"\t\t[ [no]udpcsum ]\n" +
	"\t\t[ [no]udp6zerocsumtx ]\n" +
	"\t\t[ [no]udp6zerocsumrx ]\n" +
	"\t\t[ [no]remcsumtx ] [ [no]remcsumrx ]\n" +
	"\t\t[ [no]external ] [ gbp ] [ gpe ]\n" +
	"\t\t[ [no]vnifilter ]\n" +
	"\n" +
	"Where:\tVNI\t:= 0-16777215\n" +
	"\tADDR\t:= { IP_ADDRESS | any }\n" +
	"\tTOS\t:= { NUMBER | inherit }\n" +
	"\tTTL\t:= { 1..255 | auto | inherit }\n" +
	"\tDF\t:= { unset | set | inherit }\n" +
	"\tLABEL := 0-1048575"

// vxlanToggles are vxlan_parse_opt's [no]WORD options that add a u8 (or,
// for gbp and gpe, a flag), in its order; learning and external are
// handled apart.
var vxlanToggles = []struct {
	word string
	attr int
	val  uint8
}{
	{"noproxy", unix.IFLA_VXLAN_PROXY, 0}, {"proxy", unix.IFLA_VXLAN_PROXY, 1},
	{"norsc", unix.IFLA_VXLAN_RSC, 0}, {"rsc", unix.IFLA_VXLAN_RSC, 1},
	{"nol2miss", unix.IFLA_VXLAN_L2MISS, 0}, {"l2miss", unix.IFLA_VXLAN_L2MISS, 1},
	{"nol3miss", unix.IFLA_VXLAN_L3MISS, 0}, {"l3miss", unix.IFLA_VXLAN_L3MISS, 1},
	{"udpcsum", unix.IFLA_VXLAN_UDP_CSUM, 1}, {"noudpcsum", unix.IFLA_VXLAN_UDP_CSUM, 0},
	{"udp6zerocsumtx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, 1}, {"noudp6zerocsumtx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, 0},
	{"udp6zerocsumrx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, 1}, {"noudp6zerocsumrx", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, 0},
	{"remcsumtx", unix.IFLA_VXLAN_REMCSUM_TX, 1}, {"noremcsumtx", unix.IFLA_VXLAN_REMCSUM_TX, 0},
	{"remcsumrx", unix.IFLA_VXLAN_REMCSUM_RX, 1}, {"noremcsumrx", unix.IFLA_VXLAN_REMCSUM_RX, 0},
}

// vxlanParser holds vxlan_parse_opt's state.
type vxlanParser struct {
	a                  *args
	o                  *kindOpts
	seen               map[int]bool // check_duparg's attribute set
	vni                uint32
	learning, metadata uint8
	vnifilter          bool
	dstport            uint16
	saddr, daddr       netip.Addr
	saddrSet, daddrSet bool
	toggleErr          error
}

// dup is check_duparg.
func (p *vxlanParser) dup(attr int, key, arg string) error {
	if p.seen[attr] {
		return duplicateArg(key, arg)
	}
	p.seen[attr] = true
	return nil
}

func (p *vxlanParser) value(word string, attr int, key string) (string, error) {
	v, err := p.a.value(word)
	if err != nil {
		return "", err
	}
	return v, p.dup(attr, key, v)
}

// parseVxlanKind is vxlan_parse_opt.
func parseVxlanKind(a *args, o *kindOpts) error {
	p := &vxlanParser{a: a, o: o, seen: map[int]bool{}, learning: 1}
	for a.more() {
		if err := p.option(a.next()); err != nil {
			return err
		}
	}
	return p.finish()
}

func isMulticast(a netip.Addr) bool { return a.IsValid() && a.IsMulticast() }
func isUnicast(a netip.Addr) bool {
	return a.IsValid() && !a.IsMulticast() && !a.IsUnspecified()
}

// address is get_addr for group, remote and local: a parse failure exits 1,
// a wrong kind of address is invarg(bad).
func (p *vxlanParser) address(v string, family int, ok func(netip.Addr) bool, bad string) (netip.Addr, error) {
	if v == "any" || v == "all" || v == "default" {
		return netip.Addr{}, invalidName(bad, v)
	}
	addr, err := parseAddr(v, family)
	if err != nil {
		return addr, err
	}
	if !ok(addr) {
		return addr, invalidName(bad, v)
	}
	return addr, nil
}

func addrFamily(a netip.Addr, set bool) int {
	if !set {
		return 0
	}
	return familyOf(a)
}

func (p *vxlanParser) option(word string) error {
	o := p.o
	switch {
	case matches(word, "id") || matches(word, "vni"):
		v, err := p.value(word, unix.IFLA_VXLAN_ID, "id")
		if err != nil {
			return err
		}
		n, ok := cnum.GetU32(v)
		if !ok || n >= 1<<24 {
			return invalidName("invalid id", v)
		}
		p.vni = n
	case matches(word, "group"), matches(word, "remote"):
		key := "group"
		if !matches(word, "group") {
			key = "remote"
		}
		if key == "group" && p.daddrSet && isUnicast(p.daddr) || key == "remote" && isMulticast(p.daddr) {
			return kindError("vxlan: both group and remote cannot be specified")
		}
		v, err := p.value(word, unix.IFLA_VXLAN_GROUP, key)
		if err != nil {
			return err
		}
		check := isMulticast
		if key == "remote" {
			check = isUnicast
		}
		addr, err := p.address(v, addrFamily(p.saddr, p.saddrSet), check, "invalid "+key+" address")
		if err != nil {
			return err
		}
		p.daddr, p.daddrSet = addr, true
	case matches(word, "local"):
		v, err := p.value(word, unix.IFLA_VXLAN_LOCAL, "local")
		if err != nil {
			return err
		}
		addr, err := p.address(v, addrFamily(p.daddr, p.daddrSet), isUnicast, "invalid local address")
		if err != nil {
			return err
		}
		p.saddr, p.saddrSet = addr, true
	case matches(word, "dev"):
		v, err := p.value(word, unix.IFLA_VXLAN_LINK, "dev")
		if err != nil {
			return err
		}
		o.device(unix.IFLA_VXLAN_LINK, v)
	case matches(word, "ttl") || matches(word, "hoplimit"):
		v, err := p.value(word, unix.IFLA_VXLAN_TTL, "ttl")
		if err != nil {
			return err
		}
		switch v {
		case "inherit":
			o.flag(unix.IFLA_VXLAN_TTL_INHERIT)
		case "auto":
			o.u8(unix.IFLA_VXLAN_TTL, 0)
		default:
			n, ok := cnum.GetU32(v)
			if !ok {
				return invalidName("invalid TTL", v)
			}
			if n > 255 {
				return invalidName("TTL must be <= 255", v)
			}
			o.u8(unix.IFLA_VXLAN_TTL, uint8(n))
		}
	case matches(word, "tos") || matches(word, "dsfield"):
		v, err := p.value(word, unix.IFLA_VXLAN_TOS, "tos")
		if err != nil {
			return err
		}
		tos := uint64(1)
		if v != "inherit" {
			// rtnl_dsfield_a2n: a hex number (no names are configured).
			n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(v, "0x"), "0X"), 16, 8)
			if err != nil || v == "" {
				return invalidName("bad TOS value", v)
			}
			tos = n
		}
		o.u8(unix.IFLA_VXLAN_TOS, uint8(tos))
	case matches(word, "df"):
		v, err := p.value(word, unix.IFLA_VXLAN_DF, "df")
		if err != nil {
			return err
		}
		df, ok := map[string]uint8{"unset": 0, "set": 1, "inherit": 2}[v]
		if !ok {
			return invalidName("DF must be 'unset', 'set' or 'inherit'", v)
		}
		o.u8(unix.IFLA_VXLAN_DF, df)
	case matches(word, "label") || matches(word, "flowlabel"):
		v, err := p.value(word, unix.IFLA_VXLAN_LABEL, "flowlabel")
		if err != nil {
			return err
		}
		n, ok := cnum.GetU32(v)
		if !ok || n&^0xfffff != 0 {
			return invalidName("invalid flowlabel", v)
		}
		o.add(nl.NewRtAttr(unix.IFLA_VXLAN_LABEL, []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}))
	case matches(word, "ageing"):
		v, err := p.value(word, unix.IFLA_VXLAN_AGEING, "ageing")
		if err != nil {
			return err
		}
		var age uint32
		if v != "none" {
			n, ok := cnum.GetU32(v)
			if !ok {
				return invalidName("ageing timer", v)
			}
			age = n
		}
		o.u32(unix.IFLA_VXLAN_AGEING, age)
	case matches(word, "maxaddress"):
		v, err := p.value(word, unix.IFLA_VXLAN_LIMIT, "maxaddress")
		if err != nil {
			return err
		}
		var limit uint32
		if v != "unlimited" {
			n, ok := cnum.GetU32(v)
			if !ok {
				return invalidName("max addresses", v)
			}
			limit = n
		}
		o.u32(unix.IFLA_VXLAN_LIMIT, limit)
	case matches(word, "port") || matches(word, "srcport"):
		v, err := p.value(word, unix.IFLA_VXLAN_PORT_RANGE, "srcport")
		if err != nil {
			return err
		}
		low, err := getUint(v, 16, "min port")
		if err != nil {
			return err
		}
		v, err = p.a.value(word)
		if err != nil {
			return err
		}
		high, err := getUint(v, 16, "max port")
		if err != nil {
			return err
		}
		if low != 0 || high != 0 {
			o.add(nl.NewRtAttr(unix.IFLA_VXLAN_PORT_RANGE, []byte{byte(low >> 8), byte(low), byte(high >> 8), byte(high)}))
		}
	case matches(word, "dstport"):
		v, err := p.value(word, unix.IFLA_VXLAN_PORT, "dstport")
		if err != nil {
			return err
		}
		n, err := getUint(v, 16, "dst port")
		if err != nil {
			return err
		}
		p.dstport = uint16(n)
	case matches(word, "nolearning"), matches(word, "learning"):
		if err := p.dup(unix.IFLA_VXLAN_LEARNING, word, word); err != nil {
			return err
		}
		p.learning = 1
		if matches(word, "nolearning") {
			p.learning = 0
		}
	case p.toggle(word):
		return p.toggleErr
	case matches(word, "external"), matches(word, "noexternal"):
		if err := p.dup(unix.IFLA_VXLAN_COLLECT_METADATA, word, word); err != nil {
			return err
		}
		p.metadata = 0
		if matches(word, "external") {
			p.metadata, p.learning = 1, 0
		}
		o.u8(unix.IFLA_VXLAN_COLLECT_METADATA, p.metadata)
	case matches(word, "gbp"), matches(word, "gpe"):
		attr := unix.IFLA_VXLAN_GBP
		if matches(word, "gpe") {
			attr = unix.IFLA_VXLAN_GPE
		}
		if err := p.dup(attr, word, word); err != nil {
			return err
		}
		o.flag(attr)
	case word == "vnifilter", word == "novnifilter":
		if err := p.dup(unix.IFLA_VXLAN_VNIFILTER, word, word); err != nil {
			return err
		}
		p.vnifilter = word == "vnifilter"
		if p.vnifilter {
			o.u8(unix.IFLA_VXLAN_VNIFILTER, 1)
		} else {
			o.u8(unix.IFLA_VXLAN_VNIFILTER, 0)
		}
	case matches(word, "help"):
		return kindError("%s", vxlanExplain)
	default:
		return kindError("vxlan: unknown command \"%s\"?\n%s", word, vxlanExplain)
	}
	return nil
}

// toggle handles one of vxlanToggles, leaving its error in p.toggleErr.
func (p *vxlanParser) toggle(word string) bool {
	p.toggleErr = nil
	for _, t := range vxlanToggles {
		if matches(word, t.word) {
			p.toggleErr = p.dup(t.attr, word, word)
			if p.toggleErr == nil {
				p.o.u8(t.attr, t.val)
			}
			return true
		}
	}
	return false
}

// finish is the end of vxlan_parse_opt: its checks, then the attributes it
// adds last.
func (p *vxlanParser) finish() error {
	o := p.o
	switch {
	case p.metadata == 0 && p.vnifilter:
		return kindError("vxlan: vnifilter is valid only when 'external' is set")
	case p.metadata != 0 && p.seen[unix.IFLA_VXLAN_ID]:
		return kindError("vxlan: both 'external' and vni cannot be specified")
	case p.metadata == 0 && !p.vnifilter && !p.seen[unix.IFLA_VXLAN_ID] && o.create:
		return kindError("vxlan: missing virtual network identifier")
	case isMulticast(p.daddr) && !p.seen[unix.IFLA_VXLAN_LINK]:
		return kindError("vxlan: 'group' requires 'dev' to be specified")
	}
	if !p.seen[unix.IFLA_VXLAN_PORT] && p.seen[unix.IFLA_VXLAN_GPE] {
		p.dstport = 4790
	} else if !p.seen[unix.IFLA_VXLAN_PORT] && o.create {
		o.warning = "vxlan: destination port not specified\n" +
			"Will use Linux kernel default (non-standard value)\n" +
			"Use 'dstport 4789' to get the IANA assigned value\n" +
			"Use 'dstport 0' to get default and quiet this message\n"
	}
	if p.seen[unix.IFLA_VXLAN_ID] {
		o.u32(unix.IFLA_VXLAN_ID, p.vni)
	}
	if p.saddrSet {
		t := unix.IFLA_VXLAN_LOCAL
		if p.saddr.Is6() {
			t = unix.IFLA_VXLAN_LOCAL6
		}
		o.add(nl.NewRtAttr(t, p.saddr.AsSlice()))
	}
	if p.daddrSet {
		t := unix.IFLA_VXLAN_GROUP
		if p.daddr.Is6() {
			t = unix.IFLA_VXLAN_GROUP6
		}
		o.add(nl.NewRtAttr(t, p.daddr.AsSlice()))
	}
	if o.create || p.seen[unix.IFLA_VXLAN_LEARNING] {
		o.u8(unix.IFLA_VXLAN_LEARNING, p.learning)
	}
	if p.dstport != 0 {
		o.be16(unix.IFLA_VXLAN_PORT, p.dstport)
	}
	return nil
}
