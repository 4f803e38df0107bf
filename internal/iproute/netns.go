package iproute

import (
	"errors"
	"fmt"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/internal/jobs"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// parseNetns parses "ip netns ...".
func parseNetns(g *globals, list []string, inner script.Parser) (script.Action, error) {
	a := &args{list: list}
	list0 := script.ActionFunc(func(s *script.State) error { return netnsList(s, g) })
	// ip netns list prints names and ids whatever the display options say.
	// (ip -all netns exec runs a command in every namespace: refused.)
	honoured := option(optsChange &^ optAll)
	if err := g.refuse("ip netns", honoured); err != nil {
		return nil, err
	}
	if !a.more() {
		return list0, nil
	}
	switch cmd := a.next(); {
	case matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst"):
		return list0, nil
	case matches(cmd, "list-id"):
		return parseNetnsListID(g, a)
	case matches(cmd, "identify"):
		return parseNetnsIdentify(a)
	case matches(cmd, "help"), matches(cmd, "set"), matches(cmd, "pids"), matches(cmd, "monitor"), matches(cmd, "attach"):
		return nil, script.Errorf(exitUsage, "ip netns %s: not implemented by netscript", cmd)
	case matches(cmd, "add"):
		name, err := netnsName(a, true)
		if err != nil {
			return nil, err
		}
		return script.WithEffects(script.ActionFunc(func(s *script.State) error {
			if _, err := s.World.Add(name); err != nil {
				if errors.Is(err, world.ErrExist) {
					return s.Fail(exitErr, "Cannot create namespace file \"/run/netns/%s\": File exists", name)
				}
				return err
			}
			return nil
		}), script.Effect{Op: script.OpNetnsAdd, Namespace: name}), nil
	case matches(cmd, "delete"):
		name, err := netnsName(a, false)
		if err != nil {
			return nil, err
		}
		del := script.ActionFunc(func(s *script.State) error { return netnsDelete(s, name) })
		return script.WithEffects(del, script.Effect{Op: script.OpNetnsDel, Namespace: name}), nil
	case matches(cmd, "exec"):
		return parseNetnsExec(a, inner)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip netns help\".", cmd)
	}
}

// netnsDelete forgets the namespace and waits until the kernel has
// destroyed it. The kernel frees a namespace asynchronously; "ip netns del"
// returns before that too, but a scenario's next command comes within
// microseconds, not the milliseconds a new ip process takes, and would still
// see the far ends of the namespace's veth pairs. So netnsDelete notes those
// far ends first and waits, under a deadline, until they are gone.
func netnsDelete(s *script.State, name string) error {
	ns, err := s.World.Lookup(name)
	if err != nil {
		return s.Fail(exitErr, "Cannot remove namespace file \"/run/netns/%s\": No such file or directory", name)
	}
	peers, err := crossPeers(ns, s.World)
	if err != nil {
		return err
	}
	if err := s.World.Delete(name); err != nil {
		return err
	}
	for _, p := range peers {
		if err := waitGone(s, p); err != nil {
			return err
		}
	}
	return nil
}

// peerLink is a link in another namespace of the world.
type peerLink struct {
	ns    *world.NS
	index int
}

// crossPeers lists the far ends, in other namespaces of w, of the links in
// namespace ns.
func crossPeers(ns *world.NS, w *world.World) ([]peerLink, error) {
	byID := nsByID(ns, w)
	h, err := ns.Netlink()
	if err != nil {
		return nil, err
	}
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	var peers []peerLink
	for _, l := range links {
		a := l.Attrs()
		if other, ok := byID[a.NetNsID]; ok && a.ParentIndex > 0 {
			peers = append(peers, peerLink{other, a.ParentIndex})
		}
	}
	return peers, nil
}

// waitGone waits until link p no longer exists, polling quickly under the
// scenario deadline.
func waitGone(s *script.State, p peerLink) error {
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 20*time.Millisecond) {
		h, err := p.ns.Netlink()
		if err != nil {
			return nil // a deleted namespace has no links left to wait for
		}
		_, err = h.LinkByIndex(p.index)
		var notFound netlink.LinkNotFoundError
		if errors.As(err, &notFound) {
			return nil // gone
		}
		select {
		case <-s.Ctx.Done():
			return fmt.Errorf("ip netns del: link %d still present when the scenario deadline passed", p.index)
		case <-time.After(delay):
		}
	}
}

// netnsName takes a namespace name argument. iproute2 checks the name's
// form only when creating one.
func netnsName(a *args, creating bool) (string, error) {
	if !a.more() {
		return "", script.Errorf(exitErr, "No netns name specified")
	}
	name := a.next()
	if creating && !world.ValidName(name) {
		return "", script.Errorf(exitUsage, "Invalid netns name %q", name)
	}
	return name, nil
}

// netnsList prints the world's namespaces as "ip netns list" does, with
// " (id: N)" where the current namespace has assigned one to it.
func netnsList(s *script.State, g *globals) error {
	all := s.World.Namespaces()
	ids := make([]int, len(all))
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	for i, ns := range all {
		id, err := h.GetNetNsIdByFd(ns.Fd())
		if err != nil {
			return fmt.Errorf("ip netns list: netnsid of %q: %w", ns.Name, err)
		}
		ids[i] = id
	}
	p := jsonw.NewPrinter(g.json, g.pretty)
	p.Begin()
	for i, ns := range all {
		p.OpenObject("")
		p.Str(jsonw.Any, "name", "%s", ns.Name)
		if ids[i] >= 0 {
			p.Uint(jsonw.Any, "id", " (id: %d)", int64(ids[i]))
		}
		p.Text("\n")
		p.CloseObject()
	}
	p.End()
	_, err = s.Stdout.Write(p.Buf.Bytes())
	return err
}

// parseNetnsExec parses "ip netns exec NAME CMD [ARGS...] [&]". A command of
// the table runs in-process inside NAME; anything else is a real program,
// started from a thread inside NAME so that it is born there. A trailing
// "&" runs a real program in the background until NAME closes.
func parseNetnsExec(a *args, parseInner script.Parser) (script.Action, error) {
	name, err := netnsName(a, false)
	if err != nil {
		return nil, err
	}
	if !a.more() {
		return nil, script.Errorf(exitErr, "No command specified")
	}
	argv := a.list
	background := false
	if n := len(argv); n > 1 && argv[n-1] == "&" {
		argv, background = argv[:n-1], true
	}
	if parseInner == nil {
		parseInner = unparsed // no table: every command is a program
	}
	exec := &script.Effect{Op: script.OpNetnsExec, Namespace: name, Argv: a.list}
	// With the "&": a command that runs a real program (Cmd.Background)
	// starts it in the background itself; other commands refuse it.
	inner, builtin, err := parseInner(a.list)
	_, fellBack := script.AsFallback(err)
	switch {
	case errors.Is(err, script.ErrNotBackground):
		return nil, script.Errorf(exitErr, "ip netns exec: %s is a netscript command: only real programs run in the background", argv[0])
	case fellBack:
		return &netnsAction{name: name, act: inner, exec: exec}, err // the real tool, inside NAME
	case err != nil:
		return nil, err
	case builtin:
	case background:
		inner = script.ActionFunc(func(s *script.State) error { return jobs.Start(s, argv) })
	case !builtin:
		inner = script.ActionFunc(func(s *script.State) error { return jobs.Run(s, argv) })
	}
	return &netnsAction{name: name, act: inner, exec: exec}, nil
}

// unparsed is the inner parser of "ip netns exec" without a command table:
// every command is a real program.
func unparsed([]string) (script.Action, bool, error) { return nil, false, nil }
