package iproute

import (
	"encoding/binary"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

func init() {
	linkKinds["bridge"] = &linkKind{parse: parseBridgeKind}
	linkKinds["bridge_slave"] = &linkKind{parse: parseBridgeSlaveKind}
}

// bridgeExplain is iplink_bridge.c's print_explain.
const bridgeExplain = "Usage: ... bridge [ fdb_flush ]\n" +
	"\t\t  [ forward_delay FORWARD_DELAY ]\n" +
	"\t\t  [ hello_time HELLO_TIME ]\n" +
	"\t\t  [ max_age MAX_AGE ]\n" +
	"\t\t  [ ageing_time AGEING_TIME ]\n" +
	"\t\t  [ stp_state STP_STATE ]\n" +
	"\t\t  [ priority PRIORITY ]\n" +
	"\t\t  [ group_fwd_mask MASK ]\n" +
	"\t\t  [ group_address ADDRESS ]\n" +
	"\t\t  [ no_linklocal_learn NO_LINKLOCAL_LEARN ]\n" +
	"\t\t  [ vlan_filtering VLAN_FILTERING ]\n" +
	"\t\t  [ vlan_protocol VLAN_PROTOCOL ]\n" +
	"\t\t  [ vlan_default_pvid VLAN_DEFAULT_PVID ]\n" +
	"\t\t  [ vlan_stats_enabled VLAN_STATS_ENABLED ]\n" +
	"\t\t  [ vlan_stats_per_port VLAN_STATS_PER_PORT ]\n" +
	"\t\t  [ mcast_snooping MULTICAST_SNOOPING ]\n" +
	"\t\t  [ mcast_vlan_snooping MULTICAST_VLAN_SNOOPING ]\n" +
	"\t\t  [ mcast_router MULTICAST_ROUTER ]\n" +
	"\t\t  [ mcast_query_use_ifaddr MCAST_QUERY_USE_IFADDR ]\n" +
	"\t\t  [ mcast_querier MULTICAST_QUERIER ]\n" +
	"\t\t  [ mcast_hash_elasticity HASH_ELASTICITY ]\n" +
	"\t\t  [ mcast_hash_max HASH_MAX ]\n" +
	"\t\t  [ mcast_last_member_count LAST_MEMBER_COUNT ]\n" +
	"\t\t  [ mcast_startup_query_count STARTUP_QUERY_COUNT ]\n" +
	"\t\t  [ mcast_last_member_interval LAST_MEMBER_INTERVAL ]\n" +
	"\t\t  [ mcast_membership_interval MEMBERSHIP_INTERVAL ]\n" +
	"\t\t  [ mcast_querier_interval QUERIER_INTERVAL ]\n" +
	"\t\t  [ mcast_query_interval QUERY_INTERVAL ]\n" +
	"\t\t  [ mcast_query_response_interval QUERY_RESPONSE_INTERVAL ]\n" +
	"\t\t  [ mcast_startup_query_interval STARTUP_QUERY_INTERVAL ]\n" +
	"\t\t  [ mcast_stats_enabled MCAST_STATS_ENABLED ]\n" +
	"\t\t  [ mcast_igmp_version IGMP_VERSION ]\n" +
	"\t\t  [ mcast_mld_version MLD_VERSION ]\n" +
	"\t\t  [ nf_call_iptables NF_CALL_IPTABLES ]\n" +
	"\t\t  [ nf_call_ip6tables NF_CALL_IP6TABLES ]\n" +
	"\t\t  [ nf_call_arptables NF_CALL_ARPTABLES ]\n" +
	"\n" +
	"Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }"

// numOpt is a "KEYWORD NUMBER" option of a kind: the attribute, the value's
// width in bits, and whether the keyword may be abbreviated (matches) or
// must be given in full (strcmp).
type numOpt struct {
	name  string
	attr  int
	bits  int
	exact bool
}

// bridgeNumOpts are bridge_parse_opt's numeric options in its order; the
// two boolopt bits (no_linklocal_learn, mcast_vlan_snooping) have attr -1.
var bridgeNumOpts = []numOpt{
	{"forward_delay", unix.IFLA_BR_FORWARD_DELAY, 32, false},
	{"hello_time", unix.IFLA_BR_HELLO_TIME, 32, false},
	{"max_age", unix.IFLA_BR_MAX_AGE, 32, false},
	{"ageing_time", unix.IFLA_BR_AGEING_TIME, 32, false},
	{"stp_state", unix.IFLA_BR_STP_STATE, 32, false},
	{"priority", unix.IFLA_BR_PRIORITY, 16, false},
	{"vlan_filtering", unix.IFLA_BR_VLAN_FILTERING, 8, false},
	{"vlan_protocol", unix.IFLA_BR_VLAN_PROTOCOL, 0, false},
	{"group_fwd_mask", unix.IFLA_BR_GROUP_FWD_MASK, 16, false},
	{"group_address", unix.IFLA_BR_GROUP_ADDR, 0, false},
	{"no_linklocal_learn", -1, 8, true},
	{"fdb_flush", unix.IFLA_BR_FDB_FLUSH, 0, false},
	{"vlan_default_pvid", unix.IFLA_BR_VLAN_DEFAULT_PVID, 16, false},
	{"vlan_stats_enabled", unix.IFLA_BR_VLAN_STATS_ENABLED, 8, false},
	{"vlan_stats_per_port", unix.IFLA_BR_VLAN_STATS_PER_PORT, 8, false},
	{"mcast_router", unix.IFLA_BR_MCAST_ROUTER, 8, false},
	{"mcast_snooping", unix.IFLA_BR_MCAST_SNOOPING, 8, false},
	{"mcast_vlan_snooping", -1, 8, true},
	{"mcast_query_use_ifaddr", unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, 8, false},
	{"mcast_querier", unix.IFLA_BR_MCAST_QUERIER, 8, false},
	{"mcast_hash_elasticity", unix.IFLA_BR_MCAST_HASH_ELASTICITY, 32, false},
	{"mcast_hash_max", unix.IFLA_BR_MCAST_HASH_MAX, 32, false},
	{"mcast_last_member_count", unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, 32, false},
	{"mcast_startup_query_count", unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, 32, false},
	{"mcast_last_member_interval", unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, 64, false},
	{"mcast_membership_interval", unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, 64, false},
	{"mcast_querier_interval", unix.IFLA_BR_MCAST_QUERIER_INTVL, 64, false},
	{"mcast_query_interval", unix.IFLA_BR_MCAST_QUERY_INTVL, 64, false},
	{"mcast_query_response_interval", unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, 64, false},
	{"mcast_startup_query_interval", unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, 64, false},
	{"mcast_stats_enabled", unix.IFLA_BR_MCAST_STATS_ENABLED, 8, false},
	{"mcast_igmp_version", unix.IFLA_BR_MCAST_IGMP_VERSION, 8, false},
	{"mcast_mld_version", unix.IFLA_BR_MCAST_MLD_VERSION, 8, false},
	{"nf_call_iptables", unix.IFLA_BR_NF_CALL_IPTABLES, 8, false},
	{"nf_call_ip6tables", unix.IFLA_BR_NF_CALL_IP6TABLES, 8, false},
	{"nf_call_arptables", unix.IFLA_BR_NF_CALL_ARPTABLES, 8, false},
}

// findOpt returns the first option word names, as parse_opt's if-chain
// tries them.
func findOpt(opts []numOpt, word string) *numOpt {
	for i := range opts {
		o := &opts[i]
		if word == o.name || !o.exact && matches(word, o.name) {
			return o
		}
	}
	return nil
}

// addNum adds v as an attribute of bits bits.
func (o *kindOpts) addNum(attr, bits int, v uint64) {
	switch bits {
	case 8:
		o.u8(attr, uint8(v))
	case 16:
		o.u16(attr, uint16(v))
	case 64:
		o.u64(attr, v)
	default:
		o.u32(attr, uint32(v))
	}
}

// parseBridgeKind is bridge_parse_opt.
func parseBridgeKind(a *args, o *kindOpts) error {
	var boolVal, boolMask uint32
	for a.more() {
		word := a.next()
		if matches(word, "help") && findOpt(bridgeNumOpts, word) == nil {
			return kindError("%s", bridgeExplain)
		}
		opt := findOpt(bridgeNumOpts, word)
		if opt == nil {
			return kindError("bridge: unknown command \"%s\"?\n%s", word, bridgeExplain)
		}
		if opt.name == "fdb_flush" {
			o.flag(opt.attr)
			continue
		}
		v, err := a.value(word)
		if err != nil {
			return err
		}
		switch opt.name {
		case "vlan_protocol":
			proto, ok := vlanProtocols[v]
			if !ok {
				return invalidName("invalid vlan_protocol", v)
			}
			o.be16(opt.attr, proto)
			continue
		case "group_address":
			mac, err := parseMAC(v)
			if err != nil {
				return err
			}
			o.add(nl.NewRtAttr(opt.attr, mac))
			continue
		}
		n, err := getUint(v, opt.bits, "invalid "+opt.name)
		if err != nil {
			return err
		}
		if opt.attr < 0 {
			bit := uint32(1) << 0 // BR_BOOLOPT_NO_LL_LEARN
			if opt.name == "mcast_vlan_snooping" {
				bit = 1 << 1 // BR_BOOLOPT_MCAST_VLAN_SNOOPING
			}
			boolMask |= bit
			if n != 0 {
				boolVal |= bit
			} else {
				boolVal &^= bit
			}
			continue
		}
		o.addNum(opt.attr, opt.bits, n)
	}
	if boolMask != 0 {
		b := make([]byte, 8)
		binary.NativeEndian.PutUint32(b[0:4], boolVal)
		binary.NativeEndian.PutUint32(b[4:8], boolMask)
		o.add(nl.NewRtAttr(unix.IFLA_BR_MULTI_BOOLOPT, b))
	}
	return nil
}

// vlanProtocols are ll_proto_a2n's names of the VLAN protocols.
var vlanProtocols = map[string]uint16{"802.1Q": unix.ETH_P_8021Q, "802.1ad": unix.ETH_P_8021AD}

// bridgeSlaveExplain is iplink_bridge_slave.c's print_explain.
const bridgeSlaveExplain = "Usage: ... bridge_slave [ fdb_flush ]\n" +
	"\t\t\t[ state STATE ]\n" +
	"\t\t\t[ priority PRIO ]\n" +
	"\t\t\t[ cost COST ]\n" +
	"\t\t\t[ guard {on | off} ]\n" +
	"\t\t\t[ hairpin {on | off} ]\n" +
	"\t\t\t[ fastleave {on | off} ]\n" +
	"\t\t\t[ root_block {on | off} ]\n" +
	"\t\t\t[ learning {on | off} ]\n" +
	"\t\t\t[ flood {on | off} ]\n" +
	"\t\t\t[ proxy_arp {on | off} ]\n" +
	"\t\t\t[ proxy_arp_wifi {on | off} ]\n" +
	"\t\t\t[ mcast_router MULTICAST_ROUTER ]\n" +
	"\t\t\t[ mcast_fast_leave {on | off} ]\n" +
	"\t\t\t[ mcast_flood {on | off} ]\n" +
	"\t\t\t[ bcast_flood {on | off} ]\n" +
	"\t\t\t[ mcast_to_unicast {on | off} ]\n" +
	"\t\t\t[ group_fwd_mask MASK ]\n" +
	"\t\t\t[ neigh_suppress {on | off} ]\n" +
	"\t\t\t[ vlan_tunnel {on | off} ]\n" +
	"\t\t\t[ isolated {on | off} ]\n" +
	"\t\t\t[ locked {on | off} ]\n" +
	"\t\t\t[ backup_port DEVICE ] [ nobackup_port ]"

// Widths of bridgeSlaveOpts: a number of that many bits, or these.
const (
	optOnOff = -1 // "on" or "off" (parse_on_off)
	optFlag  = -2 // no value
	optDev   = -3 // a device name
)

// bridgeSlaveOpts are bridge_slave_parse_opt's options in its order.
var bridgeSlaveOpts = []numOpt{
	{"fdb_flush", unix.IFLA_BRPORT_FLUSH, optFlag, false},
	{"state", unix.IFLA_BRPORT_STATE, 8, false},
	{"priority", unix.IFLA_BRPORT_PRIORITY, 16, false},
	{"cost", unix.IFLA_BRPORT_COST, 32, false},
	{"hairpin", unix.IFLA_BRPORT_MODE, optOnOff, false},
	{"guard", unix.IFLA_BRPORT_GUARD, optOnOff, false},
	{"root_block", unix.IFLA_BRPORT_PROTECT, optOnOff, false},
	{"fastleave", unix.IFLA_BRPORT_FAST_LEAVE, optOnOff, false},
	{"learning", unix.IFLA_BRPORT_LEARNING, optOnOff, false},
	{"flood", unix.IFLA_BRPORT_UNICAST_FLOOD, optOnOff, false},
	{"mcast_flood", unix.IFLA_BRPORT_MCAST_FLOOD, optOnOff, false},
	{"bcast_flood", unix.IFLA_BRPORT_BCAST_FLOOD, optOnOff, false},
	{"mcast_to_unicast", unix.IFLA_BRPORT_MCAST_TO_UCAST, optOnOff, false},
	{"proxy_arp", unix.IFLA_BRPORT_PROXYARP, optOnOff, false},
	{"proxy_arp_wifi", unix.IFLA_BRPORT_PROXYARP_WIFI, optOnOff, false},
	{"mcast_router", unix.IFLA_BRPORT_MULTICAST_ROUTER, 8, false},
	{"mcast_fast_leave", unix.IFLA_BRPORT_FAST_LEAVE, optOnOff, false},
	{"neigh_suppress", unix.IFLA_BRPORT_NEIGH_SUPPRESS, optOnOff, false},
	{"group_fwd_mask", unix.IFLA_BRPORT_GROUP_FWD_MASK, 16, false},
	{"vlan_tunnel", unix.IFLA_BRPORT_VLAN_TUNNEL, optOnOff, false},
	{"isolated", unix.IFLA_BRPORT_ISOLATED, optOnOff, false},
	{"locked", unix.IFLA_BRPORT_LOCKED, optOnOff, false},
	{"backup_port", unix.IFLA_BRPORT_BACKUP_PORT, optDev, false},
	{"nobackup_port", unix.IFLA_BRPORT_BACKUP_PORT, optFlag, false},
}

// bridgeSlaveInvalid are the invarg messages of the numeric options.
var bridgeSlaveInvalid = map[string]string{
	"state": "state is invalid", "priority": "priority is invalid", "cost": "cost is invalid",
	"mcast_router": "invalid mcast_router", "group_fwd_mask": "invalid group_fwd_mask",
}

// parseBridgeSlaveKind is bridge_slave_parse_opt.
func parseBridgeSlaveKind(a *args, o *kindOpts) error {
	for a.more() {
		word := a.next()
		opt := findOpt(bridgeSlaveOpts, word)
		if opt == nil {
			if matches(word, "help") {
				return kindError("%s", bridgeSlaveExplain)
			}
			return kindError("bridge_slave: unknown option \"%s\"?\n%s", word, bridgeSlaveExplain)
		}
		if opt.bits == optFlag {
			if opt.name == "nobackup_port" {
				o.u32(opt.attr, 0)
			} else {
				o.flag(opt.attr)
			}
			continue
		}
		v, err := a.value(word)
		if err != nil {
			return err
		}
		switch opt.bits {
		case optOnOff:
			on, err := parseOnOffPrefix(opt.name, v)
			if err != nil {
				return err
			}
			o.u8(opt.attr, on)
		case optDev:
			dev := v
			o.attrs = append(o.attrs, func(s *script.State) (*nl.RtAttr, error) {
				l, err := findLink(s, dev, exitUsage, "Error: argument %q is wrong: Device does not exist\n")
				if err != nil {
					return nil, err
				}
				return nl.NewRtAttr(unix.IFLA_BRPORT_BACKUP_PORT, nl.Uint32Attr(uint32(l.Attrs().Index))), nil
			})
		default:
			n, err := getUint(v, opt.bits, bridgeSlaveInvalid[opt.name])
			if err != nil {
				return err
			}
			o.addNum(opt.attr, opt.bits, n)
		}
	}
	return nil
}

// parseOnOffPrefix is parse_on_off: any abbreviation of "off" or "on"
// ("o" is off); anything else is an error, exit 1.
func parseOnOffPrefix(key, v string) (uint8, error) {
	switch {
	case matches(v, "off"):
		return 0, nil
	case matches(v, "on"):
		return 1, nil
	}
	return 0, kindError("Error: argument of \"%s\" must be one of \"off\", \"on\", not \"%s\"", key, v)
}
