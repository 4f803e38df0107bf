// Package topology derives the network a netscript scenario builds, without
// running it: namespaces, links (veth pairs, bridges and their ports, taps),
// addresses and up/down state, read from the scenario's ip commands, and
// draws it as Graphviz DOT, Mermaid or SVG.
//
// Commands are read as testscript reads them and parsed with the command
// table as the runner parses them; the effects the parsed action reports
// (script.Effect), forwarded through the commands that run others (retry,
// "ip netns exec NS", "ip -n NS"), are applied to a model of the kernel's
// rules: a veth pair dies with either end, a link moved to another
// namespace loses its addresses, its bridge and its up state, a deleted
// namespace takes its links with it. Commands that would fail when run
// (a device used before it is created, a namespace that does not exist)
// are reported as Problems, with their line numbers.
package topology

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Topology is the state of a scenario's network at one point: its
// namespaces and their links.
type Topology struct {
	// Namespaces lists the scenario's root namespace (Name "") first, then
	// the namespaces it added, in the order they were added.
	Namespaces []*Namespace
	nextID     int
}

// Namespace is one network namespace of a scenario.
type Namespace struct {
	Name  string  // "" for the scenario's root namespace
	Line  int     // line of its "ip netns add"; 0 for the root
	Links []*Link // in the order they were created or moved in
}

// Link is a network device.
type Link struct {
	Name string
	// Kind is "loopback", "veth", "bridge", "tap", "tun", or the type given
	// to "ip link add".
	Kind   string
	NS     *Namespace
	Peer   *Link // the other end of a veth pair
	Master *Link // the bridge this link is a port of
	Up     bool
	Addrs  []netip.Prefix
	Line   int // line that created it; 0 for lo
	ID     int // unique within the topology, stable across renames and moves
}

func newTopology() *Topology {
	t := &Topology{}
	t.addNamespace("", 0)
	return t
}

// Root returns the scenario's root namespace.
func (t *Topology) Root() *Namespace { return t.Namespaces[0] }

// Namespace returns the namespace called name ("" for the root), or nil.
func (t *Topology) Namespace(name string) *Namespace {
	for _, ns := range t.Namespaces {
		if ns.Name == name {
			return ns
		}
	}
	return nil
}

// Link returns the link called name in ns, or nil.
func (ns *Namespace) Link(name string) *Link {
	for _, l := range ns.Links {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// Label returns the namespace's name for people: "root" for the root.
func (ns *Namespace) Label() string {
	if ns.Name == "" {
		return "root"
	}
	return ns.Name
}

// describe names the namespace in messages.
func (ns *Namespace) describe() string {
	if ns.Name == "" {
		return "the root namespace"
	}
	return fmt.Sprintf("namespace %q", ns.Name)
}

// Ports returns the links whose master is br, in their namespace's order.
func (br *Link) Ports() []*Link {
	var ports []*Link
	for _, l := range br.NS.Links {
		if l.Master == br {
			ports = append(ports, l)
		}
	}
	return ports
}

// Visible reports whether the link belongs in a picture: every link but a
// loopback device the scenario gave no address.
func (l *Link) Visible() bool {
	return l.Kind != "loopback" || len(l.Addrs) > 0
}

// Visible returns the namespaces worth drawing: every added namespace, and
// the root when it holds a visible link.
func (t *Topology) Visible() []*Namespace {
	var out []*Namespace
	for _, ns := range t.Namespaces {
		if ns.Name != "" || slices.ContainsFunc(ns.Links, (*Link).Visible) {
			out = append(out, ns)
		}
	}
	return out
}

func (t *Topology) addNamespace(name string, line int) *Namespace {
	ns := &Namespace{Name: name, Line: line}
	t.Namespaces = append(t.Namespaces, ns)
	t.addLink(ns, "lo", "loopback", 0)
	return ns
}

func (t *Topology) addLink(ns *Namespace, name, kind string, line int) *Link {
	t.nextID++
	l := &Link{Name: name, Kind: kind, NS: ns, Line: line, ID: t.nextID}
	ns.Links = append(ns.Links, l)
	return l
}

// deleteNamespace removes ns and every link in it, with their veth peers.
func (t *Topology) deleteNamespace(ns *Namespace) {
	for _, l := range slices.Clone(ns.Links) {
		t.deleteLink(l)
	}
	t.Namespaces = slices.DeleteFunc(t.Namespaces, func(n *Namespace) bool { return n == ns })
}

// deleteLink removes l, its veth peer, and l from its bridge; the ports of
// a deleted bridge lose their master.
func (t *Topology) deleteLink(l *Link) {
	for _, d := range []*Link{l, l.Peer} {
		if d == nil {
			continue
		}
		for _, p := range d.NS.Links {
			if p.Master == d {
				p.Master = nil
			}
		}
		d.NS.Links = slices.DeleteFunc(d.NS.Links, func(x *Link) bool { return x == d })
	}
}

// move puts l into ns as the kernel does: down, without addresses, out of
// its bridge, renamed to name.
func (l *Link) move(ns *Namespace, name string) {
	for _, p := range l.NS.Links {
		if p.Master == l {
			p.Master = nil
		}
	}
	l.NS.Links = slices.DeleteFunc(l.NS.Links, func(x *Link) bool { return x == l })
	l.NS, l.Name = ns, name
	l.Up, l.Addrs, l.Master = false, nil, nil
	ns.Links = append(ns.Links, l)
}

// String describes t in one line per namespace, for tests and debugging:
//
//	ns0: lo(loopback) tap0(tap,up,10.0.0.1/24) veth0(veth,up,peer=ns1/veth2)
func (t *Topology) String() string {
	var b strings.Builder
	for _, ns := range t.Namespaces {
		b.WriteString(ns.Label() + ":")
		for _, l := range ns.Links {
			attrs := []string{l.Kind}
			if l.Up {
				attrs = append(attrs, "up")
			}
			for _, a := range l.Addrs {
				attrs = append(attrs, a.String())
			}
			if l.Peer != nil {
				attrs = append(attrs, "peer="+l.Peer.NS.Label()+"/"+l.Peer.Name)
			}
			if l.Master != nil {
				attrs = append(attrs, "master="+l.Master.Name)
			}
			fmt.Fprintf(&b, " %s(%s)", l.Name, strings.Join(attrs, ","))
		}
		b.WriteString("\n")
	}
	return b.String()
}
