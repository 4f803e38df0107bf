package ipshow

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/netscript/netscript/internal/rtattr"

	"github.com/netscript/netscript/script"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// Values of IFLA_EXT_MASK (linux/rtnetlink.h).
const (
	rtextFilterVF        = 1 << 0
	rtextFilterSkipStats = 1 << 3
)

// dumpRetries bounds the retries of a dump the kernel marks as interrupted
// (NLM_F_DUMP_INTR: the links or addresses changed while it ran).
const dumpRetries = 5

var native = binary.NativeEndian

// linkMsg is an RTM_NEWLINK message: ifinfomsg and attributes.
type linkMsg struct {
	family uint8
	typ    uint16
	index  int32
	flags  uint32
	tb     rtattr.Table
}

func parseLinkMsg(b []byte) (*linkMsg, error) {
	if len(b) < unix.SizeofIfInfomsg {
		return nil, fmt.Errorf("short link message (%d bytes)", len(b))
	}
	return &linkMsg{
		family: b[0],
		typ:    native.Uint16(b[2:4]),
		index:  int32(native.Uint32(b[4:8])),
		flags:  native.Uint32(b[8:12]),
		tb:     rtattr.Parse(b[unix.SizeofIfInfomsg:]),
	}, nil
}

// addrMsg is an RTM_NEWADDR message: ifaddrmsg and attributes.
type addrMsg struct {
	family    uint8
	prefixlen uint8
	flags     uint8
	scope     uint8
	index     int32
	tb        rtattr.Table
}

func parseAddrMsg(b []byte) (*addrMsg, error) {
	if len(b) < unix.SizeofIfAddrmsg {
		return nil, fmt.Errorf("short address message (%d bytes)", len(b))
	}
	return &addrMsg{
		family:    b[0],
		prefixlen: b[1],
		flags:     b[2],
		scope:     b[3],
		index:     int32(native.Uint32(b[4:8])),
		tb:        rtattr.ParseMasked(b[unix.SizeofIfAddrmsg:], 0),
	}, nil
}

// Netlink is the route netlink socket of the namespace to show, set up as
// ip sets up its own (extended acks, strict dump checking), as world.NS
// gives it.
type Netlink interface {
	// Conn returns the socket.
	Conn() (*nl.SocketHandle, error)
	// Dump sends a dump request on the socket and returns the answers
	// of type resType, with nl.ErrDumpInterrupted when the kernel marks
	// the dump as interrupted.
	Dump(req *nl.NetlinkRequest, resType uint16) ([][]byte, error)
}

// conn is one listing's use of the namespace's socket.
type conn struct {
	nl Netlink
	h  *nl.SocketHandle
}

func (c *conn) request(typ, flags int, data ...nl.NetlinkRequestData) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(typ, flags)
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: c.h}
	for _, d := range data {
		req.AddData(d)
	}
	return req
}

// dump runs a dump request, again while the kernel reports it interrupted.
func (c *conn) dump(newReq func() *nl.NetlinkRequest, resType uint16) ([][]byte, error) {
	var msgs [][]byte
	var err error
	for range dumpRetries {
		msgs, err = c.nl.Dump(newReq(), resType)
		if !errors.Is(err, nl.ErrDumpInterrupted) {
			break
		}
	}
	if errors.Is(err, nl.ErrDumpInterrupted) {
		err = nil // as ip: go on with what came
	}
	return msgs, err
}

// linkFilter is what a link dump asks the kernel to filter on.
type linkFilter struct {
	master int
	kind   string
}

// dumpLinks is rtnl_linkdump_req_filter_fn with iplink_filter_req: for
// AF_UNSPEC and AF_PACKET the request carries the VF mask and the master
// and kind filters; other families get a bare request (and AF_INET6 is
// answered by IPv6's own, shorter link dump).
func (c *conn) dumpLinks(family int, f linkFilter) ([]*linkMsg, error) {
	newReq := func() *nl.NetlinkRequest {
		req := c.request(unix.RTM_GETLINK, unix.NLM_F_DUMP, nl.NewIfInfomsg(family))
		if family != unix.AF_UNSPEC && family != unix.AF_PACKET {
			return req
		}
		req.AddData(nl.NewRtAttr(unix.IFLA_EXT_MASK, nl.Uint32Attr(rtextFilterVF)))
		if f.master != 0 {
			req.AddData(nl.NewRtAttr(unix.IFLA_MASTER, nl.Uint32Attr(uint32(f.master))))
		}
		if f.kind != "" {
			info := nl.NewRtAttr(unix.IFLA_LINKINFO, nil)
			info.AddRtAttr(nl.IFLA_INFO_KIND, []byte(f.kind))
			req.AddData(info)
		}
		return req
	}
	raw, err := c.dump(newReq, unix.RTM_NEWLINK)
	if err != nil {
		return nil, err
	}
	links := make([]*linkMsg, 0, len(raw))
	for _, b := range raw {
		m, err := parseLinkMsg(b)
		if err != nil {
			return nil, err
		}
		links = append(links, m)
	}
	return links, nil
}

// getLink is one RTM_GETLINK request, by index or, when name is not
// empty, by name (IFLA_IFNAME, or IFLA_ALT_IFNAME for a name the kernel
// would not take as an interface name).
func (c *conn) getLink(family, index int, name string, mask uint32) (*linkMsg, error) {
	ifi := nl.NewIfInfomsg(family)
	ifi.Index = int32(index)
	req := c.request(unix.RTM_GETLINK, 0, ifi)
	if name != "" {
		t := unix.IFLA_IFNAME
		if !CheckIfname(name) {
			t = unix.IFLA_ALT_IFNAME
		}
		req.AddData(nl.NewRtAttr(t, nl.ZeroTerminated(name)))
	}
	req.AddData(nl.NewRtAttr(unix.IFLA_EXT_MASK, nl.Uint32Attr(mask)))
	raw, err := req.Execute(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return nil, errors.New("no answer to RTM_GETLINK")
	}
	return parseLinkMsg(raw[0])
}

// dumpAddrs is rtnl_addrdump_req with ipaddr_dump_filter.
func (c *conn) dumpAddrs(family, index int) ([]*addrMsg, error) {
	newReq := func() *nl.NetlinkRequest {
		ifa := nl.NewIfAddrmsg(family)
		ifa.Index = uint32(index)
		return c.request(unix.RTM_GETADDR, unix.NLM_F_DUMP, ifa)
	}
	raw, err := c.dump(newReq, unix.RTM_NEWADDR)
	if err != nil {
		return nil, err
	}
	addrs := make([]*addrMsg, 0, len(raw))
	for _, b := range raw {
		m, err := parseAddrMsg(b)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, m)
	}
	return addrs, nil
}

// TalkError is what iproute2's rtnl_talk prints for a request the kernel
// refused: "Error: MESSAGE." when the kernel sent an extended-ack message,
// otherwise "RTNETLINK answers: STRERROR". An error without an errno is
// given as it is.
func TalkError(err error) string {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	if ext, ok := strings.CutPrefix(err.Error(), errno.Error()+": "); ok && ext != "" {
		if !strings.HasSuffix(ext, ".") {
			ext += "."
		}
		return "Error: " + ext
	}
	return "RTNETLINK answers: " + script.Strerror(errno)
}

// errnoText is perror's text for err.
func errnoText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return script.Strerror(errno)
	}
	return err.Error()
}
