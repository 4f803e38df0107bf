package world

import (
	"fmt"
	"net"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Netlink is a namespace's route netlink handle for the reads of the
// vishvananda/netlink package. Its methods are those of netlink.Handle
// that the commands use; they are safe for concurrent use, and once the
// namespace is closed they return ErrClosed. (A closed netlink.Handle
// itself would not fail: it would open a socket in whatever namespace the
// calling thread is in.)
type Netlink struct {
	label string
	mu    sync.RWMutex    // held for reading during a request, for writing by close
	h     *netlink.Handle // nil once closed
}

// Netlink returns the namespace's handle, opened on first use and closed
// with the namespace, so a command pays no socket set-up per request, as
// ip keeps one socket for a whole batch. Its socket does not ask for
// extended acks: a change whose error text a command prints ("Error:
// Nexthop has invalid gateway.") goes through Conn, or through the
// package-level netlink functions.
func (n *NS) Netlink() (*Netlink, error) {
	return openShared(n, &n.nlh, func() (*Netlink, error) {
		var h *netlink.Handle
		err := n.Do(func() (err error) {
			h, err = netlink.NewHandle(unix.NETLINK_ROUTE)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("open netlink handle in namespace %s: %w", n.label(), err)
		}
		if err := h.SetSocketTimeout(netlink.GetSocketTimeout()); err != nil {
			h.Close()
			return nil, fmt.Errorf("set netlink timeout in namespace %s: %w", n.label(), err)
		}
		return &Netlink{label: n.label(), h: h}, nil
	}, (*Netlink).close)
}

// openShared returns *slot, first opening it with open unless the
// namespace is closed. Callers racing to open it all get the first one
// stored; the others' are closed with closeFn.
func openShared[T comparable](n *NS, slot *T, open func() (T, error), closeFn func(T)) (T, error) {
	var none T
	n.mu.RLock()
	v, err := *slot, n.usable()
	n.mu.RUnlock()
	if err != nil {
		return none, err
	}
	if v != none {
		return v, nil
	}
	// Opened outside n.mu: open enters the namespace with Do, which
	// takes n.mu itself.
	v, err = open()
	if err != nil {
		return none, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.usable(); err != nil {
		closeFn(v)
		return none, err
	}
	if *slot != none {
		closeFn(v)
		return *slot, nil
	}
	*slot = v
	return v, nil
}

// do runs fn with the open handle.
func (l *Netlink) do(fn func(h *netlink.Handle) error) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.h == nil {
		return fmt.Errorf("namespace %s: %w", l.label, ErrClosed)
	}
	return fn(l.h)
}

func (l *Netlink) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.h != nil {
		l.h.Close()
		l.h = nil
	}
}

// LinkByName is netlink.Handle.LinkByName: one RTM_GETLINK by name.
func (l *Netlink) LinkByName(name string) (link netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { link, err = h.LinkByName(name); return err })
	return link, err
}

// LinkByIndex is netlink.Handle.LinkByIndex: one RTM_GETLINK by index.
func (l *Netlink) LinkByIndex(index int) (link netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { link, err = h.LinkByIndex(index); return err })
	return link, err
}

// LinkList is netlink.Handle.LinkList: every link of the namespace.
func (l *Netlink) LinkList() (links []netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { links, err = h.LinkList(); return err })
	return links, err
}

// AddrList is netlink.Handle.AddrList: the addresses of link (nil: all)
// in family.
func (l *Netlink) AddrList(link netlink.Link, family int) (addrs []netlink.Addr, err error) {
	err = l.do(func(h *netlink.Handle) error { addrs, err = h.AddrList(link, family); return err })
	return addrs, err
}

// RouteListFiltered is netlink.Handle.RouteListFiltered.
func (l *Netlink) RouteListFiltered(family int, filter *netlink.Route, mask uint64) (routes []netlink.Route, err error) {
	err = l.do(func(h *netlink.Handle) error { routes, err = h.RouteListFiltered(family, filter, mask); return err })
	return routes, err
}

// RouteGet is netlink.Handle.RouteGet: the route the kernel picks for dst.
func (l *Netlink) RouteGet(dst net.IP) (routes []netlink.Route, err error) {
	err = l.do(func(h *netlink.Handle) error { routes, err = h.RouteGet(dst); return err })
	return routes, err
}

// NeighList is netlink.Handle.NeighList: the neighbour entries of the link
// with index linkIndex (0: all) in family.
func (l *Netlink) NeighList(linkIndex, family int) (neighs []netlink.Neigh, err error) {
	err = l.do(func(h *netlink.Handle) error { neighs, err = h.NeighList(linkIndex, family); return err })
	return neighs, err
}

// GetNetNsIdByFd is netlink.Handle.GetNetNsIdByFd: the netnsid this
// namespace has assigned to the namespace fd refers to, or -1.
func (l *Netlink) GetNetNsIdByFd(fd int) (id int, err error) {
	err = l.do(func(h *netlink.Handle) error { id, err = h.GetNetNsIdByFd(fd); return err })
	return id, err
}

// Conn returns the namespace's route netlink socket for requests built by
// hand (see Request). It asks for extended acks, as ip does, so a failed
// request's error carries the kernel's message. Opened on first use,
// closed with the namespace; a request on it after that fails.
func (n *NS) Conn() (*nl.SocketHandle, error) {
	return openShared(n, &n.conn, func() (*nl.SocketHandle, error) {
		var s *nl.NetlinkSocket
		err := n.Do(func() (err error) {
			s, err = nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_ROUTE)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("open netlink socket in namespace %s: %w", n.label(), err)
		}
		h := &nl.SocketHandle{Socket: s}
		for _, set := range []func(*unix.Timeval) error{s.SetSendTimeout, s.SetReceiveTimeout} {
			if err := set(&nl.SocketTimeoutTv); err != nil {
				h.Close()
				return nil, fmt.Errorf("set netlink socket timeout in namespace %s: %w", n.label(), err)
			}
		}
		_ = s.SetExtAck(true) // best effort, as in iproute2: older kernels lack it
		return h, nil
	}, (*nl.SocketHandle).Close)
}

// Request returns a netlink request of type typ with flags, to be sent on
// the namespace's Conn.
func (n *NS) Request(typ, flags int) (*nl.NetlinkRequest, error) {
	c, err := n.Conn()
	if err != nil {
		return nil, err
	}
	req := nl.NewNetlinkRequest(typ, flags)
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: c}
	return req, nil
}

// usable reports ErrClosed for a namespace that is deleted or closing.
// The caller holds n.mu.
func (n *NS) usable() error {
	if n.fd < 0 || n.closing {
		return fmt.Errorf("namespace %s: %w", n.label(), ErrClosed)
	}
	return nil
}

// closeNetlink closes the handle and the socket. The caller holds n.mu.
func (n *NS) closeNetlink() {
	if n.nlh != nil {
		n.nlh.close()
	}
	if n.conn != nil {
		n.conn.Close()
	}
}
