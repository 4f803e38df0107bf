package iproute

import (
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
)

// TestParseErrors6 checks the IPv6 route mistakes caught before anything
// touches the network; testdata/ipv6.cmds in internal/commands compares
// the same lines with the real iproute2.
func TestParseErrors6(t *testing.T) {
	tests := []parseCase{
		{"-6 route add 10.0.0.0/24 dev veth0", 1, `Error: inet6 prefix is expected rather than "10.0.0.0/24".`},
		{"-6 route add fd12::/64 via 10.0.0.1", 1, `Error: inet6 address is expected rather than "10.0.0.1".`},
		{"-6 route add fd15::/129 dev veth0", 1, `Error: inet6 prefix is expected rather than "fd15::/129".`},
		{"-6 route get 10.0.0.1", 1, `Error: inet6 prefix is expected rather than "10.0.0.1".`},
		{"-6 addr add 10.0.0.1/24 dev veth0", 1, `Error: inet6 prefix is expected rather than "10.0.0.1/24".`},
		{"-4 route add fd00::/64 dev veth0", 1, `Error: inet prefix is expected rather than "fd00::/64".`},
		{"-6 route add fd15::/64 dev veth0 expires x", 255, "Error: argument \"x\" is wrong: \"expires\" value is invalid\n"},
		{"-6 route add fd15::/64 nexthop", 255, `Error: unexpected end of line after "nexthop"`},
		{"-6 route add fd15::/64 nexthop via fe80::1 dev veth0 foo", 255, `Error: "nexthop" or end of line is expected instead of "foo"`},
		{"-6 route add fd15::/64 nexthop via fe80::1 weight 0", 255, "Error: argument \"0\" is wrong: \"weight\" is invalid\n"},
		{"-6 route add fd15::/64 nexthop via fe80::1 weight 257", 255, "Error: argument \"257\" is wrong: \"weight\" is invalid\n"},
		{"-6 route add fd15::/64 nexthop via 10.0.0.1 dev veth0", 1, `Error: inet6 address is expected rather than "10.0.0.1".`},
		{"route add fd15::/64 nexthop via", 255, `Command line is not complete. Try option "help"`},
	}
	ip := ipCmd()
	checkParseErrors(t, ip, tests)
	checkParseAccepts(t, ip, []string{
		"-6 route add fd15::/64 nexthop via inet6 fe80::7 dev veth0 weight 2 nexthop via fe80::8 dev veth0 onlink",
		"route add fd15::/64 nexthop via fe80::1 dev veth0", "-6 route add fd17::/64 dev veth0 expires 300",
		"-6 route get fe80::9 oif veth0", "-6 route get fd03::9 from fd01::1",
	})
}

// TestRouteExpiresMatchesReal compares an expiring IPv6 route, added once
// with the real ip and once with netscript's, as both print it; the number
// of seconds left is masked.
func TestRouteExpiresMatchesReal(t *testing.T) {
	realtool.Require(t, "ip")
	w, nss := realtool.NewWorld(t, "a")
	ns := nss[0]
	ip := ipCmd()
	run := func(real bool, args string) realtool.Result {
		if real {
			return realtool.MustReal(t, ns, 10*time.Second, nil, append([]string{"ip"}, strings.Fields(args)...)...)
		}
		return realtool.MustBuiltin(t, w, ns, 10*time.Second, ip, strings.Fields(args)...)
	}
	for _, setup := range []string{"link add veth0 type veth peer name veth1", "link set veth0 up",
		"-6 route add fd17::/64 dev veth0 expires 300"} {
		if r := run(true, setup); r.Code != 0 {
			t.Fatalf("ip %s: %s", setup, r)
		}
	}
	if r := run(false, "-6 route add fd18::/64 dev veth0 expires 300"); r.Code != 0 {
		t.Fatalf("netscript's ip route add ... expires: %s", r)
	}
	expires := regexp.MustCompile(`expires [0-9]+sec`)
	for _, args := range []string{"-6 route", "-6 route show fd17::/64", "-6 route get fd18::1"} {
		real, ours := run(true, args), run(false, args)
		real.Stdout = expires.ReplaceAllString(real.Stdout, "expires Nsec")
		ours.Stdout = expires.ReplaceAllString(ours.Stdout, "expires Nsec")
		if real != ours {
			t.Errorf("ip %s:\nreal:\n%s\nnetscript:\n%s", args, real, ours)
		}
		if args == "-6 route" && strings.Count(ours.Stdout, "expires Nsec") != 2 {
			t.Errorf("ip -6 route: want two expiring routes:\n%s", ours.Stdout)
		}
	}
}

func TestSolicitedNode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"fd00::2", "ff0200000000000000000001ff000002"},
		{"fe80::a0e1:f8ff:feb8:712a", "ff0200000000000000000001ffb8712a"},
	} {
		if got := solicitedNode(netip.MustParseAddr(tt.in)); got != tt.want {
			t.Errorf("solicitedNode(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestAddrAddNodadIsReady checks that "ip -6 addr add ... nodad" on a link
// with carrier returns once the link listens to the address's
// solicited-node group, so a neighbour solicitation right after is heard.
func TestAddrAddNodadIsReady(t *testing.T) {
	realtool.RequireRoot(t)
	w, nss := realtool.NewWorld(t, "a")
	ns := nss[0]
	ip := ipCmd()
	for _, line := range []string{"link add veth0 type veth peer name veth1", "link set veth0 up",
		"link set veth1 up", "-6 addr add fd00::5/64 dev veth0 nodad"} {
		if r := realtool.MustBuiltin(t, w, ns, 10*time.Second, ip, strings.Fields(line)...); r.Code != 0 {
			t.Fatalf("ip %s: %s", line, r)
		}
	}
	if err := ns.Do(func() error {
		l, err := net.InterfaceByName("veth0")
		if err != nil {
			return err
		}
		if !joined(strconv.Itoa(l.Index), solicitedNode(netip.MustParseAddr("fd00::5"))) {
			t.Error("veth0 has not joined ff02::1:ff00:5 when ip addr add returned")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
