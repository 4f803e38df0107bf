// Package service implements the scenario commands that check whether a
// service can be reached: "listen" opens a TCP or UDP service in a
// namespace for the rest of the scenario, "connect" reaches for one from
// another namespace and reports success, refusal or silence.
package service

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// Exit statuses: 1 the service could not be reached (or opened), 2 the
// command could not be carried out.
const (
	exitFailed = 1
	exitError  = 2
)

// endpoint is "tcp ADDR:PORT" or "udp ADDR:PORT".
type endpoint struct {
	proto string         // "tcp" or "udp"
	addr  netip.AddrPort // the address may be invalid: every address (listen only)
}

// String is the endpoint as messages show it.
func (e endpoint) String() string { return e.proto + " " + e.hostPort() }

// hostPort is the address for the net package.
func (e endpoint) hostPort() string {
	if !e.addr.Addr().IsValid() {
		return ":" + strconv.Itoa(int(e.addr.Port()))
	}
	return e.addr.String()
}

// common holds the options both commands take.
type common struct {
	name    string // the command, for messages
	netns   string // -n NS, "" for the namespace the command runs in
	timeout time.Duration
	ep      endpoint
}

// parseCommon parses [-n NS] [-t TIMEOUT] tcp|udp ADDR:PORT. withTimeout
// says whether -t is allowed; anyAddr whether ":PORT" (every address) is.
func parseCommon(name string, args []string, withTimeout, anyAddr bool, usage string) (*common, error) {
	c := &common{name: name, timeout: DefaultTimeout}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		opt := args[0]
		if opt != "-n" && (opt != "-t" || !withTimeout) {
			return nil, script.Errorf(exitError, "%s: unknown option %q (usage: %s %s)", name, opt, name, usage)
		}
		if len(args) < 2 {
			return nil, script.Errorf(exitError, "%s: option %s needs a value (usage: %s %s)", name, opt, name, usage)
		}
		switch opt {
		case "-n":
			if !world.ValidName(args[1]) {
				return nil, script.Errorf(exitError, "%s: bad namespace name %q", name, args[1])
			}
			c.netns = args[1]
		case "-t":
			d, err := script.ParseTimeout(name, args[1], exitError)
			if err != nil {
				return nil, err
			}
			c.timeout = d
		}
		args = args[2:]
	}
	if len(args) != 2 {
		return nil, script.Errorf(exitError, "%s: want a protocol and an address, got %d arguments (usage: %s %s)",
			name, len(args), name, usage)
	}
	proto := args[0]
	if proto != "tcp" && proto != "udp" {
		return nil, script.Errorf(exitError, "%s: unknown protocol %q: want tcp or udp", name, proto)
	}
	ap, err := parseAddrPort(args[1], anyAddr)
	if err != nil {
		return nil, script.Errorf(exitError, "%s: %v", name, err)
	}
	c.ep = endpoint{proto, ap}
	return c, nil
}

// parseAddrPort reads ADDR:PORT, [IPv6]:PORT, or with anyAddr :PORT.
func parseAddrPort(s string, anyAddr bool) (netip.AddrPort, error) {
	if port, ok := strings.CutPrefix(s, ":"); ok && anyAddr {
		p, err := parsePort(port, s)
		return netip.AddrPortFrom(netip.Addr{}, p), err
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return netip.AddrPort{}, fmt.Errorf("bad address %q: want ADDR:PORT", s)
	}
	host := strings.TrimSuffix(strings.TrimPrefix(s[:i], "["), "]")
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" || (strings.Contains(host, ":") && !strings.HasPrefix(s, "[")) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q: want ADDR:PORT, an IPv6 address in brackets", s)
	}
	if a.IsMulticast() || (!anyAddr && a.IsUnspecified()) {
		return netip.AddrPort{}, fmt.Errorf("bad address %q: want a unicast address", s)
	}
	p, err := parsePort(s[i+1:], s)
	return netip.AddrPortFrom(a.Unmap(), p), err
}

func parsePort(port, s string) (uint16, error) {
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bad port in %q: want 1 to 65535", s)
	}
	return uint16(n), nil
}

// namespace returns the namespace to work in: -n NS, or the command's own.
func (c *common) namespace(s *script.State) (*world.NS, error) {
	if c.netns == "" {
		if s.NS == nil {
			return nil, fmt.Errorf("%s: no namespace to run in", c.name)
		}
		return s.NS, nil
	}
	if s.World == nil {
		return nil, fmt.Errorf("%s: no world to run in", c.name)
	}
	ns, err := s.World.Lookup(c.netns)
	if err != nil {
		return nil, s.Fail(exitError, "%s: no namespace %q", c.name, c.netns)
	}
	return ns, nil
}

// label names a namespace in greetings.
func label(ns *world.NS) string {
	if ns.Name == "" {
		return "the root namespace"
	}
	return ns.Name
}

// describe turns a socket error into the C library's message for its errno
// ("Connection refused"), or a plain description.
func describe(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		msg := unix.ErrnoName(errno)
		if text := errno.Error(); text != "" {
			msg = script.Capitalize(text)
		}
		return msg
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
