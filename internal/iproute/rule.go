package iproute

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// "ip rule": the routing policy database, as iproute2 6.1's ip/iprule.c
// adds, deletes, lists and flushes it.

// Rule attributes (linux/fib_rules.h).
const (
	fraDst               = 1
	fraSrc               = 2
	fraIifname           = 3
	fraGoto              = 4
	fraPriority          = 6
	fraFwmark            = 10
	fraFlow              = 11
	fraTunID             = 12
	fraSuppressIfgroup   = 13
	fraSuppressPrefixlen = 14
	fraTable             = 15
	fraFwmask            = 16
	fraOifname           = 17
	fraL3mdev            = 19
	fraUIDRange          = 20
	fraProtocol          = 21
	fraIPProto           = 22
	fraSportRange        = 23
	fraDportRange        = 24
)

// Rule actions and flags.
const (
	frActToTbl = 1
	frActGoto  = 2
	frActNop   = 3

	fibRuleInvert       = 0x2
	fibRuleUnresolved   = 0x4
	fibRuleIifDetached  = 0x8
	fibRuleOifDetached  = 0x10
	sizeofFibRuleHeader = 12
)

// fibRuleHdr is struct fib_rule_hdr.
type fibRuleHdr struct {
	family, dstLen, srcLen, tos, table, res1, res2, action uint8
	flags                                                  uint32
}

func (h *fibRuleHdr) Len() int { return sizeofFibRuleHeader }
func (h *fibRuleHdr) Serialize() []byte {
	b := []byte{h.family, h.dstLen, h.srcLen, h.tos, h.table, h.res1, h.res2, h.action, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(b[8:], h.flags)
	return b
}

// ruleRequest is one parsed "ip rule add|del".
type ruleRequest struct {
	hdr   fibRuleHdr
	attrs []*nl.RtAttr
}

// parseRule parses "ip rule ...", dispatching as do_iprule does.
func parseRule(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return parseRuleList(g, a, false)
	}
	switch cmd := a.next(); {
	case matches(cmd, "list") || matches(cmd, "lst") || matches(cmd, "show"):
		return parseRuleList(g, a, false)
	case matches(cmd, "save"), matches(cmd, "restore"), matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "ip rule %s: not implemented by netscript", cmd)
	case matches(cmd, "add"):
		return parseRuleModify(g, a, unix.RTM_NEWRULE)
	case matches(cmd, "delete"):
		return parseRuleModify(g, a, unix.RTM_DELRULE)
	case matches(cmd, "flush"):
		return parseRuleList(g, a, true)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip rule help\".", cmd)
	}
}

// parseRuleModify is iprule_modify's parser.
func parseRuleModify(g *globals, a *args, cmd int) (script.Action, error) {
	what := map[int]string{unix.RTM_NEWRULE: "add", unix.RTM_DELRULE: "del"}[cmd]
	if err := g.refuse("ip rule "+what, optsChange); err != nil {
		return nil, err
	}
	r := ruleRequest{}
	r.hdr.family = uint8(g.family)
	flags := 0
	if !a.more() {
		return nil, script.Errorf(exitErr, "\"ip rule %s\" requires arguments.", what)
	}
	if cmd == unix.RTM_NEWRULE {
		flags = unix.NLM_F_CREATE | unix.NLM_F_EXCL
		r.hdr.action = frActToTbl
	}
	add := func(typ int, b []byte) { r.attrs = append(r.attrs, nl.NewRtAttr(typ, b)) }
	u32 := func(typ int, v uint32) { add(typ, nl.Uint32Attr(v)) }
	tableOK := false
	for a.more() {
		word := a.next()
		need := func() (string, error) { return a.value(word) }
		switch {
		case word == "not":
			r.hdr.flags |= fibRuleInvert
		case word == "from" || word == "to":
			v, err := need()
			if err != nil {
				return nil, err
			}
			p, err := getPrefix(v, int(r.hdr.family))
			if err != nil {
				return nil, err
			}
			if word == "from" {
				r.hdr.srcLen = uint8(p.bitlen)
				add(fraSrc, p.bytes())
			} else {
				r.hdr.dstLen = uint8(p.bitlen)
				add(fraDst, p.bytes())
			}
		case matches(word, "preference") || matches(word, "order") || matches(word, "priority"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			n, ok := cnum.GetU32(v)
			if !ok {
				return nil, invalidArg("preference value is invalid", v)
			}
			u32(fraPriority, n)
		case word == "fwmark":
			v, err := need()
			if err != nil {
				return nil, err
			}
			markText, maskText, slash := strings.Cut(v, "/")
			mark, ok := cnum.GetU32(markText)
			if !ok {
				return nil, invalidArg("fwmark value is invalid", markText)
			}
			u32(fraFwmark, mark)
			if slash {
				mask, ok := cnum.GetU32(maskText)
				if !ok {
					return nil, invalidArg("fwmask value is invalid", maskText)
				}
				u32(fraFwmask, mask)
			}
		case matches(word, "protocol"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			p, ok := byName(protoNames, v, 255)
			if !ok {
				return nil, invalidArg(`"protocol" value is invalid`, v)
			}
			add(fraProtocol, []byte{uint8(p)})
		case matches(word, "table") || word == "lookup":
			v, err := need()
			if err != nil {
				return nil, err
			}
			t, ok := byName(tableNames, v, 1<<32-1)
			if !ok {
				return nil, invalidArg("invalid table ID", v)
			}
			if t < 256 {
				r.hdr.table = uint8(t)
			} else {
				r.hdr.table = unix.RT_TABLE_UNSPEC
				u32(fraTable, uint32(t))
			}
			tableOK = true
		case matches(word, "suppress_prefixlength") || word == "sup_pl":
			v, err := need()
			if err != nil {
				return nil, err
			}
			n, ok := cnum.GetU32(v) // get_s32, then not negative
			if !ok || n > 1<<31-1 {
				return nil, invalidArg("suppress_prefixlength value is invalid", v)
			}
			u32(fraSuppressPrefixlen, uint32(n))
		case word == "dev" || word == "iif" || word == "oif":
			v, err := need()
			if err != nil {
				return nil, err
			}
			if !ipshow.CheckIfname(v) {
				if word == "oif" {
					return nil, invalidName(`"oif" not a valid ifname`, v)
				}
				return nil, invalidName(`"iif"/"dev" not a valid ifname`, v)
			}
			typ := fraIifname
			if word == "oif" {
				typ = fraOifname
			}
			add(typ, append([]byte(v), 0))
		case word == "uidrange":
			v, err := need()
			if err != nil {
				return nil, err
			}
			start, end, ok := scanRange(v, 1<<32-1, false)
			if !ok {
				return nil, invalidArg("invalid UID range", v)
			}
			b := make([]byte, 8)
			binary.NativeEndian.PutUint32(b, uint32(start))
			binary.NativeEndian.PutUint32(b[4:], uint32(end))
			add(fraUIDRange, b)
		case word == "sport" || word == "dport":
			v, err := need()
			if err != nil {
				return nil, err
			}
			start, end, err := portRange(word, v)
			if err != nil {
				return nil, err
			}
			b := make([]byte, 4)
			binary.NativeEndian.PutUint16(b, start)
			binary.NativeEndian.PutUint16(b[2:], end)
			typ := fraSportRange
			if word == "dport" {
				typ = fraDportRange
			}
			add(typ, b)
		case word == "tos" || matches(word, "dsfield"), matches(word, "realms"), matches(word, "tun_id"),
			matches(word, "suppress_ifgroup"), word == "sup_group", word == "l3mdev",
			word == "nat", matches(word, "map-to"), word == "ipproto":
			return nil, script.Errorf(exitUsage, "ip rule %s %s: not implemented by netscript", what, word)
		default:
			if word == "type" {
				v, err := need()
				if err != nil {
					return nil, err
				}
				word = v
			}
			switch {
			case matches(word, "help"):
				return nil, script.Errorf(exitUsage, "ip rule help: not implemented by netscript")
			case matches(word, "goto"):
				v, err := need()
				if err != nil {
					return nil, err
				}
				n, ok := cnum.GetU32(v)
				if !ok {
					return nil, invalidArg("invalid target", v)
				}
				u32(fraGoto, n)
				r.hdr.action = frActGoto
			case matches(word, "nop"):
				r.hdr.action = frActNop
			default:
				t, ok := rtnTypeA2N(word)
				if !ok {
					return nil, invalidName("Failed to parse rule type", word)
				}
				r.hdr.action = uint8(t)
			}
			tableOK = true
		}
	}
	if r.hdr.family == 0 {
		r.hdr.family = unix.AF_INET
	}
	if !tableOK && cmd == unix.RTM_NEWRULE {
		r.hdr.table = unix.RT_TABLE_MAIN
	}
	return script.ActionFunc(func(s *script.State) error {
		req, err := s.NS.Request(cmd, flags|unix.NLM_F_ACK)
		if err != nil {
			return err
		}
		req.AddData(&r.hdr)
		for _, at := range r.attrs {
			req.AddData(at)
		}
		if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
			return kernelError(s, err)
		}
		return nil
	}), nil
}

// rtnTypeA2N is rtnl_rtntype_a2n: a route type's name or number.
func rtnTypeA2N(v string) (int, bool) {
	switch {
	case v == "local":
		return unix.RTN_LOCAL, true
	case v == "nat":
		return unix.RTN_NAT, true
	case matches(v, "broadcast") || v == "brd":
		return unix.RTN_BROADCAST, true
	case matches(v, "anycast"):
		return unix.RTN_ANYCAST, true
	case matches(v, "multicast"):
		return unix.RTN_MULTICAST, true
	case matches(v, "prohibit"):
		return unix.RTN_PROHIBIT, true
	case matches(v, "unreachable"):
		return unix.RTN_UNREACHABLE, true
	case matches(v, "blackhole"):
		return unix.RTN_BLACKHOLE, true
	case matches(v, "xresolve"):
		return unix.RTN_XRESOLVE, true
	case matches(v, "unicast"):
		return unix.RTN_UNICAST, true
	case matches(v, "throw"):
		return unix.RTN_THROW, true
	}
	n, ok := cnum.GetU32(v)
	return int(n), ok && n <= 255
}

// scanRange is sscanf("%u-%u") (or "%hu-%hu" with one allowed): a number,
// optionally "-" and another.
func scanRange(v string, limit uint64, oneOK bool) (uint64, uint64, bool) {
	a, rest, ok := cnum.Strtoul(v)
	if !ok || a > limit {
		return 0, 0, false
	}
	if !strings.HasPrefix(rest, "-") {
		return a, a, oneOK
	}
	b, _, ok := cnum.Strtoul(rest[1:])
	if !ok || b > limit {
		return a, a, oneOK
	}
	return a, b, true
}

// ruleFilter is iprule.c's filter.
type ruleFilter struct {
	family       int
	pref         uint32
	prefMask     bool
	not          bool
	fwmark       uint32
	fwmask       uint32
	iif, oif     string
	tb           int
	src, dst     inetPrefix
	protocol     int
	protocolMask int
	uidRange     *[2]uint32
	sport, dport [2]uint16
}

// parseRuleList parses "ip rule list|flush [SELECTORS]".
func parseRuleList(g *globals, a *args, flush bool) (script.Action, error) {
	if flush {
		if err := g.refuse("ip rule flush", optsChange); err != nil {
			return nil, err
		}
	} else if err := g.refuse("ip rule show", optBrief|optJSON|optDetails|optStats|optOneline|optNumeric|optAll); err != nil {
		return nil, err
	}
	f := ruleFilter{family: g.family}
	if f.family == 0 {
		f.family = unix.AF_INET
	}
	for a.more() {
		word := a.next()
		need := func() (string, error) { return a.value(word) }
		switch {
		case matches(word, "preference") || matches(word, "order") || matches(word, "priority"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			n, ok := cnum.GetU32(v)
			if !ok {
				return nil, invalidArg("preference value is invalid", v)
			}
			f.pref, f.prefMask = n, true
		case word == "not":
			f.not = true
		case word == "fwmark":
			v, err := need()
			if err != nil {
				return nil, err
			}
			markText, maskText, slash := strings.Cut(v, "/")
			mark, ok := cnum.GetU32(markText)
			if !ok {
				return nil, invalidArg("fwmark value is invalid", markText)
			}
			f.fwmark = mark
			if slash {
				mask, ok := cnum.GetU32(maskText)
				if !ok {
					return nil, invalidArg("fwmask value is invalid", maskText)
				}
				f.fwmask = mask
			}
		case word == "dev" || word == "iif" || word == "oif":
			v, err := need()
			if err != nil {
				return nil, err
			}
			if !ipshow.CheckIfname(v) {
				if word == "oif" {
					return nil, invalidName(`"oif" not a valid ifname`, v)
				}
				return nil, invalidName(`"iif"/"dev" not a valid ifname`, v)
			}
			if word == "oif" {
				f.oif = v
			} else {
				f.iif = v
			}
		case matches(word, "lookup") || matches(word, "table"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			t, ok := byName(tableNames, v, 1<<32-1)
			if !ok {
				return nil, invalidArg("table id value is invalid", v)
			}
			f.tb = t
		case matches(word, "from") || matches(word, "src"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			p, err := getPrefix(v, f.family)
			if err != nil {
				return nil, err
			}
			f.src = p
		case matches(word, "protocol"):
			v, err := need()
			if err != nil {
				return nil, err
			}
			f.protocolMask = -1
			p, ok := byName(protoNames, v, 255)
			if !ok {
				if v != "all" {
					return nil, invalidArg(`invalid "protocol"`, v)
				}
				p, f.protocolMask = 0, 0
			}
			f.protocol = p
		case word == "uidrange":
			v, err := need()
			if err != nil {
				return nil, err
			}
			start, end, ok := scanRange(v, 1<<32-1, false)
			if !ok {
				return nil, invalidArg("invalid UID range", v)
			}
			f.uidRange = &[2]uint32{uint32(start), uint32(end)}
		case word == "sport" || word == "dport":
			v, err := need()
			if err != nil {
				return nil, err
			}
			start, end, err := portRange(word, v)
			if err != nil {
				return nil, err
			}
			if word == "sport" {
				f.sport = [2]uint16{start, end}
			} else {
				f.dport = [2]uint16{start, end}
			}
		case word == "tos" || word == "dsfield", word == "l3mdev", matches(word, "tun_id"), word == "ipproto":
			return nil, script.Errorf(exitUsage, "ip rule show %s: not implemented by netscript", word)
		default:
			if matches(word, "dst") || matches(word, "to") {
				v, err := need()
				if err != nil {
					return nil, err
				}
				word = v
			}
			p, err := getPrefix(word, f.family)
			if err != nil {
				return nil, err
			}
			f.dst = p
		}
	}
	return script.ActionFunc(func(s *script.State) error {
		return ruleListOrFlush(s, g, &f, flush)
	}), nil
}

// rule is one RTM_NEWRULE message, decoded.
type rule struct {
	raw   []byte
	hdr   fibRuleHdr
	attrs map[uint16][]byte
}

func (r *rule) u32(t uint16) (uint32, bool) {
	b, ok := r.attrs[t]
	if !ok || len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

func (r *rule) str(t uint16) (string, bool) {
	b, ok := r.attrs[t]
	if !ok {
		return "", false
	}
	if i := strings.IndexByte(string(b), 0); i >= 0 {
		b = b[:i]
	}
	return string(b), true
}

func (r *rule) table() int {
	if t, ok := r.u32(fraTable); ok {
		return int(t)
	}
	return int(r.hdr.table)
}

func decodeRule(m []byte) (*rule, error) {
	if len(m) < sizeofFibRuleHeader {
		return nil, fmt.Errorf("decode rule: %d bytes", len(m))
	}
	r := &rule{raw: m, attrs: map[uint16][]byte{}}
	r.hdr = fibRuleHdr{m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], binary.NativeEndian.Uint32(m[8:12])}
	r.attrs = rtattr.Parse(m[sizeofFibRuleHeader:])
	return r, nil
}

// match is iprule.c's filter_nlmsg.
func (f *ruleFilter) match(r *rule) bool {
	h := r.hdr
	if f.family != 0 && int(h.family) != f.family {
		return false
	}
	if f.prefMask {
		pref, _ := r.u32(fraPriority)
		if pref != f.pref {
			return false
		}
	}
	if f.not && h.flags&fibRuleInvert == 0 {
		return false
	}
	for _, c := range []struct {
		p   inetPrefix
		len uint8
		at  uint16
	}{{f.src, h.srcLen, fraSrc}, {f.dst, h.dstLen, fraDst}} {
		if c.p.family == 0 {
			continue
		}
		if c.p.family != int(h.family) || c.p.bitlen > int(c.len) {
			return false
		}
		if b, ok := r.attrs[c.at]; ok && c.p.bitlen > 0 && !c.p.addrMatch(b, c.p.bitlen) {
			return false
		}
	}
	if f.fwmark != 0 {
		mark, _ := r.u32(fraFwmark)
		if mark != f.fwmark {
			return false
		}
	}
	if f.fwmask != 0 {
		mask, _ := r.u32(fraFwmask)
		if mask != f.fwmask {
			return false
		}
	}
	if f.iif != "" {
		if name, ok := r.str(fraIifname); !ok || name != f.iif {
			return false
		}
	}
	if f.oif != "" {
		if name, ok := r.str(fraOifname); !ok || name != f.oif {
			return false
		}
	}
	if f.uidRange != nil {
		b, ok := r.attrs[fraUIDRange]
		if !ok || len(b) < 8 || binary.NativeEndian.Uint32(b) != f.uidRange[0] || binary.NativeEndian.Uint32(b[4:]) != f.uidRange[1] {
			return false
		}
	}
	for _, c := range []struct {
		want [2]uint16
		at   uint16
	}{{f.sport, fraSportRange}, {f.dport, fraDportRange}} {
		if c.want[0] == 0 {
			continue
		}
		b, ok := r.attrs[c.at]
		if !ok || len(b) < 4 || binary.NativeEndian.Uint16(b) != c.want[0] || binary.NativeEndian.Uint16(b[2:]) != c.want[1] {
			return false
		}
	}
	if f.tb > 0 && f.tb != r.table() {
		return false
	}
	return true
}

// ruleListOrFlush dumps the rules and prints (or deletes) those f selects.
func ruleListOrFlush(s *script.State, g *globals, f *ruleFilter, flush bool) error {
	req, err := s.NS.Request(unix.RTM_GETRULE, unix.NLM_F_DUMP)
	if err != nil {
		return err
	}
	req.AddData(&fibRuleHdr{family: uint8(f.family)})
	msgs, err := dump(s.NS, req, unix.RTM_NEWRULE)
	if err != nil {
		return dumpFailed(s, err, "Dump terminated")
	}
	p := jsonw.NewPrinter(g.json && !flush, g.pretty)
	p.Begin()
	for _, m := range msgs {
		r, err := decodeRule(m)
		if err != nil {
			return err
		}
		if !f.match(r) {
			continue
		}
		if !flush {
			printRule(p, r, g)
			continue
		}
		if proto, ok := r.attrs[fraProtocol]; ok && len(proto) > 0 && (f.protocol^int(proto[0]))&f.protocolMask != 0 {
			continue
		}
		if _, ok := r.attrs[fraPriority]; !ok {
			continue
		}
		del, err := s.NS.Request(unix.RTM_DELRULE, unix.NLM_F_ACK)
		if err != nil {
			return err
		}
		del.AddRawData(r.raw)
		if _, err := del.Execute(unix.NETLINK_ROUTE, 0); err != nil {
			e, ok := kernelError(s, err).(*script.ExitError)
			if !ok {
				return err
			}
			// rtnl_talk's message, then the dump's end, as ip.
			fmt.Fprintln(s.Stderr, "Dump terminated")
			return &script.ExitError{Code: exitErr, Msg: e.Msg + "\n" + "Dump terminated"}
		}
	}
	p.End()
	_, err = s.Stdout.Write(p.Buf.Bytes())
	return err
}

// printRule is print_rule.
func printRule(p *jsonw.Printer, r *rule, g *globals) {
	h := r.hdr
	hostLen := 32
	if h.family == unix.AF_INET6 {
		hostLen = 128
	}
	p.OpenObject("")
	prio, _ := r.u32(fraPriority)
	p.Uint(jsonw.Any, "priority", "%d:\t", int64(prio))
	if h.flags&fibRuleInvert != 0 {
		p.Null(jsonw.Any, "not", "not ")
	}
	addr := func(b []byte) string {
		if a, ok := netipFromSlice(b); ok {
			return a
		}
		return "???"
	}
	if src, ok := r.attrs[fraSrc]; ok {
		p.Text("from ")
		p.Str(jsonw.Any, "src", "%s", addr(src))
		if int(h.srcLen) != hostLen {
			p.Uint(jsonw.Any, "srclen", "/%d", int64(h.srcLen))
		}
	} else if h.srcLen != 0 {
		p.Str(jsonw.Any, "src", "from %s", "0")
		p.Uint(jsonw.Any, "srclen", "/%d", int64(h.srcLen))
	} else {
		p.Str(jsonw.Any, "src", "from %s", "all")
	}
	if dst, ok := r.attrs[fraDst]; ok {
		p.Text(" to ")
		p.Str(jsonw.Any, "dst", "%s", addr(dst))
		if int(h.dstLen) != hostLen {
			p.Uint(jsonw.Any, "dstlen", "/%d", int64(h.dstLen))
		}
	} else if h.dstLen != 0 {
		p.Str(jsonw.Any, "dst", " to %s", "0")
		p.Uint(jsonw.Any, "dstlen", "/%d", int64(h.dstLen))
	}
	if h.tos != 0 {
		p.Str(jsonw.Any, "tos", " tos %s", fmt.Sprintf("0x%02x", h.tos))
	}
	mark, hasMark := r.u32(fraFwmark)
	mask, hasMask := r.u32(fraFwmask)
	if hasMark || hasMask {
		p.Hex(jsonw.Any, "fwmark", " fwmark %#x", uint64(mark))
		if hasMask && mask != 0xffffffff {
			p.Hex(jsonw.Any, "fwmask", "/%#x", uint64(mask))
		}
	}
	if name, ok := r.str(fraIifname); ok {
		p.Text(" iif ")
		p.Str(jsonw.Any, "iif", "%s", name)
		if h.flags&fibRuleIifDetached != 0 {
			p.Null(jsonw.Any, "iif_detached", " [detached]")
		}
	}
	if name, ok := r.str(fraOifname); ok {
		p.Text(" oif ")
		p.Str(jsonw.Any, "oif", "%s", name)
		if h.flags&fibRuleOifDetached != 0 {
			p.Null(jsonw.Any, "oif_detached", " [detached]")
		}
	}
	if b, ok := r.attrs[fraL3mdev]; ok && len(b) > 0 && b[0] != 0 {
		p.Null(jsonw.Any, "l3mdev", " lookup [l3mdev-table]")
	}
	if b, ok := r.attrs[fraUIDRange]; ok && len(b) >= 8 {
		p.Uint(jsonw.Any, "uid_start", " uidrange %d", int64(binary.NativeEndian.Uint32(b)))
		p.Uint(jsonw.Any, "uid_end", "-%d", int64(binary.NativeEndian.Uint32(b[4:])))
	}
	if b, ok := r.attrs[fraIPProto]; ok && len(b) > 0 {
		p.Str(jsonw.Any, "ipproto", " ipproto %s", ipProtoName(b[0]))
	}
	for _, c := range []struct {
		at   uint16
		name string
	}{{fraSportRange, "sport"}, {fraDportRange, "dport"}} {
		if b, ok := r.attrs[c.at]; ok && len(b) >= 4 {
			start, end := binary.NativeEndian.Uint16(b), binary.NativeEndian.Uint16(b[2:])
			if start == end {
				p.Uint(jsonw.Any, c.name, " "+c.name+" %d", int64(start))
			} else {
				p.Uint(jsonw.Any, c.name+"_start", " "+c.name+" %d", int64(start))
				p.Uint(jsonw.Any, c.name+"_end", "-%d", int64(end))
			}
		}
	}
	if b, ok := r.attrs[fraTunID]; ok && len(b) >= 8 {
		p.Uint(jsonw.Any, "tun_id", " tun_id %d", int64(binary.BigEndian.Uint64(b)))
	}
	if t := r.table(); t != 0 {
		p.Str(jsonw.Any, "table", " lookup %s", rtName(tableNames, t, g.numeric))
		if pl, ok := r.u32(fraSuppressPrefixlen); ok && int32(pl) != -1 {
			p.Uint(jsonw.Any, "suppress_prefixlen", " suppress_prefixlength %d", int64(int32(pl)))
		}
		if grp, ok := r.u32(fraSuppressIfgroup); ok && int32(grp) != -1 {
			name := fmt.Sprint(int32(grp))
			if grp == 0 && !g.numeric {
				name = "default"
			}
			p.Str(jsonw.Any, "suppress_ifgroup", " suppress_ifgroup %s", name)
		}
	}
	if flow, ok := r.u32(fraFlow); ok {
		to, from := flow&0xffff, flow>>16
		if from != 0 {
			p.Str(jsonw.Any, "flow_from", " realms %s/", fmt.Sprint(from))
		} else {
			p.Text(" realms ")
		}
		p.Str(jsonw.Any, "flow_to", "%s", fmt.Sprint(to))
	}
	switch h.action {
	case unix.RTN_NAT:
		if gw, ok := r.attrs[unix.RTA_GATEWAY]; ok {
			p.Str(jsonw.Any, "nat_gateway", " map-to %s", addr(gw))
		} else {
			p.Null(jsonw.Any, "masquerade", " masquerade")
		}
	case frActGoto:
		if target, ok := r.u32(fraGoto); ok {
			p.Uint(jsonw.Any, "goto", " goto %d", int64(target))
		} else {
			p.Str(jsonw.Any, "goto", " goto %s", "none")
		}
		if h.flags&fibRuleUnresolved != 0 {
			p.Null(jsonw.Any, "unresolved", " [unresolved]")
		}
	case frActNop:
		p.Null(jsonw.Any, "nop", " nop")
	case frActToTbl:
	default:
		p.Str(jsonw.Any, "action", " %s", rtName(typeNames, int(h.action), g.numeric))
	}
	if b, ok := r.attrs[fraProtocol]; ok && len(b) > 0 {
		if (b[0] != 0 && b[0] != unix.RTPROT_KERNEL) || g.details > 0 {
			p.Str(jsonw.Any, "protocol", " proto %s", rtName(protoNames, int(b[0]), g.numeric))
		}
	}
	p.Text("\n")
	p.CloseObject()
}

// ipProtoName is inet_proto_n2a for the protocols of /etc/protocols a
// rule is likely to name.
func ipProtoName(n uint8) string {
	switch n {
	case 1:
		return "icmp"
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 58:
		return "ipv6-icmp"
	}
	return fmt.Sprint(n)
}

// portRange reads the PORT or PORT-PORT of sport or dport, with ip's
// messages for a bad one.
func portRange(word, v string) (start, end uint16, err error) {
	s, e, ok := scanRange(v, 1<<16-1, true)
	if !ok {
		msg := "invalid port range"
		if word == "dport" {
			msg = "invalid dport range"
		}
		return 0, 0, invalidArg(msg, v)
	}
	return uint16(s), uint16(e), nil
}
