package probe

import (
	"strings"
	"testing"
	"time"

	"github.com/netscript/netscript/internal/realtool"
	"github.com/netscript/netscript/internal/world"
)

// cmdLine is a command line of a differential case: "ping6 ARGS..." runs
// iputils by its ping6 name and netscript's ping6; anything else is ping's
// arguments.
func cmdLine(line string) (prog string, args []string) {
	args = strings.Fields(line)
	if len(args) > 0 && args[0] == "ping6" {
		return "ping6", args[1:]
	}
	return "ping", args
}

func requireRealPing(t *testing.T) { realtool.Require(t, "ping") }

// compareWithReal runs each command line with iputils and with netscript in
// ns and compares stdout, stderr and exit status, timing figures masked.
func compareWithReal(t *testing.T, p *pair, ns *world.NS, cases []string) {
	t.Helper()
	for _, line := range cases {
		prog, args := cmdLine(line)
		t.Run(line, func(t *testing.T) {
			real := realtool.MustReal(t, ns, 20*time.Second, nil, append([]string{prog}, args...)...)
			cmd := PingCmd()
			if prog == "ping6" {
				cmd = Ping6Cmd()
			}
			ours := realtool.MustBuiltin(t, p.w, ns, 20*time.Second, cmd, args...)
			real.Stdout, ours.Stdout = maskTiming(real.Stdout), maskTiming(ours.Stdout)
			if real != ours {
				t.Errorf("ping %s differs from iputils:\niputils:\n%s\nnetscript:\n%s", line, real, ours)
			}
		})
	}
}

// TestPingMatchesIputils compares netscript's ping with iputils' in the
// same namespace, on the cases of TestPingInNamespaces and more.
func TestPingMatchesIputils(t *testing.T) {
	t.Parallel()
	requireRealPing(t)
	p := newPair(t)
	compareWithReal(t, p, p.a, []string{
		"-c 3 -i 0.01 10.0.0.2",
		"-c 1 -W 1 10.0.0.9",
		"-c 2 -i 0.01 -W 0.2 10.0.0.9",
		"-c 1 192.168.5.5",
		"-c 1 127.0.0.1",
		"-c 1 -W 0.2 10.0.0.1",
		"-q -c 2 -i 0.01 10.0.0.2",
		"-qc2 -i0.01 -n 10.0.0.2",
		"-c 1 -I va 10.0.0.2",
		"10.0.0.2 -c1 -I10.0.0.1",
		"-c 1 -I fe80::1%va 10.0.0.2",
		"-c 1 -I veth9 10.0.0.2",
		"-c 1 -I lo 10.0.0.2",
		"-c 1 -I 10.0.0.7 10.0.0.2",
		"-c 1 -W 0.2 -I 10.0.0.1 192.168.5.5",
		"-c 1 0x0a000002",
		"-c 1 10.0.2",
		"-c 1 -W 0.2 10.0.0.9 10.0.0.2",
		"-w 5 -c 2 -i 0.01 10.0.0.2",
		"-c 1 -W 1x 10.0.0.2",
		"-c 1 -i x 10.0.0.2",
		"-4 -c 1 10.0.0.2",
		// -c 1: with more requests, how long ping lingers for the last
		// replies depends on how many came back while it sent (TestLinger).
		"-c 1 -i 0 10.0.0.2",
		"-c 1 -W 0.2 0",
		"-c 1 10.0.0.255",
		"-V",
	})
}

// TestPingErrorsMatchIputils compares argument errors, which need no
// network but are run in a namespace all the same.
func TestPingErrorsMatchIputils(t *testing.T) {
	t.Parallel()
	requireRealPing(t)
	p := newPair(t)
	compareWithReal(t, p, p.a, []string{
		"",
		"-c 1",
		"-c 0 10.0.0.2",
		"-c x 10.0.0.2",
		"-c 99999999999999999999 10.0.0.2",
		"-c -1 10.0.0.2",
		"-i -1x -c 0 10.0.0.2",
		"-i inf 10.0.0.2",
		"-i nan 10.0.0.2",
		"-i 1e999 10.0.0.2",
		"-i 9999999 10.0.0.2",
		"-c 1 -q -i 2147483.647 10.0.0.2",
		"-c 1 -q -W 1 -i 2147483.646 10.0.0.2",
		"-W -1 10.0.0.2",
		"-W 99999999 10.0.0.2",
		"-w x 10.0.0.2",
		"-w -1 10.0.0.2",
		"-z 10.0.0.2",
		"--count=1 10.0.0.2",
		"-c",
		"-h",
		"-4 -6 10.0.0.2",
		"-6 10.0.0.2",
		"-4 ::1",
		"-I foo:bar 10.0.0.2",
		"foo",
		"-c 1 10.0.0.2 foo",
		// Names the resolver refuses at once, and names it would ask DNS
		// about (there is none in the sandbox).
		"a*b", "a/b", "a@b", "a~b", "a:b", "[x]", ".1", "a..b", ".a", "-- -x", "-- -",
		`a\.b`, `\\x`, `a\\`,
		"a.", "a-", "a_b", "_a", "ab.-c", "1.2.3.4.5", "0x1g", "\u00e9", `a\b`, `a\065b`,
	})
}

// TestPingICMPErrorsMatchIputils compares the "From ... Destination Host
// Unreachable" lines and the error count.
func TestPingICMPErrorsMatchIputils(t *testing.T) {
	t.Parallel()
	requireRealPing(t)
	p := newPair(t)
	failNeighboursFast(t, p, "ipv4")
	compareWithReal(t, p, p.a, []string{
		"-c 2 -i 0.2 10.0.0.9",
		"-q -c 2 -i 0.2 10.0.0.8",
		"-w 5 -c 3 -i 0.2 10.0.0.7",
		"-c 1 -W 0.2 10.0.0.1",
		"-c 1 -W 0.2 -I lo 10.0.0.2",
		"-c 1 -W 0.2 0",
	})
}
