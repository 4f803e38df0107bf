package iproute

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
)

// The tables iproute2 reads from /etc/iproute2 (rt_protos, rt_scopes,
// rt_tables) and its built-in route type names.

var protoNames = map[int]string{
	0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
	8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted",
	14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel",
	99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
}

var scopeNames = map[int]string{
	unix.RT_SCOPE_UNIVERSE: "global", unix.RT_SCOPE_SITE: "site",
	unix.RT_SCOPE_LINK: "link", unix.RT_SCOPE_HOST: "host", unix.RT_SCOPE_NOWHERE: "nowhere",
}

var tableNames = map[int]string{
	unix.RT_TABLE_DEFAULT: "default", unix.RT_TABLE_MAIN: "main", unix.RT_TABLE_LOCAL: "local",
}

var typeNames = map[int]string{
	unix.RTN_UNSPEC: "none", unix.RTN_UNICAST: "unicast", unix.RTN_LOCAL: "local",
	unix.RTN_BROADCAST: "broadcast", unix.RTN_ANYCAST: "anycast", unix.RTN_MULTICAST: "multicast",
	unix.RTN_BLACKHOLE: "blackhole", unix.RTN_UNREACHABLE: "unreachable",
	unix.RTN_PROHIBIT: "prohibit", unix.RTN_THROW: "throw", unix.RTN_NAT: "nat",
	unix.RTN_XRESOLVE: "xresolve",
}

// name returns names[n], or n in decimal as iproute2 prints unknown values.
func name(names map[int]string, n int) string {
	if s, ok := names[n]; ok {
		return s
	}
	return strconv.Itoa(n)
}

// byName looks s up in names, accepting a number too, read by strtoul
// with base 0 as iproute2's rtnl_*_a2n functions read it.
func byName(names map[int]string, s string, max int) (int, bool) {
	for n, v := range names {
		if v == s {
			return n, true
		}
	}
	n, ok := cnum.GetU32(s)
	if !ok || int64(n) > int64(max) {
		return 0, false
	}
	return int(n), true
}

func scopeByName(s string) (int, bool) {
	if s == "universe" {
		return unix.RT_SCOPE_UNIVERSE, true
	}
	return byName(scopeNames, s, 255)
}

// realmNames is /etc/iproute2/rt_realms as iproute2 ships it.
var realmNames = map[int]string{0: "cosmos"}

// getRealms is iproute2's get_rt_realms_or_raw: "[FROM/]TO" of realm
// names or numbers up to 255 (FROM in the upper 16 bits), or else one
// unsigned number taken as the raw value.
func getRealms(v string) (uint32, bool) {
	realm := func(s string) (uint32, bool) {
		n, ok := byName(realmNames, s, 255)
		return uint32(n), ok
	}
	var realms uint32
	ok := true
	arg := v
	if from, to, slash := strings.Cut(v, "/"); slash {
		f, fok := realm(from)
		realms, arg, ok = f<<16, to, fok
	}
	if ok && arg != "" {
		t, tok := realm(arg)
		realms, ok = realms|t, tok
	}
	if ok {
		return realms, true
	}
	n, isNum := cnum.GetUint(v, math.MaxUint32)
	return uint32(n), isNum
}

// dsfieldNames is /etc/iproute2/rt_dsfield as iproute2 ships it.
var dsfieldNames = map[int]string{
	0x00: "default", 0x28: "AF11", 0x30: "AF12", 0x38: "AF13", 0x48: "AF21", 0x50: "AF22",
	0x58: "AF23", 0x68: "AF31", 0x70: "AF32", 0x78: "AF33", 0x88: "AF41", 0x90: "AF42",
	0x98: "AF43", 0x20: "CS1", 0x40: "CS2", 0x60: "CS3", 0x80: "CS4", 0xa0: "CS5",
	0xc0: "CS6", 0xe0: "CS7", 0xb8: "EF",
}

// dsfieldA2N is rtnl_dsfield_a2n: a name of rt_dsfield, or a hexadecimal
// number (strtoul with base 16) up to 255.
func dsfieldA2N(v string) (uint8, bool) {
	for n, s := range dsfieldNames {
		if s == v {
			return uint8(n), true
		}
	}
	h := strings.TrimLeftFunc(v, cnum.IsSpace)
	h = strings.TrimPrefix(h, "+")
	if len(h) > 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X') {
		h = h[2:]
	}
	n, err := strconv.ParseUint(h, 16, 64)
	if err != nil || n > 255 {
		return 0, false
	}
	return uint8(n), true
}

// dsfieldN2A is rtnl_dsfield_n2a: the name, or 0x%02x (always with -N).
func dsfieldN2A(n uint8, numeric bool) string {
	if s, ok := dsfieldNames[int(n)]; ok && !numeric {
		return s
	}
	return fmt.Sprintf("0x%02x", n)
}
