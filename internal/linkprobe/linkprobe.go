// Package linkprobe answers whether the running kernel can create a kind of
// link (veth, vxlan, vlan, dummy ...), by creating one in a throwaway
// network namespace, and which kinds must not be created at all while
// their kernel module is not loaded, because loading it would create
// devices in the host's namespace.
package linkprobe

import (
	"fmt"
	"net"
	"os"
	"sync"

	"github.com/vishvananda/netlink"

	"github.com/netscript/netscript/internal/world"
)

// module is a kernel module whose loading creates devices of its own in
// the initial namespace (or in every namespace), and how to load it
// without them.
type module struct {
	name, load string
}

// hostModules maps kinds to such modules: dummy, bonding and ifb create
// dummy0, bond0, ifb0 and ifb1 with their default parameters; the tunnel
// modules create their fallback devices (tunl0, sit0, gre0, gretap0,
// erspan0, ip6tnl0, ip6gre0) in every namespace unless
// net.core.fb_tunnels_only_for_init_net is 2.
var hostModules = map[string]module{
	"dummy":  {"dummy", "modprobe dummy numdummies=0"},
	"bond":   {"bonding", "modprobe bonding max_bonds=0"},
	"ifb":    {"ifb", "modprobe ifb numifbs=0"},
	"ipip":   {"ipip", fbTunnels + "modprobe ipip"},
	"sit":    {"sit", fbTunnels + "modprobe sit"},
	"gre":    {"ip_gre", fbTunnels + "modprobe ip_gre"},
	"gretap": {"ip_gre", fbTunnels + "modprobe ip_gre"},
	"ip6tnl": {"ip6_tunnel", fbTunnels + "modprobe ip6_tunnel"},
	"ip6gre": {"ip6_gre", fbTunnels + "modprobe ip6_gre"},
}

const fbTunnels = "sysctl -w net.core.fb_tunnels_only_for_init_net=2 && "

// Refusal says why a link of kind must not be created now, or "": on a
// kernel with loadable modules (/proc/modules exists), a kind in
// hostModules whose module is not loaded (absent from /sys/module, where
// built-in modules with parameters show too) would be autoloaded by the
// creation, with devices outside the scenario.
func Refusal(kind string) string {
	m, ok := hostModules[kind]
	if !ok {
		return ""
	}
	if _, err := os.Stat("/proc/modules"); err != nil {
		return "" // no loadable modules: nothing can be autoloaded
	}
	if _, err := os.Stat("/sys/module/" + m.name); err == nil {
		return ""
	}
	return fmt.Sprintf("netscript does not create %s links while the kernel module %q is not loaded: "+
		"loading it would create devices in the host's namespace. Load it without them first: %s",
		kind, m.name, m.load)
}

// Kinds are the kinds CanCreate knows how to try.
var Kinds = []string{"bond", "bridge", "dummy", "geneve", "gre", "gretap", "ifb", "ip6gre",
	"ip6tnl", "ipip", "ipvlan", "ipvtap", "macvlan", "macvtap", "sit", "veth", "vlan", "vrf", "vxlan"}

type answer struct {
	ok     bool
	reason string
}

var (
	mu    sync.Mutex
	cache = map[string]answer{}
)

// CanCreate reports whether the running kernel can create a link of kind,
// trying once per process in a namespace made for the purpose; when it
// cannot, reason says why ("kernel cannot create vlan links: ...").
func CanCreate(kind string) (ok bool, reason string) {
	mu.Lock()
	defer mu.Unlock()
	if a, done := cache[kind]; done {
		return a.ok, a.reason
	}
	a := probe(kind)
	cache[kind] = a
	return a.ok, a.reason
}

// vlanFilteringKey is the cache's entry for BridgeVlanFiltering.
const vlanFilteringKey = "bridge vlan_filtering"

// BridgeVlanFiltering reports whether the running kernel can turn on a
// bridge's VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), which "bridge
// vlan add" and the bridge option vlan_filtering need; when it cannot,
// reason says why. It tries once per process, as CanCreate does.
func BridgeVlanFiltering() (ok bool, reason string) {
	mu.Lock()
	defer mu.Unlock()
	if a, done := cache[vlanFilteringKey]; done {
		return a.ok, a.reason
	}
	on := true
	a := try(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "probe0"}, VlanFiltering: &on}, "bridge",
		func(why string) string { return "kernel cannot filter VLANs on bridges: " + why })
	cache[vlanFilteringKey] = a
	return a.ok, a.reason
}

func probe(kind string) answer {
	fail := func(why string) answer {
		return answer{false, fmt.Sprintf("kernel cannot create %s links: %s", kind, why)}
	}
	if why := Refusal(kind); why != "" {
		return fail(why)
	}
	link := probeLink(kind)
	if link == nil {
		return fail("netscript has no probe for this kind")
	}
	return try(link, kind, func(why string) string {
		return fmt.Sprintf("kernel cannot create %s links: %s", kind, why)
	})
}

// try creates link, of kind, in a throwaway namespace, next to a veth
// that is its lower device when the kind needs one; reason words a
// failure.
func try(link netlink.Link, kind string, reason func(why string) string) answer {
	fail := func(why string) answer { return answer{false, reason(why)} }
	w, err := world.New()
	if err != nil {
		return fail(fmt.Sprintf("make a namespace to try: %v", err))
	}
	defer w.Close()
	err = func() error {
		h, err := w.Root().Netlink()
		if err != nil {
			return err
		}
		lower := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "probe-lo"}, PeerName: "probe-lo-peer"}
		if err := h.LinkAdd(lower); err != nil {
			return fmt.Errorf("lower veth: %w", err)
		}
		l, err := h.LinkByName("probe-lo")
		if err != nil {
			return err
		}
		switch kind {
		case "vlan", "macvlan", "macvtap", "ipvlan", "ipvtap":
			link.Attrs().ParentIndex = l.Attrs().Index
		}
		return h.LinkAdd(link)
	}()
	if err != nil {
		return fail(err.Error())
	}
	return answer{true, ""}
}

// probeLink is the smallest link of kind the kernel accepts; the lower
// device's index is filled in for the kinds that need one.
func probeLink(kind string) netlink.Link {
	attrs := netlink.LinkAttrs{Name: "probe0"}
	switch kind {
	case "veth":
		return &netlink.Veth{LinkAttrs: attrs, PeerName: "probe1"}
	case "bridge":
		return &netlink.Bridge{LinkAttrs: attrs}
	case "dummy":
		return &netlink.Dummy{LinkAttrs: attrs}
	case "ifb":
		return &netlink.Ifb{LinkAttrs: attrs}
	case "vlan":
		return &netlink.Vlan{LinkAttrs: attrs, VlanId: 5}
	case "macvlan":
		return &netlink.Macvlan{LinkAttrs: attrs, Mode: netlink.MACVLAN_MODE_BRIDGE}
	case "macvtap":
		return &netlink.Macvtap{Macvlan: netlink.Macvlan{LinkAttrs: attrs, Mode: netlink.MACVLAN_MODE_BRIDGE}}
	case "ipvlan":
		return &netlink.IPVlan{LinkAttrs: attrs, Mode: netlink.IPVLAN_MODE_L2}
	case "ipvtap":
		return &netlink.IPVtap{IPVlan: netlink.IPVlan{LinkAttrs: attrs, Mode: netlink.IPVLAN_MODE_L2}}
	case "vxlan":
		return &netlink.Vxlan{LinkAttrs: attrs, VxlanId: 1}
	case "vrf":
		return &netlink.Vrf{LinkAttrs: attrs, Table: 10}
	case "bond":
		return netlink.NewLinkBond(attrs)
	case "geneve":
		return &netlink.Geneve{LinkAttrs: attrs, ID: 1, Remote: net.ParseIP("192.0.2.1")}
	case "gre":
		return &netlink.Gretun{LinkAttrs: attrs, Local: net.ParseIP("192.0.2.1"), Remote: net.ParseIP("192.0.2.2")}
	case "gretap":
		return &netlink.Gretap{LinkAttrs: attrs, Local: net.ParseIP("192.0.2.1"), Remote: net.ParseIP("192.0.2.2")}
	case "ip6gre":
		return &netlink.Gretun{LinkAttrs: attrs, Local: net.ParseIP("2001:db8::1"), Remote: net.ParseIP("2001:db8::2")}
	case "ipip":
		return &netlink.Iptun{LinkAttrs: attrs, Local: net.ParseIP("192.0.2.1"), Remote: net.ParseIP("192.0.2.2")}
	case "sit":
		return &netlink.Sittun{LinkAttrs: attrs, Local: net.ParseIP("192.0.2.1"), Remote: net.ParseIP("192.0.2.2")}
	case "ip6tnl":
		return &netlink.Ip6tnl{LinkAttrs: attrs, Local: net.ParseIP("2001:db8::1"), Remote: net.ParseIP("2001:db8::2")}
	}
	return nil
}
