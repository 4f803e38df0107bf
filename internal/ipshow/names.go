package ipshow

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// arphrdNames is iproute2 6.1's table of link types (lib/ll_types.c), in
// its order: the first entry with a matching number wins.
var arphrdNames = []struct {
	typ  uint16
	name string
}{
	{0, "netrom"}, {1, "ether"}, {2, "eether"}, {3, "ax25"}, {4, "pronet"},
	{5, "chaos"}, {6, "ieee802"}, {7, "arcnet"}, {8, "atalk"}, {15, "dlci"},
	{19, "atm"}, {23, "metricom"}, {24, "ieee1394"}, {32, "infiniband"},
	{256, "slip"}, {257, "cslip"}, {258, "slip6"}, {259, "cslip6"},
	{260, "rsrvd"}, {264, "adapt"}, {270, "rose"}, {271, "x25"},
	{272, "hwx25"}, {280, "can"}, {512, "ppp"}, {513, "hdlc"}, {516, "lapb"},
	{517, "ddcmp"}, {518, "rawhdlc"}, {768, "ipip"}, {769, "tunnel6"},
	{770, "frad"}, {771, "skip"}, {772, "loopback"}, {773, "ltalk"},
	{774, "fddi"}, {775, "bif"}, {776, "sit"}, {777, "ip/ddp"}, {778, "gre"},
	{779, "pimreg"}, {780, "hippi"}, {781, "ash"}, {782, "econet"},
	{783, "irda"}, {784, "fcpp"}, {785, "fcal"}, {786, "fcpl"},
	{787, "fcfb0"}, {788, "fcfb1"}, {789, "fcfb2"}, {790, "fcfb3"},
	{791, "fcfb4"}, {792, "fcfb5"}, {793, "fcfb6"}, {794, "fcfb7"},
	{795, "fcfb8"}, {796, "fcfb9"}, {797, "fcfb10"}, {798, "fcfb11"},
	{799, "fcfb12"}, {800, "tr"}, {801, "ieee802.11"},
	{802, "ieee802.11/prism"}, {803, "ieee802.11/radiotap"},
	{804, "ieee802.15.4"}, {805, "ieee802.15.4/monitor"}, {820, "phonet"},
	{821, "phonet_pipe"}, {822, "caif"}, {823, "gre6"}, {824, "netlink"},
	{825, "6lowpan"}, {0xfffe, "none"}, {0xffff, "void"},
}

// llTypeName is ll_type_n2a: "ether", "loopback", "none", or "[N]".
func llTypeName(typ uint16) string {
	for _, e := range arphrdNames {
		if e.typ == typ {
			return e.name
		}
	}
	return fmt.Sprintf("[%d]", typ)
}

// llAddr is ll_addr_n2a: a hardware address as iproute2 prints it.
func llAddr(addr []byte, typ uint16) string {
	switch {
	case len(addr) == 4 && (typ == unix.ARPHRD_TUNNEL || typ == unix.ARPHRD_SIT || typ == unix.ARPHRD_IPGRE):
		return inetNtop(unix.AF_INET, addr)
	case len(addr) == 16 && (typ == unix.ARPHRD_TUNNEL6 || typ == unix.ARPHRD_IP6GRE):
		return inetNtop(unix.AF_INET6, addr)
	}
	var b strings.Builder
	for i, c := range addr {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02x", c)
	}
	return b.String()
}

// scopeName is rtnl_rtscope_n2a with iproute2's default table.
func scopeName(scope uint8) string {
	switch scope {
	case unix.RT_SCOPE_UNIVERSE:
		return "global"
	case unix.RT_SCOPE_SITE:
		return "site"
	case unix.RT_SCOPE_LINK:
		return "link"
	case unix.RT_SCOPE_HOST:
		return "host"
	case unix.RT_SCOPE_NOWHERE:
		return "nowhere"
	}
	return strconv.Itoa(int(scope))
}

// groupName is rtnl_group_n2a with iproute2's default table (/etc/iproute2/group).
func groupName(group int32) string {
	if group == 0 {
		return "default"
	}
	return strconv.Itoa(int(group))
}

// FamilyName is iproute2's family_name: "inet", "inet6", "link", "mpls",
// "bridge", or "???".
func FamilyName(family uint8) string {
	switch family {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	case unix.AF_PACKET:
		return "link"
	case unix.AF_MPLS:
		return "mpls"
	case unix.AF_BRIDGE:
		return "bridge"
	}
	return "???"
}

// inetNtop formats an address as glibc's inet_ntop does; other families,
// and addresses of the wrong length, print as "???" (rt_addr_n2a).
func inetNtop(family int, a []byte) string {
	switch {
	case family == unix.AF_INET && len(a) >= 4:
		return fmt.Sprintf("%d.%d.%d.%d", a[0], a[1], a[2], a[3])
	case family == unix.AF_INET6 && len(a) >= 16:
		return InetNtop6(a)
	}
	return "???"
}

// InetNtop6 is glibc's inet_ntop6, which ip and route print IPv6
// addresses with: the first longest run of two or more zero words becomes
// "::", and IPv4-compatible (but for :: and ::1) and IPv4-mapped addresses
// end in dotted quad. a holds the 16 bytes of the address.
func InetNtop6(a []byte) string {
	var words [8]int
	for i := range words {
		words[i] = int(a[2*i])<<8 | int(a[2*i+1])
	}
	bestBase, bestLen, curBase, curLen := -1, 0, -1, 0
	for i, w := range words {
		if w == 0 {
			if curBase == -1 {
				curBase, curLen = i, 1
			} else {
				curLen++
			}
			continue
		}
		if curBase != -1 {
			if bestBase == -1 || curLen > bestLen {
				bestBase, bestLen = curBase, curLen
			}
			curBase = -1
		}
	}
	if curBase != -1 && (bestBase == -1 || curLen > bestLen) {
		bestBase, bestLen = curBase, curLen
	}
	if bestBase != -1 && bestLen < 2 {
		bestBase = -1
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if bestBase != -1 && i >= bestBase && i < bestBase+bestLen {
			if i == bestBase {
				b.WriteByte(':')
			}
			continue
		}
		if i != 0 {
			b.WriteByte(':')
		}
		if i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff)) {
			fmt.Fprintf(&b, "%d.%d.%d.%d", a[12], a[13], a[14], a[15])
			break
		}
		fmt.Fprintf(&b, "%x", words[i])
	}
	if bestBase != -1 && bestBase+bestLen == 8 {
		b.WriteByte(':')
	}
	return b.String()
}

// CheckIfname is iproute2's check_ifname: what the kernel accepts as a
// name (shorter than IFNAMSIZ, not empty, no '/' and no white space).
func CheckIfname(name string) bool {
	return len(name) < unix.IFNAMSIZ && CheckAltIfname(name)
}

// CheckAltIfname is iproute2's check_altifname: CheckIfname without the
// length limit, which it leaves to the kernel.
func CheckAltIfname(name string) bool {
	return name != "" && !strings.ContainsAny(name, "/ \t\n\v\f\r")
}

// idxFromName is ll_idx_a2n: "ifN" names link N (sscanf "if%u").
func idxFromName(name string) int {
	rest, ok := strings.CutPrefix(name, "if")
	if !ok {
		return 0
	}
	rest = strings.TrimLeft(rest, " \t\n\v\f\r")
	rest = strings.TrimPrefix(rest, "+")
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	v, err := strconv.ParseUint(rest[:n], 10, 31)
	if err != nil {
		return 0
	}
	return int(v)
}
