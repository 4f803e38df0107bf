package ipshow

import (
	"fmt"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/rtattr"

	"golang.org/x/sys/unix"
)

// This file is the "-d" part of print_linkinfo: the generic details line
// and print_linktype, which hands each kind's IFLA_INFO_DATA (and a port's
// IFLA_INFO_SLAVE_DATA) to the kind's print_opt (the kind_*.go files).

// kindPrinter is a link_util's print_opt: tb holds the kind's attributes,
// nil when the link carries no IFLA_INFO_DATA.
type kindPrinter func(s *shower, tb rtattr.Table)

// kindPrinters are the print_opt functions netscript ports, by kind (a
// port's are under "KIND_slave"). A kind absent here prints its name only,
// as ip does for kinds without print_opt (veth, ifb, dummy).
var kindPrinters = map[string]kindPrinter{}

// printDetails is the show_details block of print_linkinfo.
func (s *shower) printDetails(tb rtattr.Table) {
	p := s.p
	if tb.Has(unix.IFLA_PROMISCUITY) {
		p.Uint(jsonw.Any, "promiscuity", " promiscuity %d ", int64(tb.U32(unix.IFLA_PROMISCUITY)))
	}
	if tb.Has(unix.IFLA_ALLMULTI) {
		p.Uint(jsonw.Any, "allmulti", " allmulti %d ", int64(tb.U32(unix.IFLA_ALLMULTI)))
	}
	if tb.Has(unix.IFLA_MIN_MTU) {
		p.Uint(jsonw.Any, "min_mtu", "minmtu %d ", int64(tb.U32(unix.IFLA_MIN_MTU)))
	}
	if tb.Has(unix.IFLA_MAX_MTU) {
		p.Uint(jsonw.Any, "max_mtu", "maxmtu %d ", int64(tb.U32(unix.IFLA_MAX_MTU)))
	}
	if li, ok := tb[unix.IFLA_LINKINFO]; ok {
		s.printLinktype(li)
	}
	if s.doLink {
		if af, ok := tb[unix.IFLA_AF_SPEC]; ok {
			s.printAFSpec(af)
		}
	}
	for _, f := range []struct {
		attr      uint16
		key, text string
	}{
		{unix.IFLA_NUM_TX_QUEUES, "num_tx_queues", "numtxqueues"},
		{unix.IFLA_NUM_RX_QUEUES, "num_rx_queues", "numrxqueues"},
		{unix.IFLA_GSO_MAX_SIZE, "gso_max_size", "gso_max_size"},
		{unix.IFLA_GSO_MAX_SEGS, "gso_max_segs", "gso_max_segs"},
		{unix.IFLA_TSO_MAX_SIZE, "tso_max_size", "tso_max_size"},
		{unix.IFLA_TSO_MAX_SEGS, "tso_max_segs", "tso_max_segs"},
		{unix.IFLA_GRO_MAX_SIZE, "gro_max_size", "gro_max_size"},
	} {
		if tb.Has(f.attr) {
			p.Uint(jsonw.Any, f.key, f.text+" %d ", int64(tb.U32(f.attr)))
		}
	}
	if tb.Has(unix.IFLA_PHYS_PORT_NAME) {
		p.Str(jsonw.Any, "phys_port_name", "portname %s ", tb.Str(unix.IFLA_PHYS_PORT_NAME))
	}
	if v, ok := tb[unix.IFLA_PHYS_PORT_ID]; ok {
		p.Str(jsonw.Any, "phys_port_id", "portid %s ", fmt.Sprintf("%x", v))
	}
	if v, ok := tb[unix.IFLA_PHYS_SWITCH_ID]; ok {
		p.Str(jsonw.Any, "phys_switch_id", "switchid %s ", fmt.Sprintf("%x", v))
	}
	if tb.Has(unix.IFLA_PARENT_DEV_BUS_NAME) {
		p.Str(jsonw.Any, "parentbus", "parentbus %s ", tb.Str(unix.IFLA_PARENT_DEV_BUS_NAME))
	}
	if tb.Has(unix.IFLA_PARENT_DEV_NAME) {
		p.Str(jsonw.Any, "parentdev", "parentdev %s ", tb.Str(unix.IFLA_PARENT_DEV_NAME))
	}
}

// printLinktype is print_linktype.
func (s *shower) printLinktype(linkinfo []byte) {
	p := s.p
	info := rtattr.Parse(linkinfo)
	p.OpenObject("linkinfo")
	if info.Has(unix.IFLA_INFO_KIND) {
		kind := info.Str(unix.IFLA_INFO_KIND)
		p.nl()
		p.Str(jsonw.Any, "info_kind", "    %s ", kind)
		s.printKindData(kind, info, unix.IFLA_INFO_DATA, "info_data")
	}
	if info.Has(unix.IFLA_INFO_SLAVE_KIND) {
		kind := info.Str(unix.IFLA_INFO_SLAVE_KIND)
		p.nl()
		p.Str(jsonw.Any, "info_slave_kind", "    %s_slave ", kind)
		s.printKindData(kind+"_slave", info, unix.IFLA_INFO_SLAVE_DATA, "info_slave_data")
	}
	p.CloseObject()
}

func (s *shower) printKindData(kind string, info rtattr.Table, attr uint16, key string) {
	pr := kindPrinters[kind]
	if pr == nil {
		return
	}
	var tb rtattr.Table
	if data, ok := info[attr]; ok {
		tb = rtattr.Parse(data)
	}
	s.p.OpenObject(key)
	pr(s, tb)
	s.p.CloseObject()
}

// addrGenModes are the names print_af_spec gives IFLA_INET6_ADDR_GEN_MODE.
var addrGenModes = map[uint8]string{0: "eui64", 1: "none", 2: "stable_secret", 3: "random"}

// printAFSpec is print_af_spec: IPv6's address generation mode.
func (s *shower) printAFSpec(af []byte) {
	spec := rtattr.Parse(af)
	in6, ok := spec[unix.AF_INET6]
	if !ok {
		return
	}
	tb := rtattr.Parse(in6)
	if !tb.Has(unix.IFLA_INET6_ADDR_GEN_MODE) {
		return
	}
	mode := tb.U8(unix.IFLA_INET6_ADDR_GEN_MODE)
	name, ok := addrGenModes[mode]
	if !ok {
		name = fmt.Sprintf("0x%02x", mode)
	}
	s.p.Str(jsonw.Any, "inet6_addr_gen_mode", "addrgenmode %s ", name)
}

// onOff is print_on_off: "on"/"off" in text, a boolean in JSON.
func (p *printer) onOff(key, format string, v bool) {
	switch {
	case p.IsJSON():
		p.Writer().Name(key)
		p.Writer().Printf("%t", v)
	default:
		text := "off"
		if v {
			text = "on"
		}
		fmt.Fprintf(&p.Buf, format, text)
	}
}

// hex0x is print_0xhex: C's "%#llx" (so 0 is "0", not "0x0") in text, and
// the same text as a JSON string.
func (p *printer) hex0x(t jsonw.Out, key, format string, v uint64) {
	text := "0"
	if v != 0 {
		text = fmt.Sprintf("0x%x", v)
	}
	switch {
	case p.InJSON(t):
		if key != "" {
			p.Writer().Name(key)
		}
		p.Writer().Str(text)
	case p.InText(t):
		fmt.Fprintf(&p.Buf, format, text)
	}
}

// timer is _bridge_print_timer / _print_timer: jiffies of 1/100 s.
func (p *printer) timer(key string, jiffies uint64) {
	usec := 10000 * jiffies
	sec, frac := int(usec/1000000), int(usec%1000000)/10000
	if p.IsJSON() {
		p.Writer().Name(key)
		p.Writer().Printf("%d.%02d", sec, frac)
		return
	}
	fmt.Fprintf(&p.Buf, "%s %4d.%02d ", key, sec, frac)
}

// bridgeID is br_dump_bridge_id: priority bytes, a dot, ether_ntoa's
// address (no leading zeros).
func bridgeID(b []byte) string {
	if len(b) < 8 {
		return ""
	}
	return fmt.Sprintf("%02x%02x.%x:%x:%x:%x:%x:%x", b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7])
}
