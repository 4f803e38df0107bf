// Package probe implements the scenario commands that send traffic: "ping"
// and "ping6" with iputils' grammar, output and exit statuses, on
// pro-bing's raw ICMP and ICMPv6 sockets opened inside the scenario's
// namespace.
package probe

import "github.com/netscript/netscript/script"

// PingCmd returns the "ping" entry of the command table.
func PingCmd() *script.Cmd { return pingCmd("ping", pingUsage) }

// Ping6Cmd returns the "ping6" entry of the command table: iputils' ping
// called by its ping6 name, IPv6 only.
func Ping6Cmd() *script.Cmd { return pingCmd("ping6", ping6Usage) }

func pingCmd(prog string, usage script.Usage) *script.Cmd {
	return &script.Cmd{
		Name:  prog,
		Usage: usage,
		Parse: func(args []string) (script.Action, error) {
			o, err := parsePingAs(prog, args)
			if err != nil {
				return nil, err
			}
			return script.ActionFunc(o.run), nil
		},
	}
}

// pingUsage documents ping in the command table.
var pingUsage = script.Usage{
	Summary: "send ICMP or ICMPv6 echo requests (iputils ping)",
	Args:    "[-c COUNT] [-i INTERVAL] [-W TIMEOUT] [-w DEADLINE] [-q] [-n] [-I IFACE|ADDRESS] [-4|-6] DESTINATION",
	Detail: []string{
		"ping sends echo requests from a raw socket opened in the namespace the command runs in " +
			"(the scenario's root, or NS under \"ip netns exec NS ping ...\"), and prints what iputils " +
			"ping 20221126 prints: the PING header, one line per reply, \"From ADDR icmp_seq=N " +
			"Destination Host Unreachable\" lines for ICMP errors, and the statistics block. Timing " +
			"figures are real measurements and so differ from run to run.",
		"Exit status: 0 when a reply came, 1 when none did (or, with -w, fewer than COUNT), " +
			"2 on other errors, such as \"ping: connect: Network is unreachable\" when no route leads " +
			"to DESTINATION. Bad arguments give iputils' messages and statuses.",
		"-c COUNT: stop after COUNT replies (or ICMP errors). Without -w, COUNT requests are sent " +
			"and ping waits for the last replies as iputils does: twice the longest round trip (at " +
			"least one interval) when replies came, else the -W time.",
		"-i INTERVAL: seconds between requests, fractions allowed (default 1).",
		"-W TIMEOUT: seconds to wait for a reply when none came (default 10). As in iputils, " +
			"-W 0 means waiting until a reply comes or the scenario's deadline.",
		"-w DEADLINE: stop after DEADLINE seconds, whatever the count; requests go on being sent " +
			"until COUNT replies came.",
		"-q: print only the header and the statistics.",
		"-n: numeric output; accepted, and has no effect since netscript never resolves names.",
		"-I IFACE|ADDRESS: send through this interface, or from this local address (IPv6: " +
			"ADDRESS%IFACE for a link-local one); the header then shows \"from SOURCE IFACE: \". " +
			"A missing interface or a foreign address fails as in iputils.",
		"-4, -6: the address family. DESTINATION is an IPv4 address in any form inet_aton(3) " +
			"accepts (10.0.0.2, 10.2, 0x0a000002), or an IPv6 address, with %IFACE (or a scope " +
			"number) for a link-local one: fe80::2%veth0. IPv6 works as \"ping6\": the header is " +
			"\"PING fd00::2(fd00::2) 56 data bytes\", ICMPv6 errors read \"From fd00::1 icmp_seq=1 " +
			"Destination unreachable: Address unreachable\". -V prints the version, -h the usage.",
		"Names are not looked up: they fail as unresolvable names do in a namespace without DNS " +
			"(\"ping: NAME: Temporary failure in name resolution\", status 2). Other iputils options " +
			"and source routes are refused with status 2.",
		"The scenario's deadline always ends ping; it then prints its statistics as iputils does " +
			"when interrupted.",
	},
}

// ping6Usage documents ping6 in the command table.
var ping6Usage = script.Usage{
	Summary: "send ICMPv6 echo requests (iputils ping6, the same as ping -6)",
	Args:    pingUsage.Args,
	Detail: []string{
		"ping6 is iputils' ping called by its ping6 name: IPv6 only, as with -6 (so -4 is refused " +
			"with \"ping6: only one -4 or -6 option may be specified\"), and its messages start " +
			"with \"ping6:\". Everything else is ping's; see \"help ping\".",
		"Example: \"ip netns exec ns0 ping6 -c 1 fd00::2\" prints \"PING fd00::2(fd00::2) 56 data " +
			"bytes\", then \"64 bytes from fd00::2: icmp_seq=1 ttl=64 time=0.050 ms\" and the " +
			"statistics. With no route: \"ping6: connect: Network is unreachable\", status 2.",
		"An address added without nodad is tentative until duplicate address detection ends " +
			"(1 to 2 s after its link is up), and ping6 cannot send from it (\"ping6: bind icmp " +
			"socket: Cannot assign requested address\"): wait for it, and for the peer's, with " +
			"\"retry ip netns exec NS ping6 -c 1 -W 1 -I ADDR PEER\".",
	},
}

// usageText is what iputils' usage() prints to stderr.
const usageText = "" +
	"\nUsage\n" +
	"  ping [options] <destination>\n" +
	"\nOptions:\n" +
	"  <destination>      dns name or ip address\n" +
	"  -a                 use audible ping\n" +
	"  -A                 use adaptive ping\n" +
	"  -B                 sticky source address\n" +
	"  -c <count>         stop after <count> replies\n" +
	"  -C                 call connect() syscall on socket creation\n" +
	"  -D                 print timestamps\n" +
	"  -d                 use SO_DEBUG socket option\n" +
	"  -e <identifier>    define identifier for ping session, default is random for\n" +
	"                     SOCK_RAW and kernel defined for SOCK_DGRAM\n" +
	"                     Imply using SOCK_RAW (for IPv4 only for identifier 0)\n" +
	"  -f                 flood ping\n" +
	"  -h                 print help and exit\n" +
	"  -I <interface>     either interface name or address\n" +
	"  -i <interval>      seconds between sending each packet\n" +
	"  -L                 suppress loopback of multicast packets\n" +
	"  -l <preload>       send <preload> number of packages while waiting replies\n" +
	"  -m <mark>          tag the packets going out\n" +
	"  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>\n" +
	"  -n                 no dns name resolution\n" +
	"  -O                 report outstanding replies\n" +
	"  -p <pattern>       contents of padding byte\n" +
	"  -q                 quiet output\n" +
	"  -Q <tclass>        use quality of service <tclass> bits\n" +
	"  -s <size>          use <size> as number of data bytes to be sent\n" +
	"  -S <size>          use <size> as SO_SNDBUF socket option value\n" +
	"  -t <ttl>           define time to live\n" +
	"  -U                 print user-to-user latency\n" +
	"  -v                 verbose output\n" +
	"  -V                 print version and exit\n" +
	"  -w <deadline>      reply wait <deadline> in seconds\n" +
	"  -W <timeout>       time to wait for response\n" +
	"\nIPv4 options:\n" +
	"  -4                 use IPv4\n" +
	"  -b                 allow pinging broadcast\n" +
	"  -R                 record route\n" +
	"  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>\n" +
	"\nIPv6 options:\n" +
	"  -6                 use IPv6\n" +
	"  -F <flowlabel>     define flow label, default is random\n" +
	"  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument\n" +
	"\nFor more details see ping(8).\n"
