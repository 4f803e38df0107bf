package topology

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/netscript/netscript/script"
)

// Problem is a command that would fail when run, found without running it.
type Problem struct {
	Line int
	Msg  string
}

// sim applies a scenario's commands to a topology.
type sim struct {
	t        *Topology
	problems []Problem
	quiet    bool // the line is conditional: apply what can be, report nothing

	// gone records why a name is no longer where it was: "deleted at line 9".
	gone map[string]string
	// created lists what was created where, for "created later" hints.
	created []creation
	// missing lists the names looked up in vain, for those hints.
	missing []missing
}

type creation struct {
	line int
	ns   string // namespace of the link; the namespace itself when dev is ""
	dev  string
}

type missing struct {
	problem int // index in problems
	ns, dev string
}

func newSim() *sim {
	return &sim{t: newTopology(), gone: make(map[string]string)}
}

func goneKey(ns *Namespace, dev string) string { return ns.Name + "\x00" + dev }

func (s *sim) report(line int, format string, args ...any) {
	if !s.quiet {
		s.problems = append(s.problems, Problem{line, fmt.Sprintf(format, args...)})
	}
}

// run applies one command line, parsed with the command table as the
// runner parses it, in the scenario's own namespace: the effects of the
// action the runner would run are applied in order. Commands that run
// others (retry, "ip netns exec NS", "ip -n NS") forward the effects of
// what they run, so they are seen through; "retry !" expects its command
// to fail, like a line negated with "!", and forwards none.
func (s *sim) run(l Line) {
	line, act, err := l.Num, l.Act, l.ParseErr
	if !l.InTable {
		return // not a command of the table: nothing the topology records
	}
	var exit *script.ExitError
	if _, fellBack := script.AsFallback(err); err != nil && !fellBack {
		if !errors.As(err, &exit) {
			s.report(line, "%v", err) // netscript's own: nested too deep
		}
		return // a malformed command: lint reports the tool's message
	}
	for _, e := range script.Effects(act) {
		if !s.apply(line, e) && e.Op == script.OpNetnsExec {
			return // what runs inside a missing namespace does not run
		}
	}
}

// apply applies one effect of a command; it reports false when the
// namespace the command runs in does not exist, or, for OpNetnsExec, the
// one it runs its command in.
func (s *sim) apply(line int, e script.Effect) bool {
	ns := s.namespace(line, e.Netns)
	if ns == nil {
		return false
	}
	switch e.Op {
	case script.OpNone:
		if e.Dev != "" {
			s.link(line, ns, e.Dev)
		}
	case script.OpNetnsAdd:
		if old := s.t.Namespace(e.Namespace); old != nil {
			s.report(line, "namespace %q already exists (added at line %d)", e.Namespace, old.Line)
			return true
		}
		s.t.addNamespace(e.Namespace, line)
		s.created = append(s.created, creation{line, e.Namespace, ""})
	case script.OpNetnsDel:
		if target := s.namespace(line, e.Namespace); target != nil {
			for _, l := range target.Links {
				if p := l.Peer; p != nil && p.NS != target {
					s.gone[goneKey(p.NS, p.Name)] = fmt.Sprintf("deleted at line %d with namespace %q, where its veth peer was", line, target.Name)
				}
			}
			s.t.deleteNamespace(target)
			s.gone[goneKey(target, "")] = fmt.Sprintf("deleted at line %d", line)
		}
	case script.OpNetnsExec:
		return s.namespace(line, e.Namespace) != nil // the effects that follow are those of the command it runs
	case script.OpLinkAdd:
		s.linkAdd(line, ns, e)
	case script.OpLinkSet:
		s.linkSet(line, ns, e)
	case script.OpLinkDel:
		s.linkDel(line, ns, e)
	case script.OpAddrAdd, script.OpAddrReplace:
		if l := s.link(line, ns, e.Dev); l != nil {
			i := slices.IndexFunc(l.Addrs, func(p2 netip.Prefix) bool { return p2.Addr() == e.Prefix.Addr() })
			switch {
			case i < 0:
				l.Addrs = append(l.Addrs, e.Prefix)
			case e.Op == script.OpAddrReplace:
				l.Addrs[i] = e.Prefix
			default:
				s.report(line, "address %s is already on %q in %s", e.Prefix.Addr(), l.Name, ns.describe())
			}
		}
	case script.OpAddrDel:
		if l := s.link(line, ns, e.Dev); l != nil {
			i := slices.IndexFunc(l.Addrs, func(p2 netip.Prefix) bool { return p2.Addr() == e.Prefix.Addr() })
			if i < 0 {
				s.report(line, "address %s is not on %q in %s", e.Prefix.Addr(), l.Name, ns.describe())
				return true
			}
			l.Addrs = slices.Delete(l.Addrs, i, i+1)
		}
	case script.OpAddrFlush:
		if l := s.link(line, ns, e.Dev); l != nil {
			l.Addrs = nil
		}
	case script.OpRouteAdd, script.OpRouteReplace, script.OpRouteDel:
		if e.Dev != "" {
			s.link(line, ns, e.Dev)
		}
	}
	return true
}

// namespace returns the namespace called name, or reports that it does not
// exist and returns nil.
func (s *sim) namespace(line int, name string) *Namespace {
	if ns := s.t.Namespace(name); ns != nil {
		return ns
	}
	msg := fmt.Sprintf("namespace %q does not exist", name)
	if why, ok := s.gone[name+"\x00"]; ok {
		msg += " (" + why + ")"
	}
	s.report(line, "%s", msg)
	if !s.quiet {
		s.missing = append(s.missing, missing{len(s.problems) - 1, name, ""})
	}
	return nil
}

// link returns the link called dev in ns, or reports that it does not
// exist there, with a hint of where it is, and returns nil.
func (s *sim) link(line int, ns *Namespace, dev string) *Link {
	if l := ns.Link(dev); l != nil {
		return l
	}
	msg := fmt.Sprintf("no device %q in %s", dev, ns.describe())
	if why, ok := s.gone[goneKey(ns, dev)]; ok {
		msg += " (" + why + ")"
	} else if elsewhere := s.find(dev); len(elsewhere) > 0 {
		msg += fmt.Sprintf(" (it is in %s)", strings.Join(elsewhere, ", "))
	}
	s.report(line, "%s", msg)
	if !s.quiet {
		s.missing = append(s.missing, missing{len(s.problems) - 1, ns.Name, dev})
	}
	return nil
}

// find lists the namespaces that hold a link called dev.
func (s *sim) find(dev string) []string {
	var where []string
	for _, ns := range s.t.Namespaces {
		if ns.Link(dev) != nil {
			where = append(where, ns.describe())
		}
	}
	return where
}

// free checks that dev can be created in ns.
func (s *sim) free(line int, ns *Namespace, dev string) bool {
	if l := ns.Link(dev); l != nil {
		if l.Line > 0 {
			s.report(line, "device %q already exists in %s (created at line %d)", dev, ns.describe(), l.Line)
		} else {
			s.report(line, "device %q already exists in %s", dev, ns.describe())
		}
		return false
	}
	return true
}

func (s *sim) linkAdd(line int, ns *Namespace, e script.Effect) {
	target, peerNS := ns, ns
	if e.To != "" {
		if target = s.namespace(line, e.To); target == nil {
			return
		}
	}
	if e.PeerNetns != "" {
		if peerNS = s.namespace(line, e.PeerNetns); peerNS == nil {
			return
		}
	}
	name := e.Dev
	if name == "" {
		name = e.Kind + "%d"
	}
	if e.Kind != "veth" {
		name = kernelName(target, name)
		if !s.free(line, target, name) {
			return
		}
		l := s.t.addLink(target, name, e.Kind, line)
		l.Up = e.Up != nil && *e.Up
		s.created = append(s.created, creation{line, target.Name, name})
		return
	}
	// The kernel names and registers the peer first.
	peer := e.Peer
	if peer == "" {
		peer = "veth%d"
	}
	peer = kernelName(peerNS, peer)
	if peerNS == target {
		name = kernelName(target, name, peer)
	} else {
		name = kernelName(target, name)
	}
	if (peerNS == target && peer == name) || !s.free(line, peerNS, peer) || !s.free(line, target, name) {
		if peerNS == target && peer == name {
			s.report(line, "device %q already exists in %s (the veth pair's two ends have the same name)", name, target.describe())
		}
		return
	}
	p := s.t.addLink(peerNS, peer, "veth", line)
	l := s.t.addLink(target, name, "veth", line)
	l.Peer, p.Peer = p, l
	l.Up = e.Up != nil && *e.Up
	s.created = append(s.created, creation{line, peerNS.Name, peer}, creation{line, target.Name, name})
}

// kernelName resolves a "%d" in a new link's name as the kernel does: the
// lowest number free in ns and not in taken.
func kernelName(ns *Namespace, pattern string, taken ...string) string {
	if !strings.Contains(pattern, "%d") {
		return pattern
	}
	for i := 0; ; i++ {
		name := strings.Replace(pattern, "%d", strconv.Itoa(i), 1)
		if ns.Link(name) == nil && !slices.Contains(taken, name) {
			return name
		}
	}
}

func (s *sim) linkSet(line int, ns *Namespace, e script.Effect) {
	l := s.link(line, ns, e.Dev)
	if l == nil {
		return
	}
	var master *Link
	if e.Master != nil && *e.Master != "" {
		if master = s.link(line, ns, *e.Master); master == nil {
			return
		}
		if master.Kind == "veth" || master.Kind == "tap" || master.Kind == "tun" || master.Kind == "loopback" {
			s.report(line, "%q cannot be a master: it is a %s device, not a bridge", master.Name, master.Kind)
			return
		}
	}
	newName := l.Name
	if e.NewName != "" {
		newName = e.NewName
	}
	if e.To != "" {
		target := s.namespace(line, e.To)
		if target == nil {
			return
		}
		if l.Kind == "bridge" || l.Kind == "loopback" {
			s.report(line, "%q cannot move to another namespace: a %s device stays in its namespace", l.Name, l.Kind)
			return
		}
		if target != ns && !s.free(line, target, newName) {
			return
		}
		s.gone[goneKey(ns, l.Name)] = fmt.Sprintf("moved to %s at line %d", target.describe(), line)
		l.move(target, newName)
		s.created = append(s.created, creation{line, target.Name, newName})
	} else if newName != l.Name {
		if !s.free(line, ns, newName) {
			return
		}
		s.gone[goneKey(ns, l.Name)] = fmt.Sprintf("renamed to %q at line %d", newName, line)
		l.Name = newName
		s.created = append(s.created, creation{line, ns.Name, newName})
	}
	if e.Master != nil && e.To == "" {
		l.Master = master
	}
	if e.Up != nil {
		l.Up = *e.Up
	}
}

func (s *sim) linkDel(line int, ns *Namespace, e script.Effect) {
	l := ns.Link(e.Dev)
	if e.Optional && (l == nil || (l.Kind != "tap" && l.Kind != "tun")) {
		return // "ip tuntap del" of a missing device is not an error
	}
	if l = s.link(line, ns, e.Dev); l == nil {
		return
	}
	if l.Kind == "loopback" {
		s.report(line, "%q cannot be deleted: it is the namespace's loopback device", l.Name)
		return
	}
	s.gone[goneKey(l.NS, l.Name)] = fmt.Sprintf("deleted at line %d", line)
	if p := l.Peer; p != nil {
		s.gone[goneKey(p.NS, p.Name)] = fmt.Sprintf("deleted at line %d with its veth peer %q", line, l.Name)
	}
	s.t.deleteLink(l)
}

// hint adds "created later" hints to the problems of missing names that a
// later line creates.
func (s *sim) hint() {
	for _, m := range s.missing {
		p := &s.problems[m.problem]
		if strings.HasSuffix(p.Msg, ")") {
			continue // already explained
		}
		for _, c := range s.created {
			if c.line > p.Line && c.ns == m.ns && c.dev == m.dev {
				what := "it is created"
				if m.dev == "" {
					what = "it is added"
				}
				p.Msg += fmt.Sprintf(" (%s later, at line %d)", what, c.line)
				break
			}
		}
	}
}
