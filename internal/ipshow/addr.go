package ipshow

import (
	"fmt"

	"github.com/netscript/netscript/internal/jsonw"

	"golang.org/x/sys/unix"
)

// infinityLifeTime is INFINITY_LIFE_TIME: "forever".
const infinityLifeTime = 0xffffffff

// ifaFlagNames is iproute2's ifa_flag_data table, in its order, which is
// the order address flags print in.
var ifaFlagNames = []struct {
	name string
	mask uint32
}{
	{"secondary", unix.IFA_F_SECONDARY},
	{"temporary", unix.IFA_F_SECONDARY},
	{"nodad", unix.IFA_F_NODAD},
	{"optimistic", unix.IFA_F_OPTIMISTIC},
	{"dadfailed", unix.IFA_F_DADFAILED},
	{"home", unix.IFA_F_HOMEADDRESS},
	{"deprecated", unix.IFA_F_DEPRECATED},
	{"tentative", unix.IFA_F_TENTATIVE},
	{"permanent", unix.IFA_F_PERMANENT},
	{"mngtmpaddr", unix.IFA_F_MANAGETEMPADDR},
	{"noprefixroute", unix.IFA_F_NOPREFIXROUTE},
	{"autojoin", unix.IFA_F_MCAUTOJOIN},
	{"stable-privacy", unix.IFA_F_STABLE_PRIVACY},
}

// ifaFlags is get_ifa_flags: IFA_FLAGS when present, else the header's.
func ifaFlags(a *addrMsg) uint32 {
	if a.tb.Has(unix.IFA_FLAGS) {
		return a.tb.U32(unix.IFA_FLAGS)
	}
	return uint32(a.flags)
}

// printIfaFlags is print_ifa_flags: "dynamic" for an address that is not
// permanent, "temporary" for an IPv6 secondary, the rest by name, and any
// unknown bits as "flags %02x".
func (s *shower) printIfaFlags(a *addrMsg, flags uint32) {
	p := s.p
	for _, f := range ifaFlagNames {
		switch {
		case f.mask == unix.IFA_F_PERMANENT:
			if flags&f.mask == 0 {
				p.Bool(jsonw.Any, "dynamic", "dynamic ", true)
			}
		case flags&f.mask != 0:
			if f.mask == unix.IFA_F_SECONDARY && a.family == unix.AF_INET6 {
				p.Bool(jsonw.Any, "temporary", "temporary ", true)
			} else {
				p.lit(f.name + " ")
				p.Bool(jsonw.JSON, f.name, "", true)
			}
		}
		flags &^= f.mask
	}
	if flags != 0 {
		if p.IsJSON() {
			p.Str(jsonw.JSON, "ifa_flags", "", fmt.Sprintf("%02x", flags))
		} else {
			p.lit(fmt.Sprintf("flags %02x ", flags))
		}
	}
}

// localAndAddress applies print_addrinfo's defaults: IFA_LOCAL falls back
// to IFA_ADDRESS and the other way round.
func localAndAddress(a *addrMsg) (local, address []byte, hasLocal, hasAddress bool) {
	local, hasLocal = a.tb[unix.IFA_LOCAL]
	address, hasAddress = a.tb[unix.IFA_ADDRESS]
	if !hasLocal {
		local, hasLocal = address, hasAddress
	}
	if !hasAddress {
		address, hasAddress = local, hasLocal
	}
	return local, address, hasLocal, hasAddress
}

// printAddrinfo is print_addrinfo for a listing: one address, in full
// (two lines) or, with -br, as "ADDR/LEN ".
func (s *shower) printAddrinfo(a *addrMsg) {
	p, f := s.p, &s.f
	flags := ifaFlags(a)
	local, address, hasLocal, hasAddress := localAndAddress(a)
	if f.ifindex != 0 && int(a.index) != f.ifindex {
		return
	}
	if f.family != 0 && f.family != int(a.family) {
		return
	}

	brief := s.opt.Brief
	if !brief {
		if name := FamilyName(a.family); name != "???" {
			p.Str(jsonw.Any, "family", "    %s ", name)
		} else {
			p.Uint(jsonw.Any, "family_index", "    family %d ", int64(a.family))
		}
	}

	if hasLocal {
		p.Str(jsonw.Any, "local", "%s", inetNtop(int(a.family), local))
		n := 16
		if a.family == unix.AF_INET {
			n = 4
		}
		if hasAddress && !prefixEqual(address, local, n) {
			p.lit(" peer ")
			p.Str(jsonw.Any, "address", "%s", inetNtop(int(a.family), address))
		}
		p.Uint(jsonw.Any, "prefixlen", "/%d ", int64(a.prefixlen))
		if a.tb.Has(unix.IFA_RT_PRIORITY) {
			p.Uint(jsonw.Any, "metric", "metric %d ", int64(a.tb.U32(unix.IFA_RT_PRIORITY)))
		}
	}
	if brief {
		return
	}

	if brd, ok := a.tb[unix.IFA_BROADCAST]; ok {
		p.lit("brd ")
		p.Str(jsonw.Any, "broadcast", "%s ", inetNtop(int(a.family), brd))
	}
	if anycast, ok := a.tb[unix.IFA_ANYCAST]; ok {
		p.lit("any ")
		p.Str(jsonw.Any, "anycast", "%s ", inetNtop(int(a.family), anycast))
	}
	p.Str(jsonw.Any, "scope", "scope %s ", scopeName(a.scope))
	s.printIfaFlags(a, flags)
	if a.tb.Has(unix.IFA_LABEL) {
		p.Str(jsonw.Any, "label", "%s", a.tb.Str(unix.IFA_LABEL))
	}
	if ci, ok := a.tb[unix.IFA_CACHEINFO]; ok && len(ci) >= 8 {
		preferred, valid := native.Uint32(ci[0:4]), native.Uint32(ci[4:8])
		p.nl()
		p.lit("       valid_lft ")
		if valid == infinityLifeTime {
			p.Uint(jsonw.JSON, "valid_life_time", "", infinityLifeTime)
			p.lit("forever")
		} else {
			p.Uint(jsonw.Any, "valid_life_time", "%dsec", int64(valid))
		}
		p.lit(" preferred_lft ")
		switch {
		case preferred == infinityLifeTime:
			p.Uint(jsonw.JSON, "preferred_life_time", "", infinityLifeTime)
			p.lit("forever")
		case flags&unix.IFA_F_DEPRECATED != 0:
			p.Uint(jsonw.Any, "preferred_life_time", "%dsec", int64(int32(preferred)))
		default:
			p.Uint(jsonw.Any, "preferred_life_time", "%dsec", int64(preferred))
		}
	}
	p.lit("\n")
}

// prefixEqual compares the first n bytes, as print_addrinfo's memcmp.
func prefixEqual(a, b []byte, n int) bool {
	if len(a) < n || len(b) < n {
		return string(a) == string(b)
	}
	return string(a[:n]) == string(b[:n])
}

// printSelectedAddrinfo is print_selected_addrinfo: the addresses of one
// link, in dump order.
func (s *shower) printSelectedAddrinfo(m *linkMsg, addrs []*addrMsg) {
	p := s.p
	p.OpenArray(jsonw.JSON, "addr_info", "")
	for _, a := range addrs {
		if a.index != m.index || (s.f.family != 0 && s.f.family != int(a.family)) {
			continue
		}
		if s.f.up && m.flags&unix.IFF_UP == 0 {
			continue
		}
		p.OpenObject("")
		s.printAddrinfo(a)
		p.CloseObject()
	}
	p.CloseArray(jsonw.JSON, "")
	if s.opt.Brief {
		p.lit("\n")
	}
}

// ipaddrFilter is ipaddr_filter: with a family given, only links that have
// an address of that family stay; without, every link does.
func (s *shower) ipaddrFilter(links []*linkMsg, addrs []*addrMsg) []*linkMsg {
	var kept []*linkMsg
	for _, l := range links {
		ok, missing := false, true
		for _, a := range addrs {
			if a.index != l.index {
				continue
			}
			missing = false
			if s.f.family != 0 && s.f.family != int(a.family) {
				continue
			}
			ok = true
			break
		}
		if missing && (s.f.family == unix.AF_UNSPEC || s.f.family == unix.AF_PACKET) {
			ok = true
		}
		if ok {
			kept = append(kept, l)
		}
	}
	return kept
}
