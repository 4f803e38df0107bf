package iproute

import (
	"testing"
)

// TestNeighParseErrors checks the mistakes "ip neigh" catches before
// touching the network, with iproute2 6.1's messages and statuses (the
// differential test testdata/neigh.cmds holds them to the real tool).
func TestNeighParseErrors(t *testing.T) {
	tests := []parseCase{
		{"neigh frob", 255, `Command "frob" is unknown, try "ip neigh help".`},
		{"neigh show nud bogus", 255, `Error: argument "bogus" is wrong: nud state is bad`},
		{"neigh show nud 3", 255, `Error: argument "3" is wrong: nud state is bad`},
		{"neigh show nud 256", 255, `Error: argument "256" is wrong: nud state is bad`},
		{"neigh show bogus", 1, `Error: any valid prefix is expected rather than "bogus".`},
		{"-4 neigh show bogus", 1, `Error: inet prefix is expected rather than "bogus".`},
		{"-6 neigh show 10.0.0.1", 1, `Error: inet6 prefix is expected rather than "10.0.0.1".`},
		{"neigh show 10.0.0.0/40", 1, `Error: any valid prefix is expected rather than "10.0.0.0/40".`},
		{"neigh show protocol bogus", 255, "Error: argument \"bogus\" is wrong: invalid \"protocol\"\n"},
		{"neigh show vrf red", 255, "Error: argument \"red\" is wrong: Not a valid VRF name\n"},
		{"neigh show dev", 255, `Command line is not complete. Try option "help"`},
		{"neigh show to", 255, `Command line is not complete. Try option "help"`},
		{"neigh show nud", 255, `Command line is not complete. Try option "help"`},
		{"neigh show master", 255, `Command line is not complete. Try option "help"`},
		{"neigh show dev a dev b", 255, `Error: duplicate "dev": "b" is the second value.`},
		{"neigh add 10.0.0.1 nud bogus dev veth0", 255, `Error: argument "bogus" is wrong: nud state is bad`},
		{"neigh add 10.0.0.1 dev veth0 lladdr zz", 1, `"zz" is invalid lladdr.`},
		{"neigh add 10.0.0.1 dev veth0 lladdr 0:1 lladdr 0:2", 255, `Error: duplicate "lladdr": "0:2" is the second value.`},
		{"neigh add 10.0.0.1", 255, "Device and destination are required arguments."},
		{"neigh del dev veth0", 255, "Device and destination are required arguments."},
		{"neigh replace 10.0.0.1/24 dev veth0", 1, `Error: any valid address is expected rather than "10.0.0.1/24".`},
		{"-6 neigh add 10.0.0.1 dev veth0", 1, `Error: inet6 address is expected rather than "10.0.0.1".`},
		{"neigh add 10.0.0.1 10.0.0.2 dev veth0", 255, `Error: either "to" is duplicate, or "10.0.0.2" is a garbage.`},
		{"neigh get 10.0.0.1", 1, "Device and address are required arguments."},
		{"-j neigh get 10.0.0.1 dev veth0", 255, `ip neigh get: option "-j" is not implemented by netscript`},
		{"neigh flush", 1, "Flush requires arguments."},
		{"-j neigh flush dev veth0", 255, `ip neigh flush: option "-j" is not implemented by netscript`},
		{"neigh help", 255, neighUsageText},
		{"neigh show help", 255, neighUsageText},
	}
	ip := ipCmd()
	checkParseErrors(t, ip, tests)
	checkParseAccepts(t, ip, []string{"neigh", "n", "neighbour show", "neigh lst", "neigh show nud all nud none",
		"neigh show proxy unused nomaster", "neigh show to default", "neigh show all", "neigh show 2",
		"neigh show protocol all", "neigh show protocol static", "-j -p -br neigh"})
}
