package iproute

import (
	"fmt"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/linkprobe"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// parseLink parses "ip link ...".
func parseLink(g *globals, list []string, _ script.Parser) (script.Action, error) {
	a := &args{list: list}
	if !a.more() {
		return showLinks(g, a)
	}
	if cmd := a.list[0]; !matches(cmd, "show") && !matches(cmd, "list") && cmd != "lst" {
		if err := g.refuse("ip link "+cmd, optsChange); err != nil {
			return nil, err
		}
	}
	switch cmd := a.next(); {
	case matches(cmd, "add"):
		return parseLinkAdd(a)
	case matches(cmd, "set") || matches(cmd, "change"):
		return parseLinkSet(a)
	case matches(cmd, "delete"):
		return parseLinkDel(a)
	case matches(cmd, "show") || matches(cmd, "list") || cmd == "lst":
		return showLinks(g, a)
	default:
		return nil, script.Errorf(exitUsage, "Command %q is unknown, try \"ip link help\".", cmd)
	}
}

// linkAttrs are the attributes "ip link add" and "ip link set" share.
type linkAttrs struct {
	name    string // "name NEW": the new name (set), the new link's name (add)
	mtu     *int32 // nil when not given; sent as the kernel's u32, so -1 is 0xffffffff
	mac     net.HardwareAddr
	netns   string
	txqlen  *int32 // as mtu
	alias   *string
	up      *bool
	master  *string // "" for nomaster
	link    string  // "link DEV": the lower device of a new link
	numtx   *int32  // numtxqueues
	numrx   *int32  // numrxqueues
	group   *int32
	genmode *uint8    // addrgenmode
	mode    *uint8    // "mode default|dormant": IFLA_LINKMODE
	state   *uint8    // "state UP|...": IFLA_OPERSTATE
	kind    string    // "type KIND" of ip link set
	opts    *kindOpts // its options
	// flags and change are the ifinfomsg flags the on/off keywords set
	// (promisc, multicast, allmulticast, trailers, arp, dynamic).
	flags, change uint32
}

// ifAliasSize is IFALIASZ: an alias is shorter.
const ifAliasSize = 256

// onOffFlags are iplink_parse's keywords that set an interface flag: the
// flag, and whether "on" clears it (trailers and arp name its opposite).
var onOffFlags = map[string]struct {
	flag     uint32
	inverted bool
}{
	"multicast": {unix.IFF_MULTICAST, false}, "allmulticast": {unix.IFF_ALLMULTI, false},
	"promisc": {unix.IFF_PROMISC, false}, "trailers": {unix.IFF_NOTRAILERS, true},
	"arp": {unix.IFF_NOARP, true}, "dynamic": {unix.IFF_DYNAMIC, false},
}

// addrGenModes are get_addr_gen_mode's names (compared without case).
var addrGenModes = map[string]uint8{"eui64": 0, "none": 1, "stable_secret": 2, "random": 3}

// operStates are get_operstate's names (compared without case).
var operStates = []string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// parseLinkAttr consumes one attribute keyword and its value, if word is
// one; it reports whether it was.
func parseLinkAttr(word string, a *args, la *linkAttrs) (bool, error) {
	var err error
	kw := linkKeyword(word)
	if notImplemented[kw] {
		if kw != "help" { // each of the others takes a value, asked for first
			if _, err := a.value(word); err != nil {
				return true, err
			}
		}
		return true, script.Unimplemented(exitUsage, "ip link: %q is not implemented by netscript", kw)
	}
	if f, ok := onOffFlags[kw]; ok {
		v, err := a.value(word)
		if err != nil {
			return true, err
		}
		on, err := parseOnOff(kw, v)
		if err != nil {
			return true, err
		}
		la.change |= f.flag
		if *on != f.inverted {
			la.flags |= f.flag
		} else {
			la.flags &^= f.flag
		}
		return true, nil
	}
	switch kw {
	case "up":
		la.up = ptr(true)
	case "down":
		la.up = ptr(false)
	case "mtu":
		la.mtu, err = parseInteger(a, word, "mtu", la.mtu)
	case "address":
		var v string
		if v, err = a.value(word); err == nil {
			la.mac, err = parseMAC(v)
		}
	case "netns":
		var v string
		if v, err = a.value(word); err == nil {
			if la.netns != "" {
				return true, duplicateValue("netns", v)
			}
			la.netns = v
		}
	case "name":
		var v string
		if v, err = a.value(word); err == nil {
			switch {
			case la.name != "":
				err = duplicateValue("name", v)
			case !ipshow.CheckIfname(v):
				err = invalidName(`"name" not a valid ifname`, v)
			default:
				la.name = v
			}
		}
	case "txqueuelen":
		la.txqlen, err = parseInteger(a, word, "txqueuelen", la.txqlen)
	case "numtxqueues":
		la.numtx, err = parseInteger(a, word, "numtxqueues", la.numtx)
	case "numrxqueues":
		la.numrx, err = parseInteger(a, word, "numrxqueues", la.numrx)
	case "link":
		la.link, err = a.value(word)
	case "alias":
		var v string
		if v, err = a.value(word); err == nil {
			if len(v) >= ifAliasSize {
				return true, invalidArg("alias too long", v)
			}
			la.alias = &v
		}
	case "master":
		var v string
		if v, err = a.value(word); err == nil {
			la.master = &v
		}
	case "nomaster":
		la.master = ptr("")
	case "group":
		var v string
		if v, err = a.value(word); err == nil {
			if la.group != nil {
				return true, duplicateValue("group", v)
			}
			g, ok := groupByName(v)
			if !ok {
				return true, invalidArg(`Invalid "group" value`, v)
			}
			la.group = &g
		}
	case "addrgenmode":
		var v string
		if v, err = a.value(word); err == nil {
			m, ok := addrGenModes[strings.ToLower(v)]
			if !ok {
				return true, invalidArg("Invalid address generation mode", v)
			}
			la.genmode = &m
		}
	case "mode":
		var v string
		if v, err = a.value(word); err == nil {
			switch strings.ToLower(v) {
			case "default":
				la.mode = ptr(uint8(0))
			case "dormant":
				la.mode = ptr(uint8(1))
			default:
				return true, invalidArg("Invalid link mode", v)
			}
		}
	case "state":
		var v string
		if v, err = a.value(word); err == nil {
			i := slices.IndexFunc(operStates, func(st string) bool { return strings.EqualFold(st, v) })
			if i < 0 {
				return true, invalidArg("Invalid operstate", v)
			}
			la.state = ptr(uint8(i))
		}
	default:
		return false, nil
	}
	return true, err
}

// groupByName is rtnl_group_a2n with the stock /etc/iproute2/group
// ("default" is 0): a name, or a number for strtol within an int, not
// negative.
func groupByName(v string) (int32, bool) {
	if v == "default" {
		return 0, true
	}
	n, rest, errno := cnum.Strtol(v)
	if rest == v || rest != "" || n < 0 || errno != 0 || n > math.MaxInt32 {
		return 0, false
	}
	return int32(n), true
}

// linkKeywords are iplink_parse's keywords in the order it tries them:
// those marked prefix match any abbreviation (so "ip link add a ..." means
// "address", as in iproute2), the others only in full.
var linkKeywords = []struct {
	name   string
	prefix bool
}{
	{"up", false}, {"down", false}, {"name", false}, {"index", false}, {"link", true},
	{"address", true}, {"broadcast", true}, {"brd", false}, {"txqueuelen", true}, {"qlen", false},
	{"txqlen", true}, {"mtu", false}, {"xdpgeneric", false}, {"xdpdrv", false},
	{"xdpoffload", false}, {"xdp", false}, {"netns", false}, {"multicast", false},
	{"allmulticast", false}, {"promisc", false}, {"trailers", false}, {"arp", false},
	{"carrier", false}, {"vf", false}, {"master", true}, {"vrf", false}, {"nomaster", true},
	{"dynamic", true}, {"type", true}, {"alias", true}, {"group", false}, {"mode", false},
	{"state", false}, {"numtxqueues", true}, {"numrxqueues", true}, {"addrgenmode", true},
	{"link-netns", true}, {"link-netnsid", true}, {"protodown", false},
	{"protodown_reason", false}, {"gso_max_size", false}, {"gso_max_segs", false},
	{"gro_max_size", false}, {"parentdev", false}, {"help", true},
}

// notImplemented are iplink_parse keywords netscript recognises, so that they
// are not taken for a device name, but does not carry out.
var notImplemented = map[string]bool{
	"index": true, "broadcast": true, "carrier": true, "vf": true, "vrf": true,
	"xdpgeneric": true, "xdpdrv": true, "xdpoffload": true, "xdp": true,
	"link-netns": true, "link-netnsid": true, "protodown": true, "protodown_reason": true,
	"gso_max_size": true, "gso_max_segs": true, "gro_max_size": true, "parentdev": true,
	"help": true,
}

// linkKeyword returns the keyword word stands for, or "" for a name.
func linkKeyword(word string) string {
	for _, k := range linkKeywords {
		if word == k.name || (k.prefix && matches(word, k.name)) {
			switch k.name {
			case "brd":
				return "broadcast"
			case "qlen", "txqlen":
				return "txqueuelen"
			}
			return k.name
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

// parseInteger reads the value of an integer attribute (mtu, txqueuelen)
// as iplink_parse does: a second one is a duplicate unless the first was
// -1 (its "not given"), and the value is get_integer's, any C int.
func parseInteger(a *args, word, key string, old *int32) (*int32, error) {
	v, err := a.value(word)
	if err != nil {
		return old, err
	}
	if old != nil && *old != -1 {
		return old, duplicateValue(key, v)
	}
	n, ok := cnum.GetInteger(v)
	if !ok {
		return old, invalidArg(fmt.Sprintf("Invalid %q value", key), v)
	}
	return &n, nil
}

func parseOnOff(key, v string) (*bool, error) {
	switch v {
	case "on":
		return ptr(true), nil
	case "off":
		return ptr(false), nil
	}
	// on_off: iplink_parse returns its -1, and ip exits 1.
	return nil, script.Errorf(exitErr, "Error: argument of %q must be \"on\" or \"off\", not %q", key, v)
}

// parseMAC parses a link-layer address as iproute2's ll_addr_a2n does:
// colon-separated hex bytes, naming the first bad part.
func parseMAC(v string) (net.HardwareAddr, error) {
	var mac net.HardwareAddr
	for _, part := range strings.Split(v, ":") {
		b, err := strconv.ParseUint(part, 16, 8)
		if err != nil || part == "" || len(part) > 2 {
			return nil, script.Errorf(exitErr, "%q is invalid lladdr.", part)
		}
		mac = append(mac, byte(b))
	}
	return mac, nil
}

// parseNewLink reads the attributes of a link being created, up to "type"
// (left unread), as iplink_parse does for ip link add and for a veth peer:
// a word that is no keyword, or the one after "dev", names the link, as
// "name" does; both may be given only if equal.
func parseNewLink(a *args, la *linkAttrs) error {
	var dev string
	for a.more() && linkKeyword(a.list[0]) != "type" {
		word := a.next()
		if ok, err := parseLinkAttr(word, a, la); ok {
			if err != nil {
				return err
			}
			continue
		}
		if word == "dev" {
			v, err := a.value(word)
			if err != nil {
				return err
			}
			word = v
		}
		if dev != "" {
			return duplicateArg("dev", word)
		}
		if !ipshow.CheckAltIfname(word) {
			return invalidName(`"dev" not a valid ifname`, word)
		}
		dev = word
	}
	switch {
	case la.name == "":
		la.name = dev
	case dev != "" && dev != la.name:
		return script.Errorf(exitUsage, "both \"name\" and \"dev\" cannot be used when creating devices.")
	}
	return nil
}

// linkAddRequest is one parsed "ip link add".
type linkAddRequest struct {
	attrs linkAttrs
	kind  string
	peer  *linkAttrs // "peer name PEER ...", veth only
	opts  *kindOpts  // the options after "type KIND", nil without any
}

// errVethUsage is veth_parse_opt's answer to arguments after "type veth"
// other than "peer": its usage, on stdout, and exit status 1.
var errVethUsage = &script.ExitError{Code: exitErr, Stdout: true,
	Msg: "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'"}

func parseLinkAdd(a *args) (script.Action, error) {
	r, err := parseLinkAddRequest(a)
	if err != nil {
		return nil, err
	}
	return script.WithEffects(script.ActionFunc(func(s *script.State) error { return linkAdd(s, r) }), r.effect()), nil
}

// effect is the link the request creates, and the far end of a veth pair.
func (r linkAddRequest) effect() script.Effect {
	e := script.Effect{Op: script.OpLinkAdd, Dev: r.attrs.name, Kind: r.kind, To: r.attrs.netns, Up: r.attrs.up}
	if r.peer != nil {
		e.Peer, e.PeerNetns = r.peer.name, r.peer.netns
	}
	return e
}

// parseLinkAddRequest parses "ip link add [name] NAME [ATTRS] type KIND
// [KIND OPTIONS]", a veth's options being "peer [name] PEER [ATTRS]".
func parseLinkAddRequest(a *args) (linkAddRequest, error) {
	var r linkAddRequest
	if err := parseNewLink(a, &r.attrs); err != nil {
		return r, err
	}
	if a.more() { // parseNewLink stopped at "type"
		v, err := a.value(a.next())
		if err != nil {
			return r, err
		}
		r.kind = v
	}
	if r.kind == "" {
		return r, script.Errorf(exitErr, "Not enough information: \"type\" argument is required")
	}
	if r.kind == "veth" {
		if a.more() {
			if a.next() != "peer" {
				return r, errVethUsage
			}
			r.peer = &linkAttrs{}
			if err := parseNewLink(a, r.peer); err != nil {
				return r, err
			}
		}
		if a.more() {
			return r, script.Errorf(exitUsage, "ip link add: arguments of type %q are not implemented by netscript: %s", r.kind, strings.Join(a.list, " "))
		}
	} else {
		opts, err := parseKindOpts(r.kind, a, true)
		if err != nil {
			return r, err
		}
		r.opts = opts
	}
	if r.peer != nil && r.peer.name == "" {
		return r, script.Unimplemented(exitUsage, "ip link add: a veth peer without a name is not implemented by netscript: add \"name PEER\"")
	}
	if r.peer != nil && (r.peer.master != nil || r.peer.link != "") {
		return r, script.Unimplemented(exitUsage, "ip link add: \"master\" and \"link\" of a veth peer are not implemented by netscript; use \"ip link set PEER master BR\"")
	}
	return r, nil
}

// parseKindOpts parses what follows "type KIND", as iplink_modify hands it
// to the kind's parse_opt: nothing for no arguments.
func parseKindOpts(kind string, a *args, create bool) (*kindOpts, error) {
	if !a.more() {
		return nil, nil
	}
	k := linkKinds[kind]
	switch {
	case k != nil && k.parse == nil:
		// ip's link_util for this kind has no parse_opt: it ignores the
		// arguments, and so the link is made as without them.
		a.list = nil
		return nil, nil
	case k != nil:
		o := &kindOpts{create: create}
		if err := k.parse(a, o); err != nil {
			return nil, err
		}
		return o, nil
	case isIproute2Kind(kind):
		return nil, script.Errorf(exitUsage, "ip link: the options of type %q are not implemented by netscript: %s", kind, strings.Join(a.list, " "))
	case matches(a.list[0], "help"):
		return nil, script.Errorf(exitUsage, "ip link help: not implemented by netscript")
	}
	return nil, script.Errorf(exitErr, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.list[0])
}

// netnsFd resolves "netns NAME" to the world namespace's descriptor. A
// number would be a process ID in iproute2: netscript refuses it, because
// that process's namespace is not one the scenario made.
func netnsFd(s *script.State, name string) (int, error) {
	ns, err := s.World.Lookup(name)
	if err == nil {
		return ns.Fd(), nil
	}
	if _, perr := strconv.Atoi(name); perr == nil {
		return -1, s.Fail(exitUsage, "Error: argument %q is wrong: netscript moves links only into namespaces made with \"ip netns add\", not into a process's namespace\n", name)
	}
	return -1, s.Fail(exitUsage, "Error: argument %q is wrong: Invalid \"netns\" value\n", name)
}

// linkAdd sends one RTM_NEWLINK request as iproute2 builds it: the link's
// attributes, then IFLA_LINKINFO with its kind and, for a veth pair, the
// peer's own ifinfomsg and attributes, or the kind's options. The peer
// gets only what its own arguments say, as with ip (the netlink package's
// Veth would copy the link's mtu and txqlen to the peer).
func linkAdd(s *script.State, r linkAddRequest) error {
	la, peer := r.attrs, r.peer
	// Nothing escapes: a kind whose module would be autoloaded, creating
	// devices in the host's namespace, is refused until it is loaded.
	if why := linkprobe.Refusal(r.kind); why != "" {
		return s.Fail(exitUsage, "ip link add: %s", why)
	}
	nsfd, err := optNetnsFd(s, la.netns)
	if err != nil {
		return err
	}
	peerNsfd := -1
	if peer != nil {
		if peerNsfd, err = optNetnsFd(s, peer.netns); err != nil {
			return err
		}
	}
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	attrs, err := la.encode(s, msg, nsfd)
	if err != nil {
		return err
	}
	info, err := linkInfo(s, r.kind, r.opts)
	if err != nil {
		return err
	}
	if r.opts != nil && r.opts.warning != "" {
		fmt.Fprint(s.Stderr, r.opts.warning)
	}
	if peer != nil {
		data := info.AddRtAttr(nl.IFLA_INFO_DATA, nil)
		peerInfo := data.AddRtAttr(nl.VETH_INFO_PEER, nil)
		peerMsg := nl.NewIfInfomsgChild(peerInfo, unix.AF_UNSPEC)
		peerAttrs, err := peer.encode(s, peerMsg, peerNsfd)
		if err != nil {
			return err
		}
		for _, attr := range peerAttrs {
			peerInfo.AddChild(attr)
		}
	}
	req, err := s.NS.Request(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(msg)
	for _, attr := range append(attrs, info) {
		req.AddData(attr)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	// A link created up has its carrier and operstate worked out by the
	// kernel's linkwatch queue a moment later; settle it now, as ip link
	// set does, so the next command sees NO-CARRIER or LOWER_UP.
	// (A veth peer cannot be created up: the kernel refuses with ENOTCONN,
	// as it does for ip.)
	if la.name != "" && la.up != nil && *la.up {
		return settleNamed(s, la.netns, la.name)
	}
	return nil
}

// linkInfo builds IFLA_LINKINFO: the kind and, when options were given,
// their IFLA_INFO_DATA (IFLA_INFO_SLAVE_DATA for "KIND_slave").
func linkInfo(s *script.State, kind string, opts *kindOpts) (*nl.RtAttr, error) {
	info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
	info.AddRtAttr(nl.IFLA_INFO_KIND, nl.NonZeroTerminated(kind))
	if opts == nil {
		return info, nil
	}
	t := nl.IFLA_INFO_DATA
	if strings.HasSuffix(kind, "_slave") {
		t = nl.IFLA_INFO_SLAVE_DATA
	}
	if err := opts.build(s, info.AddRtAttr(t, nil)); err != nil {
		return nil, err
	}
	return info, nil
}

// optNetnsFd is netnsFd for an optional "netns NAME": -1 without one.
func optNetnsFd(s *script.State, name string) (int, error) {
	if name == "" {
		return -1, nil
	}
	return netnsFd(s, name)
}

// encode puts la into an RTM_NEWLINK request as iproute2's iplink_parse
// does: flag changes into msg, the rest as attributes, with the link moved
// to the namespace open as nsfd unless it is -1. A master is looked up in
// the command's namespace.
func (la linkAttrs) encode(s *script.State, msg *nl.IfInfomsg, nsfd int) ([]*nl.RtAttr, error) {
	var attrs []*nl.RtAttr
	if la.up != nil {
		msg.Change |= unix.IFF_UP
		if *la.up {
			msg.Flags |= unix.IFF_UP
		}
	}
	msg.Change |= la.change
	msg.Flags |= la.flags
	if la.name != "" {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(la.name)))
	}
	if la.mtu != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_MTU, nl.Uint32Attr(uint32(*la.mtu))))
	}
	if la.mac != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_ADDRESS, la.mac))
	}
	if la.txqlen != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_TXQLEN, nl.Uint32Attr(uint32(*la.txqlen))))
	}
	if la.alias != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_IFALIAS, []byte(*la.alias)))
	}
	if la.group != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_GROUP, nl.Uint32Attr(uint32(*la.group))))
	}
	if la.mode != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_LINKMODE, []byte{*la.mode}))
	}
	if la.state != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_OPERSTATE, []byte{*la.state}))
	}
	if la.numtx != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_NUM_TX_QUEUES, nl.Uint32Attr(uint32(*la.numtx))))
	}
	if la.numrx != nil {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_NUM_RX_QUEUES, nl.Uint32Attr(uint32(*la.numrx))))
	}
	if la.genmode != nil {
		afs := nl.NewRtAttr(unix.IFLA_AF_SPEC, nil)
		afs.AddRtAttr(unix.AF_INET6, nil).AddRtAttr(unix.IFLA_INET6_ADDR_GEN_MODE, []byte{*la.genmode})
		attrs = append(attrs, afs)
	}
	if la.link != "" {
		l, err := linkByName(s.NS, la.link)
		if err != nil {
			return nil, noDevice(s, la.link, err)
		}
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_LINK, nl.Uint32Attr(uint32(l.Attrs().Index))))
	}
	if la.master != nil {
		index := 0
		if *la.master != "" {
			m, err := findLink(s, *la.master, exitUsage, "Error: argument %q is wrong: Device does not exist\n")
			if err != nil {
				return nil, err
			}
			index = m.Attrs().Index
		}
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_MASTER, nl.Uint32Attr(uint32(index))))
	}
	if nsfd >= 0 {
		attrs = append(attrs, nl.NewRtAttr(unix.IFLA_NET_NS_FD, nl.Uint32Attr(uint32(nsfd))))
	}
	return attrs, nil
}

func parseLinkSet(a *args) (script.Action, error) {
	dev, la, err := parseLinkSetRequest(a)
	if err != nil {
		return nil, err
	}
	set := script.ActionFunc(func(s *script.State) error { return linkSet(s, dev, la) })
	if dev == "" {
		return set, nil // "ip link set group G ...": links check does not name
	}
	return script.WithEffects(set, script.Effect{Op: script.OpLinkSet, Dev: dev, To: la.netns,
		NewName: la.name, Master: la.master, Up: la.up}), nil
}

// parseLinkSetRequest parses "ip link set [dev] DEV ATTRS...".
func parseLinkSetRequest(a *args) (string, linkAttrs, error) {
	var la linkAttrs
	var dev string
	for a.more() {
		word := a.next()
		if linkKeyword(word) == "type" {
			v, err := a.value(word)
			if err != nil {
				return "", la, err
			}
			if dev == "" && la.name == "" && la.group != nil {
				// iplink_parse stops at "type": with a group and no
				// device, the kind is dropped, and words after it are
				// garbage.
				if a.more() {
					return "", la, script.Errorf(exitUsage, "Garbage instead of arguments \"%s ...\". Try \"ip link help\".", a.list[0])
				}
				break
			}
			la.kind = v
			if la.opts, err = parseKindOpts(v, a, false); err != nil {
				return "", la, err
			}
			break
		}
		if ok, err := parseLinkAttr(word, a, &la); ok {
			if err != nil {
				return "", la, err
			}
			continue
		}
		switch word {
		case "dev":
			v, err := a.value(word)
			if err != nil {
				return "", la, err
			}
			dev = v
		default:
			if dev != "" {
				return "", la, duplicateArg("dev", word)
			}
			dev = word
		}
	}
	if dev == "" && la.name != "" {
		dev = la.name // iplink_parse: "name" names the device when none is
	}
	switch {
	case dev == "" && la.group != nil:
		return "", la, nil // every link of the group (iplink_modify sends index 0)
	case dev == "":
		return "", la, script.Errorf(exitUsage, "Not enough information: \"dev\" argument is required.")
	case la.link != "":
		// iplink_parse reads "link" but sends it only when creating.
		return "", la, script.Errorf(exitUsage, "ip link set: \"link\" is not implemented by netscript (ip ignores it here)")
	}
	return dev, la, nil
}

// linkSet sends one RTM_NEWLINK request carrying every change, as iproute2
// does, so the kernel applies them together and in its own order (a move to
// another namespace first, then the rest there).
func linkSet(s *script.State, dev string, la linkAttrs) error {
	nsfd, err := optNetnsFd(s, la.netns)
	if err != nil {
		return err
	}
	if dev == "" {
		return linkSetGroup(s, la, nsfd)
	}
	link, err := lookupLink(s, dev)
	if err != nil {
		return err
	}
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = int32(link.Attrs().Index)
	attrs, err := la.encode(s, msg, nsfd)
	if err != nil {
		return err
	}
	if la.kind != "" {
		info, err := linkInfo(s, la.kind, la.opts)
		if err != nil {
			return err
		}
		attrs = append(attrs, info)
	}
	req, err := s.NS.Request(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(msg)
	for _, attr := range attrs {
		req.AddData(attr)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	if nsfd < 0 {
		return settleLink(s, link.Attrs().Index)
	}
	name := dev
	if la.name != "" {
		name = la.name
	}
	return settleNamed(s, la.netns, name)
}

// linkSetGroup is "ip link set group GROUP ATTRS...": one request with
// index 0, which the kernel applies to every link of the group
// (rtnl_group_changelink); then each of them is settled.
func linkSetGroup(s *script.State, la linkAttrs, nsfd int) error {
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	attrs, err := la.encode(s, msg, nsfd)
	if err != nil {
		return err
	}
	req, err := s.NS.Request(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	if err != nil {
		return err
	}
	req.AddData(msg)
	for _, attr := range attrs {
		req.AddData(attr)
	}
	if _, err := req.Execute(unix.NETLINK_ROUTE, 0); err != nil {
		return kernelError(s, err)
	}
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	links, err := h.LinkList()
	if err != nil {
		return fmt.Errorf("ip link set group: list links in %s: %w", nsName(s.NS), err)
	}
	for _, l := range links {
		if l.Attrs().Group == uint32(*la.group) {
			if err := settleLink(s, l.Attrs().Index); err != nil {
				return err
			}
		}
	}
	return nil
}

// settleNamed settles (see settleLink) the link called name in namespace
// netns, or in the command's namespace when netns is "". A link that is
// not there is left alone.
func settleNamed(s *script.State, netns, name string) error {
	ns := s.NS
	if netns != "" {
		var err error
		if ns, err = s.World.Lookup(netns); err != nil {
			return nil
		}
	}
	if l, err := linkByName(ns, name); err == nil {
		return settleLink(s.In(ns), l.Attrs().Index)
	}
	return nil
}

// settleLink makes the kernel finish the work a link change left to its
// linkwatch queue (carrier, operstate, the "linkdown" flag of routes) for the
// link, its master and its veth peer, so the next command sees the state
// the change leads to, as it would a few milliseconds later. A single-link
// RTM_GETLINK does that synchronously: rtnl_getlink calls
// linkwatch_sync_dev. index is a link of s.NS.
func settleLink(s *script.State, index int) error {
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	link, err := h.LinkByIndex(index)
	if err != nil {
		return nil // gone: nothing left to settle
	}
	a := link.Attrs()
	if a.MasterIndex > 0 {
		_, _ = h.LinkByIndex(a.MasterIndex)
	}
	if _, ok := link.(*netlink.Veth); !ok || a.ParentIndex <= 0 {
		return nil
	}
	if a.NetNsID < 0 {
		_, _ = h.LinkByIndex(a.ParentIndex)
		return nil
	}
	// Ask for the peer from inside its own namespace. (Asking from here by
	// IFLA_TARGET_NETNSID would make the kernel give this namespace an id
	// for itself, when it fills in the peer's link-netnsid: an id the real
	// tools never cause, shown by "ip netns list-id" and "ip netns".)
	if peerNS := nsWithID(s.NS, s.World, a.NetNsID); peerNS != nil {
		if ph, err := peerNS.Netlink(); err == nil {
			_, _ = ph.LinkByIndex(a.ParentIndex)
		}
	}
	return nil
}

// Looking a device up by name: linkByName is the lookup, and the commands
// report its failure as ip reports it where it looks the name up: most
// with ll_name_to_index's "Cannot find device" and its special cases
// (lookupLink), the others with a message of their own (findLink).

// lookupLink finds dev in the command's namespace; a failure is reported
// as iproute2 reports a failed ll_name_to_index (see noDevice).
func lookupLink(s *script.State, dev string) (netlink.Link, error) {
	link, err := linkByName(s.NS, dev)
	if err != nil {
		return nil, noDevice(s, dev, err)
	}
	return link, nil
}

// findLink finds dev in the command's namespace; when it cannot, it fails
// with status code and the message ip prints at that place: format, whose
// one verb takes dev.
func findLink(s *script.State, dev string, code int, format string) (netlink.Link, error) {
	link, err := linkByName(s.NS, dev)
	if err != nil {
		return nil, s.Fail(code, format, dev)
	}
	return link, nil
}

// linkByName sends one RTM_GETLINK by name in ns, as iproute2's
// ll_name_to_index does: not a dump of every link, whose cost grows with
// the links. A name no link has is a netlink.LinkNotFoundError.
func linkByName(ns *world.NS, dev string) (netlink.Link, error) {
	h, err := ns.Netlink()
	if err != nil {
		return nil, err
	}
	return h.LinkByName(dev)
}

// maxLookupName is the longest device name iproute2's ll_link_get fits in
// its request: 1056 bytes, of which 40 are taken before the name.
const maxLookupName = 1011

// noDevice reports a failed device lookup as iproute2 does.
func noDevice(s *script.State, dev string, err error) error {
	if world.NotFound(err) {
		return s.Fail(exitErr, "Cannot find device %q", dev)
	}
	// iproute2 asks for a name of IFNAMSIZ bytes or more as an alternative
	// name, which the kernel refuses beyond ALTIFNAMSIZ, and leaves out a
	// name that overflows its 1056-byte request: any failure is
	// "Cannot find device" there.
	if len(dev) >= unix.IFNAMSIZ {
		if len(dev) > maxLookupName {
			fmt.Fprintln(s.Stderr, "addattr_l ERROR: message exceeded bound of 1056")
		}
		return s.Fail(exitErr, "Cannot find device %q", dev)
	}
	return fmt.Errorf("look up device %q in %s: %w", dev, nsName(s.NS), err)
}

func parseLinkDel(a *args) (script.Action, error) {
	dev, err := parseLinkDelDev(a)
	if err != nil {
		return nil, err
	}
	del := script.ActionFunc(func(s *script.State) error { return linkDel(s, dev) })
	return script.WithEffects(del, script.Effect{Op: script.OpLinkDel, Dev: dev}), nil
}

// parseLinkDelDev parses "ip link del [dev] DEV".
func parseLinkDelDev(a *args) (string, error) {
	var dev string
	for a.more() {
		word := a.next()
		if word == "dev" {
			v, err := a.value(word)
			if err != nil {
				return "", err
			}
			word = v
		}
		if dev != "" {
			return "", duplicateArg("dev", word)
		}
		dev = word
	}
	if dev == "" {
		return "", script.Errorf(exitUsage, "Not enough information: \"dev\" argument is required.")
	}
	return dev, nil
}

// linkDel deletes dev in the command's namespace.
func linkDel(s *script.State, dev string) error {
	link, err := lookupLink(s, dev)
	if err != nil {
		return err
	}
	h, err := s.NS.Netlink()
	if err != nil {
		return err
	}
	if err := h.LinkDel(link); err != nil {
		return kernelError(s, err)
	}
	return nil
}

// parseShowFilter parses the selectors of "ip link show" and "ip addr show":
// [dev] DEV, up, master BR, type KIND.
func parseShowFilter(g *globals, a *args) (ipshow.Options, error) {
	opt := ipshow.Options{Brief: g.brief, JSON: g.json, Pretty: g.pretty, Family: g.family, Details: g.details > 0}
	for a.more() {
		word := a.next()
		switch word {
		case "up":
			opt.Up = true
		case "group":
			v, err := a.value(word)
			if err != nil {
				return opt, err
			}
			g, ok := groupByName(v)
			if !ok {
				return opt, invalidArg(`Invalid "group" value`, v)
			}
			opt.Group = &g
		case "master", "type", "dev":
			v, err := a.value(word)
			if err != nil {
				return opt, err
			}
			switch word {
			case "master":
				opt.Master = v
			case "type":
				opt.Type = v
			default:
				if opt.Dev != "" {
					return opt, duplicateArg("dev", v)
				}
				opt.Dev = v
			}
		default:
			if opt.Dev != "" {
				return opt, duplicateArg("dev", word)
			}
			opt.Dev = word
		}
	}
	return opt, nil
}

func showLinks(g *globals, a *args) (script.Action, error) {
	if err := g.refuse("ip link show", optBrief|optJSON|optDetails); err != nil {
		return nil, err
	}
	opt, err := parseShowFilter(g, a)
	if err != nil {
		return nil, err
	}
	return script.WithEffects(script.ActionFunc(func(s *script.State) error {
		return s.NS.Do(func() error {
			return showError(s, ipshow.Links(s.Stdout, s.NS, opt, netnsNames(s)))
		})
	}), script.Effect{Dev: opt.Dev}), nil
}

// showError prints the message of an ipshow error to stderr, as ip does.
// ip prints some warnings and still exits 0; those come as status 0.
func showError(s *script.State, err error) error {
	e, ok := err.(*script.ExitError)
	if !ok {
		return err
	}
	fmt.Fprintln(s.Stderr, e.Msg)
	if e.Code == 0 {
		return nil
	}
	return e
}

// netnsNames returns the names "ip netns list" shows for the netnsids the
// command's namespace has assigned.
func netnsNames(s *script.State) ipshow.NetnsName {
	// Asking every namespace for its netnsid costs a request each; only
	// links with a peer in another namespace need the answer.
	byID := sync.OnceValue(func() map[int]*world.NS { return nsByID(s.NS, s.World) })
	return func(id int) string {
		if ns := byID()[id]; ns != nil {
			return ns.Name
		}
		return ""
	}
}

// nsWithID returns the world's namespace (its root included) that
// namespace from knows by netnsid id, or nil. It asks for one namespace's
// id after another, and stops at the match: settling a link after every
// "ip link set" asks this, and a request per namespace of the world was a
// third of a bridge's set-up.
func nsWithID(from *world.NS, w *world.World, id int) *world.NS {
	h, err := from.Netlink()
	if err != nil {
		return nil
	}
	for _, ns := range w.All() {
		if got, err := h.GetNetNsIdByFd(ns.Fd()); err == nil && got == id {
			return ns
		}
	}
	return nil
}

// nsByID maps the netnsids that namespace from has assigned to the world's
// namespaces, its root included.
func nsByID(from *world.NS, w *world.World) map[int]*world.NS {
	byID := make(map[int]*world.NS)
	h, err := from.Netlink()
	if err != nil {
		return byID
	}
	for _, ns := range w.All() {
		if id, err := h.GetNetNsIdByFd(ns.Fd()); err == nil && id >= 0 {
			byID[id] = ns
		}
	}
	return byID
}
