package ipshow

import (
	"strings"

	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/rtattr"

	"golang.org/x/sys/unix"
)

// fieldType says how a field of a kind's attributes is read and printed.
type fieldType int

const (
	fUint     fieldType = iota // print_uint of a u8, u16, u32 or u64 (by size)
	fOnOff                     // print_on_off of a u8
	fHex                       // print_0xhex of a u16
	fTimer                     // a bridge timer, u64 jiffies
	fBridgeID                  // struct ifla_bridge_id
)

// field is one "if (tb[ATTR]) print_...(key, "text %u ", value)" of a
// print_opt; text is the word before the value.
type field struct {
	attr uint16
	key  string
	text string
	typ  fieldType
	size int // bytes of an fUint
}

// printField prints f from tb when tb has it.
func (s *shower) printField(tb rtattr.Table, f field) {
	if !tb.Has(f.attr) {
		return
	}
	p := s.p
	switch f.typ {
	case fUint:
		var v uint64
		switch f.size {
		case 1:
			v = uint64(tb.U8(f.attr))
		case 2:
			v = uint64(tb.U16(f.attr))
		case 8:
			v = tb.U64(f.attr)
		default:
			v = uint64(tb.U32(f.attr))
		}
		p.Uint(jsonw.Any, f.key, f.text+" %d ", int64(v))
	case fOnOff:
		p.onOff(f.key, f.text+" %s ", tb.U8(f.attr) != 0)
	case fHex:
		p.hex0x(jsonw.Any, f.key, f.text+" %s ", uint64(tb.U16(f.attr)))
	case fTimer:
		p.timer(f.key, tb.U64(f.attr))
	case fBridgeID:
		p.Str(jsonw.Any, f.key, f.text+" %s ", bridgeID(tb[f.attr]))
	}
}

func (s *shower) printFields(tb rtattr.Table, fields []field) {
	for _, f := range fields {
		s.printField(tb, f)
	}
}

func u8f(attr uint16, key, text string) field  { return field{attr, key, text, fUint, 1} }
func u16f(attr uint16, key, text string) field { return field{attr, key, text, fUint, 2} }
func u32f(attr uint16, key, text string) field { return field{attr, key, text, fUint, 4} }
func u64f(attr uint16, key, text string) field { return field{attr, key, text, fUint, 8} }
func timerf(attr uint16, key string) field     { return field{attr, key, key, fTimer, 8} }

func init() {
	kindPrinters["bridge"] = printBridge
	kindPrinters["bridge_slave"] = printBridgeSlave
}

// bridgeHead are bridge_print_opt's fields up to the VLAN protocol.
var bridgeHead = []field{
	u32f(unix.IFLA_BR_FORWARD_DELAY, "forward_delay", "forward_delay"),
	u32f(unix.IFLA_BR_HELLO_TIME, "hello_time", "hello_time"),
	u32f(unix.IFLA_BR_MAX_AGE, "max_age", "max_age"),
	u32f(unix.IFLA_BR_AGEING_TIME, "ageing_time", "ageing_time"),
	u32f(unix.IFLA_BR_STP_STATE, "stp_state", "stp_state"),
	u16f(unix.IFLA_BR_PRIORITY, "priority", "priority"),
	u8f(unix.IFLA_BR_VLAN_FILTERING, "vlan_filtering", "vlan_filtering"),
}

// bridgeIDs and the rest follow the VLAN protocol, up to the group address.
var bridgeMiddle = []field{
	u16f(unix.IFLA_BR_ROOT_PORT, "root_port", "root_port"),
	u32f(unix.IFLA_BR_ROOT_PATH_COST, "root_path_cost", "root_path_cost"),
	u8f(unix.IFLA_BR_TOPOLOGY_CHANGE, "topology_change", "topology_change"),
	u8f(unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, "topology_change_detected", "topology_change_detected"),
	timerf(unix.IFLA_BR_HELLO_TIMER, "hello_timer"),
	timerf(unix.IFLA_BR_TCN_TIMER, "tcn_timer"),
	timerf(unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER, "topology_change_timer"),
	timerf(unix.IFLA_BR_GC_TIMER, "gc_timer"),
	u16f(unix.IFLA_BR_VLAN_DEFAULT_PVID, "vlan_default_pvid", "vlan_default_pvid"),
	u8f(unix.IFLA_BR_VLAN_STATS_ENABLED, "vlan_stats_enabled", "vlan_stats_enabled"),
	u8f(unix.IFLA_BR_VLAN_STATS_PER_PORT, "vlan_stats_per_port", "vlan_stats_per_port"),
	{unix.IFLA_BR_GROUP_FWD_MASK, "group_fwd_mask", "group_fwd_mask", fHex, 2},
}

var bridgeTail = []field{
	u8f(unix.IFLA_BR_MCAST_ROUTER, "mcast_router", "mcast_router"),
	u8f(unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, "mcast_query_use_ifaddr", "mcast_query_use_ifaddr"),
	u8f(unix.IFLA_BR_MCAST_QUERIER, "mcast_querier", "mcast_querier"),
	u32f(unix.IFLA_BR_MCAST_HASH_ELASTICITY, "mcast_hash_elasticity", "mcast_hash_elasticity"),
	u32f(unix.IFLA_BR_MCAST_HASH_MAX, "mcast_hash_max", "mcast_hash_max"),
	u32f(unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, "mcast_last_member_cnt", "mcast_last_member_count"),
	u32f(unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, "mcast_startup_query_cnt", "mcast_startup_query_count"),
	u64f(unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, "mcast_last_member_intvl", "mcast_last_member_interval"),
	u64f(unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, "mcast_membership_intvl", "mcast_membership_interval"),
	u64f(unix.IFLA_BR_MCAST_QUERIER_INTVL, "mcast_querier_intvl", "mcast_querier_interval"),
	u64f(unix.IFLA_BR_MCAST_QUERY_INTVL, "mcast_query_intvl", "mcast_query_interval"),
	u64f(unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, "mcast_query_response_intvl", "mcast_query_response_interval"),
	u64f(unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, "mcast_startup_query_intvl", "mcast_startup_query_interval"),
	u8f(unix.IFLA_BR_MCAST_STATS_ENABLED, "mcast_stats_enabled", "mcast_stats_enabled"),
	u8f(unix.IFLA_BR_MCAST_IGMP_VERSION, "mcast_igmp_version", "mcast_igmp_version"),
	u8f(unix.IFLA_BR_MCAST_MLD_VERSION, "mcast_mld_version", "mcast_mld_version"),
	u8f(unix.IFLA_BR_NF_CALL_IPTABLES, "nf_call_iptables", "nf_call_iptables"),
	u8f(unix.IFLA_BR_NF_CALL_IP6TABLES, "nf_call_ip6tables", "nf_call_ip6tables"),
	u8f(unix.IFLA_BR_NF_CALL_ARPTABLES, "nf_call_arptables", "nf_call_arptables"),
}

// Bits of IFLA_BR_MULTI_BOOLOPT (enum br_boolopt_id).
const (
	brBooloptNoLLLearn         = 0
	brBooloptMcastVlanSnooping = 1
)

// printBridge is bridge_print_opt.
func printBridge(s *shower, tb rtattr.Table) {
	if tb == nil {
		return
	}
	p := s.p
	s.printFields(tb, bridgeHead)
	if tb.Has(unix.IFLA_BR_VLAN_PROTOCOL) {
		p.Str(jsonw.Any, "vlan_protocol", "vlan_protocol %s ", vlanProtoName(tb.BE16(unix.IFLA_BR_VLAN_PROTOCOL)))
	}
	if tb.Has(unix.IFLA_BR_BRIDGE_ID) {
		p.Str(jsonw.Any, "bridge_id", "bridge_id %s ", bridgeID(tb[unix.IFLA_BR_BRIDGE_ID]))
	}
	if tb.Has(unix.IFLA_BR_ROOT_ID) {
		// As ip 6.1 prints it: the bridge's own ID under this name.
		p.Str(jsonw.Any, "root_id", "designated_root %s ", bridgeID(tb[unix.IFLA_BR_BRIDGE_ID]))
	}
	s.printFields(tb, bridgeMiddle)
	if v, ok := tb[unix.IFLA_BR_GROUP_ADDR]; ok {
		p.Str(jsonw.Any, "group_addr", "group_address %s ", llAddr(v, unix.ARPHRD_ETHER))
	}
	s.printField(tb, u8f(unix.IFLA_BR_MCAST_SNOOPING, "mcast_snooping", "mcast_snooping"))
	if v, ok := tb[unix.IFLA_BR_MULTI_BOOLOPT]; ok && len(v) >= 8 {
		val, mask := native.Uint32(v[0:4]), native.Uint32(v[4:8])
		for _, b := range []struct {
			bit  uint32
			name string
		}{{brBooloptNoLLLearn, "no_linklocal_learn"}, {brBooloptMcastVlanSnooping, "mcast_vlan_snooping"}} {
			if mask&(1<<b.bit) != 0 {
				on := int64(0)
				if val&(1<<b.bit) != 0 {
					on = 1
				}
				p.Uint(jsonw.Any, b.name, b.name+" %d ", on)
			}
		}
	}
	s.printFields(tb, bridgeTail)
}

// vlanProtoName is ll_proto_n2a for the VLAN protocols.
func vlanProtoName(proto uint16) string {
	switch proto {
	case unix.ETH_P_8021Q:
		return "802.1Q"
	case unix.ETH_P_8021AD:
		return "802.1ad"
	}
	return strings.ToLower(hex4(proto))
}

func hex4(v uint16) string {
	const digits = "0123456789abcdef"
	return "0x" + string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}

var portStates = []string{"disabled", "listening", "learning", "forwarding", "blocking"}

// bridgeSlaveHead are bridge_slave_print_opt's fields after the state.
var bridgeSlaveHead = []field{
	{unix.IFLA_BRPORT_MODE, "hairpin", "hairpin", fOnOff, 1},
	{unix.IFLA_BRPORT_GUARD, "guard", "guard", fOnOff, 1},
	{unix.IFLA_BRPORT_PROTECT, "root_block", "root_block", fOnOff, 1},
	{unix.IFLA_BRPORT_FAST_LEAVE, "fastleave", "fastleave", fOnOff, 1},
	{unix.IFLA_BRPORT_LEARNING, "learning", "learning", fOnOff, 1},
	{unix.IFLA_BRPORT_UNICAST_FLOOD, "flood", "flood", fOnOff, 1},
	{unix.IFLA_BRPORT_ID, "id", "port_id", fHex, 2},
	{unix.IFLA_BRPORT_NO, "no", "port_no", fHex, 2},
	u16f(unix.IFLA_BRPORT_DESIGNATED_PORT, "designated_port", "designated_port"),
	u16f(unix.IFLA_BRPORT_DESIGNATED_COST, "designated_cost", "designated_cost"),
	{unix.IFLA_BRPORT_BRIDGE_ID, "bridge_id", "designated_bridge", fBridgeID, 8},
	{unix.IFLA_BRPORT_ROOT_ID, "root_id", "designated_root", fBridgeID, 8},
	timerf(unix.IFLA_BRPORT_HOLD_TIMER, "hold_timer"),
	timerf(unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, "message_age_timer"),
	timerf(unix.IFLA_BRPORT_FORWARD_DELAY_TIMER, "forward_delay_timer"),
	u8f(unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, "topology_change_ack", "topology_change_ack"),
	u8f(unix.IFLA_BRPORT_CONFIG_PENDING, "config_pending", "config_pending"),
	{unix.IFLA_BRPORT_PROXYARP, "proxy_arp", "proxy_arp", fOnOff, 1},
	{unix.IFLA_BRPORT_PROXYARP_WIFI, "proxy_arp_wifi", "proxy_arp_wifi", fOnOff, 1},
	u8f(unix.IFLA_BRPORT_MULTICAST_ROUTER, "multicast_router", "mcast_router"),
}

var bridgeSlaveTail = []field{
	{unix.IFLA_BRPORT_MCAST_FLOOD, "mcast_flood", "mcast_flood", fOnOff, 1},
	{unix.IFLA_BRPORT_BCAST_FLOOD, "bcast_flood", "bcast_flood", fOnOff, 1},
	{unix.IFLA_BRPORT_MCAST_TO_UCAST, "mcast_to_unicast", "mcast_to_unicast", fOnOff, 1},
	{unix.IFLA_BRPORT_NEIGH_SUPPRESS, "neigh_suppress", "neigh_suppress", fOnOff, 1},
}

// printBridgeSlave is bridge_slave_print_opt.
func printBridgeSlave(s *shower, tb rtattr.Table) {
	if tb == nil {
		return
	}
	p := s.p
	if tb.Has(unix.IFLA_BRPORT_STATE) {
		st := tb.U8(unix.IFLA_BRPORT_STATE)
		if int(st) < len(portStates) {
			p.Str(jsonw.Any, "state", "state %s ", portStates[st])
		} else {
			p.Uint(jsonw.Any, "state_index", "state (%d) ", int64(st))
		}
	}
	if tb.Has(unix.IFLA_BRPORT_PRIORITY) {
		p.Uint(jsonw.Any, "priority", "priority %d ", int64(tb.U16(unix.IFLA_BRPORT_PRIORITY)))
	}
	if tb.Has(unix.IFLA_BRPORT_COST) {
		p.Uint(jsonw.Any, "cost", "cost %d ", int64(int32(tb.U32(unix.IFLA_BRPORT_COST))))
	}
	s.printFields(tb, bridgeSlaveHead)
	if tb.Has(unix.IFLA_BRPORT_FAST_LEAVE) {
		v := "off"
		if tb.U8(unix.IFLA_BRPORT_FAST_LEAVE) != 0 {
			v = "on"
		}
		p.Str(jsonw.FP, "", "mcast_fast_leave %s ", v)
	}
	s.printFields(tb, bridgeSlaveTail)
	if tb.Has(unix.IFLA_BRPORT_GROUP_FWD_MASK) {
		mask := tb.U16(unix.IFLA_BRPORT_GROUP_FWD_MASK)
		p.hex0x(jsonw.Any, "group_fwd_mask", "group_fwd_mask %s ", uint64(mask))
		p.Str(jsonw.Any, "group_fwd_mask_str", "group_fwd_mask_str %s ", fwdMaskString(mask))
	}
	for _, f := range []field{
		{unix.IFLA_BRPORT_VLAN_TUNNEL, "vlan_tunnel", "vlan_tunnel", fOnOff, 1},
		{unix.IFLA_BRPORT_ISOLATED, "isolated", "isolated", fOnOff, 1},
		{unix.IFLA_BRPORT_LOCKED, "locked", "locked", fOnOff, 1},
	} {
		s.printField(tb, f)
	}
	if tb.Has(unix.IFLA_BRPORT_BACKUP_PORT) {
		p.Str(jsonw.Any, "backup_port", "backup_port %s ", s.ll.indexToName(int(int32(tb.U32(unix.IFLA_BRPORT_BACKUP_PORT)))))
	}
}

// fwdMaskString is _bitmask2str with fwd_mask_tbl.
func fwdMaskString(mask uint16) string {
	names := map[int]string{0: "stp", 2: "lacp", 14: "lldp"}
	var parts []string
	for i := 0; mask != 0; i, mask = i+1, mask>>1 {
		if mask&1 == 0 {
			continue
		}
		if n, ok := names[i]; ok {
			parts = append(parts, n)
		} else {
			parts = append(parts, "0x"+strings.TrimLeft(hex4(uint16(1 << i))[2:], "0"))
		}
	}
	if len(parts) == 0 {
		return "0x0"
	}
	return strings.Join(parts, ",")
}
