package script

import "net/netip"

// Op is what a command does to the scenario's network.
type Op int

// The operations an Effect reports.
const (
	OpNone         Op = iota // changes nothing that check and graph record: show, list, get
	OpNetnsAdd               // adds namespace Namespace (ip netns add)
	OpNetnsDel               // deletes namespace Namespace (ip netns del)
	OpNetnsExec              // runs Argv inside namespace Namespace (ip netns exec)
	OpLinkAdd                // creates link Dev (ip link add, ip tuntap add)
	OpLinkSet                // changes link Dev (ip link set)
	OpLinkDel                // deletes link Dev (ip link del, ip tuntap del)
	OpAddrAdd                // adds address Prefix to link Dev (ip addr add)
	OpAddrReplace            // adds or replaces address Prefix on Dev (ip addr change|replace)
	OpAddrDel                // removes address Prefix from Dev (ip addr del)
	OpAddrFlush              // removes every address of Dev (ip addr flush dev DEV)
	OpRouteAdd               // adds a route to Prefix (ip route add|append|prepend)
	OpRouteReplace           // changes or adds a route to Prefix (ip route change|replace)
	OpRouteDel               // deletes a route to Prefix (ip route del)
)

var opNames = [...]string{"none", "netns add", "netns del", "netns exec", "link add", "link set",
	"link del", "addr add", "addr replace", "addr del", "addr flush", "route add", "route replace", "route del"}

func (op Op) String() string {
	if op < 0 || int(op) >= len(opNames) {
		return "op?"
	}
	return opNames[op]
}

// Effect is one thing a parsed command does to the scenario's network, as
// its parser read it from the arguments, without touching the network:
// which namespace or link it creates, changes, uses or removes. The runner
// runs an action; "netscript check" and "netscript graph" read the effects
// of the same action, to follow the network a scenario builds and report
// the names it uses before they exist.
type Effect struct {
	Op Op
	// Netns is the namespace the command runs in ("ip -n NETNS", "ip netns
	// exec NETNS"); "" for the one the line runs in.
	Netns string

	// Namespace is the namespace that OpNetnsAdd, OpNetnsDel and
	// OpNetnsExec name; Argv is the command OpNetnsExec runs inside it.
	Namespace string
	Argv      []string

	// Dev is the link the command creates (OpLinkAdd; "" when the kernel
	// picks the name), changes, removes or uses ("dev DEV" of addresses and
	// routes; with OpNone, a link that must exist, as for "ip link show
	// DEV").
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

	// Prefix is the address of the address operations, or the
	// destination of the route operations.
	Prefix netip.Prefix
	// Via is the route's gateway; the zero Addr when it has none.
	Via netip.Addr
}

// Effector is an Action that tells what it does to the scenario's
// network. A command that runs another (retry, "ip netns exec") forwards
// the effects of the command it runs, so that they are seen through it.
type Effector interface {
	Action
	Effects() []Effect
}

// Effects returns what act does to the scenario's network: its effects if
// it is an Effector, else none.
func Effects(act Action) []Effect {
	if e, ok := act.(Effector); ok {
		return e.Effects()
	}
	return nil
}

// WithEffects returns an action that runs act and reports effects, for a
// command that changes the network: its parser fills them in from the
// arguments it read.
func WithEffects(act Action, effects ...Effect) Effector {
	return withEffects{act, effects}
}

type withEffects struct {
	Action
	effects []Effect
}

func (w withEffects) Effects() []Effect { return w.effects }

// InNetns returns effects as they are when their command runs in the
// namespace called netns: each runs there unless it names another
// namespace of its own.
func InNetns(netns string, effects []Effect) []Effect {
	out := make([]Effect, len(effects))
	for i, e := range effects {
		if e.Netns == "" {
			e.Netns = netns
		}
		out[i] = e
	}
	return out
}
