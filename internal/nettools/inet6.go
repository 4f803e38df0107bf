package nettools

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// The IPv6 table is net-tools 2.10's rprint_fib6 (lib/inet6_gr.c) over
// /proc/net/ipv6_route. That file's Ref column counts the kernel's
// references to each route, per-CPU route copies included, which no
// netlink dump reports; so netscript reads the file itself, as
// /proc/thread-self/net/ipv6_route from a thread inside the namespace
// (/proc/net follows the process's main thread, not the calling one).

// Headers of rprint_fib6.
const (
	fib6Title   = "Kernel IPv6 routing table\n"
	cache6Title = "Kernel IPv6 routing cache\n"
	fib6Header  = "Destination                    Next Hop                   Flag Met Ref  Use If\n"
)

// ipv6RoutePath is where a thread finds its namespace's IPv6 routes; a
// variable so tests can point it elsewhere.
var ipv6RoutePath = "/proc/thread-self/net/ipv6_route"

// IPv6 route flags of /proc/net/ipv6_route (linux/route.h,
// linux/ipv6_route.h) that rprint_fib6 prints, in its order.
var route6Flags = []struct {
	bit  uint32
	name string
}{
	{0x0001, "U"},     // RTF_UP
	{0x0200, "!"},     // RTF_REJECT
	{0x0002, "G"},     // RTF_GATEWAY
	{0x0004, "H"},     // RTF_HOST
	{0x00010000, "D"}, // RTF_DEFAULT
	{0x00040000, "A"}, // RTF_ADDRCONF
	{rtfCache6, "C"},  // RTF_CACHE
	{0x00020000, "a"}, // RTF_ALLONLINK
	{0x00400000, "e"}, // RTF_EXPIRES
	{0x0020, "m"},     // RTF_MODIFIED
	{0x00200000, "n"}, // RTF_NONEXTHOP
	{0x02000000, "f"}, // RTF_FLOW
}

// rtfCache6 marks a cached route (RTF_CACHE): listed by -C, not by -F.
const rtfCache6 = 0x01000000

// route6 is one line of /proc/net/ipv6_route.
type route6 struct {
	dst     netip.Addr
	dstLen  int
	gw      netip.Addr
	metric  int32 // read with %08x into an int, printed with %d
	refcnt  int32
	use     int32
	flags   uint32
	iface   string
	noIface bool // the line has no device name: sscanf keeps the last one
}

// showInet6 is INET6_rprint: the FIB, then the "cache", which net-tools
// lists from the same file when /proc/net/ndisc is missing (always, since
// Linux 2.2): only RTF_CACHE routes, which the file no longer shows.
func showInet6(s *script.State, o showOpts) error {
	routes, err := readRoutes6(s.NS)
	if errors.Is(err, fs.ErrNotExist) {
		io.WriteString(s.Stderr, "/proc/net/ipv6_route: No such file or directory\n")
		io.WriteString(s.Stdout, "INET6 (IPv6) not configured in this system.\n")
		return &script.ExitError{Code: 1}
	}
	if err != nil {
		return s.Fail(exitNoSupp, "route: %v", err)
	}
	var names *resolver6
	if !o.numeric {
		names = &resolver6{}
	}
	var b strings.Builder
	if o.fib {
		if err := formatFIB6(&b, routes, false, names); err != nil {
			return s.Fail(exitNoSupp, "route: %v", err)
		}
	}
	if o.cache {
		if err := formatFIB6(&b, routes, true, names); err != nil {
			return s.Fail(exitNoSupp, "route: %v", err)
		}
	}
	_, err = io.WriteString(s.Stdout, b.String())
	return err
}

// readRoutes6 reads /proc/net/ipv6_route of ns.
func readRoutes6(ns *world.NS) ([]route6, error) {
	var data []byte
	err := ns.Do(func() error {
		var err error
		data, err = os.ReadFile(ipv6RoutePath)
		return err
	})
	if err != nil {
		return nil, err
	}
	var routes []route6
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		r, ok := parseRoute6(sc.Text())
		if ok {
			routes = append(routes, r)
		}
	}
	return routes, nil
}

// parseRoute6 reads one line as rprint_fib6's sscanf does: destination and
// length, source and length, next hop, then metric, reference count, use
// count and flags in hexadecimal, and the device name.
func parseRoute6(line string) (route6, bool) {
	f := strings.Fields(line)
	if len(f) < 9 {
		return route6{}, false
	}
	var r route6
	var ok bool
	if r.dst, ok = hexAddr6(f[0]); !ok {
		return route6{}, false
	}
	if r.gw, ok = hexAddr6(f[4]); !ok {
		return route6{}, false
	}
	var nums [5]uint64
	for i, s := range []string{f[1], f[5], f[6], f[7], f[8]} {
		n, err := strconv.ParseUint(s, 16, 32)
		if err != nil {
			return route6{}, false
		}
		nums[i] = n
	}
	r.dstLen = int(nums[0])
	r.metric, r.refcnt, r.use, r.flags = int32(nums[1]), int32(nums[2]), int32(nums[3]), uint32(nums[4])
	if len(f) > 9 {
		r.iface = f[9]
		if len(r.iface) > 15 {
			r.iface = r.iface[:15]
		}
	} else {
		r.noIface = true
	}
	return r, true
}

// hexAddr6 decodes the 32 hexadecimal digits of an address.
func hexAddr6(s string) (netip.Addr, bool) {
	if len(s) != 32 {
		return netip.Addr{}, false
	}
	var b [16]byte
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return netip.Addr{}, false
		}
		b[i] = byte(v)
	}
	return netip.AddrFrom16(b), true
}

// formatFIB6 is rprint_fib6: the table (cache false) or the cache.
func formatFIB6(b *strings.Builder, routes []route6, cache bool, names *resolver6) error {
	if cache {
		b.WriteString(cache6Title)
	} else {
		b.WriteString(fib6Title)
	}
	b.WriteString(fib6Header)
	iface := "" // what sscanf left in the buffer
	for _, r := range routes {
		if !r.noIface {
			iface = r.iface
		}
		if (r.flags&rtfCache6 != 0) != cache {
			continue
		}
		dst, err := names.name(r.dst)
		if err != nil {
			return err
		}
		gw, err := names.name(r.gw)
		if err != nil {
			return err
		}
		var flags string
		for _, fl := range route6Flags {
			if r.flags&fl.bit != 0 {
				flags += fl.name
			}
		}
		fmt.Fprintf(b, "%-30s %-26s %-4s %-3d %-1d %6d %s\n",
			fmt.Sprintf("%s/%d", dst, r.dstLen), gw, flags, r.metric, r.refcnt, r.use, iface)
	}
	return nil
}

// resolver6 is INET6_sprint without the network: "[::]" for the
// unspecified address, a name from /etc/hosts when the hosts database is
// read from files, else the numeric address, which is what getnameinfo(3)
// falls back to when DNS cannot answer, as in a scenario's namespaces. A
// nil resolver6 prints numbers (-n).
type resolver6 struct {
	loaded bool
	hosts  map[netip.Addr]string
}

func (n *resolver6) name(a netip.Addr) (string, error) {
	if n == nil {
		return fixV4Address(ntop6(a), a), nil
	}
	if a == netip.IPv6Unspecified() {
		return "[::]", nil
	}
	if err := n.load(); err != nil {
		return "", err
	}
	if name, ok := n.hosts[a]; ok {
		return name, nil
	}
	return fixV4Address(ntop6(a), a), nil
}

func (n *resolver6) load() error {
	if n.loaded {
		return nil
	}
	n.loaded = true
	n.hosts = map[netip.Addr]string{}
	hostsSrc, _, err := nssSources()
	if err != nil {
		return err
	}
	if len(hostsSrc) == 0 || hostsSrc[0] != "files" {
		return nil
	}
	f, err := os.Open(hostsPath)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", hostsPath, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		a, err := netip.ParseAddr(fields[0])
		if err != nil || !a.Is6() || a.Zone() != "" {
			continue
		}
		if _, seen := n.hosts[a]; !seen {
			n.hosts[a] = fields[1]
		}
	}
	return sc.Err()
}

// fixV4Address is net-tools' fix_v4_address: an IPv4-mapped address shows
// as its IPv4 part.
func fixV4Address(s string, a netip.Addr) string {
	if !a.Is4In6() {
		return s
	}
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s
	}
	if colon := strings.LastIndexByte(s[:dot], ':'); colon >= 0 {
		return s[colon+1:]
	}
	return s
}

// ntop6 is glibc's inet_ntop for IPv6, as ip prints addresses too.
func ntop6(a netip.Addr) string {
	b := a.As16()
	return ipshow.InetNtop6(b[:])
}
