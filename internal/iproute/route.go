package iproute

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/script"
)

// parseRoute parses "ip route ...".
func parseRoute(g *globals, list []string, _ script.Table) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return parseRouteShow(g, a)
	}
	switch cmd := a.next(); {
	case matches(cmd, "add"):
		return parseRouteModify(g, a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change"):
		return parseRouteModify(g, a, unix.RTM_NEWROUTE, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return parseRouteModify(g, a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "append"):
		return parseRouteModify(g, a, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	case matches(cmd, "delete"):
		return parseRouteModify(g, a, unix.RTM_DELROUTE, 0)
	case matches(cmd, "show") || matches(cmd, "list") || cmd == "lst":
		return parseRouteShow(g, a)
	case matches(cmd, "get"):
		return parseRouteGet(g, a)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip route help\".", cmd)
	}
}

// routeRequest is one parsed "ip route add|del|change|replace|append".
type routeRequest struct {
	msg     nl.RtMsg
	dst     netip.Prefix
	gw      *netip.Addr
	dev     string
	metric  *uint32
	prefsrc *netip.Addr
	table   int
}

// parseRouteModify builds the request the way iproute2's iproute_modify does,
// defaults included: table main; for all but delete, protocol boot, type
// unicast, and scope link when no gateway was given.
func parseRouteModify(g *globals, a *args, msgType, nlFlags int) (script.Action, error) {
	r := routeRequest{table: unix.RT_TABLE_MAIN}
	r.msg.Family = uint8(g.family)
	if msgType != unix.RTM_DELROUTE {
		r.msg.Protocol = unix.RTPROT_BOOT
		r.msg.Scope = unix.RT_SCOPE_UNIVERSE
		r.msg.Type = unix.RTN_UNICAST
	}
	var scopeSet, gwSet, dstSet bool
	for a.more() {
		word := a.next()
		switch word {
		case "via", "gw":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			family := int(r.msg.Family)
			if v == "inet" || v == "inet6" {
				family = map[string]int{"inet": unix.AF_INET, "inet6": unix.AF_INET6}[v]
				if v, err = a.value(word); err != nil {
					return nil, err
				}
			}
			if family == 0 {
				family = unix.AF_INET
			}
			gw, err := parseAddr(v, family)
			if err != nil {
				return nil, err
			}
			r.gw, gwSet = &gw, true
			if r.msg.Family == 0 {
				r.msg.Family = uint8(familyOf(gw))
			}
		case "dev", "oif":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.dev = v
		case "metric", "priority", "preference":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			var n uint32
			if _, err := fmt.Sscan(v, &n); err != nil || fmt.Sprint(n) != strings.TrimLeft(v, "+") {
				return nil, invalidArg(`"metric" value is invalid`, v)
			}
			r.metric = &n
		case "src":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			src, err := parseAddr(v, int(r.msg.Family))
			if err != nil {
				return nil, err
			}
			r.prefsrc = &src
		case "proto", "protocol":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			p, ok := byName(protoNames, v, 255)
			if !ok {
				return nil, invalidArg(`"protocol" value is invalid`, v)
			}
			r.msg.Protocol = uint8(p)
		case "scope":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			sc, ok := scopeByName(v)
			if !ok {
				return nil, invalidArg(`invalid "scope" value`, v)
			}
			r.msg.Scope, scopeSet = uint8(sc), true
		case "table":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			t, ok := byName(tableNames, v, 1<<31-1)
			if !ok {
				return nil, invalidArg(`"table" value is invalid`, v)
			}
			r.table = t
		case "onlink":
			r.msg.Flags |= unix.RTNH_F_ONLINK
		default:
			if t, ok := routeTypeByName(word); ok && !dstSet {
				r.msg.Type = uint8(t)
				if !a.more() {
					return nil, script.Errorf(exitUsage, "Command line is not complete. Try option \"help\"")
				}
				word = a.next()
			}
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return nil, err
				}
				word = v
			}
			if dstSet {
				return nil, duplicateArg("to", word)
			}
			dst, err := parsePrefix(word, int(r.msg.Family), true)
			if err != nil {
				return nil, err
			}
			r.dst, dstSet = dst, true
			if r.msg.Family == 0 && word != "default" && word != "all" && word != "any" {
				r.msg.Family = uint8(familyOf(dst.Addr()))
			}
		}
	}
	if !dstSet {
		return nil, script.Errorf(exitUsage, "Command line is not complete. Try option \"help\"")
	}
	if r.msg.Family == 0 {
		r.msg.Family = unix.AF_INET
	}
	if r.dst.Addr().Is4() != (r.msg.Family == unix.AF_INET) {
		r.dst = netip.PrefixFrom(unspecified(int(r.msg.Family)), 0)
	}
	if !scopeSet {
		switch {
		case r.msg.Family == unix.AF_INET6:
			r.msg.Scope = unix.RT_SCOPE_UNIVERSE
		case r.msg.Type == unix.RTN_LOCAL || r.msg.Type == unix.RTN_NAT:
			r.msg.Scope = unix.RT_SCOPE_HOST
		case r.msg.Type == unix.RTN_BROADCAST || r.msg.Type == unix.RTN_MULTICAST || r.msg.Type == unix.RTN_ANYCAST:
			r.msg.Scope = unix.RT_SCOPE_LINK
		case r.msg.Type == unix.RTN_UNICAST || r.msg.Type == unix.RTN_UNSPEC:
			if msgType == unix.RTM_DELROUTE {
				r.msg.Scope = unix.RT_SCOPE_NOWHERE
			} else if !gwSet {
				r.msg.Scope = unix.RT_SCOPE_LINK
			}
		}
	}
	return func(s *script.State) error { return routeModify(s, r, msgType, nlFlags) }, nil
}

func unspecified(family int) netip.Addr {
	if family == unix.AF_INET6 {
		return netip.IPv6Unspecified()
	}
	return netip.IPv4Unspecified()
}

func routeTypeByName(s string) (int, bool) {
	for n, v := range typeNames {
		if v == s && n != unix.RTN_UNSPEC && n != unix.RTN_XRESOLVE {
			return n, true
		}
	}
	return 0, false
}

// routeModify sends the request in the command's namespace.
func routeModify(s *script.State, r routeRequest, msgType, nlFlags int) error {
	return withNS(s, func() error {
		msg := r.msg
		msg.Dst_len = uint8(r.dst.Bits())
		if r.table < 256 {
			msg.Table = uint8(r.table)
		} else {
			msg.Table = unix.RT_TABLE_UNSPEC
		}
		req := nl.NewNetlinkRequest(msgType, nlFlags|unix.NLM_F_ACK)
		req.AddData(&msg)
		if r.dst.Bits() > 0 {
			req.AddData(nl.NewRtAttr(unix.RTA_DST, r.dst.Addr().AsSlice()))
		}
		if r.table >= 256 {
			req.AddData(nl.NewRtAttr(unix.RTA_TABLE, nl.Uint32Attr(uint32(r.table))))
		}
		if r.gw != nil {
			req.AddData(nl.NewRtAttr(unix.RTA_GATEWAY, r.gw.AsSlice()))
		}
		if r.metric != nil {
			req.AddData(nl.NewRtAttr(unix.RTA_PRIORITY, nl.Uint32Attr(*r.metric)))
		}
		if r.prefsrc != nil {
			req.AddData(nl.NewRtAttr(unix.RTA_PREFSRC, r.prefsrc.AsSlice()))
		}
		if r.dev != "" {
			index, err := linkIndex(s, r.dev)
			if err != nil {
				return err
			}
			req.AddData(nl.NewRtAttr(unix.RTA_OIF, nl.Uint32Attr(uint32(index))))
		}
		if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
			return kernelError(s, err)
		}
		return nil
	})
}
