package realtool

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

// Links is the part of a namespace's netlink handle that Settle reads:
// both *netlink.Handle and *world.Netlink have it.
type Links interface {
	LinkList() ([]netlink.Link, error)
	LinkByIndex(index int) (netlink.Link, error)
	AddrList(link netlink.Link, family int) ([]netlink.Addr, error)
	RouteListFiltered(family int, filter *netlink.Route, mask uint64) ([]netlink.Route, error)
	NeighList(linkIndex, family int) ([]netlink.Neigh, error)
}

// SettleStep is how long Settle waits between two looks.
const SettleStep = 2 * time.Millisecond

// Settle waits, until ctx is done, for the kernel to finish the work it
// defers after a command returns, in every namespace of nss, so that what
// a command shows next no longer depends on how fast the commands before
// ran, on either side of a differential test:
//
//   - linkwatch: a link's operstate (and with it IFF_RUNNING, the routes'
//     "linkdown" and the start of IPv6 duplicate address detection) follows
//     its carrier some time after the carrier changed. Settle asks for each
//     link that is up by index, which makes the kernel run the link's
//     pending linkwatch event at once (rtnl_getlink calls
//     linkwatch_sync_dev), then checks that operstate and carrier agree.
//   - duplicate address detection: an IPv6 address added without nodad on
//     a running link stays tentative for 1 to 2 s. Settle waits until no
//     address on a running link is tentative (an address on a link that is
//     down or has no carrier stays tentative for good and is left so).
//   - the local route of an IPv6 address, added by the kernel's address
//     work queue when detection ends (at once with nodad): Settle waits
//     until every address past detection has its route in table local.
//   - neighbour resolution: a packet sent to a neighbour that never
//     answers waits in its INCOMPLETE entry until the solicitations run
//     out (3 s); the kernel then sends its sender an ICMP "address
//     unreachable", whose route lookup adds a per-CPU copy of the local
//     route (route -A inet6 counts it under Ref). Settle waits until no
//     entry is INCOMPLETE.
//
// It returns an error naming what did not settle.
func Settle(ctx context.Context, nss map[string]Links) error {
	for {
		var pending []string
		for label, h := range nss {
			p, err := unsettled(h)
			if err != nil {
				return fmt.Errorf("settle namespace %s: %w", label, err)
			}
			for _, what := range p {
				pending = append(pending, label+": "+what)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("settle: still pending when the deadline came: %s", strings.Join(pending, "; "))
		case <-time.After(SettleStep):
		}
	}
}

// unsettled lists what the kernel has still to do in the namespace of h.
func unsettled(h Links) ([]string, error) {
	links, err := h.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	var pending []string
	running := make(map[int]bool)
	for _, l := range links {
		a := l.Attrs()
		if a.RawFlags&unix.IFF_UP == 0 {
			continue
		}
		// The single-link request runs the link's linkwatch event.
		if l, err = h.LinkByIndex(a.Index); err != nil {
			continue // gone meanwhile
		}
		a = l.Attrs()
		carrier := a.RawFlags&unix.IFF_LOWER_UP != 0
		up := a.RawFlags&unix.IFF_RUNNING != 0 // operstate UP or UNKNOWN
		held := a.OperState == netlink.OperDormant || a.OperState == netlink.OperTesting
		if carrier != up && !held {
			pending = append(pending, fmt.Sprintf("link %s: operstate %s with carrier %v", a.Name, a.OperState, carrier))
		}
		running[a.Index] = up && a.RawFlags&unix.IFF_NOARP == 0
	}
	addrs, err := h.AddrList(nil, netlink.FAMILY_V6)
	if err != nil {
		return nil, fmt.Errorf("list addresses: %w", err)
	}
	for _, a := range addrs {
		switch {
		case a.Flags&unix.IFA_F_DADFAILED != 0:
		case a.Flags&unix.IFA_F_TENTATIVE != 0:
			if running[a.LinkIndex] {
				pending = append(pending, fmt.Sprintf("address %s tentative", a.IPNet))
			}
		default:
			filter := &netlink.Route{Table: unix.RT_TABLE_LOCAL, Dst: &net.IPNet{IP: a.IP, Mask: net.CIDRMask(128, 128)}}
			routes, err := h.RouteListFiltered(netlink.FAMILY_V6, filter, netlink.RT_FILTER_TABLE|netlink.RT_FILTER_DST)
			if err != nil {
				return nil, fmt.Errorf("list local routes: %w", err)
			}
			if len(routes) == 0 {
				pending = append(pending, fmt.Sprintf("address %s without its local route", a.IPNet))
			}
		}
	}
	neighs, err := h.NeighList(0, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("list neighbours: %w", err)
	}
	for _, n := range neighs {
		if n.State&netlink.NUD_INCOMPLETE != 0 {
			pending = append(pending, fmt.Sprintf("neighbour %s incomplete", n.IP))
		}
	}
	return pending, nil
}

// SettleWorld is Settle over every namespace of w.
func SettleWorld(ctx context.Context, w *world.World) error {
	nss := make(map[string]Links)
	for _, ns := range w.All() {
		h, err := ns.Netlink()
		if err != nil {
			return err
		}
		nss[ns.Label()] = h
	}
	return Settle(ctx, nss)
}

// SettleProcess is Settle over the network namespace of process pid and
// the namespaces named in its mount namespace's /run/netns: the namespaces
// of a real tool's sandbox, seen from outside it.
func SettleProcess(ctx context.Context, pid int) error {
	paths := []string{fmt.Sprintf("/proc/%d/ns/net", pid)}
	names, err := filepath.Glob(fmt.Sprintf("/proc/%d/root/run/netns/*", pid))
	if err != nil {
		return err
	}
	paths = append(paths, names...)
	nss := make(map[string]Links)
	defer func() {
		for _, h := range nss {
			h.(*world.Netlink).Close()
		}
	}()
	for _, p := range paths {
		h, err := world.OpenNetlink(p)
		var pathErr *fs.PathError
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // deleted meanwhile
		case errors.As(err, &pathErr):
			return err
		case err != nil:
			// Not a namespace (yet): "ip netns add" creates the file
			// before it mounts the namespace on it.
			continue
		}
		label := "(root)"
		if p != paths[0] {
			label = filepath.Base(p)
		}
		nss[label] = h
	}
	return Settle(ctx, nss)
}
