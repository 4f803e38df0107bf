package ipshow

import (
	"fmt"
	"net"
	"os/user"
	"strconv"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/rtattr"

	"golang.org/x/sys/unix"
)

// Values of linux/if_link.h the x/sys package lacks.
const (
	vxlanDFUnset   = 0
	vxlanDFSet     = 1
	vxlanDFInherit = 2

	macvlanModePrivate  = 1
	macvlanModeVepa     = 2
	macvlanModeBridge   = 4
	macvlanModePassthru = 8
	macvlanModeSource   = 16

	macvlanFlagNopromisc = 1
	macvlanFlagNodst     = 2
)

func init() {
	kindPrinters["vxlan"] = printVxlan
	kindPrinters["macvlan"] = printMacvlan
	kindPrinters["macvtap"] = printMacvlan
	kindPrinters["tun"] = printTun
}

// printVxlan is vxlan_print_opt.
func printVxlan(s *shower, tb rtattr.Table) {
	if tb == nil {
		return
	}
	p := s.p
	if tb.U8(unix.IFLA_VXLAN_COLLECT_METADATA) != 0 {
		p.Bool(jsonw.Any, "external", "external ", true)
	}
	if tb.U8(unix.IFLA_VXLAN_VNIFILTER) != 0 {
		p.Bool(jsonw.Any, "vnifilter", "vnifilter", true)
	}
	if len(tb[unix.IFLA_VXLAN_ID]) >= 4 {
		p.Uint(jsonw.Any, "id", "id %d ", int64(tb.U32(unix.IFLA_VXLAN_ID)))
	}
	if v, ok := tb[unix.IFLA_VXLAN_GROUP]; ok && len(v) == 4 {
		if ip := net.IP(v); !ip.Equal(net.IPv4zero) {
			if ip.IsMulticast() {
				p.Str(jsonw.Any, "group", "group %s ", ip.String())
			} else {
				p.Str(jsonw.Any, "remote", "remote %s ", ip.String())
			}
		}
	} else if v, ok := tb[unix.IFLA_VXLAN_GROUP6]; ok && len(v) == 16 {
		if ip := net.IP(v); !ip.IsUnspecified() {
			if ip.IsMulticast() {
				p.Str(jsonw.Any, "group6", "group %s ", ip.String())
			} else {
				p.Str(jsonw.Any, "remote6", "remote %s ", ip.String())
			}
		}
	}
	if v, ok := tb[unix.IFLA_VXLAN_LOCAL]; ok && len(v) == 4 {
		if ip := net.IP(v); !ip.Equal(net.IPv4zero) {
			p.Str(jsonw.Any, "local", "local %s ", ip.String())
		}
	} else if v, ok := tb[unix.IFLA_VXLAN_LOCAL6]; ok && len(v) == 16 {
		if ip := net.IP(v); !ip.IsUnspecified() {
			p.Str(jsonw.Any, "local6", "local %s ", ip.String())
		}
	}
	if link := tb.U32(unix.IFLA_VXLAN_LINK); link != 0 {
		p.Str(jsonw.Any, "link", "dev %s ", s.ll.indexToName(int(link)))
	}
	if v, ok := tb[unix.IFLA_VXLAN_PORT_RANGE]; ok && len(v) >= 4 {
		low, high := int64(v[0])<<8|int64(v[1]), int64(v[2])<<8|int64(v[3])
		if p.IsJSON() {
			p.OpenObject("port_range")
			p.Uint(jsonw.JSON, "low", "", low)
			p.Uint(jsonw.JSON, "high", "", high)
			p.CloseObject()
		} else {
			p.lit(fmt.Sprintf("srcport %d %d ", low, high))
		}
	}
	if tb.Has(unix.IFLA_VXLAN_PORT) {
		p.Uint(jsonw.Any, "port", "dstport %d ", int64(tb.BE16(unix.IFLA_VXLAN_PORT)))
	}
	if tb.Has(unix.IFLA_VXLAN_LEARNING) {
		learning := tb.U8(unix.IFLA_VXLAN_LEARNING) != 0
		p.Bool(jsonw.JSON, "learning", "", learning)
		if !learning {
			p.Bool(jsonw.FP, "", "nolearning ", true)
		}
	}
	for _, f := range []struct {
		attr      uint16
		key, text string
	}{
		{unix.IFLA_VXLAN_PROXY, "proxy", "proxy "},
		{unix.IFLA_VXLAN_RSC, "rsc", "rsc "},
		{unix.IFLA_VXLAN_L2MISS, "l2miss", "l2miss "},
		{unix.IFLA_VXLAN_L3MISS, "l3miss", "l3miss "},
	} {
		if tb.U8(f.attr) != 0 {
			p.Bool(jsonw.Any, f.key, f.text, true)
		}
	}
	if tos := tb.U8(unix.IFLA_VXLAN_TOS); tos != 0 {
		if p.IsJSON() || tos != 1 {
			p.hex0x(jsonw.Any, "tos", "tos %s ", uint64(tos))
		} else {
			p.lit("tos inherit ")
		}
	}
	if tb.U8(unix.IFLA_VXLAN_TTL_INHERIT) != 0 {
		p.lit("ttl inherit ")
	} else if tb.Has(unix.IFLA_VXLAN_TTL) {
		ttl := tb.U8(unix.IFLA_VXLAN_TTL)
		if p.IsJSON() || ttl != 0 {
			p.Uint(jsonw.Any, "ttl", "ttl %d ", int64(ttl))
		} else {
			p.lit("ttl auto ")
		}
	}
	if tb.Has(unix.IFLA_VXLAN_DF) {
		switch tb.U8(unix.IFLA_VXLAN_DF) {
		case vxlanDFUnset:
			p.Str(jsonw.JSON, "df", "", "unset")
		case vxlanDFSet:
			p.Str(jsonw.Any, "df", "df %s ", "set")
		case vxlanDFInherit:
			p.Str(jsonw.Any, "df", "df %s ", "inherit")
		}
	}
	if v := tb[unix.IFLA_VXLAN_LABEL]; len(v) >= 4 {
		if label := uint64(v[0])<<24 | uint64(v[1])<<16 | uint64(v[2])<<8 | uint64(v[3]); label != 0 {
			p.hex0x(jsonw.Any, "label", "flowlabel %s ", label)
		}
	}
	if tb.Has(unix.IFLA_VXLAN_AGEING) {
		if age := tb.U32(unix.IFLA_VXLAN_AGEING); age == 0 {
			p.Uint(jsonw.Any, "ageing", "ageing none ", 0)
		} else {
			p.Uint(jsonw.Any, "ageing", "ageing %d ", int64(age))
		}
	}
	if limit := tb.U32(unix.IFLA_VXLAN_LIMIT); limit != 0 {
		p.Uint(jsonw.Any, "limit", "maxaddr %d ", int64(limit))
	}
	for _, f := range []struct {
		attr      uint16
		key, text string
	}{
		{unix.IFLA_VXLAN_UDP_CSUM, "udp_csum", "udpcsum "},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, "udp_zero_csum6_tx", "udp6zerocsumtx "},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, "udp_zero_csum6_rx", "udp6zerocsumrx "},
	} {
		if !tb.Has(f.attr) {
			continue
		}
		on := tb.U8(f.attr) != 0
		if p.IsJSON() {
			p.Bool(jsonw.JSON, f.key, "", on)
			continue
		}
		if !on {
			p.lit("no")
		}
		p.lit(f.text)
	}
	if tb.U8(unix.IFLA_VXLAN_REMCSUM_TX) != 0 {
		p.Bool(jsonw.Any, "remcsum_tx", "remcsumtx ", true)
	}
	if tb.U8(unix.IFLA_VXLAN_REMCSUM_RX) != 0 {
		p.Bool(jsonw.Any, "remcsum_rx", "remcsumrx ", true)
	}
	if tb.Has(unix.IFLA_VXLAN_GBP) {
		p.Bool(jsonw.Any, "gbp", "gbp ", true)
	}
	if tb.Has(unix.IFLA_VXLAN_GPE) {
		p.Bool(jsonw.Any, "gpe", "gpe ", true)
	}
}

var macvlanModes = map[uint32]string{
	macvlanModePrivate: "private", macvlanModeVepa: "vepa",
	macvlanModeBridge: "bridge", macvlanModePassthru: "passthru",
	macvlanModeSource: "source",
}

// printMacvlan is macvlan_print_opt (macvlan and macvtap).
func printMacvlan(s *shower, tb rtattr.Table) {
	if tb == nil || len(tb[unix.IFLA_MACVLAN_MODE]) < 4 {
		return
	}
	p := s.p
	mode := tb.U32(unix.IFLA_MACVLAN_MODE)
	name, ok := macvlanModes[mode]
	if !ok {
		name = "unknown"
	}
	p.Str(jsonw.Any, "mode", "mode %s ", name)
	var flags uint16
	if len(tb[unix.IFLA_MACVLAN_FLAGS]) >= 2 {
		flags = tb.U16(unix.IFLA_MACVLAN_FLAGS)
	}
	if flags&macvlanFlagNopromisc != 0 {
		p.Bool(jsonw.Any, "nopromisc", "nopromisc ", true)
	}
	if flags&macvlanFlagNodst != 0 {
		p.Bool(jsonw.Any, "nodst", "nodst ", true)
	}
	if len(tb[unix.IFLA_MACVLAN_BC_QUEUE_LEN]) >= 4 {
		p.Uint(jsonw.Any, "bcqueuelen", "bcqueuelen %d ", int64(tb.U32(unix.IFLA_MACVLAN_BC_QUEUE_LEN)))
	}
	if len(tb[unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED]) >= 4 {
		p.Uint(jsonw.Any, "usedbcqueuelen", "usedbcqueuelen %d ", int64(tb.U32(unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED)))
	}
	if mode != macvlanModeSource || len(tb[unix.IFLA_MACVLAN_MACADDR_COUNT]) < 4 {
		return
	}
	p.Uint(jsonw.Any, "macaddr_count", "remotes (%d) ", int64(int32(tb.U32(unix.IFLA_MACVLAN_MACADDR_COUNT))))
	data, ok := tb[unix.IFLA_MACVLAN_MACADDR_DATA]
	if !ok {
		return
	}
	p.OpenArray(jsonw.JSON, "macaddr_data", "")
	for t, v := range nestedAll(data) {
		if t != unix.IFLA_MACVLAN_MACADDR || len(v) < 6 {
			continue
		}
		mac := net.HardwareAddr(v[:6]).String()
		if p.IsJSON() {
			p.Str(jsonw.JSON, "", "", mac)
		} else {
			p.lit(mac + " ")
		}
	}
	p.CloseArray(jsonw.JSON, "")
}

// printTun is tun_print_opt.
func printTun(s *shower, tb rtattr.Table) {
	if tb == nil {
		return
	}
	p := s.p
	if tb.Has(unix.IFLA_TUN_TYPE) {
		name := fmt.Sprintf("UNKNOWN:%d", tb.U8(unix.IFLA_TUN_TYPE))
		switch tb.U8(unix.IFLA_TUN_TYPE) {
		case unix.IFF_TUN:
			name = "tun"
		case unix.IFF_TAP:
			name = "tap"
		}
		p.Str(jsonw.Any, "type", "type %s ", name)
	}
	s.printField(tb, field{unix.IFLA_TUN_PI, "pi", "pi", fOnOff, 1})
	s.printField(tb, field{unix.IFLA_TUN_VNET_HDR, "vnet_hdr", "vnet_hdr", fOnOff, 1})
	if tb.U8(unix.IFLA_TUN_MULTI_QUEUE) == 0 {
		p.Bool(jsonw.JSON, "multi_queue", "", false)
	} else {
		p.Bool(jsonw.Any, "multi_queue", "multi_queue ", true)
		s.printField(tb, u32f(unix.IFLA_TUN_NUM_QUEUES, "numqueues", "numqueues"))
		s.printField(tb, u32f(unix.IFLA_TUN_NUM_DISABLED_QUEUES, "numdisabled", "numdisabled"))
	}
	s.printField(tb, field{unix.IFLA_TUN_PERSIST, "persist", "persist", fOnOff, 1})
	if tb.Has(unix.IFLA_TUN_OWNER) {
		uid := tb.U32(unix.IFLA_TUN_OWNER)
		if u, err := user.LookupId(strconv.FormatUint(uint64(uid), 10)); err == nil {
			p.Str(jsonw.Any, "user", "user %s ", u.Username)
		} else {
			p.Uint(jsonw.Any, "user", "user %d ", int64(uid))
		}
	}
	if tb.Has(unix.IFLA_TUN_GROUP) {
		gid := tb.U32(unix.IFLA_TUN_GROUP)
		if g, err := user.LookupGroupId(strconv.FormatUint(uint64(gid), 10)); err == nil {
			p.Str(jsonw.Any, "group", "group %s ", g.Name)
		} else {
			p.Uint(jsonw.Any, "group", "group %d ", int64(gid))
		}
	}
}
