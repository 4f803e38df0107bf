package world

import (
	"fmt"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Netlink returns the namespace's route netlink handle, for the reads of
// the vishvananda/netlink package (LinkByName, LinkList, AddrList, ...).
// It is opened on first use, shared by every caller (each request holds
// the socket's lock until its answer is read) and closed with the
// namespace, so a command pays no socket set-up per request, as ip keeps
// one socket for a whole batch.
//
// Its socket does not ask for extended acks: a change whose error text a
// command prints ("Error: Nexthop has invalid gateway.") goes through
// Conn, or through the package-level netlink functions.
func (n *NS) Netlink() (*netlink.Handle, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.nlh != nil {
		return n.nlh, nil
	}
	if err := n.usable(); err != nil {
		return nil, err
	}
	h, err := netlink.NewHandleAt(netns.NsHandle(n.fd), unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open netlink handle in namespace %s: %w", n.label(), err)
	}
	n.nlh = h
	return h, nil
}

// Conn returns the namespace's route netlink socket for requests built by
// hand (an nl.NetlinkRequest whose Sockets map holds it, see Request). It
// asks for extended acks, as ip does, so a failed request's error carries
// the kernel's message. Opened on first use, closed with the namespace.
func (n *NS) Conn() (*nl.SocketHandle, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conn != nil {
		return n.conn, nil
	}
	if err := n.usable(); err != nil {
		return nil, err
	}
	s, err := nl.GetNetlinkSocketAt(netns.NsHandle(n.fd), netns.None(), unix.NETLINK_ROUTE)
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
	n.conn = h
	return h, nil
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
		n.nlh.Close()
		n.nlh = nil
	}
	if n.conn != nil {
		n.conn.Close()
		n.conn = nil
	}
}
