package world

import (
	"errors"
	"fmt"
	"net"
	"os"
	"reflect"
	"sync"
	"unsafe"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// A namespace has two route netlink sockets, each opened on first use and
// closed with the namespace, so a command pays no socket set-up per
// request, as ip keeps one socket for a whole batch. Both ask for extended
// acks, so a refused request's error carries the kernel's message ("Error:
// Nexthop has invalid gateway."). Conn, for requests built by hand, is set
// up as ip sets up its own (rtnl_open and rtnl_set_strict_dump): the kernel
// checks dump requests strictly and filters them by what they ask for.
// Netlink, for the requests of the vishvananda/netlink package, does not
// check dumps strictly: the package's route dumps carry filters the kernel
// would refuse, and it misreads the error of a failed dump when the kernel
// adds a message to it (it panics).

// Netlink is a route netlink socket seen through vishvananda/netlink's
// Handle. Its methods are those of netlink.Handle that the commands use;
// they are safe for concurrent use, and once the namespace is closed they
// return ErrClosed. (A closed netlink.Handle itself would not fail: it
// would open a socket in whatever namespace the calling thread is in.)
type Netlink struct {
	label string
	mu    sync.RWMutex     // held for reading during a request, for writing by close
	h     *netlink.Handle  // nil once closed
	sock  *nl.SocketHandle // h's socket, closed with it
	own   bool             // from OpenNetlink: closed by Close
}

// Netlink returns the namespace's handle.
func (n *NS) Netlink() (*Netlink, error) {
	return openShared(n, &n.nlh, func() (*Netlink, error) {
		c, err := n.open(false)
		if err != nil {
			return nil, err
		}
		h, err := handleOn(c)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("netlink handle in namespace %s: %w", n.label(), err)
		}
		return &Netlink{label: n.label(), h: h, sock: c}, nil
	}, (*Netlink).close)
}

// open opens a route netlink socket in the namespace.
func (n *NS) open(strict bool) (*nl.SocketHandle, error) {
	var s *nl.NetlinkSocket
	err := n.Do(func() (err error) {
		s, err = nl.GetNetlinkSocketAt(netns.None(), netns.None(), unix.NETLINK_ROUTE)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open netlink socket in namespace %s: %w", n.label(), err)
	}
	c, err := setUp(s, strict)
	if err != nil {
		return nil, fmt.Errorf("netlink socket in namespace %s: %w", n.label(), err)
	}
	return c, nil
}

// OpenNetlink opens a route netlink handle, set up as a namespace's, in
// the network namespace file path names (/proc/PID/ns/net, a file under
// /run/netns): a namespace no World owns, such as a real tool's. The
// caller closes it. A file that cannot be opened is an *fs.PathError.
func OpenNetlink(path string) (*Netlink, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := nl.GetNetlinkSocketAt(netns.NsHandle(f.Fd()), netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink socket in namespace %s: %w", path, err)
	}
	c, err := setUp(s, false)
	if err != nil {
		return nil, fmt.Errorf("netlink socket in namespace %s: %w", path, err)
	}
	h, err := handleOn(c)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("netlink handle in namespace %s: %w", path, err)
	}
	return &Netlink{label: path, h: h, sock: c, own: true}, nil
}

// Close closes a handle from OpenNetlink; a namespace's own closes with
// the namespace, and Close leaves it open.
func (l *Netlink) Close() {
	if l.own {
		l.close()
	}
}

// setUp sets a new socket up as ip sets up its own, with or without
// strict checking of dump requests; s is closed on failure.
func setUp(s *nl.NetlinkSocket, strict bool) (*nl.SocketHandle, error) {
	h := &nl.SocketHandle{Socket: s}
	for _, set := range []func(*unix.Timeval) error{s.SetSendTimeout, s.SetReceiveTimeout} {
		if err := set(&nl.SocketTimeoutTv); err != nil {
			h.Close()
			return nil, fmt.Errorf("set timeout: %w", err)
		}
	}
	// Both are best effort, as in iproute2: older kernels lack them.
	_ = s.SetExtAck(true)
	if strict {
		_ = unix.SetsockoptInt(s.GetFd(), unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
	}
	return h, nil
}

// handleOn returns a netlink.Handle whose requests go on s. The package
// has no constructor for one on a socket the caller opened (NewHandleAt
// opens its own, without extended acks); this fills in the one field
// newHandle fills, found by name and type, so a release of the package
// that changed it makes this fail rather than misbehave.
func handleOn(s *nl.SocketHandle) (*netlink.Handle, error) {
	h := new(netlink.Handle)
	f := reflect.ValueOf(h).Elem().FieldByName("sockets")
	want := reflect.TypeFor[map[int]*nl.SocketHandle]()
	if !f.IsValid() || f.Type() != want {
		return nil, errors.New("netlink.Handle has no field sockets of type " + want.String())
	}
	sockets := (*map[int]*nl.SocketHandle)(unsafe.Pointer(f.UnsafeAddr()))
	*sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: s}
	return h, nil
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
		l.sock.Close()
		l.h = nil
	}
}

// LinkByName is netlink.Handle.LinkByName: one RTM_GETLINK by name. A
// name no link has is a netlink.LinkNotFoundError (see NotFound).
func (l *Netlink) LinkByName(name string) (link netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { link, err = h.LinkByName(name); return err })
	return link, err
}

// LinkByIndex is netlink.Handle.LinkByIndex: one RTM_GETLINK by index.
func (l *Netlink) LinkByIndex(index int) (link netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { link, err = h.LinkByIndex(index); return err })
	return link, err
}

// NotFound reports whether err is LinkByName's or LinkByIndex's answer
// for a link that is not there.
func NotFound(err error) bool {
	var notFound netlink.LinkNotFoundError
	return errors.As(err, &notFound)
}

// LinkList is netlink.Handle.LinkList: every link of the namespace.
func (l *Netlink) LinkList() (links []netlink.Link, err error) {
	err = l.do(func(h *netlink.Handle) error { links, err = h.LinkList(); return err })
	return links, err
}

// LinkAdd is netlink.Handle.LinkAdd: create link.
func (l *Netlink) LinkAdd(link netlink.Link) error {
	return l.do(func(h *netlink.Handle) error { return h.LinkAdd(link) })
}

// LinkDel is netlink.Handle.LinkDel: one RTM_DELLINK for link's index.
func (l *Netlink) LinkDel(link netlink.Link) error {
	return l.do(func(h *netlink.Handle) error { return h.LinkDel(link) })
}

// AddrList is netlink.Handle.AddrList: the addresses of link (nil: all)
// in family.
func (l *Netlink) AddrList(link netlink.Link, family int) (addrs []netlink.Addr, err error) {
	err = l.do(func(h *netlink.Handle) error { addrs, err = h.AddrList(link, family); return err })
	return addrs, err
}

// AddrDel is netlink.Handle.AddrDel: one RTM_DELADDR for addr of link.
func (l *Netlink) AddrDel(link netlink.Link, addr *netlink.Addr) error {
	return l.do(func(h *netlink.Handle) error { return h.AddrDel(link, addr) })
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
// hand (see Request). Opened on first use, closed with the namespace; a
// request on it after that fails. A caller that sends and receives on the
// socket itself, rather than with a request's Execute, holds the socket's
// lock (Socket.Lock) meanwhile.
func (n *NS) Conn() (*nl.SocketHandle, error) {
	return openShared(n, &n.conn, func() (*nl.SocketHandle, error) {
		return n.open(true)
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
