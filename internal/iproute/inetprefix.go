package iproute

import (
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// inetPrefix is iproute2's inet_prefix as get_prefix fills it: an address
// (zero for "default", "all" and "any"), its family (0 when those were
// given without one), a length, and whether a length was given (or
// "default" was).
type inetPrefix struct {
	family    int
	addr      [16]byte
	bitlen    int
	specified bool // PREFIXLEN_SPECIFIED
}

// given reports whether the prefix takes part in a filter, as filter_nlmsg
// checks "family || flags & PREFIXLEN_SPECIFIED".
func (p inetPrefix) given() bool { return p.family != 0 || p.specified }

// getPrefix is get_prefix: ADDR[/LEN], ADDR[/NETMASK], default, all, any,
// with get_addr's IPv4 syntax (10.2 is 10.2.0.0).
func getPrefix(v string, family int) (inetPrefix, error) {
	p, ok := getPrefix1(v, family)
	if !ok {
		return p, script.Errorf(exitErr, "Error: %s prefix is expected rather than %q.", familyName(family), v)
	}
	return p, nil
}

func getPrefix1(v string, family int) (inetPrefix, bool) {
	var p inetPrefix
	addrPart, maskPart, slash := strings.Cut(v, "/")
	switch {
	case addrPart == "default" || addrPart == "all" || addrPart == "any":
		if slash {
			return p, false
		}
		p.family = family
		p.specified = addrPart == "default"
		return p, true
	case strings.Contains(addrPart, ":"):
		if family != 0 && family != unix.AF_INET6 {
			return p, false
		}
		a, err := netip.ParseAddr(addrPart)
		if err != nil || a.Zone() != "" || !a.Is6() {
			return p, false
		}
		p.family, p.addr, p.bitlen = unix.AF_INET6, a.As16(), 128
	default:
		if family != 0 && family != unix.AF_INET {
			return p, false
		}
		a, ok := parseIPv4Loose(addrPart)
		if !ok {
			return p, false
		}
		p.family, p.bitlen = unix.AF_INET, 32
		copy(p.addr[:], a.AsSlice())
	}
	if slash {
		n, ok := parseNetmask(maskPart)
		if !ok || n > p.bitlen {
			return p, false
		}
		p.bitlen, p.specified = n, true
	}
	return p, true
}

// bytes returns the address as the kernel takes it: 4 or 16 bytes, none
// for a prefix without a family.
func (p inetPrefix) bytes() []byte {
	switch p.family {
	case unix.AF_INET:
		return p.addr[:4]
	case unix.AF_INET6:
		return p.addr[:16]
	}
	return nil
}

// addrMatch is inet_addr_match: whether the first bits of a and the
// prefix's address agree.
func (p inetPrefix) addrMatch(a []byte, bits int) bool {
	var b [16]byte
	copy(b[:], a)
	for i := 0; i < bits && i < 128; i++ {
		m := byte(0x80 >> (i % 8))
		if b[i/8]&m != p.addr[i/8]&m {
			return false
		}
	}
	return true
}

// netipFromSlice formats a 4- or 16-byte address.
func netipFromSlice(b []byte) (string, bool) {
	a, ok := netip.AddrFromSlice(b)
	if !ok {
		return "", false
	}
	return a.String(), true
}
