package iproute

import (
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// parseAddress parses "ip address ...".
func parseAddress(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return showAddrs(g, a)
	}
	cmd := a.list[0]
	honoured := option(optsChange)
	switch {
	case matches(cmd, "flush"):
		honoured &^= optStats // ip -s addr flush counts its rounds
	case matches(cmd, "show") || matches(cmd, "list") || cmd == "lst":
		honoured = optBrief | optJSON | optDetails
	}
	if err := g.refuse("ip address "+cmd, honoured); err != nil {
		return nil, err
	}
	switch cmd := a.next(); {
	case matches(cmd, "add"):
		return parseAddrModify(g, a, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"):
		return parseAddrModify(g, a, unix.RTM_NEWADDR, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return parseAddrModify(g, a, unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return parseAddrModify(g, a, unix.RTM_DELADDR, 0)
	case matches(cmd, "flush"):
		return parseAddrFlush(g, a)
	case matches(cmd, "show") || matches(cmd, "list") || cmd == "lst":
		return showAddrs(g, a)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip address help\".", cmd)
	}
}

// addrRequest is one parsed "ip addr add|del".
type addrRequest struct {
	local     netip.Prefix
	dev       string
	broadcast *netip.Addr // nil: none; "brd +" is computed at parse time
	label     string
	scope     int // -1: iproute2's default for the address
	flags     uint32
}

func parseAddrModify(g *globals, a *args, msgType, nlFlags int) (script.Action, error) {
	req, err := parseAddrRequest(g, a)
	if err != nil {
		return nil, err
	}
	op := script.OpAddrAdd
	switch {
	case msgType == unix.RTM_DELADDR:
		op = script.OpAddrDel
	case nlFlags&unix.NLM_F_REPLACE != 0:
		op = script.OpAddrReplace // change, replace
	}
	modify := script.ActionFunc(func(s *script.State) error { return addrModify(s, req, msgType, nlFlags) })
	return script.WithEffects(modify, script.Effect{Op: op, Dev: req.dev, Prefix: req.local}), nil
}

// parseAddrRequest parses the arguments of "ip addr add|change|replace|del".
func parseAddrRequest(g *globals, a *args) (addrRequest, error) {
	req := addrRequest{scope: -1}
	var brdPlus bool
	for a.more() {
		word := a.next()
		switch word {
		case "dev", "label", "broadcast", "brd", "scope", "local":
			v, err := a.value(word)
			if err != nil {
				return req, err
			}
			switch word {
			case "dev":
				req.dev = v
			case "label":
				req.label = v
			case "scope":
				sc, ok := scopeByName(v)
				if !ok {
					return req, invalidArg(`invalid scope value.`, v)
				}
				req.scope = sc
			case "local":
				p, err := parsePrefix(v, g.family, false)
				if err != nil {
					return req, err
				}
				req.local = p
			default: // broadcast
				if v == "+" {
					brdPlus = true
					continue
				}
				b, err := parseAddr(v, unix.AF_INET)
				if err != nil {
					return req, err
				}
				req.broadcast = &b
			}
		case "nodad":
			req.flags |= unix.IFA_F_NODAD
		case "noprefixroute":
			req.flags |= unix.IFA_F_NOPREFIXROUTE
		case "home":
			req.flags |= unix.IFA_F_HOMEADDRESS
		case "mngtmpaddr":
			req.flags |= unix.IFA_F_MANAGETEMPADDR
		default:
			if req.local.IsValid() {
				return req, duplicateArg("local", word)
			}
			p, err := parsePrefix(word, g.family, false)
			if err != nil {
				return req, err
			}
			req.local = p
		}
	}
	if req.dev == "" {
		return req, script.Errorf(exitErr, "Not enough information: \"dev\" argument is required.")
	}
	if !req.local.IsValid() {
		return req, script.Errorf(exitErr, "Not enough information: address is required.")
	}
	if brdPlus && req.local.Addr().Is4() && req.local.Bits() < 31 {
		b := broadcastOf(req.local)
		req.broadcast = &b
	}
	return req, nil
}

// broadcastOf returns the prefix's all-ones host address.
func broadcastOf(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	for i := 0; i < 4; i++ {
		b[3-i] |= byte(host >> (8 * i))
	}
	return netip.AddrFrom4(b)
}

// defaultAddrScope is iproute2's scope for an address given without one.
func defaultAddrScope(a netip.Addr) int {
	switch {
	case a.IsLoopback():
		return unix.RT_SCOPE_HOST
	case a.Is6() && a.IsLinkLocalUnicast():
		return unix.RT_SCOPE_LINK
	}
	return unix.RT_SCOPE_UNIVERSE
}

// addrModify sends one RTM_NEWADDR or RTM_DELADDR as iproute2 builds it.
func addrModify(s *script.State, r addrRequest, msgType, nlFlags int) error {
	link, err := lookupLink(s, r.dev)
	if err != nil {
		return err
	}
	addr := r.local.Addr()
	msg := nl.NewIfAddrmsg(familyOf(addr))
	msg.Prefixlen = uint8(r.local.Bits())
	msg.Index = uint32(link.Attrs().Index)
	if msgType == unix.RTM_NEWADDR {
		scope := r.scope
		if scope < 0 {
			scope = defaultAddrScope(addr)
		}
		msg.Scope = uint8(scope)
	} else if r.scope >= 0 {
		msg.Scope = uint8(r.scope)
	}
	req, err := s.NS.Request(msgType, nlFlags|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	if r.flags <= 0xff {
		msg.Flags = uint8(r.flags)
	}
	req.AddData(msg)
	req.AddData(nl.NewRtAttr(unix.IFA_LOCAL, addr.AsSlice()))
	req.AddData(nl.NewRtAttr(unix.IFA_ADDRESS, addr.AsSlice()))
	if r.flags > 0xff {
		req.AddData(nl.NewRtAttr(unix.IFA_FLAGS, nl.Uint32Attr(r.flags)))
	}
	if r.broadcast != nil {
		req.AddData(nl.NewRtAttr(unix.IFA_BROADCAST, r.broadcast.AsSlice()))
	}
	if r.label != "" {
		req.AddData(nl.NewRtAttr(unix.IFA_LABEL, nl.ZeroTerminated(r.label)))
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	if msgType == unix.RTM_NEWADDR {
		settleAddr6(s.NS, link, addr, r.flags)
	}
	return nil
}

// parseAddrFlush parses "ip addr flush [dev] DEV".
func parseAddrFlush(g *globals, a *args) (script.Action, error) {
	opt, err := parseShowFilter(g, a)
	if err != nil {
		return nil, err
	}
	if opt.Dev == "" {
		return nil, script.Errorf(exitErr, "Flush requires arguments.")
	}
	family := netlink.FAMILY_ALL
	if g.family != 0 {
		family = g.family
	}
	return script.WithEffects(script.ActionFunc(func(s *script.State) error {
		link, err := linkByName(s.NS, opt.Dev)
		if err != nil {
			if world.NotFound(err) {
				return s.Fail(exitErr, "Device %q does not exist.", opt.Dev)
			}
			return noDevice(s, opt.Dev, err)
		}
		h, err := s.NS.Netlink()
		if err != nil {
			return err
		}
		addrs, err := h.AddrList(link, family)
		if err != nil {
			return kernelError(s, err)
		}
		for i := range addrs {
			if err := h.AddrDel(link, &addrs[i]); err != nil {
				return kernelError(s, err)
			}
		}
		return nil
	}), script.Effect{Op: script.OpAddrFlush, Dev: opt.Dev}), nil
}

func showAddrs(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip address show", optBrief|optJSON|optDetails); err != nil {
		return nil, err
	}
	opt, err := parseShowFilter(g, a)
	if err != nil {
		return nil, err
	}
	return script.WithEffects(script.ActionFunc(func(s *script.State) error {
		return s.NS.Do(func() error {
			return showError(s, ipshow.Addrs(s.Stdout, s.NS, opt, netnsNames(s)))
		})
	}), script.Effect{Dev: opt.Dev}), nil
}
