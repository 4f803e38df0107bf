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

	"github.com/netscript/netscript/internal/script"
	"github.com/netscript/netscript/internal/world"
)

// Exit statuses of iproute2.
const (
	exitErr    = 1   // bad argument, missing device or namespace
	exitKernel = 2   // RTNETLINK answers: ...
	exitUsage  = 255 // syntax errors; iproute2 calls exit(-1)
)

// globals are ip's options before the object: ip [OPTIONS] OBJECT ...
type globals struct {
	netns  string // -n NAME: run in this namespace
	brief  bool   // -br
	json   bool   // -j
	pretty bool   // -p
	family int    // -4 / -6: unix.AF_INET, unix.AF_INET6, or 0
	// details is -d: honoured by the objects in detailObjects, refused
	// by the others.
	details bool
}

// detailObjects are the objects whose commands honour -d.
var detailObjects = map[string]bool{"link": true, "address": true}

// object is one of ip's objects and the parser of its commands.
type object struct {
	name  string
	parse func(g *globals, args []string, t script.Table) (script.Action, error)
}

// objects lists ip's objects in iproute2's order, which decides what an
// abbreviation means ("a" is address, "r" route, "n" neighbour, "l" link).
// A nil parser is an object netscript does not implement.
var objects = []object{
	{"address", parseAddress},
	{"addrlabel", nil},
	{"maddress", nil},
	{"route", parseRoute},
	{"rule", nil},
	{"neighbor", parseNeigh},
	{"neighbour", parseNeigh},
	{"ntable", nil},
	{"link", parseLink},
	{"l2tp", nil},
	{"fou", nil},
	{"ila", nil},
	{"macsec", nil},
	{"tunnel", nil},
	{"tuntap", parseTuntap},
	{"tap", parseTuntap},
	{"token", nil},
	{"tcpmetrics", nil},
	{"monitor", nil},
	{"xfrm", nil},
	{"mroute", nil},
	{"mrule", nil},
	{"netns", parseNetns},
	{"netconf", nil},
	{"vrf", nil},
	{"sr", nil},
	{"nexthop", nil},
	{"mptcp", nil},
	{"ioam", nil},
	{"stats", nil},
}

// Usage is the "ip" entry's documentation in the command table.
var Usage = script.Usage{
	Summary: "show and change links, addresses, routes and namespaces (iproute2)",
	Args:    "[-n NETNS] [-br] [-d] [-j] [-4|-6] OBJECT COMMAND [ARGS...]",
	Detail: []string{
		"ip runs in-process on netlink in the scenario's namespaces, with iproute2's grammar, " +
			"output, error messages and exit statuses (0 ok, 1 bad argument, 2 kernel error, " +
			"255 usage error). Objects and commands may be abbreviated as iproute2 allows.",
		"ip netns add|del|list NAME; ip netns exec NAME CMD [ARGS...] runs a netscript command " +
			"in NAME, or else a real program started inside it. Namespaces are private to the " +
			"scenario: nothing appears under /run/netns.",
		"ip link add NAME type veth peer name PEER | type bridge; ip link set DEV " +
			"up|down|netns NS|name NEW|master BR|nomaster|mtu N|address MAC ...; ip link del DEV; " +
			"ip link show [DEV]; ip tuntap add|del dev NAME mode tap|tun.",
		"ip addr add|del CIDR dev DEV; ip addr flush dev DEV; ip addr show [dev DEV].",
		"ip route add|del|change|replace|append PREFIX|default [via GW] [dev DEV] [metric N] " +
			"[src ADDR] [proto P] [scope S] [table T]; ip route show [table T]; ip route get ADDR.",
	},
}

// Cmd returns the "ip" command. t is the command table, consulted by
// "ip netns exec NS CMD" to run netscript commands inside a namespace.
func Cmd(t script.Table) *script.Cmd {
	return &script.Cmd{
		Name:  "ip",
		Usage: Usage,
		Parse: func(args []string) (script.Action, error) { return parse(args, t) },
	}
}

func parse(args []string, t script.Table) (script.Action, error) {
	g, obj, rest, err := parseHead(args)
	if err != nil {
		return nil, err
	}
	act, err := obj.parse(&g, rest, t)
	if err != nil || g.netns == "" {
		return act, err
	}
	return inNetns(g.netns, act), nil
}

// parseHead parses "ip [OPTIONS] OBJECT" and returns the options, the object
// and the object's arguments.
func parseHead(args []string) (globals, object, []string, error) {
	var g globals
	for len(args) > 0 && strings.HasPrefix(args[0], "-") && len(args[0]) > 1 {
		opt := args[0]
		if strings.HasPrefix(opt, "--") {
			opt = opt[1:]
		}
		switch {
		case opt == "-4":
			g.family = unix.AF_INET
		case opt == "-6":
			g.family = unix.AF_INET6
		case matches(opt, "-netns"):
			if len(args) < 2 {
				return g, object{}, nil, script.Errorf(exitUsage, `Cannot open network namespace "(null)": No such file or directory`)
			}
			g.netns = args[1]
			args = args[1:]
		case matches(opt, "-details"):
			g.details = true
		case matches(opt, "-json"):
			g.json = true
		case matches(opt, "-pretty"):
			g.pretty = true
		case matches(opt, "-brief") && len(opt) >= 3:
			g.brief = true
		default:
			return g, object{}, nil, script.Errorf(exitUsage, "Option %q is unknown, try \"ip -help\".", args[0])
		}
		args = args[1:]
	}
	if len(args) == 0 {
		return g, object{}, nil, script.Errorf(exitUsage, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }")
	}
	for _, obj := range objects {
		if !matches(args[0], obj.name) {
			continue
		}
		if obj.parse == nil {
			return g, obj, nil, script.Errorf(exitUsage, "ip %s: not implemented by netscript", obj.name)
		}
		if g.details && !detailObjects[obj.name] {
			return g, obj, nil, script.Errorf(exitUsage, "ip -d %s: not implemented by netscript", obj.name)
		}
		return g, obj, args[1:], nil
	}
	return g, object{}, nil, script.Errorf(exitErr, "Object %q is unknown, try \"ip help\".", args[0])
}

// inNetns wraps act to run in the named namespace, as "ip -n NAME" does.
func inNetns(name string, act script.Action) script.Action {
	return func(s *script.State) error {
		ns, err := s.World.Lookup(name)
		if err != nil {
			return s.Fail(exitUsage, "Cannot open network namespace %q: No such file or directory", name)
		}
		return act(s.In(ns))
	}
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
	return script.Errorf(exitUsage, "Error: duplicate %q: %q is the second value.", key, arg)
}

// duplicateArg is iproute2's duparg2().
func duplicateArg(key, arg string) error {
	return script.Errorf(exitUsage, "Error: either %q is duplicate, or %q is a garbage.", key, arg)
}

// nsName returns the name of the namespace a command runs in, for messages.
func nsName(ns *world.NS) string {
	if ns.Name == "" {
		return "the scenario's root namespace"
	}
	return fmt.Sprintf("namespace %q", ns.Name)
}
