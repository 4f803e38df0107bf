package iproute

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// routeFilter is iproute2's route filter (ip/iproute.c), as
// iproute_list_flush_or_save fills it for "ip route show" and "flush". A
// field the user filtered on exactly is not printed, as in iproute2.
type routeFilter struct {
	family       int // the dump's family
	tb           int // 0: every table
	cloned       int // 0: no cached routes; 1: only cached; 2: both (get)
	protocol     int
	protocolMask int
	scope        int
	scopeMask    int
	typeMask     uint32
	tos, tosMask int
	rdst, mdst   inetPrefix
	rsrc, msrc   inetPrefix
	rvia         inetPrefix
	rprefsrc     inetPrefix
	idev, odev   string
	iif, oif     int
	mark         uint32
	markMask     bool
	metric       uint32
	metricMask   bool
}

// routeShowOpts are the global options print_route honours.
type routeShowOpts struct {
	details int
	stats   int
	oneline bool
	numeric bool
	// nexthop looks up a nexthop object for the "nh_info" of -d.
	nexthop func(id uint32) (nexthopEntry, bool)
}

func showOpts(s *script.State, g *globals) routeShowOpts {
	return routeShowOpts{details: g.details, stats: g.stats, oneline: g.oneline, numeric: g.numeric,
		nexthop: nexthopCache(s, g)}
}

// optsRouteShow are the global options "ip route show" and "get" honour.
const optsRouteShow = optBrief | optJSON | optDetails | optStats | optOneline | optNumeric | optAll

// parseRouteFilter parses the selectors of "ip route show" and "flush".
func parseRouteFilter(g *globals, a *args) (routeFilter, error) {
	f := routeFilter{family: g.family, tb: unix.RT_TABLE_MAIN}
	for a.more() {
		word := a.next()
		need := func() (string, error) { return a.value(word) }
		switch {
		case matches(word, "table"):
			v, err := need()
			if err != nil {
				return f, err
			}
			t, ok := byName(tableNames, v, 1<<32-1)
			switch {
			case ok:
				f.tb = t
			case v == "all":
				f.tb = 0
			case v == "cache":
				f.cloned = 1
			default:
				return f, invalidArg("table id value is invalid", v)
			}
		case matches(word, "vrf"):
			v, err := need()
			if err != nil {
				return f, err
			}
			return f, invalidArg("Invalid VRF", v)
		case matches(word, "cached") || matches(word, "cloned"):
			f.cloned = 1
		case word == "tos" || matches(word, "dsfield"):
			v, err := need()
			if err != nil {
				return f, err
			}
			tos, ok := dsfieldA2N(v)
			if !ok {
				return f, invalidArg("TOS value is invalid", v)
			}
			f.tos, f.tosMask = int(tos), -1
		case matches(word, "protocol"):
			v, err := need()
			if err != nil {
				return f, err
			}
			f.protocolMask = -1
			p, ok := byName(protoNames, v, 255)
			if !ok {
				if v != "all" {
					return f, invalidArg(`invalid "protocol"`, v)
				}
				p, f.protocolMask = 0, 0
			}
			f.protocol = p
		case matches(word, "scope"):
			v, err := need()
			if err != nil {
				return f, err
			}
			f.scopeMask = -1
			sc, ok := scopeByName(v)
			if !ok {
				if v != "all" {
					return f, invalidArg(`invalid "scope"`, v)
				}
				sc, f.scopeMask = unix.RT_SCOPE_NOWHERE, 0
			}
			f.scope = sc
		case matches(word, "type"):
			v, err := need()
			if err != nil {
				return f, err
			}
			t, ok := routeTypeByName(v)
			if !ok {
				return f, invalidArg(`node type value is invalid`, v)
			}
			f.typeMask = 1 << t
		case word == "dev" || word == "oif":
			v, err := need()
			if err != nil {
				return f, err
			}
			f.odev = v
		case word == "iif":
			v, err := need()
			if err != nil {
				return f, err
			}
			f.idev = v
		case word == "mark":
			v, err := need()
			if err != nil {
				return f, err
			}
			m, ok := cnum.GetU32(v)
			if !ok {
				return f, invalidName("invalid mark value", v)
			}
			f.mark, f.markMask = m, true
		case matches(word, "metric") || matches(word, "priority") || word == "preference":
			v, err := need()
			if err != nil {
				return f, err
			}
			m, ok := cnum.GetU32(v)
			if !ok {
				return f, invalidArg(`"metric" value is invalid`, v)
			}
			f.metric, f.metricMask = m, true
		case word == "via":
			v, err := need()
			if err != nil {
				return f, err
			}
			family := f.family
			if fam := readFamily(v); fam != 0 {
				family = fam
				if v, err = need(); err != nil {
					return f, err
				}
			}
			p, err := getPrefix(v, family)
			if err != nil {
				return f, err
			}
			f.rvia = p
		case word == "src":
			v, err := need()
			if err != nil {
				return f, err
			}
			p, err := getPrefix(v, f.family)
			if err != nil {
				return f, err
			}
			f.rprefsrc = p
		case matches(word, "realms"):
			return f, script.Errorf(exitUsage, "ip route: %q is not implemented by netscript", word)
		case matches(word, "from"):
			if err := parseRootMatchExact(a, word, f.family, &f.rsrc, &f.msrc); err != nil {
				return f, err
			}
		default:
			if !matches(word, "to") {
				a.list = append([]string{word}, a.list...) // the prefix itself
			}
			if err := parseRootMatchExact(a, word, f.family, &f.rdst, &f.mdst); err != nil {
				return f, err
			}
		}
	}
	if f.family == 0 && f.tb != 0 {
		f.family = unix.AF_INET
	}
	return f, nil
}

// parseRootMatchExact parses "[root|match|exact] PREFIX" after keyword.
func parseRootMatchExact(a *args, keyword string, family int, root, match *inetPrefix) error {
	v, err := a.value(keyword)
	if err != nil {
		return err
	}
	which := "exact"
	switch {
	case matches(v, "root"):
		which = "root"
	case matches(v, "match"):
		which = "match"
	case matches(v, "exact"):
	default:
		a.list = append([]string{v}, a.list...)
	}
	if v, err = a.value(keyword); err != nil {
		return err
	}
	p, err := getPrefix(v, family)
	if err != nil {
		return err
	}
	switch which {
	case "root":
		*root = p
	case "match":
		*match = p
	default:
		*root, *match = p, p
	}
	return nil
}

// readFamily is read_family for the families netscript routes.
func readFamily(v string) int {
	switch v {
	case "inet":
		return unix.AF_INET
	case "inet6":
		return unix.AF_INET6
	}
	return 0
}

// parseRouteShow parses "ip route show|list [SELECTORS]".
func parseRouteShow(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip route show", optsRouteShow); err != nil {
		return nil, err
	}
	f, err := parseRouteFilter(g, a)
	if err != nil {
		return nil, err
	}
	return script.ActionFunc(func(s *script.State) error {
		return routeShow(s, g, f)
	}), nil
}

// parseRouteFlush parses "ip route flush SELECTORS".
func parseRouteFlush(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip route flush", optsChange); err != nil {
		return nil, err
	}
	if !a.more() {
		return nil, script.Errorf(exitErr, "\"ip route flush\" requires arguments.")
	}
	f, err := parseRouteFilter(g, a)
	if err != nil {
		return nil, err
	}
	if f.cloned == 1 {
		return nil, script.Errorf(exitUsage, "ip route flush cache: not implemented by netscript")
	}
	return script.ActionFunc(func(s *script.State) error {
		return routeFlush(s, g, f)
	}), nil
}

// route is one RTM_NEWROUTE message, decoded.
type route struct {
	msg   *nl.RtMsg
	table int
	attrs map[uint16][]byte
}

func (r *route) addr(attr uint16) (netip.Addr, bool) {
	b, ok := r.attrs[attr]
	if !ok {
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(b)
	return a, ok
}

func (r *route) u32(attr uint16) (uint32, bool) {
	b, ok := r.attrs[attr]
	if !ok || len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

func decodeRoute(m []byte) (*route, error) {
	msg := nl.DeserializeRtMsg(m)
	r := &route{msg: msg, table: int(msg.Table), attrs: rtattr.Parse(m[msg.Len():])}
	if t, ok := r.u32(unix.RTA_TABLE); ok {
		r.table = int(t)
	}
	return r, nil
}

// resolveDevs looks up the filter's iif and oif, as ip does before dumping.
func (f *routeFilter) resolveDevs(s *script.State) error {
	for _, d := range []struct {
		name  string
		index *int
	}{{f.idev, &f.iif}, {f.odev, &f.oif}} {
		if d.name == "" {
			continue
		}
		index, err := linkIndex(s, d.name)
		if err != nil {
			return err
		}
		*d.index = index
	}
	return nil
}

// dumpRoutes is rtnl_routedump_req with iproute_dump_filter.
func dumpRoutes(s *script.State, f *routeFilter) ([]*route, error) {
	req, err := s.NS.Request(unix.RTM_GETROUTE, unix.NLM_F_DUMP)
	if err != nil {
		return nil, err
	}
	msg := &nl.RtMsg{RtMsg: unix.RtMsg{Family: uint8(f.family), Protocol: uint8(f.protocol)}}
	if f.cloned == 1 {
		msg.Flags |= unix.RTM_F_CLONED
	}
	req.AddData(msg)
	if f.tb != 0 {
		req.AddData(nl.NewRtAttr(unix.RTA_TABLE, nl.Uint32Attr(uint32(f.tb))))
	}
	if f.oif != 0 {
		req.AddData(nl.NewRtAttr(unix.RTA_OIF, nl.Uint32Attr(uint32(f.oif))))
	}
	msgs, err := dump(s.NS, req, unix.RTM_NEWROUTE)
	if err != nil {
		return nil, err
	}
	var routes []*route
	for _, m := range msgs {
		r, err := decodeRoute(m)
		if err != nil {
			return nil, err
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// routeShow dumps and prints the routes f selects. It runs on a thread
// inside the command's namespace.
func routeShow(s *script.State, g *globals, f routeFilter) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	if err := f.resolveDevs(s); err != nil {
		return err
	}
	routes, err := dumpRoutes(s, &f)
	switch {
	case errors.Is(err, unix.ENOENT) && f.tb == unix.RT_TABLE_MAIN:
		// save_route_errhndlr: no main table yet is no route.
	case err != nil:
		return dumpFailed(s, err, "Dump terminated")
	}
	p := jsonw.NewPrinter(g.json, g.pretty)
	p.Begin()
	six := false
	for _, r := range routes {
		if f.match(r, &six) {
			printRoute(p, r, names, &f, showOpts(s, g), false)
		}
	}
	p.End()
	_, err = s.Stdout.Write(p.Buf.Bytes())
	return err
}

// dumpFailed reports a failed dump as rtnl_dump_done does: the kernel's
// extended-ack message, or strerror except for ENOENT and EOPNOTSUPP,
// which it leaves unsaid; then ip's own line ("Dump terminated").
func dumpFailed(s *script.State, err error, line string) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return err
	}
	msg := ipshow.TalkError(err)
	if !strings.HasPrefix(msg, "Error: ") && (errno == unix.ENOENT || errno == unix.EOPNOTSUPP) {
		return s.Fail(exitKernel, "%s", line)
	}
	return s.Fail(exitKernel, "%s\n%s", msg, line)
}

// routeFlush is iproute_flush: dump, delete what the filter selects, and
// again until a dump selects nothing.
func routeFlush(s *script.State, g *globals, f routeFilter) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	if err := f.resolveDevs(s); err != nil {
		return err
	}
	p := jsonw.NewPrinter(false, false)
	for round := 0; ; round++ {
		if err := s.Ctx.Err(); err != nil {
			return fmt.Errorf("ip route flush: %w", err)
		}
		routes, err := dumpRoutes(s, &f)
		if err != nil {
			if _, werr := s.Stdout.Write(p.Buf.Bytes()); werr != nil {
				return werr
			}
			return dumpFailed(s, err, "Flush terminated")
		}
		six := false
		var doomed []*route
		for _, r := range routes {
			if f.match(r, &six) && !(r.msg.Family == unix.AF_INET6 && r.msg.Dst_len == 0 &&
				r.msg.Type == unix.RTN_UNREACHABLE && r.attrs[unix.RTA_PRIORITY] != nil &&
				binary.NativeEndian.Uint32(r.attrs[unix.RTA_PRIORITY]) == 0xffffffff) {
				doomed = append(doomed, r)
				if g.stats >= 2 {
					printRoute(p, r, names, &f, showOpts(s, g), false)
				}
			}
		}
		if len(doomed) == 0 {
			if g.stats > 0 {
				if round == 0 {
					p.Text("Nothing to flush.\n")
				} else {
					p.Text("*** Flush is complete after %d round%s ***\n", round, map[bool]string{true: "s"}[round > 1])
				}
			}
			_, err := s.Stdout.Write(p.Buf.Bytes())
			return err
		}
		for _, r := range doomed {
			if err := deleteRoute(s, r); err != nil {
				if _, werr := s.Stdout.Write(p.Buf.Bytes()); werr != nil {
					return werr
				}
				return err
			}
		}
		if g.stats > 0 {
			p.Text("\n*** Round %d, deleting %d entries ***\n", round+1, len(doomed))
		}
	}
}

// deleteRoute sends back a dumped route as RTM_DELROUTE, as the flush does.
func deleteRoute(s *script.State, r *route) error {
	req, err := s.NS.Request(unix.RTM_DELROUTE, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(r.msg)
	for t, v := range r.attrs {
		req.AddData(nl.NewRtAttr(int(t), v))
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil && err != unix.ESRCH {
		return kernelError(s, err)
	}
	return nil
}

// match is filter_nlmsg. six carries its ip6_multiple_tables along a dump.
func (f *routeFilter) match(r *route, six *bool) bool {
	m := r.msg
	hostLen := 32
	if m.Family == unix.AF_INET6 {
		hostLen = 128
	}
	if f.family != 0 && int(m.Family) != f.family {
		return false
	}
	if m.Family == unix.AF_INET6 && r.table != unix.RT_TABLE_MAIN {
		*six = true
	}
	if (f.cloned == 1) == (m.Flags&unix.RTM_F_CLONED == 0) && f.cloned != 2 {
		return false
	}
	if m.Family == unix.AF_INET6 && !*six {
		if f.tb != 0 {
			switch f.tb {
			case unix.RT_TABLE_LOCAL:
				if m.Type != unix.RTN_LOCAL {
					return false
				}
			case unix.RT_TABLE_MAIN:
				if m.Type == unix.RTN_LOCAL {
					return false
				}
			default:
				return false
			}
		}
	} else if f.tb > 0 && f.tb != r.table {
		return false
	}
	if (f.protocol^int(m.Protocol))&f.protocolMask != 0 || (f.scope^int(m.Scope))&f.scopeMask != 0 {
		return false
	}
	if f.typeMask != 0 && f.typeMask&(1<<m.Type) == 0 {
		return false
	}
	if (f.tos^int(m.Tos))&f.tosMask != 0 {
		return false
	}
	dstLen, srcLen := int(m.Dst_len), int(m.Src_len)
	if f.rdst.given() && ((f.rdst.family != 0 && int(m.Family) != f.rdst.family) || f.rdst.bitlen > dstLen) {
		return false
	}
	if f.mdst.given() && ((f.mdst.family != 0 && int(m.Family) != f.mdst.family) || f.mdst.bitlen < dstLen) {
		return false
	}
	if f.rsrc.given() && ((f.rsrc.family != 0 && int(m.Family) != f.rsrc.family) || f.rsrc.bitlen > srcLen) {
		return false
	}
	if f.msrc.given() && ((f.msrc.family != 0 && int(m.Family) != f.msrc.family) || f.msrc.bitlen < srcLen) {
		return false
	}
	if f.rvia.family != 0 {
		family := int(m.Family)
		if via, ok := r.attrs[unix.RTA_VIA]; ok && len(via) >= 2 {
			family = int(binary.NativeEndian.Uint16(via))
		}
		if family != f.rvia.family {
			return false
		}
	}
	if f.rprefsrc.family != 0 && int(m.Family) != f.rprefsrc.family {
		return false
	}
	dst := prefixBytes(r.attrs[unix.RTA_DST], dstLen)
	src := prefixBytes(r.attrs[unix.RTA_SRC], srcLen)
	if f.rdst.given() && !f.rdst.addrMatch(dst, f.rdst.bitlen) {
		return false
	}
	if f.mdst.given() && !f.mdst.addrMatch(dst, dstLen) {
		return false
	}
	if f.rsrc.given() && !f.rsrc.addrMatch(src, f.rsrc.bitlen) {
		return false
	}
	if f.msrc.given() && !f.msrc.addrMatch(src, srcLen) {
		return false
	}
	if f.rvia.family != 0 {
		var via []byte
		if f.rvia.bitlen > 0 {
			via = r.attrs[unix.RTA_GATEWAY]
			if v, ok := r.attrs[unix.RTA_VIA]; ok && len(v) >= 2 {
				via = v[2:]
			}
		}
		if !f.rvia.addrMatch(via, f.rvia.bitlen) {
			return false
		}
	}
	if f.rprefsrc.family != 0 {
		var psrc []byte
		if f.rprefsrc.bitlen > 0 {
			psrc = r.attrs[unix.RTA_PREFSRC]
		}
		if !f.rprefsrc.addrMatch(psrc, f.rprefsrc.bitlen) {
			return false
		}
	}
	if f.iif != 0 {
		iif, _ := r.u32(unix.RTA_IIF)
		if int(iif) != f.iif {
			return false
		}
	}
	if f.oif != 0 {
		oif, _ := r.u32(unix.RTA_OIF)
		if int(oif) != f.oif {
			return false
		}
	}
	if f.markMask {
		mark, _ := r.u32(unix.RTA_MARK)
		if mark != f.mark {
			return false
		}
	}
	if f.metricMask {
		metric, _ := r.u32(unix.RTA_PRIORITY)
		if metric != f.metric {
			return false
		}
	}
	_ = hostLen
	return true
}

// prefixBytes is the first (bits+7)/8 bytes of b, as filter_nlmsg copies.
func prefixBytes(b []byte, bits int) []byte {
	n := min((bits+7)/8, len(b))
	return b[:n]
}

// The RTAX_* metrics and their names in print_rta_metrics.
var metricNames = []string{
	2: "mtu", 3: "window", 4: "rtt", 5: "rttvar", 6: "ssthresh", 7: "cwnd",
	8: "advmss", 9: "reordering", 10: "hoplimit", 11: "initcwnd", 12: "features",
	13: "rto_min", 14: "initrwnd", 15: "quickack", 16: "congctl", 17: "fastopen_no_cookie",
}

const (
	rtaxLock     = 1
	rtaxRTT      = 4
	rtaxRTTVar   = 5
	rtaxHoplimit = 10
	rtaxFeatures = 12
	rtaxRTOMin   = 13
	rtaxCCAlgo   = 16
	rtaNHID      = 30 // RTA_NH_ID
)

// rtName is a name from one of iproute2's tables, or the number with -N.
func rtName(names map[int]string, n int, numeric bool) string {
	if numeric {
		return strconv.Itoa(n)
	}
	return name(names, n)
}

// printRoute is print_route. deleted prints the "Deleted " of a monitor.
func printRoute(p *jsonw.Printer, r *route, names map[int]string, f *routeFilter, o routeShowOpts, deleted bool) {
	m := r.msg
	sl := "\n"
	if o.oneline {
		sl = "\\"
	}
	hostLen := 32
	if m.Family == unix.AF_INET6 {
		hostLen = 128
	}
	p.OpenObject("")
	if deleted {
		p.Bool(jsonw.Any, "deleted", "Deleted ", true)
	}
	if (m.Type != unix.RTN_UNICAST || o.details > 0) && (f.typeMask == 0 || f.typeMask&(1<<m.Type) != 0) {
		p.Str(jsonw.Any, "type", "%s ", rtName(typeNames, int(m.Type), o.numeric))
	}
	var b string
	if dst, ok := r.addr(unix.RTA_DST); ok {
		if int(m.Dst_len) != hostLen {
			b = fmt.Sprintf("%s/%d", dst, m.Dst_len)
		} else {
			b = dst.String()
		}
	} else if m.Dst_len != 0 {
		b = fmt.Sprintf("0/%d ", m.Dst_len)
	} else {
		b = "default"
	}
	p.Str(jsonw.Any, "dst", "%s ", b)
	if src, ok := r.addr(unix.RTA_SRC); ok {
		if int(m.Src_len) != hostLen {
			b = fmt.Sprintf("%s/%d", src, m.Src_len)
		} else {
			b = src.String()
		}
		p.Str(jsonw.Any, "from", "from %s ", b)
	} else if m.Src_len != 0 {
		p.Str(jsonw.Any, "src", "from %s ", fmt.Sprintf("0/%d", m.Src_len))
	}
	if id, ok := r.u32(rtaNHID); ok {
		p.Uint(jsonw.Any, "nhid", "nhid %d ", int64(id))
	}
	if m.Tos != 0 && f.tosMask != -1 {
		p.Str(jsonw.Any, "tos", "tos %s ", dsfieldN2A(m.Tos, o.numeric))
	}
	if gw, ok := r.addr(unix.RTA_GATEWAY); ok && f.rvia.bitlen != hostLen {
		printGateway(p, gw)
	}
	if via, ok := r.attrs[unix.RTA_VIA]; ok {
		printVia(p, via)
	}
	if oif, ok := r.u32(unix.RTA_OIF); ok && f.oif == 0 {
		printIfidx(p, "dev", linkName(names, int(oif)))
	}
	if r.table != 0 && (r.table != unix.RT_TABLE_MAIN || o.details > 0) && f.tb == 0 {
		p.Str(jsonw.Any, "table", "table %s ", rtName(tableNames, r.table, o.numeric))
	}
	if m.Flags&unix.RTM_F_CLONED == 0 {
		if (m.Protocol != unix.RTPROT_BOOT || o.details > 0) && f.protocolMask != -1 {
			p.Str(jsonw.Any, "protocol", "proto %s ", rtName(protoNames, int(m.Protocol), o.numeric))
		}
		if (m.Scope != unix.RT_SCOPE_UNIVERSE || o.details > 0) && f.scopeMask != -1 {
			p.Str(jsonw.Any, "scope", "scope %s ", rtName(scopeNames, int(m.Scope), o.numeric))
		}
	}
	if src, ok := r.addr(unix.RTA_PREFSRC); ok && f.rprefsrc.bitlen != hostLen {
		if p.IsJSON() {
			p.Str(jsonw.JSON, "prefsrc", "", src.String())
		} else {
			p.Text("src %s ", src)
		}
	}
	if metric, ok := r.u32(unix.RTA_PRIORITY); ok && !f.metricMask {
		p.Uint(jsonw.Any, "metric", "metric %d ", int64(metric))
	}
	printRouteFlags(p, m.Flags)
	if mark, ok := r.u32(unix.RTA_MARK); ok && mark != 0 {
		switch {
		case p.IsJSON():
			p.Uint(jsonw.JSON, "mark", "", int64(mark))
		case mark >= 16:
			p.Text("mark %#x ", mark)
		default:
			p.Text("mark %d ", mark)
		}
	}
	if flow, ok := r.u32(unix.RTA_FLOW); ok { // the realms filter is refused, so never exact
		printFlow(p, flow)
	}
	if uid, ok := r.u32(unix.RTA_UID); ok {
		p.Uint(jsonw.Any, "uid", "uid %d ", int64(uid))
	}
	if m.Family == unix.AF_INET && m.Flags&unix.RTM_F_CLONED != 0 {
		printCacheFlags(p, m.Flags, sl)
	}
	if ci, ok := r.attrs[unix.RTA_CACHEINFO]; ok && len(ci) >= 20 && (m.Family == unix.AF_INET || m.Family == unix.AF_INET6) {
		printCacheinfo(p, ci, o.stats)
	}
	if mx, ok := r.attrs[unix.RTA_METRICS]; ok {
		printMetrics(p, mx)
	}
	if iif, ok := r.u32(unix.RTA_IIF); ok && f.iif == 0 {
		printIfidx(p, "iif", linkName(names, int(iif)))
	}
	if pref, ok := r.attrs[unix.RTA_PREF]; ok && len(pref) > 0 {
		switch pref[0] {
		case 3:
			p.Str(jsonw.Any, "pref", "pref %s", "low")
		case 0:
			p.Str(jsonw.Any, "pref", "pref %s", "medium")
		case 1:
			p.Str(jsonw.Any, "pref", "pref %s", "high")
		default:
			p.Uint(jsonw.Any, "pref", "%d", int64(pref[0]))
		}
	}
	if ttl, ok := r.attrs[unix.RTA_TTL_PROPAGATE]; ok && len(ttl) > 0 {
		if p.IsJSON() {
			p.Bool(jsonw.JSON, "ttl-propogate", "", ttl[0] != 0)
		} else {
			p.Text("ttl-propogate %s", map[bool]string{true: "enabled", false: "disabled"}[ttl[0] != 0])
		}
	}
	if id, ok := r.u32(rtaNHID); ok && o.details > 0 && o.nexthop != nil {
		if nh, ok := o.nexthop(id); ok {
			p.Text("\n\tnh_info ")
			printNexthop(p, nh, names, "nh_info", o.details, o.numeric)
		}
	}
	if mp, ok := r.attrs[unix.RTA_MULTIPATH]; ok {
		printMultipath(p, r, mp, names, sl)
	}
	p.Text("\n")
	p.CloseObject()
}

func printGateway(p *jsonw.Printer, gw netip.Addr) {
	if p.IsJSON() {
		p.Str(jsonw.JSON, "gateway", "", gw.String())
	} else {
		p.Text("via %s ", gw)
	}
}

// printFlow is print_rta_flow: the realms of RTA_FLOW.
func printFlow(p *jsonw.Printer, flow uint32) {
	from, to := int(flow>>16), int(flow&0xffff)
	if p.IsJSON() {
		p.OpenObject("flow")
		if from != 0 {
			p.Str(jsonw.JSON, "from", "", name(realmNames, from))
		}
		p.Str(jsonw.JSON, "to", "", name(realmNames, to))
		p.CloseObject()
		return
	}
	if from != 0 {
		p.Text("realms %s/", name(realmNames, from))
	} else {
		p.Text("realm ")
	}
	p.Text("%s ", name(realmNames, to))
}

// printVia is print_rta_via: a gateway of another family (RTA_VIA).
func printVia(p *jsonw.Printer, via []byte) {
	if len(via) < 2 {
		return
	}
	family := int(binary.NativeEndian.Uint16(via))
	host := "???"
	if a, ok := netip.AddrFromSlice(via[2:]); ok {
		host = a.String()
	}
	if p.IsJSON() {
		p.OpenObject("via")
		p.Str(jsonw.JSON, "family", "", ipshow.FamilyName(uint8(family)))
		p.Str(jsonw.JSON, "host", "", host)
		p.CloseObject()
	} else {
		p.Text("via %s %s ", ipshow.FamilyName(uint8(family)), host)
	}
}

func printIfidx(p *jsonw.Printer, key, name string) {
	if p.IsJSON() {
		p.Str(jsonw.JSON, key, "", name)
	} else {
		p.Text("%s %s ", key, name)
	}
}

// printCacheinfo is print_rta_cacheinfo.
func printCacheinfo(p *jsonw.Printer, ci []byte, stats int) {
	u := func(i int) uint32 { return binary.NativeEndian.Uint32(ci[4*i:]) }
	const hz = 100 // USER_HZ
	if expires := int32(u(2)); expires != 0 {
		p.Uint(jsonw.Any, "expires", "expires %dsec ", int64(expires/hz))
	}
	if e := u(3); e != 0 {
		p.Uint(jsonw.Any, "error", "error %d ", int64(e))
	}
	if stats > 0 {
		if v := u(0); v != 0 {
			p.Uint(jsonw.Any, "users", "users %d ", int64(v))
		}
		if v := u(4); v != 0 {
			p.Uint(jsonw.Any, "used", "used %d ", int64(v))
		}
		if v := u(1); v != 0 {
			p.Uint(jsonw.Any, "age", "age %dsec ", int64(v/hz))
		}
	}
	if len(ci) >= 32 {
		if id := u(5); id != 0 {
			p.Hex(jsonw.Any, "ipid", "ipid 0x%04x ", uint64(id))
		}
		if ts, tsage := u(6), u(7); ts != 0 || tsage != 0 {
			p.Hex(jsonw.Any, "ts", "ts 0x%x", uint64(ts))
			p.Uint(jsonw.Any, "tsage", "tsage %dsec ", int64(tsage))
		}
	}
}

// printMetrics is print_rta_metrics.
func printMetrics(p *jsonw.Printer, b []byte) {
	mx := rtattr.ParseMasked(b, 0)
	lock := mx.U32(rtaxLock)
	p.OpenArray(jsonw.JSON, "metrics", "")
	p.OpenObject("")
	for i := 2; i < len(metricNames); i++ {
		v, ok := mx[uint16(i)]
		if !ok && lock&(1<<i) == 0 {
			continue
		}
		var val uint32
		if ok && i != rtaxCCAlgo && len(v) >= 4 {
			val = binary.NativeEndian.Uint32(v)
		}
		if i == rtaxHoplimit && int32(val) == -1 {
			continue
		}
		if !p.IsJSON() {
			p.Text("%s ", metricNames[i])
			if lock&(1<<i) != 0 {
				p.Text("lock ")
			}
		}
		switch i {
		case rtaxFeatures:
			of := val
			if val&1 != 0 { // RTAX_FEATURE_ECN
				p.Null(jsonw.Any, "ecn", "ecn ")
				val &^= 1
			}
			if val != 0 {
				p.Hex(jsonw.Any, "features", "%#x ", uint64(of))
			}
		case rtaxRTT, rtaxRTTVar, rtaxRTOMin:
			if i == rtaxRTT {
				val /= 8
			} else if i == rtaxRTTVar {
				val /= 4
			}
			switch {
			case p.IsJSON():
				p.Uint(jsonw.JSON, metricNames[i], "", int64(val))
			case val >= 1000:
				p.Text("%ss ", strconv.FormatFloat(float64(val)/1e3, 'g', 6, 64))
			default:
				p.Text("%dms ", val)
			}
		case rtaxCCAlgo:
			s := string(v)
			if n := len(s); n > 0 && s[n-1] == 0 {
				s = s[:n-1]
			}
			p.Str(jsonw.Any, "congestion", "%s ", s)
		default:
			p.Uint(jsonw.Any, metricNames[i], "%d ", int64(val))
		}
	}
	p.CloseObject()
	p.CloseArray(jsonw.JSON, "")
}

// printMultipath is print_rta_multipath.
func printMultipath(p *jsonw.Printer, r *route, b []byte, names map[int]string, sl string) {
	const nhLen = 8 // struct rtnexthop: len, flags, hops, ifindex
	p.OpenArray(jsonw.JSON, "nexthops", "")
	for len(b) >= nhLen {
		n := int(binary.NativeEndian.Uint16(b[0:2]))
		if n > len(b) || n < nhLen {
			break
		}
		flags, hops := b[2], b[3]
		ifindex := int(int32(binary.NativeEndian.Uint32(b[4:8])))
		p.OpenObject("")
		p.Text("%s\tnexthop ", sl)
		if n > nhLen {
			tb := rtattr.ParseMasked(b[nhLen:n], 0)
			if v, ok := tb[unix.RTA_GATEWAY]; ok {
				if gw, ok := netip.AddrFromSlice(v); ok {
					printGateway(p, gw)
				}
			}
			if v, ok := tb[unix.RTA_VIA]; ok {
				printVia(p, v)
			}
			if v, ok := tb.Uint32(unix.RTA_FLOW); ok {
				printFlow(p, v)
			}
		}
		p.Str(jsonw.Any, "dev", "dev %s ", linkName(names, ifindex))
		p.Uint(jsonw.Any, "weight", "weight %d ", int64(hops)+1)
		printRouteFlags(p, uint32(flags))
		p.CloseObject()
		align := (n + 3) &^ 3
		if align > len(b) {
			break
		}
		b = b[align:]
	}
	p.CloseArray(jsonw.JSON, "")
	_ = r
}

// printRouteFlags is print_rt_flags.
func printRouteFlags(p *jsonw.Printer, flags uint32) {
	p.OpenArray(jsonw.JSON, "flags", "")
	for _, fl := range []struct {
		bit  uint32
		name string
	}{
		{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"},
		{unix.RTNH_F_PERVASIVE, "pervasive"}, {unix.RTNH_F_OFFLOAD, "offload"},
		{unix.RTNH_F_TRAP, "trap"}, {unix.RTM_F_NOTIFY, "notify"},
		{unix.RTNH_F_LINKDOWN, "linkdown"}, {unix.RTNH_F_UNRESOLVED, "unresolved"},
		{unix.RTM_F_OFFLOAD, "rt_offload"}, {unix.RTM_F_TRAP, "rt_trap"},
		{unix.RTM_F_OFFLOAD_FAILED, "rt_offload_failed"},
	} {
		if flags&fl.bit != 0 {
			p.Str(jsonw.Any, "", "%s ", fl.name)
		}
	}
	p.CloseArray(jsonw.JSON, "")
}

// printCacheFlags prints the "cache <...>" of an IPv4 "ip route get".
func printCacheFlags(p *jsonw.Printer, flags uint32, sl string) {
	flags &^= 0xFFFF
	if p.IsJSON() {
		p.OpenArray(jsonw.JSON, "cache", "")
	} else {
		p.Text("%s    cache ", sl)
		if flags == 0 {
			return
		}
		p.Text("<")
	}
	for _, fl := range []struct {
		bit  uint32
		name string
	}{
		{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"},
		{0x10000000, "brd"}, {0x08000000, "dst-nat"}, {0x00800000, "src-nat"},
		{0x00400000, "masq"}, {0x00020000, "dst-direct"}, {0x04000000, "src-direct"},
		{0x00040000, "redirected"}, {0x01000000, "redirect"}, {0x00200000, "fastroute"},
		{0x00010000, "notify"}, {0x00080000, "proxy"},
	} {
		if flags&fl.bit != 0 {
			flags &^= fl.bit
			if p.IsJSON() {
				p.Str(jsonw.JSON, "", "", fl.name)
			} else if flags != 0 {
				p.Text("%s,", fl.name)
			} else {
				p.Text("%s> ", fl.name)
			}
		}
	}
	if flags != 0 {
		if p.IsJSON() {
			p.Str(jsonw.JSON, "flags", "", fmt.Sprintf("%x", flags))
		} else {
			p.Text("%x>", flags)
		}
	}
	if p.IsJSON() {
		p.CloseArray(jsonw.JSON, "")
	}
}

// linkNames maps the link indexes of ns to names.
func linkNames(ns *world.NS) (map[int]string, error) {
	h, err := ns.Netlink()
	if err != nil {
		return nil, err
	}
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	names := make(map[int]string, len(links))
	for _, l := range links {
		names[l.Attrs().Index] = l.Attrs().Name
	}
	return names, nil
}

func linkName(names map[int]string, index int) string {
	if n, ok := names[index]; ok {
		return n
	}
	return fmt.Sprintf("if%d", index)
}

// linkIndex resolves a device name in the command's namespace.
func linkIndex(s *script.State, dev string) (int, error) {
	l, err := findLink(s, dev, exitErr, "Cannot find device %q")
	if err != nil {
		return 0, err
	}
	return l.Attrs().Index, nil
}

// routeGetRequest is one parsed "ip route get".
type routeGetRequest struct {
	msg        nl.RtMsg
	dst, src   *inetPrefix
	idev, odev string
	mark       uint32
	uid        *uint32
	connected  bool
}

// parseRouteGet parses "ip route get", as iproute_get does.
func parseRouteGet(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip route get", optsRouteShow); err != nil {
		return nil, err
	}
	r := routeGetRequest{}
	r.msg.Family = uint8(g.family)
	for a.more() {
		word := a.next()
		need := func() (string, error) { return a.value(word) }
		switch {
		case word == "tos" || matches(word, "dsfield"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			tos, ok := dsfieldA2N(v)
			if !ok {
				return nil, invalidArg("TOS value is invalid", v)
			}
			r.msg.Tos = tos
		case word == "as", matches(word, "sport"),
			matches(word, "dport"), matches(word, "ipproto"), matches(word, "vrf"), matches(word, "notify"):
			return nil, script.Errorf(exitUsage, "ip route get %s: not implemented by netscript", word)
		case matches(word, "from"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			if matches(v, "help") {
				return nil, script.Errorf(exitUsage, "%s", routeUsageText)
			}
			p, err := getPrefix(v, int(r.msg.Family))
			if err != nil {
				return nil, err
			}
			if r.msg.Family == 0 {
				r.msg.Family = uint8(p.family)
			}
			r.src = &p
			r.msg.Src_len = uint8(p.bitlen)
		case matches(word, "iif"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			r.idev = v
		case matches(word, "mark"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			m, ok := cnum.GetU32(v)
			if !ok {
				return nil, invalidName("invalid mark value", v)
			}
			r.mark = m
		case matches(word, "oif") || word == "dev":
			v, err := need()
			if err != nil {
				return nil, err
			}
			r.odev = v
		case matches(word, "connected"):
			r.connected = true
		case matches(word, "uid"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			u, ok := cnum.GetU32(v)
			if !ok {
				return nil, invalidArg("invalid UID", v)
			}
			r.uid = &u
		case matches(word, "fibmatch"):
			r.msg.Flags |= unix.RTM_F_FIB_MATCH
		default:
			if word == "to" {
				v, err := need()
				if err != nil {
					return nil, err
				}
				word = v
			}
			if matches(word, "help") {
				return nil, script.Errorf(exitUsage, "%s", routeUsageText)
			}
			p, err := getPrefix(word, int(r.msg.Family))
			if err != nil {
				return nil, err
			}
			if r.msg.Family == 0 {
				r.msg.Family = uint8(p.family)
			}
			r.dst = &p
		}
	}
	if r.dst == nil {
		return nil, script.Errorf(exitErr, "need at least a destination address")
	}
	if r.msg.Family == 0 {
		r.msg.Family = unix.AF_INET
	}
	if r.msg.Family == unix.AF_INET {
		r.msg.Flags |= unix.RTM_F_LOOKUP_TABLE
	}
	if r.connected && r.src == nil {
		return nil, script.Errorf(exitUsage, "ip route get connected: not implemented by netscript")
	}
	return script.ActionFunc(func(s *script.State) error {
		return routeGet(s, g, r)
	}), nil
}

func routeGet(s *script.State, g *globals, r routeGetRequest) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	var warning string
	msg := r.msg
	hostLen := 32
	if msg.Family == unix.AF_INET6 {
		hostLen = 128
	}
	msg.Dst_len = uint8(r.dst.bitlen)
	if r.dst.bitlen != hostLen {
		warning = fmt.Sprintf("Warning: /%d as prefix is invalid, only /%d (or none) is supported.\n", r.dst.bitlen, hostLen)
		msg.Dst_len = uint8(hostLen)
	}
	req, err := s.NS.Request(unix.RTM_GETROUTE, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(&msg)
	if r.src != nil && r.src.bytes() != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_SRC, r.src.bytes()))
	}
	if r.uid != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_UID, nl.Uint32Attr(*r.uid)))
	}
	if b := r.dst.bytes(); b != nil {
		req.AddData(nl.NewRtAttr(unix.RTA_DST, b))
	}
	fmt.Fprint(s.Stderr, warning)
	for _, d := range []struct {
		name string
		attr int
	}{{r.idev, unix.RTA_IIF}, {r.odev, unix.RTA_OIF}} {
		if d.name == "" {
			continue
		}
		index, err := linkIndex(s, d.name)
		if err != nil {
			return err
		}
		req.AddData(nl.NewRtAttr(d.attr, nl.Uint32Attr(uint32(index))))
	}
	if r.mark != 0 {
		req.AddData(nl.NewRtAttr(unix.RTA_MARK, nl.Uint32Attr(r.mark)))
	}
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWROUTE)
	if err != nil {
		return kernelError(s, err)
	}
	if len(msgs) == 0 {
		return s.Fail(exitKernel, "RTNETLINK answers: %s", script.Strerror(unix.ENETUNREACH))
	}
	rt, err := decodeRoute(msgs[0])
	if err != nil {
		return err
	}
	p := jsonw.NewPrinter(g.json, g.pretty)
	p.Begin()
	printRoute(p, rt, names, &routeFilter{cloned: 2, mdst: inetPrefix{bitlen: -1}, msrc: inetPrefix{bitlen: -1}}, showOpts(s, g), false)
	p.End()
	_, err = s.Stdout.Write(p.Buf.Bytes())
	return err
}
