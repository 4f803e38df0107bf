// Package nettools implements the scenario command "route": net-tools 2.10's
// route, showing the IPv4 and IPv6 routing tables with its grammar, output,
// messages and exit statuses.
//
// net-tools reads /proc/net/route, which follows the namespace of the
// process's main thread, not of the thread that opens it. netscript instead
// dumps the main routing table over netlink from a thread inside the
// scenario's namespace and formats each route as the kernel's
// fib_route_seq_show (net/ipv4/fib_trie.c) and net-tools' rprint_fib
// (lib/inet_gr.c) would: same routes, same order, same columns.
package nettools

import (
	"io"
	"strings"

	"github.com/netscript/netscript/internal/getopt"
	"github.com/netscript/netscript/script"
)

// Exit statuses of net-tools (lib/net-support.h). E_USAGE is 0 in 2.10:
// "route -h" and bad options exit 0.
const (
	exitNoSupp = 1 // E_NOSUPP; also exit(1) after "Unknown address family"
	exitOptErr = 3 // E_OPTERR: bad command word, family without routing
)

// RouteUsage is the "route" entry's documentation in the command table.
var RouteUsage = script.Usage{
	Summary: "show the IPv4 or IPv6 routing table, add and delete IPv4 routes (net-tools route)",
	Args:    "[-n] [-N] [-e|-ee] [-F] [-C] [-v] [-4|-6|-A inet|-A inet6|--inet|--inet6] [add|del ...]",
	Detail: []string{
		"route prints the main IPv4 routing table of the namespace it runs in exactly as " +
			"net-tools 2.10's \"route -n\" does from /proc/net/route: same routes (broadcast " +
			"and multicast routes and other tables left out), same order, same Flags " +
			"(U, G, H, ! for unreachable and prohibit), Metric, Ref, Use and Iface columns; " +
			"-e and -ee add the MSS, Window and irtt columns. Exit status 1 when the " +
			"namespace has no main table yet, as net-tools.",
		"Without -n (or -N) net-tools looks names up: \"default\" for 0.0.0.0/0 and " +
			"/etc/networks for networks are reproduced, but a gateway or host route " +
			"would need DNS, so route then fails (exit 3) asking for -n.",
		"route -n -A inet6 (or -6, --inet6) prints the \"Kernel IPv6 routing table\" of every " +
			"table, local included, as net-tools does from /proc/net/ipv6_route, which netscript " +
			"reads inside the namespace: Destination/prefix, Next Hop, Flag (U, G, H, ! for reject " +
			"routes, n for routes without a next hop, e for expiring ones, ...), Met, Ref, Use, If. " +
			"Ref is the kernel's reference count, which traffic raises (each CPU that routes a " +
			"packet keeps a copy of the route); compare it only where no traffic has used the " +
			"route. Without -n, :: shows as [::], names come from /etc/hosts, other addresses " +
			"stay numeric (DNS cannot answer inside a scenario).",
		"route add|del [-net|-host] TARGET[/LEN] [netmask N] [gw GW] [metric M] [mss M] " +
			"[window W] [irtt I] [reject] [mod] [dyn] [reinstate] [[dev] IF] changes the IPv4 " +
			"table with the SIOCADDRT and SIOCDELRT ioctls, as net-tools does; targets and " +
			"gateways are addresses or \"default\" (looking names up is not implemented by " +
			"netscript). IPv6 route add and del are not implemented by netscript.",
		"route -h, -V, -C (the routing cache, empty since Linux 3.6), bad options and " +
			"command words behave as net-tools. Families other than inet and inet6 are refused.",
	},
}

// RouteCmd returns the "route" command.
func RouteCmd() *script.Cmd {
	return &script.Cmd{Name: "route", Usage: RouteUsage, Parse: parseRoute}
}

// aftransCnt is net-tools' AFTRANS_CNT: one less than its long family
// options, so --tcpip, the last, hits an internal error.
const aftransCnt = 12

// routeSpec is route.c's getopt_long call.
var routeSpec = &getopt.Spec{
	Prog:  "route",
	Short: "A:eCFhnN64Vv?",
	Long: []getopt.Long{
		{Name: "ax25", Val: 1}, {Name: "x25", Val: 1}, {Name: "ip", Val: 1},
		{Name: "ipx", Val: 1}, {Name: "appletalk", Val: 1}, {Name: "netrom", Val: 1},
		{Name: "inet", Val: 1}, {Name: "inet6", Val: 1}, {Name: "ddp", Val: 1},
		{Name: "rose", Val: 1}, {Name: "unix", Val: 1}, {Name: "bluetooth", Val: 1},
		{Name: "tcpip", Val: 1},
		{Name: "extend", Val: 'e'}, {Name: "verbose", Val: 'v'},
		{Name: "version", Val: 'V'}, {Name: "numeric", Val: 'n'},
		{Name: "symbolic", Val: 'N'},
		{Name: "protocol", HasArg: getopt.RequiredArgument, Val: 'A'},
		{Name: "cache", Val: 'C'}, {Name: "fib", Val: 'F'}, {Name: "help", Val: 'h'},
	},
}

// routeParser holds what route.c's main has read so far.
type routeParser struct {
	warnings []string // lines on stderr before anything else
	afname   string   // comma-separated family names, af.c's afname[]
	numeric  bool     // -n or -N: both make INET_rresolve print numbers
	extend   int      // how many -e
	fib      bool     // -F
	cache    bool     // -C
}

func parseRoute(args []string) (script.Action, error) {
	p, act, err := readRoute(args)
	if act != nil || err != nil {
		return act, err
	}
	return p.show(), nil
}

// readRoute is route.c's main up to the choice of action. It returns the
// parser state when the command line asks to show tables, and otherwise
// the action or error that ends route.
func readRoute(args []string) (*routeParser, script.Action, error) {
	p := &routeParser{}
	act, err := p.read(args)
	if act != nil || err != nil {
		return nil, act, err
	}
	return p, nil, nil
}

// read applies the options; a nil action and error mean "show the tables".
func (p *routeParser) read(args []string) (script.Action, error) {
	// route.c: "getopts and -net wont work :-/", so -net and -host become
	// #net and #host before getopt sees them.
	args = append([]string(nil), args...)
	for i, a := range args {
		if a == "-net" || a == "-host" {
			args[i] = "#" + a[1:]
		}
	}
	opts, operands := routeSpec.Parse(args)
	help := false
	for _, o := range opts {
		switch o.C {
		case 'n', 'N':
			p.numeric = true
		case 'e':
			p.extend++
		case 'C':
			p.cache = true
		case 'F':
			p.fib = true
		case 1:
			if o.Index >= aftransCnt {
				p.warnings = append(p.warnings, "route.c: Internal Error `longopts 1 range'.")
				continue
			}
			if msg := p.addFamilies(routeSpec.Long[o.Index].Name); msg != "" {
				return p.result("", msg+"\n", exitNoSupp)
			}
		case 'A', '4', '6':
			arg := map[int]string{'A': o.Arg, '4': "inet", '6': "inet6"}[o.C]
			if msg := p.addFamilies(arg); msg != "" {
				return p.result("", msg+"\n", exitNoSupp)
			}
		case 'V':
			return p.result(versionText, "", 0)
		case 'h':
			help = true
		case '?':
			p.warnings = append(p.warnings, o.Err)
			help = true
		}
	}
	if help {
		if p.afname == "" {
			return p.result(routeUsage, afList, 0)
		}
		return p.edit("help", nil)
	}
	if p.afname == "" {
		p.afname = "inet"
	}
	if len(operands) == 0 {
		return nil, nil
	}
	switch operands[0] {
	case "add", "del", "delete", "flush":
		return p.edit(operands[0], operands[1:])
	}
	return p.result("", routeUsage+afList, exitOptErr)
}

// edit is route_edit (lib/setroute.c) with INET_rinput and INET6_rinput:
// help texts and refusals are reproduced; changing routes is not.
func (p *routeParser) edit(what string, args []string) (script.Action, error) {
	if strings.Contains(p.afname, ",") {
		return p.result("", "Please don't supply more than one address family.\n"+
			"Address family `"+p.afname+"' not supported.\n", exitOptErr)
	}
	fam, ok := families[p.afname]
	switch {
	case !ok:
		return p.result("", "Address family `"+p.afname+"' not supported.\n", exitOptErr)
	case !fam.rinput:
		return p.result("", "No routing for address family `"+p.afname+"'.\n", exitOptErr)
	}
	switch {
	case p.afname == "inet" && what == "flush":
		return p.result("", "Flushing `inet' routing table not supported\n"+inetRouteUsage, exitOptErr)
	case p.afname == "inet" && p.cache:
		return p.result("", "Modifying `inet' routing cache not supported\n"+inetRouteUsage, exitOptErr)
	case p.afname == "inet" && (what == "help" || len(args) == 0):
		return p.result(inetRouteUsage, "", 0)
	case p.afname == "inet6" && what == "flush":
		return p.result("", "Flushing `inet6' routing table not supported\n"+inet6RouteUsage, exitOptErr)
	case p.afname == "inet6" && what == "help":
		return p.result(inet6RouteUsage, "", 0)
	case what == "help":
		return p.result("", "route: address family `"+p.afname+"' is not implemented by netscript\n", exitOptErr)
	case p.afname == "inet":
		sr, msg, code := parseInetSetroute(what == "add", args)
		if code != 0 {
			return p.result("", msg, code)
		}
		warnings := p.warnings
		return script.ActionFunc(func(s *script.State) error {
			for _, w := range warnings {
				io.WriteString(s.Stderr, w+"\n")
			}
			return sr.run(s)
		}), nil
	}
	return p.result("", "route "+what+": `"+p.afname+"' routes are not implemented by netscript: use ip route\n", exitOptErr)
}

// result ends route with fixed output. Failures that print only on stderr
// are parse errors (the runner prints their message); the rest become an
// action that prints.
func (p *routeParser) result(stdout, stderr string, code int) (script.Action, error) {
	errText := stderr
	if len(p.warnings) > 0 {
		errText = strings.Join(p.warnings, "\n") + "\n" + stderr
	}
	if code != 0 && stdout == "" {
		return nil, script.Errorf(code, "%s", strings.TrimSuffix(errText, "\n"))
	}
	return script.ActionFunc(func(s *script.State) error {
		io.WriteString(s.Stderr, errText)
		io.WriteString(s.Stdout, stdout)
		if code != 0 {
			return &script.ExitError{Code: code}
		}
		return nil
	}), nil
}

// showOpts are the display options: net-tools starts -e counting at 1 and
// keeps two bits of it (FLAG_EXT), and shows the FIB unless only -C is given.
func (p *routeParser) showOpts() showOpts {
	return showOpts{extend: (p.extend + 1) & 3, numeric: p.numeric, fib: p.fib || !p.cache, cache: p.cache}
}

// show is route_info (lib/getroute.c): each family's table in turn, stopping
// at the first that fails.
func (p *routeParser) show() script.Action {
	warnings, opts := p.warnings, p.showOpts()
	names := strings.Split(p.afname, ",")
	return script.ActionFunc(func(s *script.State) error {
		for _, w := range warnings {
			io.WriteString(s.Stderr, w+"\n")
		}
		for _, name := range names {
			if name == "" {
				continue
			}
			fam, ok := families[name]
			switch {
			case !ok:
				return s.Fail(exitOptErr, "Address family `%s' not supported.", name)
			case !fam.rprint:
				return s.Fail(exitOptErr, "No routing for address family `%s'.", name)
			case name == "inet6":
				if err := showInet6(s, opts); err != nil {
					return err
				}
				continue
			case name != "inet":
				return s.Fail(exitOptErr, "route: netscript shows only the IPv4 (inet) and IPv6 (inet6) routing tables, not `%s'", name)
			}
			if err := showInet(s, opts); err != nil {
				return err
			}
		}
		return nil
	})
}
