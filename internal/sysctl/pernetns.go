package sysctl

import (
	"path"
	"strings"
)

// The house rule: a scenario never changes a setting the runner did not
// create. A World's namespaces are the runner's, so a sysctl the kernel
// keeps per network namespace may be written; any other is shared with the
// host and is refused, even as root.
//
// perNetns is that rule as an allowlist of paths under /proc/sys, in
// path.Match syntax ("*" is any one component, or the rest of one). It was
// derived from the registration code of Linux 6.18 and checked against the
// keys a fresh namespace has (see pernetns_test.go):
//
//   - Nothing outside net/ is per network namespace (kernel/, vm/, fs/, dev/,
//     user/, abi/, debug/ are registered with register_sysctl()).
//   - Under net/, tables registered with register_net_sysctl(&init_net, ...)
//     exist only in the host's namespace and are global: net_core_table
//     (net/core/sysctl_net_core.c: netdev_max_backlog, bpf_jit_*, busy_poll,
//     default_qdisc, ...), ipv4_table (net/ipv4/sysctl_net_ipv4.c: tcp_mem,
//     udp_mem, tcp_max_orphans, inet_peer_*, cipso_*, fib_sync_mem,
//     tcp_available_ulp), ipv4_route_table (net/ipv4/route.c: gc_*, max_size,
//     redirect_*, error_*), ipv6_rotable (net/ipv6/sysctl_net_ipv6.c:
//     mld_max_msf, mld_qrv, calipso_*), the frags' secret_interval, the
//     neighbour tables' "default" parameters (net/core/neighbour.c:
//     neigh_table_init registers them for init_net) and nf_conntrack_max's
//     copy in net/.
//   - Tables registered per namespace hold per-namespace data, except
//     entries the kernel points at global state: those are excluded below
//     (notPerNetns).
var perNetns = []string{
	// net/core/sysctl_net_core.c netns_core_table (rmem_* and wmem_* moved
	// there in recent kernels; older ones have them in the host's namespace
	// only), net/xfrm/xfrm_sysctl.c xfrm_table.
	"net/core/somaxconn", "net/core/optmem_max", "net/core/txrehash",
	"net/core/tstamp_allow_data", "net/core/rps_default_mask",
	"net/core/rmem_default", "net/core/rmem_max",
	"net/core/wmem_default", "net/core/wmem_max", "net/core/xfrm_*",

	// net/ipv4/sysctl_net_ipv4.c ipv4_net_table; devinet.c ctl_forward_entry
	// (ip_forward); ip_fragment.c ip4_frags_ns_ctl_table; xfrm4_policy.c.
	"net/ipv4/ip_*", "net/ipv4/icmp_*", "net/ipv4/igmp_*", "net/ipv4/tcp_*",
	"net/ipv4/udp_*", "net/ipv4/fib_*", "net/ipv4/ping_group_range",
	"net/ipv4/fwmark_reflect", "net/ipv4/raw_l3mdev_accept",
	"net/ipv4/nexthop_compat_mode", "net/ipv4/xfrm4_gc_thresh",
	"net/ipv4/ipfrag_high_thresh", "net/ipv4/ipfrag_low_thresh",
	"net/ipv4/ipfrag_time", "net/ipv4/ipfrag_max_dist",
	// net/ipv4/route.c ipv4_route_netns_table.
	"net/ipv4/route/flush", "net/ipv4/route/min_adv_mss",
	"net/ipv4/route/min_pmtu", "net/ipv4/route/mtu_expires",
	// devinet.c devinet_sysctl_register: all, default and each device.
	"net/ipv4/conf/*/*",
	// neighbour.c neigh_sysctl_register for each device.
	"net/ipv4/neigh/*/*",

	// net/ipv6/sysctl_net_ipv6.c ipv6_table_template; reassembly.c;
	// xfrm6_policy.c; route.c ipv6_route_table_template; icmp.c
	// ipv6_icmp_table_template; addrconf.c per device; neighbour.c.
	"net/ipv6/anycast_src_echo_reply", "net/ipv6/auto_flowlabels",
	"net/ipv6/bindv6only", "net/ipv6/fib_*", "net/ipv6/flowlabel_*",
	"net/ipv6/fwmark_reflect", "net/ipv6/idgen_*", "net/ipv6/ioam6_*",
	"net/ipv6/ip_nonlocal_bind", "net/ipv6/max_*", "net/ipv6/seg6_flowlabel",
	"net/ipv6/ip6frag_high_thresh", "net/ipv6/ip6frag_low_thresh",
	"net/ipv6/ip6frag_time", "net/ipv6/xfrm6_gc_thresh",
	"net/ipv6/route/*", "net/ipv6/icmp/*", "net/ipv6/conf/*/*",
	"net/ipv6/neigh/*/*",

	// net/unix/sysctl_net_unix.c, net/mptcp/ctrl.c,
	// net/bridge/br_netfilter_hooks.c (per namespace since Linux 5.3),
	// net/netfilter/nf_conntrack_standalone.c and nf_log.c.
	"net/unix/max_dgram_qlen", "net/mptcp/*", "net/bridge/bridge-nf-*",
	"net/netfilter/nf_conntrack_*", "net/netfilter/nf_log/*",
}

// notPerNetns are entries that match perNetns but are shared with the host.
var notPerNetns = []string{
	// ipv4_table (init_net only), named like per-namespace keys.
	"net/ipv4/tcp_mem", "net/ipv4/udp_mem", "net/ipv4/tcp_max_orphans",
	"net/ipv4/tcp_low_latency", "net/ipv4/tcp_available_ulp",
	"net/ipv4/fib_sync_mem",
	// ipv4_net_table entries without per-namespace data: the kernel makes
	// them read-only outside init_net (ipv4_sysctl_init_net).
	"net/ipv4/tcp_allowed_congestion_control",
	"net/ipv4/tcp_available_congestion_control",
	// The neighbour tables' own parameters (gc_thresh*, gc_interval).
	"net/ipv4/neigh/default/*", "net/ipv6/neigh/default/*",
	// nf_conntrack_standalone.c: global values, read-only outside init_net;
	// nf_hooks_lwtunnel flips a global static key from any namespace.
	"net/netfilter/nf_conntrack_max", "net/netfilter/nf_conntrack_buckets",
	"net/netfilter/nf_conntrack_expect_max", "net/netfilter/nf_hooks_lwtunnel",
}

// initNetOnly names the rest of the init_net-only tables listed above, for
// refusing their keys by name (a namespace does not even show them).
var initNetOnly = []string{
	"net/core/*", // net_core_table: all of net/core outside perNetns
	"net/ipv4/inet_peer_*", "net/ipv4/cipso_*", "net/ipv4/ipfrag_secret_interval",
	"net/ipv4/route/*", // ipv4_route_table: gc_*, max_size, redirect_*, error_*
	"net/ipv6/mld_max_msf", "net/ipv6/mld_qrv", "net/ipv6/calipso_*",
	"net/ipv6/ip6frag_secret_interval",
	"net/nf_conntrack_max", "net/netfilter/nf_log_all_netns",
}

// writable reports whether the sysctl at rel, a cleaned path relative to
// /proc/sys ("net/ipv4/ip_forward"), is kept per network namespace.
func writable(rel string) bool {
	if rel != path.Clean(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "..") {
		return false
	}
	return matchAny(perNetns, rel) && !matchAny(notPerNetns, rel)
}

// knownGlobal reports whether the sysctl at rel is known to be shared with
// the host, whether or not this namespace shows it: anything outside net/,
// and the keys of notPerNetns and initNetOnly. Such a write is refused as soon as the command
// is read. Other keys outside perNetns are refused only if they turn out to
// exist (a misspelt key gets sysctl's own "cannot stat").
func knownGlobal(rel string) bool {
	return !writable(rel) && (!strings.HasPrefix(rel, "net/") ||
		matchAny(notPerNetns, rel) || matchAny(initNetOnly, rel))
}

func matchAny(patterns []string, rel string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, rel); ok {
			return true
		}
	}
	return false
}
