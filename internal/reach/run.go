package reach

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// column is a resolved TARGET.
type column struct {
	target
	ns *world.NS // nil for a bare address
}

// cell is the outcome of one probe.
type cell struct {
	probed    bool
	ok        bool
	reason    string // why a probed pair failed
	tableFull bool   // it failed while the neighbour table was full
}

// run resolves the targets, probes every pair concurrently and prints the
// matrix.
func (o *opts) run(s *script.State) error {
	if s.World == nil {
		return errors.New("reach: no world to run in")
	}
	cols := make([]column, len(o.targets))
	var rows []int // indices of cols that are namespaces
	for i, t := range o.targets {
		cols[i].target = t
		if t.ns == "" {
			continue
		}
		ns, err := s.World.Lookup(t.ns)
		if err != nil {
			return s.Fail(exitError, "reach: no namespace %q", t.ns)
		}
		cols[i].ns = ns
		rows = append(rows, i)
		if !t.addr.IsValid() {
			a, err := globalAddr(ns, o.family)
			if err != nil {
				return s.Fail(exitError, "reach: %v", err)
			}
			cols[i].addr = a
		}
	}

	cells := make([][]cell, len(rows))
	var wg sync.WaitGroup
	var mu sync.Mutex
	var setupErr error
	for r, ri := range rows {
		cells[r] = make([]cell, len(cols))
		src := cols[ri].ns
		var socks []*echoSock
		var dsts []int
		err := src.Do(func() error {
			for c := range cols {
				if c == ri {
					continue
				}
				sock, err := openEcho(cols[c].addr)
				if err != nil {
					var unreach *unreachableError
					if errors.As(err, &unreach) {
						cells[r][c] = cell{probed: true, reason: script.ErrorText(unreach.err)}
						continue
					}
					for _, s := range socks {
						s.close()
					}
					return fmt.Errorf("reach: from %s to %s: %w", cols[ri].label, cols[c].addr, err)
				}
				sock.hasNeighbour = func() bool { return hasNeighbour(src, sock.dst) }
				socks = append(socks, sock)
				dsts = append(dsts, c)
			}
			return nil
		})
		if err != nil {
			mu.Lock()
			setupErr = errors.Join(setupErr, err)
			mu.Unlock()
			continue
		}
		for k, sock := range socks {
			wg.Add(1)
			go func(r, c int, sock *echoSock) {
				defer wg.Done()
				defer sock.close()
				cells[r][c] = sock.probe(s.Ctx, o.timeout)
			}(r, dsts[k], sock)
		}
	}
	wg.Wait()
	if setupErr != nil {
		return s.Fail(exitError, "%v", setupErr)
	}

	if err := writeMatrix(s.Stdout, cols, rows, cells); err != nil {
		return err
	}
	failed, probed := 0, 0
	full := map[int]int{} // pairs that failed on a full table, by family
	for r, ri := range rows {
		for c := range cols {
			x := cells[r][c]
			if !x.probed {
				continue
			}
			probed++
			if !x.ok {
				failed++
				if x.tableFull {
					full[family(cols[c].addr)]++
				}
				fmt.Fprintf(s.Stderr, "reach: %s -> %s (%s): %s\n", cols[ri].label, cols[c].label, cols[c].addr, x.reason)
			}
		}
	}
	for _, f := range []int{4, 6} {
		if full[f] > 0 {
			fmt.Fprintf(s.Stderr, "reach: %s\n", overflowNote(full[f], f))
		}
	}
	if failed > 0 {
		return s.Fail(exitUnreachable, "reach: %d of %d pairs unreachable", failed, probed)
	}
	return nil
}

// hasNeighbour reports whether ns has a neighbour entry, in any state, for
// the next hop of its route to dst; true when it cannot tell.
func hasNeighbour(ns *world.NS, dst netip.Addr) bool {
	h, err := ns.Netlink()
	if err != nil {
		return true
	}
	routes, err := h.RouteGet(dst.AsSlice())
	if err != nil || len(routes) == 0 {
		return true
	}
	next := routes[0].Gw
	if next == nil {
		next = dst.AsSlice()
	}
	fam := netlink.FAMILY_V4
	if dst.Is6() {
		fam = netlink.FAMILY_V6
	}
	neighs, err := h.NeighList(routes[0].LinkIndex, fam)
	if err != nil {
		return true
	}
	for _, n := range neighs {
		if n.IP.Equal(next) {
			return true
		}
	}
	return false
}

// overflowNote explains pairs that failed because the kernel's neighbour
// table of the family (4 or 6) was full: the table, and its limit, are
// shared by every namespace on the machine, so the failure says nothing
// about the scenario's network.
func overflowNote(pairs, family int) string {
	key := fmt.Sprintf("net.ipv%d.neigh.default.gc_thresh3", family)
	setting := key + " (1024 by default)"
	if v, err := hostSysctl(key); err == nil {
		setting = key + "=" + v
	}
	return fmt.Sprintf("neighbour table overflow (%s is shared by every namespace): %d pairs, marked X!, "+
		"failed for want of room for a neighbour entry, not because of the scenario's network; "+
		"raise the limit on the host (sysctl -w %s=8192, with gc_thresh1 and gc_thresh2) or probe fewer pairs at once",
		setting, pairs, key)
}

func family(a netip.Addr) int {
	if a.Is6() {
		return 6
	}
	return 4
}

// hostSysctl reads key as the process's own network namespace has it (the
// neighbour table limits are only there, in the machine's initial one):
// from a fresh goroutine, on a thread that never entered a scenario's
// namespace.
func hostSysctl(key string) (string, error) {
	type result struct {
		v   string
		err error
	}
	c := make(chan result, 1)
	go func() {
		data, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(key, ".", "/"))
		c <- result{strings.TrimSpace(string(data)), err}
	}()
	r := <-c
	return r.v, r.err
}

// globalAddr returns the single global address of the family in ns.
func globalAddr(ns *world.NS, family int) (netip.Addr, error) {
	fam, name := netlink.FAMILY_V4, "IPv4"
	if family == 6 {
		fam, name = netlink.FAMILY_V6, "IPv6"
	}
	var found []netip.Addr
	err := func() error {
		h, err := ns.Netlink()
		if err != nil {
			return err
		}
		addrs, err := h.AddrList(nil, fam)
		if err != nil {
			return fmt.Errorf("list the addresses of %s: %w", ns.Name, err)
		}
		for _, a := range addrs {
			ip, ok := netip.AddrFromSlice(a.IP)
			if !ok || a.Scope != unix.RT_SCOPE_UNIVERSE {
				continue
			}
			if ip = ip.Unmap(); !slices.Contains(found, ip) {
				found = append(found, ip)
			}
		}
		return nil
	}()
	if err != nil {
		return netip.Addr{}, err
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return netip.Addr{}, fmt.Errorf("%s has no global %s address: add one, or name the address to probe with %s=ADDRESS",
			ns.Name, name, ns.Name)
	}
	slices.SortFunc(found, netip.Addr.Compare)
	list := make([]string, len(found))
	for i, a := range found {
		list[i] = a.String()
	}
	return netip.Addr{}, fmt.Errorf("%s has %d global %s addresses (%s): name the one to probe with %s=ADDRESS",
		ns.Name, len(found), name, strings.Join(list, ", "), ns.Name)
}

// writeMatrix prints the result: a heading line of target labels, then one
// line per source, cells left-aligned under their heading, two spaces
// apart, no trailing spaces.
func writeMatrix(w io.Writer, cols []column, rows []int, cells [][]cell) error {
	first := 0
	for _, ri := range rows {
		first = max(first, len(cols[ri].label))
	}
	var b strings.Builder
	line := func(head string, field func(c int) string) {
		var l strings.Builder
		fmt.Fprintf(&l, "%-*s", first, head)
		for c, col := range cols {
			fmt.Fprintf(&l, "  %-*s", max(len(col.label), 2), field(c))
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	line("", func(c int) string { return cols[c].label })
	for r, ri := range rows {
		line(cols[ri].label, func(c int) string {
			switch x := cells[r][c]; {
			case !x.probed:
				return "--"
			case x.ok:
				return "ok"
			case x.tableFull:
				return "X!"
			default:
				return "X"
			}
		})
	}
	_, err := io.WriteString(w, b.String())
	return err
}
