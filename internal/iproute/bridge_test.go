package iproute

import (
	"testing"

	"github.com/netscript/netscript/internal/realtool"
)

// TestBridgeParseErrors checks the mistakes "bridge" catches before touching
// the network, with the bridge tool's messages and statuses (the
// differential test testdata/bridge.cmds holds them to the real tool).
func TestBridgeParseErrors(t *testing.T) {
	tests := []parseCase{
		{"", 255, bridgeUsageText},
		{"help", 255, bridgeUsageText},
		{"-help", 255, bridgeUsageText},
		{"-d", 255, bridgeUsageText},
		{"-x link", 255, `Option "-x" is unknown, try "bridge help".`},
		{"--x link", 255, `Option "-x" is unknown, try "bridge help".`},
		{"-n", 255, `Cannot open network namespace "(null)": No such file or directory`},
		{"foo", 255, `Object "foo" is unknown, try "bridge help".`},
		{"link foo", 255, `Command "foo" is unknown, try "bridge link help".`},
		{"link help", 255, brlinkUsageText},
		{"link show dev", 255, `Command line is not complete. Try option "help"`},
		{"link show dev a dev b", 255, `Error: duplicate "dev": "b" is the second value.`},
		{"link set dev p0 cost 5", 255, "bridge link set: not implemented by netscript (only show is)"},
		{"mdb show", 255, "bridge mdb: not implemented by netscript"},
		{"vlan", 255, "bridge vlan: not implemented by netscript"},
		{"-s link", 255, `bridge: option "-s" is not implemented by netscript`},
		{"-batch x", 255, `bridge: option "-batch" is not implemented by netscript`},
	}
	br := BridgeCmd()
	checkParseErrors(t, br, tests)
	checkParseAccepts(t, br, []string{"link", "l", "link show", "lin sh", "link lst", "link show dev p0 junk",
		"-n ns0 -d -j -p link", "--json link", "-V", "-Version x y"})
}

// TestParseNeverPanics feeds "bridge" and "ip neigh" every sequence of up
// to three awkward words.
func TestBridgeNeighParseNeverPanics(t *testing.T) {
	words := []string{"", "-", "--", "-n", "-j", "link", "show", "dev", "neigh", "nud", "to", "all",
		"1.2", "0x", "08", "10.0.0.0/", "/", "::/200", "master", "protocol", "\x00"}
	realtool.ParseEverySequence(t, BridgeCmd(), nil, words, 3)
	realtool.ParseEverySequence(t, ipCmd(), []string{"neigh"}, words, 3)
}
