// Package iproute implements the scenario command "ip": iproute2's grammar,
// carried out in-process with netlink in the scenario's namespaces, with
// iproute2's output, error messages and exit statuses.
//
// Exit statuses follow iproute2: 0 on success, 1 for most argument and
// lookup errors, 2 when the kernel refused a request, 255 for usage errors.
package iproute

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// Exit statuses of iproute2.
const (
	exitErr    = 1   // bad argument, missing device or namespace
	exitKernel = 2   // RTNETLINK answers: ...
	exitUsage  = 255 // syntax errors; iproute2 calls exit(-1)
)

// globals are ip's options before the object: ip [OPTIONS] OBJECT ...
type globals struct {
	netns   string // -n NAME: run in this namespace
	brief   bool   // -br
	json    bool   // -j
	pretty  bool   // -p
	family  int    // -4 / -6: unix.AF_INET, unix.AF_INET6, or 0
	details int    // -d, once or more
	stats   int    // -s, once or twice
	oneline bool   // -o: records end in "\\" instead of a line break inside
	numeric bool   // -N: numbers instead of protocol, scope, table and type names

	given []givenOption // every option given, for the objects to refuse
}

// option is one of ip's global options, as a bit of a set of them.
type option uint32

const (
	optBrief option = 1 << iota
	optJSON
	optPretty
	optDetails
	optStats
	optOneline
	optNumeric
	optResolve   // -r: names through the resolver
	optTimestamp // -t, -ts: timestamps for ip monitor
	optHuman     // -h, -iec: units in statistics
	optAll       // -a: ip -all netns exec
	optColor     // -c, -color[=always]
	optEcho      // -echo: the kernel's answer to a change, printed
	optFamily    // -0, -M, -B, -f link|mpls|bridge: families netscript does not show
	optQuiet     // -force, -loops N, -rcvbuf N, -c=never, -c=auto: nothing visible here
)

// givenOption is an option as the user wrote it.
type givenOption struct {
	opt  option
	text string
}

// Sets of options, for object.refuse.
const (
	// optsNoEffect change nothing anywhere netscript takes them.
	optsNoEffect = optPretty | optQuiet | optTimestamp | optHuman
	// optsChange is what a change (add, del, set ...) honours: it prints
	// nothing on success, whatever the display options say.
	optsChange = optsNoEffect | optBrief | optJSON | optDetails | optStats | optOneline |
		optNumeric | optResolve | optAll | optColor
)

// refuse returns an error naming the first option given that the command
// what (such as "ip route show") does not honour, or nil. The options in
// honoured, and those without effect, are honoured.
func (g *globals) refuse(what string, honoured option) error {
	for _, o := range g.given {
		if o.opt&(honoured|optsNoEffect) == 0 {
			return script.Errorf(exitUsage, "%s: option %q is not implemented by netscript", what, o.text)
		}
	}
	return nil
}

// object is one of ip's objects and the parser of its commands.
type object struct {
	name  string
	parse func(g *globals, args []string, inner script.Parser) (script.Action, error)
}

// objects lists ip's objects in iproute2's order, which decides what an
// abbreviation means ("a" is address, "r" route, "n" neighbour, "l" link).
// A nil parser is an object netscript does not implement.
var objects = []object{
	{"address", parseAddress},
	{"addrlabel", nil},
	{"maddress", nil},
	{"route", parseRoute},
	{"rule", parseRule},
	{"neighbor", parseNeigh},
	{"neighbour", parseNeigh},
	{"ntable", nil},
	{"ntbl", nil},
	{"link", parseLink},
	{"l2tp", nil},
	{"fou", nil},
	{"ila", nil},
	{"macsec", nil},
	{"tunnel", nil},
	{"tunl", nil},
	{"tuntap", parseTuntap},
	{"tap", parseTuntap},
	{"token", nil},
	{"tcpmetrics", nil},
	{"tcp_metrics", nil},
	{"monitor", nil},
	{"xfrm", nil},
	{"mroute", nil},
	{"mrule", nil},
	{"netns", parseNetns},
	{"netconf", nil},
	{"vrf", nil},
	{"sr", nil},
	{"nexthop", parseNexthop},
	{"mptcp", nil},
	{"ioam", nil},
	{"help", func(*globals, []string, script.Parser) (script.Action, error) { return nil, ipUsage() }},
	{"stats", nil},
}

// Usage is the "ip" entry's documentation in the command table.
var Usage = script.Usage{
	Summary: "show and change links, addresses, routes and namespaces (iproute2)",
	Args:    "[-n NETNS] [-br] [-j] [-p] [-d] [-s] [-o] [-N] [-4|-6] OBJECT COMMAND [ARGS...]",
	Detail: []string{
		"ip runs in-process on netlink in the scenario's namespaces, with iproute2's grammar, " +
			"output, error messages and exit statuses (0 ok, 1 bad argument, 2 kernel error, " +
			"255 usage error). Objects and commands may be abbreviated as iproute2 allows.",
		"ip netns add|del|list NAME; ip netns exec NAME CMD [ARGS...] runs a netscript command " +
			"in NAME, or else a real program started inside it. Namespaces are private to the " +
			"scenario: nothing appears under /run/netns.",
		"ip link add [link DEV] NAME [address MAC] [mtu N] type KIND [OPTIONS], KIND one of veth " +
			"(peer name PEER), bridge, macvlan, macvtap, ipvlan, ipvtap, vlan, vxlan, dummy, ifb, " +
			"vrf, with their options; ip link set DEV|group G up|down|netns NS|name NEW|master BR|" +
			"nomaster|mtu N|address MAC|arp|multicast|allmulticast|promisc|dynamic|trailers on|off|" +
			"alias TEXT|group G|txqueuelen N|addrgenmode M|type bridge ...|type bridge_slave ...; " +
			"ip link del DEV; ip [-d] link show [DEV] [up] [master BR] [type KIND] [group G]; " +
			"ip tuntap add|del dev NAME mode tap|tun.",
		"ip addr add|del CIDR dev DEV; ip addr flush dev DEV; ip addr show [dev DEV].",
		"ip route add|del|change|replace|prepend|append|test PREFIX|default [via GW] [dev DEV] " +
			"[metric N] [src ADDR] [proto P] [scope S] [table T]; ip route show|list|flush " +
			"[root|match|exact PREFIX] [table T] [dev D] [via GW] [src A] [proto P] [scope S] [type T] " +
			"[metric N]; ip route get ADDR [from A] [iif D] [oif D] [mark M] [fibmatch].",
		"ip rule add|del|show|flush [not] [from P] [to P] [iif D] [oif D] [fwmark M[/MASK]] " +
			"[pref N] [table T] [suppress_prefixlength N] [goto N] [nop|unreachable|prohibit|blackhole].",
		"Route attributes: mtu [lock] N, advmss, window, rtt, rttvar, rto_min, cwnd, initcwnd, " +
			"initrwnd, ssthresh, reordering, quickack, hoplimit, features ecn, congctl, " +
			"fastopen_no_cookie, pref low|medium|high, from PREFIX, via inet6 ADDR, nhid N, realms, tos, " +
			"onlink, expires, ttl-propagate; local, broadcast, anycast and nat routes go to table local.",
		"ip nexthop add|replace id N {via ADDR [dev D] [onlink] | dev D | blackhole | group " +
			"ID[,W]/... [type mpath]} [fdb] [proto P]; ip nexthop del|get id N; ip nexthop " +
			"show|flush [id N] [dev D] [groups] [fdb] [protocol N].",
		"ip neigh add|change|replace|del ADDR|proxy ADDR dev D [lladdr MAC|null] [nud " +
			"permanent|noarp|reachable|stale|none] [router] [extern_learn] [protocol P]; ip neigh " +
			"get ADDR dev D; ip neigh show|flush [filters].",
		"ip netns list-id [nsid N]; ip netns identify [PID].",
		"Global options an object does not reproduce are refused (not implemented by netscript), " +
			"never ignored: -j/-p on link, addr, route, rule, nexthop, neigh and netns list; -d, -s, -o, -N " +
			"on route, rule and nexthop; -br on link, addr, neigh. ip -batch FILE is left to the real ip, " +
			"where it is installed (FILE \"-\": the input of a preceding \"stdin FILE\").",
	},
}

// Cmd returns the "ip" command. t is the command table, consulted by
// "ip netns exec NS CMD" to run netscript commands inside a namespace.
func Cmd(t script.Table) *script.Cmd {
	return &script.Cmd{
		Name:   "ip",
		Usage:  Usage,
		Parse:  func(args []string) (script.Action, error) { return parse(args, t.Parse) },
		Nested: parse,
	}
}

// parse parses ip's arguments; inner parses the command "ip netns exec"
// runs.
func parse(args []string, inner script.Parser) (script.Action, error) {
	g, obj, rest, err := parseHead(args)
	if err != nil {
		return nil, err
	}
	act, err := obj.parse(&g, rest, inner)
	if err == nil && script.Effects(act) == nil {
		// Every command uses the namespace it runs in, which check
		// reports when it does not exist.
		act = script.WithEffects(act, script.Effect{})
	}
	if _, ok := script.AsFallback(err); ok && g.netns != "" {
		return inNetns(g.netns, act), err // "ip -n NS netns exec NS2 CMD" falling back
	}
	if err != nil || g.netns == "" {
		return act, err
	}
	return inNetns(g.netns, act), nil
}

// parseHead parses "ip [OPTIONS] OBJECT" and returns the options, the object
// and the object's arguments.
func parseHead(args []string) (globals, object, []string, error) {
	var g globals
	usage := ipUsage()
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if args[0] == "--" {
			args = args[1:]
			break
		}
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		// value takes the argument an option needs, as ip.c does.
		value := func() (string, bool) {
			if len(args) < 2 {
				return "", false
			}
			args = args[1:]
			return args[0], true
		}
		var o option
		switch {
		case matches(opt, "-loops"):
			if _, ok := value(); !ok {
				return g, object{}, nil, usage
			}
			o = optQuiet
		case matches(opt, "-family"):
			v, ok := value()
			if !ok || v == "help" {
				return g, object{}, nil, usage
			}
			switch v {
			case "inet":
				g.family = unix.AF_INET
			case "inet6":
				g.family = unix.AF_INET6
			case "link", "mpls", "bridge":
				o = optFamily
			default:
				return g, object{}, nil, invalidName("invalid protocol family", v)
			}
		case opt == "-4":
			g.family = unix.AF_INET
		case opt == "-6":
			g.family = unix.AF_INET6
		case opt == "-0" || opt == "-M" || opt == "-B":
			o = optFamily
		case matches(opt, "-human") || matches(opt, "-human-readable") || matches(opt, "-iec"):
			o = optHuman
		case matches(opt, "-stats") || matches(opt, "-statistics"):
			o = optStats
			g.stats++
		case matches(opt, "-details"):
			o = optDetails
			g.details++
		case matches(opt, "-resolve"):
			o = optResolve
		case matches(opt, "-oneline"):
			o = optOneline
			g.oneline = true
		case matches(opt, "-timestamp") || matches(opt, "-tshort"):
			o = optTimestamp
		case matches(opt, "-Version"):
			return g, object{}, nil, script.Errorf(exitUsage, "ip %s: not implemented by netscript", args[0])
		case matches(opt, "-force"):
			o = optQuiet
		case matches(opt, "-batch"):
			// The real ip runs the batch (from the scenario's stdin for
			// "-batch -"), where it is installed and allowed.
			return g, object{}, nil, script.Unimplemented(exitUsage, "ip %s: not implemented by netscript", args[0])
		case matches(opt, "-brief"):
			o = optBrief
			g.brief = true
		case matches(opt, "-json"):
			o = optJSON
			g.json = true
		case matches(opt, "-pretty"):
			o = optPretty
			g.pretty = true
		case matches(opt, "-rcvbuf"):
			v, ok := value()
			if !ok {
				return g, object{}, nil, usage
			}
			if _, ok := cnum.GetU32(v); !ok {
				return g, object{}, nil, script.Errorf(exitUsage, "Invalid rcvbuf size '%s'", v)
			}
			o = optQuiet
		case colorOption(opt) != "":
			o = optQuiet
			if colorOption(opt) == "always" {
				o = optColor
			}
		case matches(opt, "-help"):
			return g, object{}, nil, usage
		case matches(opt, "-netns"):
			if len(args) < 2 {
				return g, object{}, nil, script.Errorf(exitUsage, `Cannot open network namespace "(null)": No such file or directory`)
			}
			g.netns = args[1]
			args = args[1:]
		case matches(opt, "-Numeric"):
			o = optNumeric
			g.numeric = true
		case matches(opt, "-all"):
			o = optAll
		case opt == "-echo":
			o = optEcho
		default:
			return g, object{}, nil, script.Errorf(exitUsage, "Option %q is unknown, try \"ip -help\".", opt)
		}
		if o != 0 {
			g.given = append(g.given, givenOption{o, args[0]})
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return g, object{}, nil, usage
	}
	for _, obj := range objects {
		if !matches(args[0], obj.name) {
			continue
		}
		if obj.parse == nil {
			return g, obj, nil, script.Unimplemented(exitUsage, "ip %s: not implemented by netscript", obj.name)
		}
		return g, obj, args[1:], nil
	}
	return g, object{}, nil, script.Errorf(exitErr, "Object %q is unknown, try \"ip help\".", args[0])
}

// ipUsage is ip.c's usage(): on stderr, exit 255.
func ipUsage() error { return script.Errorf(exitUsage, "%s", ipUsageText) }

const ipUsageText = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}`

// colorOption is lib/color.c's matches_color: for -c, -color, -color=WHEN
// it returns "always", "auto" or "never"; otherwise "".
func colorOption(opt string) string {
	name, when, _ := strings.Cut(opt, "=")
	if !matches(name, "-color") {
		return ""
	}
	switch when {
	case "", "always":
		return "always"
	case "auto", "never":
		return when
	}
	return ""
}

// inNetns wraps act to run in the named namespace, as "ip -n NAME" does.
// Its effects are act's, run in that namespace.
func inNetns(name string, act script.Action) script.Action {
	return &netnsAction{name: name, act: act}
}

// netnsAction is an action run in another namespace: "ip -n NAME" and
// "ip netns exec NAME".
type netnsAction struct {
	name string
	act  script.Action
	// exec is the effect of "ip netns exec NAME", which comes first; nil
	// for "ip -n NAME".
	exec *script.Effect
}

func (a *netnsAction) Run(s *script.State) error {
	ns, err := s.World.Lookup(a.name)
	if err != nil {
		return s.Fail(exitUsage, "Cannot open network namespace %q: No such file or directory", a.name)
	}
	return a.act.Run(s.In(ns))
}

// Effects are those of the command run, in the namespace; for "ip netns
// exec", after the exec's own.
func (a *netnsAction) Effects() []script.Effect {
	var effects []script.Effect
	if a.exec != nil {
		effects = append(effects, *a.exec)
	}
	return append(effects, script.InNetns(a.name, script.Effects(a.act))...)
}

// matches reports whether word abbreviates full, as iproute2's matches() does.
func matches(word, full string) bool {
	return word != "" && strings.HasPrefix(full, word)
}

// args is a cursor over a command's arguments.
type args struct {
	list []string
}

func (a *args) more() bool { return len(a.list) > 0 }
func (a *args) next() string {
	w := a.list[0]
	a.list = a.list[1:]
	return w
}

// value returns the argument that follows keyword, or an error shaped like
// iproute2's "Command line is not complete".
func (a *args) value(keyword string) (string, error) {
	if !a.more() {
		return "", script.Errorf(exitUsage, "Command line is not complete. Try option \"help\"")
	}
	return a.next(), nil
}

// invalidArg is iproute2's invarg(): `Error: argument "X" is wrong: MSG` plus
// an empty line (most of its messages end in "\n"), exit 255.
func invalidArg(msg, arg string) error {
	return script.Errorf(exitUsage, "Error: argument %q is wrong: %s\n", arg, msg)
}

// invalidName is invarg() with one of the messages that end without "\n":
// those about names (`"name" not a valid ifname`).
func invalidName(msg, arg string) error {
	return script.Errorf(exitUsage, "Error: argument %q is wrong: %s", arg, msg)
}

// duplicateValue is iproute2's duparg(): a keyword given a second value.
func duplicateValue(key, arg string) error {
	return script.Errorf(exitUsage, "Error: duplicate \"%s\": \"%s\" is the second value.", key, arg)
}

// duplicateArg is iproute2's duparg2().
func duplicateArg(key, arg string) error {
	return script.Errorf(exitUsage, "Error: either \"%s\" is duplicate, or \"%s\" is a garbage.", key, arg)
}

// nsName returns the name of the namespace a command runs in, for messages.
func nsName(ns *world.NS) string {
	if ns.Name == "" {
		return "the scenario's root namespace"
	}
	return fmt.Sprintf("namespace %q", ns.Name)
}
