package nettools

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// Files the C library consults for names; variables so tests can point
// them elsewhere.
var (
	nsswitchPath = "/etc/nsswitch.conf"
	hostsPath    = "/etc/hosts"
	networksPath = "/etc/networks"
)

// resolver is INET_rresolve (lib/inet.c) without the network: it answers
// from /etc/hosts and /etc/networks when the C library would find the name
// there first, and refuses when only DNS could answer, since what DNS says
// (or how long it takes to fail) is not reproducible.
type resolver struct {
	loaded   bool
	hosts    map[uint32]string
	networks map[uint32]string
	hostsDNS bool // the hosts database goes on to other sources (DNS)
	netsDNS  bool
}

// destination names a route's destination: rprint_fib asks with 0x8000
// ("default" for 0.0.0.0/0) and, for host routes, 0x4000 (a host lookup).
func (n *resolver) destination(r procRoute) (string, error) {
	if r.dst == 0 {
		if r.mask == 0 {
			return "default", nil
		}
		return "0.0.0.0", nil
	}
	host := r.dst&^r.mask != 0 || r.flags&rtfHost != 0
	return n.lookup(r.dst, host)
}

// gateway names a route's gateway: a host lookup with netmask 0xffffff00,
// so 0.0.0.0 prints as itself.
func (n *resolver) gateway(r procRoute) (string, error) {
	if r.gw == 0 {
		return "0.0.0.0", nil
	}
	return n.lookup(r.gw, true)
}

// lookup is gethostbyaddr or getnetbyaddr through the files databases.
func (n *resolver) lookup(a uint32, host bool) (string, error) {
	if err := n.load(); err != nil {
		return "", err
	}
	db, dns, kind := n.networks, n.netsDNS, "network"
	if host {
		db, dns, kind = n.hosts, n.hostsDNS, "host"
	}
	if name, ok := db[a]; ok {
		return name, nil
	}
	if dns {
		return "", fmt.Errorf("netscript cannot look up the %s name of %s without the network (DNS): use route -n", kind, dotted(a))
	}
	return dotted(a), nil
}

func (n *resolver) load() error {
	if n.loaded {
		return nil
	}
	n.loaded = true
	hostsSrc, netsSrc, err := nssSources()
	if err != nil {
		return err
	}
	n.hosts, n.networks = map[uint32]string{}, map[uint32]string{}
	n.hostsDNS, n.netsDNS = true, true
	if len(hostsSrc) > 0 && hostsSrc[0] == "files" {
		n.hostsDNS = len(hostsSrc) > 1
		if err := readTable(hostsPath, n.hosts, parseHostsLine); err != nil {
			return err
		}
	}
	if len(netsSrc) > 0 && netsSrc[0] == "files" {
		n.netsDNS = len(netsSrc) > 1
		if err := readTable(networksPath, n.networks, parseNetworksLine); err != nil {
			return err
		}
	}
	return nil
}

// nssSources returns the sources of the hosts and networks databases in
// nsswitch.conf, without [action] items. A database not listed has none
// here, which makes every lookup refuse.
func nssSources() (hosts, networks []string, err error) {
	f, err := os.Open(nsswitchPath)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read name service configuration: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		db, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var src []string
		for _, w := range strings.Fields(rest) {
			if !strings.HasPrefix(w, "[") && !strings.HasSuffix(w, "]") {
				src = append(src, w)
			}
		}
		switch strings.TrimSpace(db) {
		case "hosts":
			hosts = src
		case "networks":
			networks = src
		}
	}
	return hosts, networks, sc.Err()
}

// readTable adds a file's entries to db, the first entry for an address
// winning, as the C library's files lookups scan from the top.
func readTable(path string, db map[uint32]string, parse func([]string) (uint32, string, bool)) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		a, name, ok := parse(strings.Fields(line))
		if _, seen := db[a]; ok && !seen {
			db[a] = name
		}
	}
	return sc.Err()
}

// parseHostsLine reads "ADDRESS NAME [ALIAS...]"; only IPv4 addresses count
// for gethostbyaddr(AF_INET).
func parseHostsLine(f []string) (uint32, string, bool) {
	if len(f) < 2 {
		return 0, "", false
	}
	ip, err := netip.ParseAddr(f[0])
	if err != nil || !ip.Is4() {
		return 0, "", false
	}
	b := ip.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), f[1], true
}

// parseNetworksLine reads "NAME NUMBER [ALIAS...]". As glibc's
// nss_files, a number with fewer than four parts is padded with zeros on
// the right ("127" is 127.0.0.0) before inet_network reads it.
func parseNetworksLine(f []string) (uint32, string, bool) {
	if len(f) < 2 {
		return 0, "", false
	}
	parts := strings.Split(f[1], ".")
	if len(parts) > 4 {
		return 0, "", false
	}
	var a uint32
	for i := 0; i < 4; i++ {
		var v uint64
		if i < len(parts) {
			var err error
			if v, err = strconv.ParseUint(parts[i], 0, 8); err != nil {
				return 0, "", false
			}
		}
		a = a<<8 | uint32(v)
	}
	return a, f[0], true
}
