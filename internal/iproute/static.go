package iproute

import (
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// Op is what an ip command does to a scenario's topology.
type Op int

// The operations Describe reports.
const (
	OpNone         Op = iota // changes nothing the topology records: show, list, get
	OpNetnsAdd               // ip netns add NAMESPACE
	OpNetnsDel               // ip netns del NAMESPACE
	OpNetnsExec              // ip netns exec NAMESPACE ARGV...
	OpLinkAdd                // ip link add, ip tuntap add
	OpLinkSet                // ip link set
	OpLinkDel                // ip link del, ip tuntap del
	OpAddrAdd                // ip addr add
	OpAddrReplace            // ip addr change|replace
	OpAddrDel                // ip addr del
	OpAddrFlush              // ip addr flush dev DEV
	OpRouteAdd               // ip route add|append
	OpRouteReplace           // ip route change|replace
	OpRouteDel               // ip route del
)

var opNames = [...]string{"none", "netns add", "netns del", "netns exec", "link add", "link set",
	"link del", "addr add", "addr replace", "addr del", "addr flush", "route add", "route replace", "route del"}

func (op Op) String() string {
	if op < 0 || int(op) >= len(opNames) {
		return "op?"
	}
	return opNames[op]
}

// Effect is what one ip command does to the topology of a scenario, read
// from its arguments alone, without touching the network: which namespace
// or link it creates, changes, uses or removes. It is what "netscript
// check" and "netscript graph" see of a command.
type Effect struct {
	Op Op
	// Netns is the namespace of "ip -n NETNS", where the command runs; ""
	// for the namespace the command was started in.
	Netns string

	// Namespace is the namespace that OpNetnsAdd, OpNetnsDel and
	// OpNetnsExec name; Argv is the command OpNetnsExec runs inside it.
	Namespace string
	Argv      []string

	// Dev is the link the command creates (OpLinkAdd; "" when the kernel
	// picks the name), changes, removes or uses ("dev DEV" of addresses and
	// routes, the device filter of "ip link show DEV").
	Dev string
	// Optional is set when a missing Dev is not an error ("ip tuntap del").
	Optional bool
	// Kind is the type of a new link: "veth", "bridge", "tap", "tun", or
	// the type given to "ip link add ... type KIND".
	Kind string
	// Peer and PeerNetns are the far end of a new veth pair: its name (""
	// when the kernel picks it) and the namespace of "peer ... netns NS".
	Peer, PeerNetns string
	// To is the namespace of "netns NS": where OpLinkAdd creates the link,
	// or where OpLinkSet moves it.
	To string
	// NewName is the link's new name ("ip link set DEV name NEW").
	NewName string
	// Master is the bridge of "master BR" ("" for "nomaster"); nil when
	// the command leaves it alone.
	Master *string
	// Up is set by "up" (true) and "down" (false).
	Up *bool

	// Prefix is the address of OpAddrAdd and OpAddrDel, or the
	// destination of the route operations.
	Prefix netip.Prefix
	// Via is the route's gateway; the zero Addr when it has none.
	Via netip.Addr
}

// unparsed is the inner parser of Describe: the command "ip netns exec"
// runs is left for the caller.
func unparsed([]string) (script.Action, bool, error) { return nil, false, nil }

// Describe tells what "ip WORDS..." does to the topology. words are the
// arguments after "ip". The command's own parser checks them first, so the error
// is the one the command reports for the same words: an *script.ExitError
// with iproute2's message and exit status. Commands run by "ip netns exec"
// are not parsed: they come back in Argv, for the caller to describe.
func Describe(words []string) (Effect, error) {
	g, obj, rest, err := parseHead(words)
	if err != nil {
		return Effect{}, err
	}
	if _, err := obj.parse(&g, rest, unparsed); err != nil {
		return Effect{}, err
	}
	// The words parsed without error: the request parsers below, which the
	// parser above calls too, cannot fail on them.
	a := &args{list: rest}
	var e Effect
	switch obj.name {
	case "netns":
		e = describeNetns(a)
	case "tuntap", "tap":
		e = describeTuntap(a)
	case "link":
		e = describeLink(&g, a)
	case "address":
		e = describeAddr(&g, a)
	case "route":
		e = describeRoute(&g, a)
	}
	e.Netns = g.netns
	return e, nil
}

func command(a *args) string {
	if !a.more() {
		return ""
	}
	return a.next()
}

func describeNetns(a *args) Effect {
	// In parseNetns's order, which decides what an abbreviation means.
	switch cmd := command(a); {
	case cmd == "" || matches(cmd, "list") || matches(cmd, "show") || cmd == "lst":
		return Effect{}
	case matches(cmd, "add"):
		name, _ := netnsName(a, true)
		return Effect{Op: OpNetnsAdd, Namespace: name}
	case matches(cmd, "delete"):
		name, _ := netnsName(a, false)
		return Effect{Op: OpNetnsDel, Namespace: name}
	case matches(cmd, "exec"):
		name, _ := netnsName(a, false)
		return Effect{Op: OpNetnsExec, Namespace: name, Argv: a.list}
	}
	return Effect{}
}

func describeTuntap(a *args) Effect {
	r, _ := parseTuntapRequest(a.list)
	if !r.add {
		return Effect{Op: OpLinkDel, Dev: r.dev, Optional: true}
	}
	kind := "tap"
	if r.mode == netlink.TUNTAP_MODE_TUN {
		kind = "tun"
	}
	return Effect{Op: OpLinkAdd, Dev: r.dev, Kind: kind}
}

func describeLink(g *globals, a *args) Effect {
	// In parseLink's order, which decides what an abbreviation means.
	switch cmd := command(a); {
	case cmd == "":
		return Effect{}
	case matches(cmd, "add"):
		r, _ := parseLinkAddRequest(a)
		e := Effect{Op: OpLinkAdd, Dev: r.attrs.name, Kind: r.kind, To: r.attrs.netns, Up: r.attrs.up}
		if r.peer != nil {
			e.Peer, e.PeerNetns = r.peer.name, r.peer.netns
		}
		return e
	case matches(cmd, "set") || matches(cmd, "change"):
		dev, la, _ := parseLinkSetRequest(a)
		return Effect{Op: OpLinkSet, Dev: dev, To: la.netns, NewName: la.name, Master: la.master, Up: la.up}
	case matches(cmd, "delete"):
		dev, _ := parseLinkDelDev(a)
		return Effect{Op: OpLinkDel, Dev: dev}
	}
	opt, _ := parseShowFilter(g, a) // show, list
	return Effect{Dev: opt.Dev}
}

func describeAddr(g *globals, a *args) Effect {
	// In parseAddress's order, which decides what an abbreviation means.
	var op Op
	switch cmd := command(a); {
	case cmd == "":
		return Effect{}
	case matches(cmd, "add"):
		op = OpAddrAdd
	case matches(cmd, "change") || matches(cmd, "replace"):
		op = OpAddrReplace
	case matches(cmd, "delete"):
		op = OpAddrDel
	case matches(cmd, "flush"):
		opt, _ := parseShowFilter(g, a)
		return Effect{Op: OpAddrFlush, Dev: opt.Dev}
	default: // show, list
		opt, _ := parseShowFilter(g, a)
		return Effect{Dev: opt.Dev}
	}
	r, _ := parseAddrRequest(g, a)
	return Effect{Op: op, Dev: r.dev, Prefix: r.local}
}

func describeRoute(g *globals, a *args) Effect {
	// In parseRoute's order, which decides what an abbreviation means.
	var op Op
	msgType := unix.RTM_NEWROUTE
	switch cmd := command(a); {
	case cmd == "":
		return Effect{}
	case matches(cmd, "add") || matches(cmd, "append"):
		op = OpRouteAdd
	case matches(cmd, "change") || matches(cmd, "replace"):
		op = OpRouteReplace
	case matches(cmd, "delete"):
		op, msgType = OpRouteDel, unix.RTM_DELROUTE
	default:
		return Effect{} // show, get
	}
	r, _ := parseRouteRequest(g, a, msgType)
	e := Effect{Op: op, Dev: r.dev, Prefix: r.dst}
	if r.gw != nil {
		e.Via = *r.gw
	}
	return e
}
