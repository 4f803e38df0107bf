// Package ipshow prints what iproute2 6.1 prints for "ip link show" and
// "ip address show", byte for byte, in text, -br and -j form, from netlink
// requests made in the calling thread's network namespace.
//
// It follows ip/ipaddress.c closely rather than rebuilding the output from
// a model: it sends the kernel the same requests ip sends (so the kernel
// filters by master and kind exactly when it does for ip, and "-6" gets
// IPv6's own link dump with no qdisc or group), resolves peer and master
// names through the same cache (lib/ll_map.c, which decides "@if3" and
// M-DOWN), and prints through a port of lib/json_print.c and
// lib/json_writer.c, so quirks such as the trailing blanks of -br lines and
// the empty "{}" objects -j prints for links a filter drops come out as
// ip prints them.
//
// Callers pass the namespace's route netlink socket (world.NS) and run
// Links and Addrs on a thread inside the namespace to show
// (world.NS.Do): a link without IFLA_TXQLEN has its queue length read with
// an ioctl on a socket opened there.
package ipshow

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// Options selects what to show, as ip's arguments do.
type Options struct {
	Dev    string // "dev NAME" or a bare NAME: only this link ("" = all)
	Up     bool   // "up": only links that are up
	Master string // "master NAME"
	Type   string // "type KIND" (veth, bridge, tun, ...); "KIND_slave" selects ports
	Group  *int32 // "group N": only links of this group
	Brief  bool   // -br
	// Details is -d: each link's promiscuity, MTU bounds, kind options
	// (print_linktype), address generation mode and queue figures.
	Details bool
	JSON    bool // -j
	Pretty  bool // -p: indented JSON (with JSON)
	Family  int  // 0, unix.AF_INET (-4), unix.AF_INET6 (-6); addr show only
}

// NetnsName maps a peer's netnsid (as seen from the calling namespace) to the name
// "ip netns list" would show for it, or "" when it has none (then print link-netnsid N).
type NetnsName func(nsid int) string

// Links writes what "ip link show" prints. Errors that ip reports are
// *script.ExitError values with ip's exit status and its stderr text in Msg
// (without the final newline; nothing is written to stderr here). A Code of
// 0 marks text ip prints on stderr while still exiting 0.
func Links(w io.Writer, ns Netlink, opt Options, names NetnsName) error {
	return show(w, ns, opt, names, true)
}

// Addrs writes what "ip address show" prints, with errors as Links reports them.
func Addrs(w io.Writer, ns Netlink, opt Options, names NetnsName) error {
	return show(w, ns, opt, names, false)
}

// filter is the part of iproute2's struct link_filter a listing uses.
type filter struct {
	family    int
	ifindex   int
	up        bool
	master    int
	kind      *string // nil: no "type"
	slaveKind *string // nil: no "type KIND_slave"
}

// shower is one run of ipaddr_list_flush_or_save.
type shower struct {
	opt    Options
	names  NetnsName
	doLink bool
	c      *conn
	ll     *llCache
	p      *printer
	f      filter
}

func show(w io.Writer, ns Netlink, opt Options, names NetnsName, doLink bool) error {
	sock, err := ns.Conn()
	if err != nil {
		return err
	}
	c := &conn{nl: ns, h: sock}
	s := &shower{opt: opt, names: names, doLink: doLink, c: c, ll: newLLCache(c)}
	s.p = newPrinter(opt.JSON, opt.Pretty)
	runErr := s.run()
	if _, err := w.Write(s.p.Buf.Bytes()); err != nil && runErr == nil {
		runErr = fmt.Errorf("write ip output: %w", err)
	}
	return runErr
}

func (s *shower) run() error {
	opt := s.opt
	s.f.family = opt.Family
	if s.doLink {
		s.f.family = unix.AF_PACKET
	}
	s.f.up = opt.Up
	if opt.Master != "" {
		s.f.master = s.ll.nameToIndex(opt.Master)
		if s.f.master == 0 {
			return &script.ExitError{Code: 255, Msg: `Error: argument "` + opt.Master + `" is wrong: Device does not exist` + "\n"}
		}
	}
	if opt.Type != "" {
		kind := opt.Type
		if k, ok := strings.CutSuffix(kind, "_slave"); ok {
			s.f.slaveKind = &k
		} else {
			s.f.kind = &kind
		}
	}
	if opt.Dev != "" {
		s.f.ifindex = s.ll.nameToIndex(opt.Dev)
		if s.f.ifindex <= 0 {
			return &script.ExitError{Code: 1, Msg: `Device "` + opt.Dev + `" does not exist.`}
		}
	}

	s.p.Begin()
	defer s.p.End()

	if opt.Dev != "" && s.doLink && opt.Group == nil {
		// iplink_get: ask for the link by name and print the answer.
		m, err := s.c.getLink(unix.AF_PACKET, 0, opt.Dev, rtextFilterVF)
		if err != nil {
			return kernelFailure(err, 1, "Cannot send link get request")
		}
		s.p.OpenObject("")
		s.printLinkinfo(m)
		s.p.CloseObject()
		return nil
	}

	var links []*linkMsg
	if s.f.ifindex != 0 {
		m, err := s.c.getLink(s.f.family, s.f.ifindex, "", rtextFilterVF|rtextFilterSkipStats)
		if err != nil {
			return kernelFailure(err, 0, "Cannot send link request")
		}
		links = []*linkMsg{m}
	} else {
		lf := linkFilter{master: s.f.master}
		if s.f.kind != nil {
			lf.kind = *s.f.kind
		}
		var err error
		if links, err = s.c.dumpLinks(s.f.family, lf); err != nil {
			return dumpFailure(err)
		}
	}
	for _, m := range links {
		s.ll.remember(m)
	}

	var addrs []*addrMsg
	if s.f.family != unix.AF_PACKET {
		var err error
		if addrs, err = s.c.dumpAddrs(s.f.family, s.f.ifindex); err != nil {
			return dumpFailure(err)
		}
		links = s.ipaddrFilter(links, addrs)
	}

	for _, m := range links {
		s.p.OpenObject("")
		res := s.printLinkinfo(m)
		if res >= 0 && s.f.family != unix.AF_PACKET {
			s.printSelectedAddrinfo(m, addrs)
		}
		s.p.CloseObject()
	}
	return nil
}

// kernelFailure reports a refused single request as rtnl_talk and perror
// print it.
func kernelFailure(err error, code int, what string) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("%s: %w", strings.ToLower(what), err)
	}
	return &script.ExitError{Code: code, Msg: TalkError(err) + "\n" + what + ": " + errnoText(err)}
}

// dumpFailure reports a refused dump as rtnl_dump_filter does; ip then
// prints what it has and exits 0.
func dumpFailure(err error) error {
	var errno unix.Errno
	if !errors.As(err, &errno) {
		return fmt.Errorf("netlink dump: %w", err)
	}
	return &script.ExitError{Code: 0, Msg: TalkError(err) + "\nDump terminated"}
}
