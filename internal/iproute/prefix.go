package iproute

import (
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// parsePrefix parses an address with an optional /LEN, as iproute2's
// get_prefix does: "10.0.0.1/24", "10.0.0.1" (a host prefix), "default".
// want restricts the family (0 for either).
func parsePrefix(v string, want int, allowDefault bool) (netip.Prefix, error) {
	bad := script.Errorf(exitErr, "Error: %s prefix is expected rather than %q.", familyName(want), v)
	if allowDefault && (v == "default" || v == "all" || v == "any") {
		if want == unix.AF_INET6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	addrPart, _, hasLen := strings.Cut(v, "/")
	addr, err := netip.ParseAddr(addrPart)
	if err != nil || addr.Zone() != "" {
		return netip.Prefix{}, bad
	}
	if want != 0 && familyOf(addr) != want {
		return netip.Prefix{}, bad
	}
	if !hasLen {
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return netip.Prefix{}, bad
	}
	return p, nil
}

// parseAddr parses a single address of the given family, as get_addr does.
func parseAddr(v string, family int) (netip.Addr, error) {
	addr, err := netip.ParseAddr(v)
	if err != nil || addr.Zone() != "" || (family != 0 && familyOf(addr) != family) {
		return netip.Addr{}, script.Errorf(exitErr, "Error: %s address is expected rather than %q.", familyName(family), v)
	}
	return addr, nil
}

func familyOf(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

func familyName(family int) string {
	switch family {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	}
	return "any valid"
}
