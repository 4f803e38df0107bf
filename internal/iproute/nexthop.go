package iproute

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/jsonw"
	"github.com/netscript/netscript/script"
)

// "ip nexthop": the kernel's nexthop objects, as iproute2 6.1's
// ip/ipnexthop.c adds, deletes, lists, flushes and prints them.

// The NHA_* attributes (linux/nexthop.h).
const (
	nhaID        = 1
	nhaGroup     = 2
	nhaGroupType = 3
	nhaBlackhole = 4
	nhaOIF       = 5
	nhaGateway   = 6
	nhaEncapType = 7
	nhaEncap     = 8
	nhaGroups    = 9
	nhaMaster    = 10
	nhaFDB       = 11
	nhaResGroup  = 12
)

// nhmsg is struct nhmsg: family, scope, protocol, a reserved byte, flags.
type nhmsg struct {
	family, scope, protocol uint8
	flags                   uint32
}

func (m *nhmsg) Len() int { return 8 }
func (m *nhmsg) Serialize() []byte {
	b := []byte{m.family, m.scope, m.protocol, 0, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(b[4:], m.flags)
	return b
}

// nexthopUsage is ip/ipnexthop.c's usage().
const nexthopUsage = "Usage: ip nexthop { list | flush } [ protocol ID ] SELECTOR\n" +
	"       ip nexthop { add | replace } id ID NH [ protocol ID ]\n" +
	"       ip nexthop { get | del } id ID\n" +
	"       ip nexthop bucket list BUCKET_SELECTOR\n" +
	"       ip nexthop bucket get id ID index INDEX\n" +
	"SELECTOR := [ id ID ] [ dev DEV ] [ vrf NAME ] [ master DEV ]\n" +
	"            [ groups ] [ fdb ]\n" +
	"BUCKET_SELECTOR := SELECTOR | [ nhid ID ]\n" +
	"NH := { blackhole | [ via ADDRESS ] [ dev DEV ] [ onlink ]\n" +
	"        [ encap ENCAPTYPE ENCAPHDR ] |\n" +
	"        group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] }\n" +
	"GROUP := [ <id[,weight]>/<id[,weight]>/... ]\n" +
	"TYPE := { mpath | resilient }\n" +
	"TYPE_ARGS := [ RESILIENT_ARGS ]\n" +
	"RESILIENT_ARGS := [ buckets BUCKETS ] [ idle_timer IDLE ]\n" +
	"                  [ unbalanced_timer UNBALANCED ]\n" +
	"ENCAPTYPE := [ mpls ]\n" +
	"ENCAPHDR := [ MPLSLABEL ]"

// parseNexthop parses "ip nexthop ..." as do_ipnh dispatches it.
func parseNexthop(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return parseNexthopList(g, a, false)
	}
	modify := func(msgType, flags int) (script.Action, error) {
		if err := g.refuse("ip nexthop "+list[0], optsChange); err != nil {
			return nil, err
		}
		return parseNexthopModify(g, a, msgType, flags)
	}
	switch cmd := a.next(); {
	case matches(cmd, "add"):
		return modify(unix.RTM_NEWNEXTHOP, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	case matches(cmd, "replace"):
		return modify(unix.RTM_NEWNEXTHOP, unix.NLM_F_CREATE|unix.NLM_F_REPLACE)
	case matches(cmd, "delete"):
		return modify(unix.RTM_DELNEXTHOP, 0)
	case matches(cmd, "list"), matches(cmd, "show"), matches(cmd, "lst"):
		return parseNexthopList(g, a, false)
	case matches(cmd, "get"):
		return parseNexthopGet(g, a)
	case matches(cmd, "flush"):
		return parseNexthopList(g, a, true)
	case matches(cmd, "bucket"):
		return nil, script.Unimplemented(exitUsage, "ip nexthop bucket: not implemented by netscript")
	case matches(cmd, "help"):
		return nil, script.Errorf(exitUsage, "%s", nexthopUsage)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip nexthop help\".", cmd)
	}
}

// nexthopID is ipnh_parse_id.
func nexthopID(v string) (uint32, error) {
	n, ok := getUnsigned(v)
	if !ok {
		return 0, invalidName("invalid id value", v)
	}
	return n, nil
}

// getUnsigned is iproute2's get_unsigned(&v, s, 0).
func getUnsigned(v string) (uint32, bool) {
	if v == "" {
		return 0, false
	}
	n, ok := cnum.GetUint(v, math.MaxUint32)
	return uint32(n), ok
}

// nexthopRequest is one parsed "ip nexthop add|replace|del".
type nexthopRequest struct {
	msg   nhmsg
	attrs []*nl.RtAttr
	devs  []string // "dev" names, looked up when the command runs, in order
}

// parseNexthopModify parses ipnh_modify's arguments.
func parseNexthopModify(g *globals, a *args, msgType, flags int) (script.Action, error) {
	r := nexthopRequest{msg: nhmsg{family: uint8(g.family)}}
	var nhFlags uint32
	for a.more() {
		word := a.next()
		switch {
		case word == "id":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			id, err := nexthopID(v)
			if err != nil {
				return nil, err
			}
			r.attrs = append(r.attrs, nl.NewRtAttr(nhaID, nl.Uint32Attr(id)))
		case word == "dev":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			r.devs = append(r.devs, v)
			r.attrs = append(r.attrs, nil) // NHA_OIF, filled in when run
			if r.msg.family == 0 {
				r.msg.family = unix.AF_INET
			}
		case word == "via":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			family := int(r.msg.family)
			if f, ok := map[string]int{"inet": unix.AF_INET, "inet6": unix.AF_INET6}[v]; ok {
				family = f
				if v, err = a.value(word); err != nil {
					return nil, err
				}
			}
			p, ok := getPrefix1(v, family)
			if !ok || strings.Contains(v, "/") || p.family == 0 {
				return nil, script.Errorf(exitErr, "Error: %s address is expected rather than %q.", familyName(family), v)
			}
			if r.msg.family == 0 {
				r.msg.family = uint8(p.family)
			} else if int(r.msg.family) != p.family {
				return nil, invalidArg("address family mismatch", v)
			}
			r.attrs = append(r.attrs, nl.NewRtAttr(nhaGateway, p.bytes()))
		case word == "encap":
			return nil, script.Unimplemented(exitUsage, "ip nexthop: \"encap\" is not implemented by netscript")
		case word == "blackhole":
			r.attrs = append(r.attrs, nl.NewRtAttr(nhaBlackhole, nil))
			if r.msg.family == 0 {
				r.msg.family = unix.AF_INET
			}
		case word == "fdb":
			r.attrs = append(r.attrs, nl.NewRtAttr(nhaFDB, nil))
		case word == "onlink":
			nhFlags |= unix.RTNH_F_ONLINK
		case word == "group":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			grp, err := nexthopGroup(v)
			if err != nil {
				return nil, err
			}
			r.attrs = append(r.attrs, nl.NewRtAttr(nhaGroup, grp))
		case word == "type":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			switch v {
			case "mpath":
				r.attrs = append(r.attrs, nl.NewRtAttr(nhaGroupType, nl.Uint16Attr(0)))
			case "resilient":
				return nil, script.Unimplemented(exitUsage, "ip nexthop: resilient groups are not implemented by netscript")
			default:
				return nil, invalidArg(`"type" value is invalid`, v)
			}
		case matches(word, "protocol"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			p, ok := byName(protoNames, v, 255)
			if !ok {
				return nil, invalidArg(`"protocol" value is invalid`, v)
			}
			r.msg.protocol = uint8(p)
		case word == "help":
			return nil, script.Errorf(exitUsage, "%s", nexthopUsage)
		default:
			return nil, invalidName("", word)
		}
	}
	r.msg.flags = nhFlags
	return script.ActionFunc(func(s *script.State) error {
		req, err := s.NS.Request(msgType, flags|unix.NLM_F_ACK)
		if err != nil {
			return err
		}
		req.AddData(&r.msg)
		devs := r.devs
		for _, at := range r.attrs {
			if at == nil {
				l, err := findLink(s, devs[0], exitUsage, "Error: argument %q is wrong: Device does not exist\n")
				if err != nil {
					return err
				}
				at = nl.NewRtAttr(nhaOIF, nl.Uint32Attr(uint32(l.Attrs().Index)))
				devs = devs[1:]
			}
			req.AddData(at)
		}
		if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
			return kernelError(s, err)
		}
		return nil
	}), nil
}

// nexthopGroup is add_nh_group_attr: "ID[,WEIGHT]/..." as struct
// nexthop_grp entries (id u32, weight-1 u8, two reserved bytes).
func nexthopGroup(v string) ([]byte, error) {
	// add_nh_group_attr cuts the string at each "/" and "," as it reads
	// it, so invarg shows what is left of it: the first id.
	first, _, _ := strings.Cut(v, "/")
	first, _, _ = strings.Cut(first, ",")
	bad := invalidArg(`"group" value is invalid`, first)
	if v == "" {
		return nil, bad
	}
	var b []byte
	for _, part := range strings.Split(v, "/") {
		idText, wText, hasW := strings.Cut(part, ",")
		id, ok := getUnsigned(idText)
		if !ok {
			return nil, bad
		}
		var w uint32 = 1
		if hasW {
			if w, ok = getUnsigned(wText); !ok || w == 0 || w > 256 {
				return nil, invalidArg(`"weight" is invalid`, wText)
			}
		}
		e := make([]byte, 8)
		binary.NativeEndian.PutUint32(e, id)
		e[4] = uint8(w - 1)
		b = append(b, e...)
	}
	return b, nil
}

// nexthopFilter is ipnexthop.c's filter for list and flush.
type nexthopFilter struct {
	dev, master string
	groups, fdb bool
	proto       uint32
	id          *uint32
	all         bool // flush without arguments: groups first, then the rest
}

// parseNexthopList parses ipnh_list_flush's arguments.
func parseNexthopList(g *globals, a *args, flush bool) (script.Action, error) {
	what := "ip nexthop show"
	honoured := optBrief | optJSON | optDetails | optStats | optOneline | optNumeric
	if flush {
		what, honoured = "ip nexthop flush", optsChange&^(optStats|optJSON|optBrief|optOneline|optDetails)
	}
	if err := g.refuse(what, honoured); err != nil {
		return nil, err
	}
	f := nexthopFilter{all: !a.more()}
	for a.more() {
		word := a.next()
		switch {
		case matches(word, "dev"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			f.dev = v
		case matches(word, "groups"):
			f.groups = true
		case matches(word, "master"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			f.master = v
		case matches(word, "vrf"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			return nil, invalidArg("Invalid VRF", v) // netscript makes no VRF devices
		case word == "id":
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			id, err := nexthopID(v)
			if err != nil {
				return nil, err
			}
			f.id = &id
			a.list = nil // ipnh_list_flush_id: the rest is not read
		case matches(word, "protocol"):
			v, err := a.value(word)
			if err != nil {
				return nil, err
			}
			p, ok := getUnsigned(v)
			if !ok {
				return nil, invalidName("invalid protocol value", v)
			}
			f.proto = p
		case matches(word, "fdb"):
			f.fdb = true
		case matches(word, "help"):
			return nil, script.Errorf(exitUsage, "%s", nexthopUsage)
		default:
			return nil, invalidName("", word)
		}
	}
	return script.ActionFunc(func(s *script.State) error {
		if f.id != nil {
			if flush {
				return nexthopDelete(s, *f.id)
			}
			return nexthopGet(s, g, *f.id)
		}
		var oif, master int
		for _, d := range []struct {
			name string
			to   *int
		}{{f.dev, &oif}, {f.master, &master}} {
			if d.name == "" {
				continue
			}
			l, err := findLink(s, d.name, exitUsage, "Error: argument %q is wrong: Device does not exist\n")
			if err != nil {
				return err
			}
			*d.to = l.Attrs().Index
		}
		if flush {
			return nexthopFlush(s, g, f, oif, master)
		}
		msgs, err := nexthopDump(s, g, f, oif, master, f.groups)
		if err != nil {
			return err
		}
		return printNexthops(s, g, msgs, f.proto)
	}), nil
}

// nexthopDump is rtnl_nexthopdump_req with nh_dump_filter's attributes.
func nexthopDump(s *script.State, g *globals, f nexthopFilter, oif, master int, groups bool) ([][]byte, error) {
	req, err := s.NS.Request(unix.RTM_GETNEXTHOP, unix.NLM_F_DUMP)
	if err != nil {
		return nil, err
	}
	req.AddData(&nhmsg{family: uint8(g.family)})
	if oif != 0 {
		req.AddData(nl.NewRtAttr(nhaOIF, nl.Uint32Attr(uint32(oif))))
	}
	if groups {
		req.AddData(nl.NewRtAttr(nhaGroups, nil))
	}
	if master != 0 {
		req.AddData(nl.NewRtAttr(nhaMaster, nl.Uint32Attr(uint32(master))))
	}
	if f.fdb {
		req.AddData(nl.NewRtAttr(nhaFDB, nil))
	}
	msgs, err := dump(s.NS, req, unix.RTM_NEWNEXTHOP)
	if err != nil {
		return nil, kernelError(s, err)
	}
	return msgs, nil
}

// nexthopFlush is ipnh_flush: delete what the filter dumps; without
// arguments, the groups first, then everything.
func nexthopFlush(s *script.State, g *globals, f nexthopFilter, oif, master int) error {
	flushed := 0
	rounds := []bool{f.groups}
	if f.all {
		rounds = []bool{true, false}
	}
	for _, groups := range rounds {
		msgs, err := nexthopDump(s, g, f, oif, master, groups)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			nh, ok := parseNhmsg(m)
			if !ok || (f.proto != 0 && uint32(nh.protocol) != f.proto) || nh.id == 0 {
				continue
			}
			if nexthopDelete(s, nh.id) == nil {
				flushed++
			}
		}
	}
	if flushed == 0 {
		_, err := fmt.Fprintln(s.Stdout, "Nothing to flush")
		return err
	}
	_, err := fmt.Fprintf(s.Stdout, "Flushed %d nexthops\n", flushed)
	return err
}

// nexthopDelete is delete_nexthop.
func nexthopDelete(s *script.State, id uint32) error {
	req, err := s.NS.Request(unix.RTM_DELNEXTHOP, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(&nhmsg{})
	req.AddData(nl.NewRtAttr(nhaID, nl.Uint32Attr(id)))
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	return nil
}

// parseNexthopGet parses "ip nexthop get id ID".
func parseNexthopGet(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip nexthop get", optBrief|optJSON|optDetails|optStats|optOneline|optNumeric); err != nil {
		return nil, err
	}
	var id uint32
	for a.more() {
		word := a.next()
		if word != "id" {
			return nil, script.Errorf(exitUsage, "%s", nexthopUsage)
		}
		v, err := a.value(word)
		if err != nil {
			return nil, err
		}
		if id, err = nexthopID(v); err != nil {
			return nil, err
		}
	}
	if id == 0 {
		return nil, script.Errorf(exitUsage, "%s", nexthopUsage)
	}
	return script.ActionFunc(func(s *script.State) error { return nexthopGet(s, g, id) }), nil
}

// nexthopGet is ipnh_get_id.
func nexthopGet(s *script.State, g *globals, id uint32) error {
	req, err := s.NS.Request(unix.RTM_GETNEXTHOP, 0)
	if err != nil {
		return err
	}
	req.AddData(&nhmsg{family: uint8(g.family)})
	req.AddData(nl.NewRtAttr(nhaID, nl.Uint32Attr(id)))
	msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWNEXTHOP)
	if err != nil {
		return kernelError(s, err)
	}
	return printNexthops(s, g, msgs, 0)
}

// nexthopEntry is a parsed RTM_NEWNEXTHOP (ipnh_parse_nhmsg).
type nexthopEntry struct {
	nhmsg
	id        uint32
	oif       int
	gateway   []byte
	group     []byte
	groupType *uint16
	blackhole bool
	fdb       bool
	resGroup  bool
	encap     bool
}

func parseNhmsg(m []byte) (nexthopEntry, bool) {
	var e nexthopEntry
	if len(m) < 8 {
		return e, false
	}
	e.family, e.scope, e.protocol = m[0], m[1], m[2]
	e.flags = binary.NativeEndian.Uint32(m[4:8])
	tb := rtattr.Parse(m[8:])
	e.id = tb.U32(nhaID)
	e.oif = int(tb.U32(nhaOIF))
	if v := tb[nhaGroupType]; len(v) >= 2 {
		t := tb.U16(nhaGroupType)
		e.groupType = &t
	}
	e.gateway = tb[nhaGateway]
	e.group = tb[nhaGroup]
	e.blackhole = tb.Has(nhaBlackhole)
	e.fdb = tb.Has(nhaFDB)
	e.resGroup = tb.Has(nhaResGroup)
	e.encap = tb.Has(nhaEncap)
	return e, true
}

// printNexthops prints the entries as print_nexthop_nocache does, one a
// line, inside a JSON array with -j.
func printNexthops(s *script.State, g *globals, msgs [][]byte, proto uint32) error {
	names, err := linkNames(s.NS)
	if err != nil {
		return err
	}
	p := jsonw.NewPrinter(g.json, g.pretty)
	p.Begin()
	for _, m := range msgs {
		e, ok := parseNhmsg(m)
		if !ok {
			return fmt.Errorf("ip nexthop: a short nexthop message")
		}
		if proto != 0 && uint32(e.protocol) != proto {
			continue
		}
		if e.resGroup || e.encap {
			return s.Fail(exitErr, "ip nexthop: printing resilient groups and encapsulations is not implemented by netscript")
		}
		printNexthop(p, e, names, "", g.details, g.numeric)
		p.Text("\n")
	}
	p.End()
	_, err = s.Stdout.Write(p.Buf.Bytes())
	return err
}

// printNexthop is __print_nexthop_entry.
// key names the JSON object ("" in an array).
func printNexthop(p *jsonw.Printer, e nexthopEntry, names map[int]string, key string, details int, numeric bool) {
	p.OpenObject(key)
	p.Uint(jsonw.Any, "id", "id %d ", int64(e.id))
	if len(e.group) >= 8 && len(e.group)%8 == 0 {
		p.OpenArray(jsonw.JSON, "group", "")
		p.Text("group ")
		for i := 0; i+8 <= len(e.group); i += 8 {
			p.OpenObject("")
			if i > 0 {
				p.Text("/")
			}
			p.Uint(jsonw.Any, "id", "%d", int64(binary.NativeEndian.Uint32(e.group[i:])))
			if w := e.group[i+4]; w != 0 {
				p.Uint(jsonw.Any, "weight", ",%d", int64(w)+1)
			}
			p.CloseObject()
		}
		p.Text(" ")
		p.CloseArray(jsonw.JSON, "")
	}
	if e.groupType != nil && *e.groupType != 0 {
		p.Str(jsonw.Any, "type", "type %s ", fmt.Sprint(*e.groupType))
	}
	if len(e.gateway) > 0 {
		if gw, ok := netip.AddrFromSlice(e.gateway); ok {
			printGateway(p, gw)
		}
	}
	if e.oif != 0 {
		printIfidx(p, "dev", linkName(names, e.oif))
	}
	if e.scope != unix.RT_SCOPE_UNIVERSE || details > 0 {
		p.Str(jsonw.Any, "scope", "scope %s ", rtName(scopeNames, int(e.scope), numeric))
	}
	if e.blackhole {
		p.Null(jsonw.Any, "blackhole", "blackhole ")
	}
	if e.protocol != unix.RTPROT_UNSPEC || details > 0 {
		p.Str(jsonw.Any, "protocol", "proto %s ", rtName(protoNames, int(e.protocol), numeric))
	}
	printRouteFlags(p, e.flags)
	if e.fdb {
		p.Null(jsonw.Any, "fdb", "fdb")
	}
	p.CloseObject()
}

// nexthopCache is ipnh_cache_get/ipnh_cache_add: each nexthop object a
// route show names, asked for once (nil without -d, which alone prints
// them).
func nexthopCache(s *script.State, g *globals) func(id uint32) (nexthopEntry, bool) {
	if g.details == 0 {
		return nil
	}
	cache := map[uint32]*nexthopEntry{}
	return func(id uint32) (nexthopEntry, bool) {
		if e, ok := cache[id]; ok {
			if e == nil {
				return nexthopEntry{}, false
			}
			return *e, true
		}
		cache[id] = nil
		req, err := s.NS.Request(unix.RTM_GETNEXTHOP, 0)
		if err != nil {
			return nexthopEntry{}, false
		}
		req.AddData(&nhmsg{})
		req.AddData(nl.NewRtAttr(nhaID, nl.Uint32Attr(id)))
		msgs, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWNEXTHOP)
		if err != nil || len(msgs) == 0 {
			return nexthopEntry{}, false
		}
		e, ok := parseNhmsg(msgs[0])
		if !ok {
			return nexthopEntry{}, false
		}
		cache[id] = &e
		return e, true
	}
}
