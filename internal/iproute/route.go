package iproute

import (
	"encoding/binary"
	"net/netip"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/script"
)

// parseRoute parses "ip route ...", dispatching as do_iproute does.
func parseRoute(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return parseRouteShow(g, a)
	}
	modify := func(msgType, nlFlags int) (script.Action, error) {
		if err := g.refuse("ip route "+list[0], optsChange); err != nil {
			return nil, err
		}
		return parseRouteModify(g, a, msgType, nlFlags)
	}
	switch cmd := a.next(); {
	case matches(cmd, "add"):
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "change") || cmd == "chg":
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_REPLACE)
	case matches(cmd, "replace"):
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "prepend"):
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_CREATE)
	case matches(cmd, "append"):
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	case matches(cmd, "test"):
		return modify(unix.RTM_NEWROUTE, unix.NLM_F_EXCL)
	case matches(cmd, "delete"):
		return modify(unix.RTM_DELROUTE, 0)
	case matches(cmd, "list") || matches(cmd, "show") || matches(cmd, "lst"):
		return parseRouteShow(g, a)
	case matches(cmd, "get"):
		return parseRouteGet(g, a)
	case matches(cmd, "flush"):
		return parseRouteFlush(g, a)
	case matches(cmd, "save"), matches(cmd, "restore"), matches(cmd, "showdump"):
		return nil, script.Errorf(exitUsage, "ip route %s: not implemented by netscript", cmd)
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", routeUsageText)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip route help\".", cmd)
	}
}

// routeUsageText is ip/iproute.c's usage(), as iproute2 6.1 prints it
// for "ip route help".
const routeUsageText = "Usage: ip route { list | flush } SELECTOR\n" +
	"       ip route save SELECTOR\n" +
	"       ip route restore\n" +
	"       ip route showdump\n" +
	"       ip route get [ ROUTE_GET_FLAGS ] ADDRESS\n" +
	"                            [ from ADDRESS iif STRING ]\n" +
	"                            [ oif STRING ] [ tos TOS ]\n" +
	"                            [ mark NUMBER ] [ vrf NAME ]\n" +
	"                            [ uid NUMBER ] [ ipproto PROTOCOL ]\n" +
	"                            [ sport NUMBER ] [ dport NUMBER ]\n" +
	"       ip route { add | del | change | append | replace } ROUTE\n" +
	"SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]\n" +
	"            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]\n" +
	"            [ type TYPE ] [ scope SCOPE ]\n" +
	"ROUTE := NODE_SPEC [ INFO_SPEC ]\n" +
	"NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]\n" +
	"             [ table TABLE_ID ] [ proto RTPROTO ]\n" +
	"             [ scope SCOPE ] [ metric METRIC ]\n" +
	"             [ ttl-propagate { enabled | disabled } ]\n" +
	"INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...\n" +
	"NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]\n" +
	"      [ dev STRING ] [ weight NUMBER ] NHFLAGS\n" +
	"FAMILY := [ inet | inet6 | mpls | bridge | link ]\n" +
	"OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]\n" +
	"           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]\n" +
	"           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]\n" +
	"           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]\n" +
	"           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]\n" +
	"           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]\n" +
	"           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]\n" +
	"TYPE := { unicast | local | broadcast | multicast | throw |\n" +
	"          unreachable | prohibit | blackhole | nat }\n" +
	"TABLE_ID := [ local | main | default | all | NUMBER ]\n" +
	"SCOPE := [ host | link | global | NUMBER ]\n" +
	"NHFLAGS := [ onlink | pervasive ]\n" +
	"RTPROTO := [ kernel | boot | static | NUMBER ]\n" +
	"PREF := [ low | medium | high ]\n" +
	"TIME := NUMBER[s|ms]\n" +
	"BOOL := [1|0]\n" +
	"FEATURES := ecn\n" +
	"ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]\n" +
	"ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]\n" +
	"SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]\n" +
	"SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]\n" +
	"SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]\n" +
	"ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |\n" +
	"            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |\n" +
	"            End.BM | End.S | End.AS | End.AM | End.BPF }\n" +
	"OPTIONS := OPTION [ OPTIONS ]\n" +
	"OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |\n" +
	"            table TABLEID | vrftable TABLEID | endpoint PROGNAME }\n" +
	"FLAVORS := { FLAVOR[,FLAVOR] }\n" +
	"FLAVOR := { psp | usp | usd | next-csid }\n" +
	"IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE\n" +
	"XFRMINFO := if_id IF_ID [ link_dev LINK ]\n" +
	"ROUTE_GET_FLAGS := [ fibmatch ]"

// routeRequest is one parsed "ip route add|del|change|replace|append".
type routeRequest struct {
	msg     nl.RtMsg
	dst     netip.Prefix
	gw      *netip.Addr
	via     []byte // RTA_VIA: a gateway of another family (u16 family, address)
	src     []byte // RTA_SRC of "from" (rtm_src_len in msg)
	dev     string
	metric  *uint32
	prefsrc *netip.Addr
	table   int
	expires *uint32 // RTA_EXPIRES, seconds (IPv6)
	nhid    *uint32 // RTA_NH_ID
	pref    *uint8  // RTA_PREF (IPv6 router preference)
	ttlProp *uint8  // RTA_TTL_PROPAGATE
	realms  *uint32 // RTA_FLOW
	metrics routeMetrics

	nexthops []nexthop // "nexthop ..." of a multipath route
}

// nexthop is one "nexthop [via ADDR] [dev DEV] [weight N] [onlink]".
type nexthop struct {
	gw     *netip.Addr
	via    []byte  // RTA_VIA: a gateway of another family
	realms *uint32 // RTA_FLOW
	dev    string
	weight int // 1 to 256
	flags  uint8
}

// parseRouteModify builds the request the way iproute2's iproute_modify does,
// defaults included: table main; for all but delete, protocol boot, type
// unicast, and scope link when no gateway was given.
func parseRouteModify(g *globals, a *args, msgType, nlFlags int) (script.Action, error) {
	r, err := parseRouteRequest(g, a, msgType)
	if err != nil {
		return nil, err
	}
	modify := script.ActionFunc(func(s *script.State) error { return routeModify(s, r, msgType, nlFlags) })
	return script.WithEffects(modify, r.effect(msgType, nlFlags)), nil
}

// effect is the route the request adds, changes or deletes; "ip route
// test" changes nothing.
func (r routeRequest) effect(msgType, nlFlags int) script.Effect {
	e := script.Effect{Dev: r.dev, Prefix: r.dst}
	switch {
	case msgType == unix.RTM_DELROUTE:
		e.Op = script.OpRouteDel
	case nlFlags&unix.NLM_F_REPLACE != 0:
		e.Op = script.OpRouteReplace // change, replace
	case nlFlags&unix.NLM_F_CREATE != 0:
		e.Op = script.OpRouteAdd // add, append, prepend
	default:
		return script.Effect{} // test
	}
	if r.gw != nil {
		e.Via = *r.gw
	}
	return e
}

// parseRouteRequest parses the arguments of one route change request,
// keyword by keyword in iproute_modify's order (abbreviations included:
// "w" is window, "r" reordering, "i" initcwnd).
func parseRouteRequest(g *globals, a *args, msgType int) (routeRequest, error) {
	r := routeRequest{table: unix.RT_TABLE_MAIN}
	r.msg.Family = uint8(g.family)
	if msgType != unix.RTM_DELROUTE {
		r.msg.Protocol = unix.RTPROT_BOOT
		r.msg.Scope = unix.RT_SCOPE_UNIVERSE
		r.msg.Type = unix.RTN_UNICAST
	}
	var scopeSet, tableSet, gwSet, dstSet bool
	for a.more() {
		word := a.next()
		if ok, err := r.metrics.parse(a, word); ok || err != nil {
			if err != nil {
				return r, err
			}
			continue
		}
		switch {
		case word == "src":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			src, err := parseAddr(v, int(r.msg.Family))
			if err != nil {
				return r, err
			}
			if r.msg.Family == 0 {
				r.msg.Family = uint8(familyOf(src))
			}
			r.prefsrc = &src
		case word == "as":
			return r, script.Unimplemented(exitUsage, "ip route: \"as\" (MPLS destination rewriting) is not implemented by netscript")
		case word == "via":
			if gwSet {
				return r, invalidArg("use nexthop syntax to specify multiple via", word)
			}
			gwSet = true
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			family := int(r.msg.Family)
			if f, ok := map[string]int{"inet": unix.AF_INET, "inet6": unix.AF_INET6}[v]; ok {
				family = f
				if v, err = a.value(word); err != nil {
					return r, err
				}
			} else if v == "mpls" || v == "link" || v == "ipx" || v == "dnet" || v == "bridge" || v == "any" {
				return r, script.Unimplemented(exitUsage, "ip route: \"via %s\" is not implemented by netscript", v)
			}
			gw, err := parseAddr(v, family)
			if err != nil {
				return r, err
			}
			if r.msg.Family == 0 {
				r.msg.Family = uint8(familyOf(gw))
			}
			if familyOf(gw) == int(r.msg.Family) {
				r.gw = &gw
			} else {
				r.via = binary.NativeEndian.AppendUint16(nil, uint16(familyOf(gw)))
				r.via = append(r.via, gw.AsSlice()...)
			}
		case word == "from":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			p, err := getPrefix(v, int(r.msg.Family))
			if err != nil {
				return r, err
			}
			if r.msg.Family == 0 {
				r.msg.Family = uint8(p.family)
			}
			r.src = p.bytes()
			r.msg.Src_len = uint8(p.bitlen)
		case word == "tos" || matches(word, "dsfield"):
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			tos, ok := dsfieldA2N(v)
			if !ok {
				return r, invalidArg(`"tos" value is invalid`, v)
			}
			r.msg.Tos = tos
		case word == "expires":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			e, ok := cnum.GetU32(v)
			if !ok {
				return r, invalidArg(`"expires" value is invalid`, v)
			}
			r.expires = &e
		case matches(word, "metric") || matches(word, "priority") || word == "preference":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			n, ok := cnum.GetU32(v)
			if !ok {
				return r, invalidArg(`"metric" value is invalid`, v)
			}
			r.metric = &n
		case word == "scope":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			sc, ok := scopeByName(v)
			if !ok {
				return r, invalidArg(`invalid "scope" value`, v)
			}
			r.msg.Scope, scopeSet = uint8(sc), true
		case matches(word, "realms"):
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			realms, ok := getRealms(v)
			if !ok {
				return r, invalidArg(`"realm" value is invalid`, v)
			}
			r.realms = &realms
		case word == "onlink":
			r.msg.Flags |= unix.RTNH_F_ONLINK
		case word == "nexthop":
			a.list = append([]string{word}, a.list...)
			if err := parseNexthops(a, &r); err != nil {
				return r, err
			}
		case word == "nhid":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			id, ok := cnum.GetU32(v)
			if !ok {
				return r, invalidArg(`"id" value is invalid`, v)
			}
			r.nhid = &id
		case matches(word, "protocol"):
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			p, ok := byName(protoNames, v, 255)
			if !ok {
				return r, invalidArg(`"protocol" value is invalid`, v)
			}
			r.msg.Protocol = uint8(p)
		case matches(word, "table"):
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			t, ok := byName(tableNames, v, 1<<32-1)
			if !ok {
				return r, invalidArg(`"table" value is invalid`, v)
			}
			r.table, tableSet = t, true
		case matches(word, "vrf"):
			return r, script.Unimplemented(exitUsage, "ip route: \"vrf\" is not implemented by netscript (this kernel has no vrf devices either)")
		case word == "dev" || word == "oif":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			r.dev = v
		case matches(word, "pref"):
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			pr, ok := map[string]uint8{"low": 3, "medium": 0, "high": 1}[v]
			if !ok {
				n, isNum := cnum.GetUint(v, 255)
				if !isNum {
					return r, invalidArg(`"pref" value is invalid`, v)
				}
				pr = uint8(n)
			}
			r.pref = &pr
		case word == "encap":
			return r, script.Unimplemented(exitUsage, "ip route: \"encap\" (lightweight tunnels) is not implemented by netscript")
		case matches(word, "fastopen_no_cookie"): // "f" is features
			if err := r.metrics.parseFastopen(a, word); err != nil {
				return r, err
			}
		case word == "ttl-propagate":
			v, err := a.value(word)
			if err != nil {
				return r, err
			}
			var t uint8
			switch {
			case matches(v, "enabled"):
				t = 1
			case matches(v, "disabled"):
				t = 0
			default:
				return r, invalidArg(`"ttl-propagate" value is invalid`, v)
			}
			r.ttlProp = &t
		default:
			if word == "to" {
				v, err := a.value(word)
				if err != nil {
					return r, err
				}
				word = v
			}
			if word == "" || word[0] < '0' || word[0] > '9' { // "": *argv is NUL, below '0'
				if t, ok := rtnTypeA2N(word); ok {
					v, err := a.value(word)
					if err != nil {
						return r, err
					}
					r.msg.Type, word = uint8(t), v
				}
			}
			if matches(word, "help") {
				return r, script.Errorf(exitUsage, "%s", routeUsageText)
			}
			if dstSet {
				return r, duplicateArg("to", word)
			}
			dst, err := parsePrefix(word, int(r.msg.Family), true)
			if err != nil {
				return r, err
			}
			r.dst, dstSet = dst, true
			if r.msg.Family == 0 && word != "default" && word != "all" && word != "any" {
				r.msg.Family = uint8(familyOf(dst.Addr()))
			}
		}
	}
	if !dstSet {
		return r, script.Errorf(exitUsage, "Command line is not complete. Try option \"help\"")
	}
	if r.msg.Family == 0 {
		r.msg.Family = unix.AF_INET
	}
	if r.dst.Addr().Is4() != (r.msg.Family == unix.AF_INET) {
		r.dst = netip.PrefixFrom(unspecified(int(r.msg.Family)), 0)
	}
	if !tableSet {
		switch r.msg.Type {
		case unix.RTN_LOCAL, unix.RTN_BROADCAST, unix.RTN_NAT, unix.RTN_ANYCAST:
			r.table = unix.RT_TABLE_LOCAL
		}
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
			} else if !gwSet && len(r.nexthops) == 0 && r.nhid == nil {
				r.msg.Scope = unix.RT_SCOPE_LINK
			}
		}
	}
	return r, nil
}

// parseNexthops is iproute2's parse_nexthops: the rest of the line is
// "nexthop NH-OPTIONS" repeated.
func parseNexthops(a *args, r *routeRequest) error {
	for a.more() {
		if w := a.next(); w != "nexthop" {
			return script.Errorf(exitUsage, "Error: \"nexthop\" or end of line is expected instead of %q", w)
		}
		if !a.more() {
			return script.Errorf(exitUsage, "Error: unexpected end of line after \"nexthop\"")
		}
		nh := nexthop{weight: 1}
	options:
		for a.more() {
			switch a.list[0] {
			case "via":
				a.next()
				v, err := a.value("via")
				if err != nil {
					return err
				}
				family := int(r.msg.Family)
				if v == "inet" || v == "inet6" {
					family = map[string]int{"inet": unix.AF_INET, "inet6": unix.AF_INET6}[v]
					if v, err = a.value("via"); err != nil {
						return err
					}
				}
				gw, err := parseAddr(v, family)
				if err != nil {
					return err
				}
				if r.msg.Family == 0 {
					r.msg.Family = uint8(familyOf(gw))
				}
				if familyOf(gw) != int(r.msg.Family) {
					nh.via = binary.NativeEndian.AppendUint16(nil, uint16(familyOf(gw)))
					nh.via = append(nh.via, gw.AsSlice()...)
				} else {
					nh.gw = &gw
				}
			case "dev":
				a.next()
				v, err := a.value("dev")
				if err != nil {
					return err
				}
				nh.dev = v
			case "weight":
				a.next()
				v, err := a.value("weight")
				if err != nil {
					return err
				}
				w, ok := cnum.GetU32(v)
				if !ok || w == 0 || w > 256 {
					return invalidArg(`"weight" is invalid`, v)
				}
				nh.weight = int(w)
			case "onlink":
				a.next()
				nh.flags |= unix.RTNH_F_ONLINK
			case "encap", "as":
				return script.Unimplemented(exitUsage, "ip route: %q in a nexthop is not implemented by netscript", a.list[0])
			default:
				if !matches(a.list[0], "realms") {
					break options
				}
				w := a.next()
				v, err := a.value(w)
				if err != nil {
					return err
				}
				realms, ok := getRealms(v)
				if !ok {
					return invalidArg(`"realm" value is invalid`, v)
				}
				nh.realms = &realms
			}
		}
		r.nexthops = append(r.nexthops, nh)
	}
	return nil
}

// multipathAttr builds RTA_MULTIPATH: one struct rtnexthop per nexthop,
// each followed by its gateway. Device names are looked up in the
// command's namespace.
func multipathAttr(s *script.State, nhs []nexthop) (*nl.RtAttr, error) {
	var b []byte
	for _, nh := range nhs {
		var index int
		if nh.dev != "" {
			l, err := findLink(s, nh.dev, exitUsage, "Cannot find device %q\nError: cannot parse nexthop")
			if err != nil {
				return nil, err
			}
			index = l.Attrs().Index
		}
		var attrs []byte
		if nh.gw != nil {
			attrs = nl.NewRtAttr(unix.RTA_GATEWAY, nh.gw.AsSlice()).Serialize()
		}
		if nh.via != nil {
			attrs = append(attrs, nl.NewRtAttr(unix.RTA_VIA, nh.via).Serialize()...)
		}
		if nh.realms != nil {
			attrs = append(attrs, nl.NewRtAttr(unix.RTA_FLOW, nl.Uint32Attr(*nh.realms)).Serialize()...)
		}
		rtnh := make([]byte, 8)
		binary.NativeEndian.PutUint16(rtnh[0:2], uint16(8+len(attrs)))
		rtnh[2], rtnh[3] = nh.flags, uint8(nh.weight-1)
		binary.NativeEndian.PutUint32(rtnh[4:8], uint32(index))
		b = append(append(b, rtnh...), attrs...)
	}
	return nl.NewRtAttr(unix.RTA_MULTIPATH, b), nil
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

// routeModify sends the request on the command namespace's own socket.
func routeModify(s *script.State, r routeRequest, msgType, nlFlags int) error {
	msg := r.msg
	msg.Dst_len = uint8(r.dst.Bits())
	if r.table < 256 {
		msg.Table = uint8(r.table)
	} else {
		msg.Table = unix.RT_TABLE_UNSPEC
	}
	req, err := s.NS.Request(msgType, nlFlags|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
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
	if r.expires != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_EXPIRES, nl.Uint32Attr(*r.expires)))
	}
	if r.via != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_VIA, r.via))
	}
	if len(r.src) > 0 {
		req.AddData(nl.NewRtAttr(unix.RTA_SRC, r.src))
	}
	if r.nhid != nil {
		req.AddData(nl.NewRtAttr(rtaNHID, nl.Uint32Attr(*r.nhid)))
	}
	if r.pref != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_PREF, []byte{*r.pref}))
	}
	if r.realms != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_FLOW, nl.Uint32Attr(*r.realms)))
	}
	if r.ttlProp != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_TTL_PROPAGATE, []byte{*r.ttlProp}))
	}
	if mx := r.metrics.attr(); mx != nil {
		req.AddData(mx)
	}
	if len(r.nexthops) > 0 {
		mp, err := multipathAttr(s, r.nexthops)
		if err != nil {
			return err
		}
		req.AddData(mp)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	return nil
}
