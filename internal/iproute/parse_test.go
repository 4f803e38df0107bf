package iproute

import (
	"strings"
	"testing"

	"github.com/netscript/netscript/script"
)

func ipCmd() *script.Cmd {
	t := make(script.Table)
	t.Add(Cmd(t))
	return t["ip"]
}

// TestParseErrors checks the messages and statuses of mistakes that are
// caught before anything touches the network (so "netscript check" can
// report them without privileges). The differential tests check the same
// messages against the real iproute2.
func TestParseErrors(t *testing.T) {
	tests := []parseCase{
		{"foo", 1, `Object "foo" is unknown, try "ip help".`},
		{"-x link", 255, `Option "-x" is unknown, try "ip -help".`},
		{"link foo", 255, `Command "foo" is unknown, try "ip link help".`},
		{"link add", 1, `Not enough information: "type" argument is required`},
		{"link set", 255, `Not enough information: "dev" argument is required.`},
		{"link set veth0 mtu abc", 255, "Error: argument \"abc\" is wrong: Invalid \"mtu\" value\n"},
		{"link set veth0 address zz:zz", 1, `"zz" is invalid lladdr.`},
		{"link set veth0 frob", 255, `Error: either "dev" is duplicate, or "frob" is a garbage.`},
		{"link set veth0 mtu", 255, `Command line is not complete. Try option "help"`},
		{"addr add 10.0.0.1/24", 1, `Not enough information: "dev" argument is required.`},
		{"addr add 10.0.0.1/33 dev veth0", 1, `Error: any valid prefix is expected rather than "10.0.0.1/33".`},
		{"addr add 10.0.0.300/24 dev veth0", 1, `Error: any valid prefix is expected rather than "10.0.0.300/24".`},
		{"route add 10.1.0.0/24 via 10.0.0.300", 1, `Error: inet address is expected rather than "10.0.0.300".`},
		{"route add 10.1.0.0/24 dev veth0 metric abc", 255, "Error: argument \"abc\" is wrong: \"metric\" value is invalid\n"},
		{"route add 10.1.0.0/24 dev veth0 bogus", 255, `Error: either "to" is duplicate, or "bogus" is a garbage.`},
		{"route add 10.1.0.0/24 dev veth0 tos 0x100", 255, "Error: argument \"0x100\" is wrong: \"tos\" value is invalid\n"},
		{"route add 10.1.0.0/24 dev veth0 vrf blue", 255, `ip route: "vrf" is not implemented by netscript (this kernel has no vrf devices either)`},
		{"route add 10.1.0.0/24 dev veth0 encap mpls 100", 255, `ip route: "encap" (lightweight tunnels) is not implemented by netscript`},
		{"route add 10.1.0.0/24 dev veth0 as 10.2.0.1", 255, `ip route: "as" (MPLS destination rewriting) is not implemented by netscript`},
		{"route add 10.1.0.0/24 via mpls 100", 255, `ip route: "via mpls" is not implemented by netscript`},
		{"route add 10.1.0.0/24 dev veth0 help", 255, routeUsageText},
		{"route add 10.1.0.0/24 dev veth0 mtu abc", 255, "Error: argument \"abc\" is wrong: \"mtu\" value is invalid\n"},
		{"route add 10.1.0.0/24 dev veth0 rtt 5min", 255, "Error: argument \"5min\" is wrong: \"rtt\" value is invalid\n"},
		{"route add 10.1.0.0/24 dev veth0 realms 1/x", 255, "Error: argument \"1/x\" is wrong: \"realm\" value is invalid\n"},
		{"route get abc", 1, `Error: any valid prefix is expected rather than "abc".`},
		{"netns add", 1, "No netns name specified"},
		{"netns add a/b", 255, `Invalid netns name "a/b"`},
		{"netns exec", 1, "No netns name specified"},
		{"netns exec ns0", 1, "No command specified"},
		{"netns bogus", 255, `Command "bogus" is unknown, try "ip netns help".`},
		{"tuntap add dev tap0", 1, "You failed to specify a tunnel mode"},
		{"tuntap add dev tap0 mode foo", 255, `Unknown tunnel mode "foo"`},
		{"netns exec ns0 ip link set", 255, `Not enough information: "dev" argument is required.`},
		{"neigh add 10.0.0.1", 255, "Device and destination are required arguments."},
	}
	ip := ipCmd()
	checkParseErrors(t, ip, tests)
}

func TestParseAccepts(t *testing.T) {
	checkParseAccepts(t, ipCmd(), []string{
		"netns add ns0", "netns", "netns list", "netns del ns0", "netns exec ns0 ip link",
		"netns exec ns0 some-program --flag", "-n ns0 link set lo up", "-br addr", "-br link",
		"link add veth0 type veth peer name veth2", "link add veth0 type veth peer veth2 netns ns1",
		"link add br0 type bridge", "link set dev veth0 up mtu 1400 address 02:00:00:00:00:01 name v0",
		"link set veth0 netns ns0", "link set veth0 master br0", "link set veth0 nomaster",
		"link del veth0", "link show veth0", "l", "a", "r", "addr add 10.0.0.1/24 dev veth0 brd +",
		"addr add fe80::1/64 dev veth0 nodad", "addr flush dev veth0", "addr show dev veth0",
		"route add 10.0.0.0/24 via 0.0.0.0 dev veth0", "route change 10.0.0.0/24 dev veth0",
		"route replace default via 10.0.0.1", "route del default", "route add blackhole 10.9.0.0/16",
		"route show table all", "route get 10.0.0.2", "tuntap add dev tap0 mode tap",
		"tuntap del dev tap0 mode tap", "-6 route", "-4 addr",
	})
}

// FuzzParse feeds arbitrary words to the ip parser: it must return an
// action, an exit error, or a Fallback to the real tool (for a form
// netscript does not implement, nested anywhere), never panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"link add veth0 type veth peer name veth2", "route add 10.0.0.0/24 via 0.0.0.0 dev veth0",
		"addr add 10.0.0.1/24 dev tap0", "netns exec ns0 ip -n x route get 1.2.3.4", "-n", "-",
		"route add to", "link set dev", "addr add fe80::1%eth0/64 dev x", "route add unicast",
		"link set x address ::::", "route add 1.2.3.4/-1 dev x metric 99999999999", "netns exec 0 ip xfrm state",
	} {
		f.Add(seed)
	}
	ip := ipCmd()
	f.Fuzz(func(t *testing.T, line string) {
		_, err := ip.Parse(strings.Fields(line))
		if err != nil {
			_, isExit := err.(*script.ExitError)
			_, isFallback := script.AsFallback(err)
			if !isExit && !isFallback {
				t.Errorf("ip %s: error of type %T: %v", line, err, err)
			}
		}
	})
}

// parseCase is a command line (words split on spaces) whose parse must fail
// with the real tool's exit status and message.
type parseCase struct {
	line string
	code int
	msg  string
}

// checkParseErrors parses each case with cmd and fails t unless Parse
// returns an *script.ExitError with the case's status and message.
func checkParseErrors(t *testing.T, cmd *script.Cmd, cases []parseCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			_, err := cmd.Parse(strings.Fields(c.line))
			e, ok := err.(*script.ExitError)
			if !ok {
				t.Fatalf("%s %s: got %v, want an exit error", cmd.Name, c.line, err)
			}
			if e.Code != c.code || e.Msg != c.msg {
				t.Errorf("%s %s:\ngot  %d %q\nwant %d %q", cmd.Name, c.line, e.Code, e.Msg, c.code, c.msg)
			}
		})
	}
}

// checkParseAccepts fails t for each line cmd does not parse.
func checkParseAccepts(t *testing.T, cmd *script.Cmd, lines []string) {
	t.Helper()
	for _, line := range lines {
		if _, err := cmd.Parse(strings.Fields(line)); err != nil {
			t.Errorf("%s %s: %v", cmd.Name, line, err)
		}
	}
}
