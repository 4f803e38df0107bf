package iproute

import (
	"strings"

	"github.com/vishvananda/netlink/nl"

	"github.com/netscript/netscript/internal/cnum"
	"github.com/netscript/netscript/script"
)

// The options after "type KIND" of ip link add and ip link set: each kind's
// parse_opt (iproute2's ip/iplink_KIND.c), building IFLA_INFO_DATA (or,
// for "type KIND_slave", IFLA_INFO_SLAVE_DATA) as iproute2 builds it.

// kindAttr is one attribute of a kind's data, built when the command runs:
// some name a device, looked up then.
type kindAttr func(s *script.State) (*nl.RtAttr, error)

// kindOpts collects a kind's attributes in the order parse_opt adds them.
type kindOpts struct {
	attrs  []kindAttr
	create bool // ip link add (NLM_F_CREATE), not ip link set
	// warning is what parse_opt printed on stderr and went on (vxlan
	// without dstport).
	warning string
}

// add appends a ready attribute.
func (o *kindOpts) add(attr *nl.RtAttr) {
	o.attrs = append(o.attrs, func(*script.State) (*nl.RtAttr, error) { return attr, nil })
}

func (o *kindOpts) u8(t int, v uint8)   { o.add(nl.NewRtAttr(t, []byte{v})) }
func (o *kindOpts) u16(t int, v uint16) { o.add(nl.NewRtAttr(t, nl.Uint16Attr(v))) }
func (o *kindOpts) u32(t int, v uint32) { o.add(nl.NewRtAttr(t, nl.Uint32Attr(v))) }
func (o *kindOpts) u64(t int, v uint64) { o.add(nl.NewRtAttr(t, nl.Uint64Attr(v))) }
func (o *kindOpts) flag(t int)          { o.add(nl.NewRtAttr(t, nil)) }

// be16 adds a 16-bit value in network order.
func (o *kindOpts) be16(t int, v uint16) { o.add(nl.NewRtAttr(t, []byte{byte(v >> 8), byte(v)})) }

// device adds the index of device dev as a u32, looked up in the command's
// namespace when it runs: ll_name_to_index, and exit(nodev(dev)) (status
// 255) for a missing one.
func (o *kindOpts) device(t int, dev string) {
	o.attrs = append(o.attrs, func(s *script.State) (*nl.RtAttr, error) {
		l, err := findLink(s, dev, exitUsage, "Cannot find device %q")
		if err != nil {
			return nil, err
		}
		return nl.NewRtAttr(t, nl.Uint32Attr(uint32(l.Attrs().Index))), nil
	})
}

// build runs the deferred lookups and nests the attributes under data.
func (o *kindOpts) build(s *script.State, data *nl.RtAttr) error {
	for _, a := range o.attrs {
		attr, err := a(s)
		if err != nil {
			return err
		}
		data.AddChild(attr)
	}
	return nil
}

// linkKind is one kind whose options netscript builds.
type linkKind struct {
	// parse reads the arguments after "type KIND"; nil for kinds whose
	// link_util has no parse_opt (ifb, dummy), whose arguments ip ignores.
	parse func(a *args, o *kindOpts) error
}

// linkKinds are the kinds whose options netscript builds; veth is handled
// by ip link add itself (its peer is a whole link).
var linkKinds = map[string]*linkKind{}

// iproute2Kinds are the link_util ids of iproute2 6.1: a kind among them
// that netscript lacks is "not implemented"; any other kind is sent as it
// is (the kernel answers "Unknown device type"), and arguments after it
// are ip's "Garbage instead of arguments".
var iproute2Kinds = strings.Fields(`vlan veth vcan vxcan dummy bridge bond bond_slave
	ipvlan ipvtap macvlan macvtap geneve vxlan bridge_slave ifb ipip sit ip6tnl
	gre gretap erspan ip6gre ip6gretap ip6erspan vti vti6 hsr macsec xfrm can
	ipoib lowpan nlmon rmnet team team_slave vrf netdevsim virt_wifi amt
	bareudp gtp batadv dsa wwan tun`)

func isIproute2Kind(kind string) bool {
	for _, k := range iproute2Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// getUint parses a get_u8/u16/u32/u64 value, or fails with invarg(msg).
func getUint(v string, bits int, msg string) (uint64, error) {
	n, ok := cnum.GetUint(v, uint64(1)<<bits-1)
	if !ok {
		return 0, invalidName(msg, v)
	}
	return n, nil
}

// kindError is a parse_opt failure: its message on stderr, exit 1.
func kindError(format string, a ...any) error {
	return script.Errorf(exitErr, format, a...)
}
