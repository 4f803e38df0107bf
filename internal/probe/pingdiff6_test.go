package probe

import "testing"

// TestPing6MatchesIputils compares IPv6 pings, by the ping6 name and by
// ping with -6 or an IPv6 destination, with iputils' in the same
// namespace: replies, link-local destinations and sources, -I, errors.
func TestPing6MatchesIputils(t *testing.T) {
	t.Parallel()
	requireRealPing(t)
	p := newPair(t)
	compareWithReal(t, p, p.a, []string{
		"ping6 -c 3 -i 0.01 fd00::2",
		"-6 -c 2 -i 0.01 fd00::2",
		"-c 1 fd00::2",
		"ping6 -q -c 2 -i 0.01 fd00::2",
		"ping6 -c 1 FD00:0::2",
		"ping6 -c 1 fe80::2%va",
		"ping6 -c 1 -I va fe80::2",
		"ping6 -c 1 fe80::2",
		"ping6 -c 1 -I va fd00::2",
		"ping6 -c 1 -I fd00::1 fd00::2",
		"ping6 -c 1 -I fe80::1%va fe80::2",
		"ping6 -c 1 -I fd00::1%va fd00::2",
		"ping6 -c 1 -I 10.0.0.1 fd00::2",
		"ping6 -c 1 -I fd00::9 fd00::2",
		"ping6 -c 1 -I fe80::1 fe80::2",
		"ping6 -c 1 -I lo fd00::2",
		"ping6 -c 1 -W 0.2 -I lo fe80::2",
		"ping6 -c 1 -I nosuch fd00::2",
		"ping6 -c 1 -I fd00::1%nosuch fd00::2",
		"ping6 -c 1 fd01::2",
		"ping6 -c 1 -W 0.2 fd00::9",
		"ping6 -c 1 ::1",
		"ping6 -c 1 -W 0.2 fd00::1",
		"ping6 -c 1 ::",
		"ping6 -c 1 fe80::2%2",
		"ping6 -c 1 -W 0.2 fe80::2%99",
		"ping6 -c 1 fd00::2%99",
		"ping6 -c 1 fd00::2%va",
		"ping6 -c 1 fe80::2%nosuch",
		"ping6 -c 1 10.0.0.1",
		"ping6 -c 1 fd00::2 fd00::1",
		"ping6 -4 -c 1 fd00::2",
		"-4 -c 1 fd00::2",
		"ping6 -c 1 foo:bar",
		"ping6 -c 1 foo",
		"ping6 -w 5 -c 2 -i 0.01 fd00::2",
		"ping6 -V",
		"ping6",
		"ping6 -z",
	})
}

// TestPing6ICMPErrorsMatchIputils compares the "From ... Destination
// unreachable: Address unreachable" lines the kernel's failed neighbour
// discovery brings (made fast here).
func TestPing6ICMPErrorsMatchIputils(t *testing.T) {
	t.Parallel()
	requireRealPing(t)
	p := newPair(t)
	failNeighboursFast(t, p, "ipv6")
	compareWithReal(t, p, p.a, []string{
		"ping6 -c 2 -i 0.2 fd00::9",
		"-6 -q -c 2 -i 0.2 fd00::8",
		"ping6 -c 2 -i 0.2 fe80::9%va",
		"ping6 -c 2 -i 0.2 -I va fe80::7",
		"ping6 -w 5 -c 3 -i 0.2 fd00::7",
		"ping6 -c 1 fd00::",
	})
}
