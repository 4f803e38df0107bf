package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
	"github.com/netscript/netscript/script"
)

// serveTimeout bounds the time the service spends on one client.
const serveTimeout = time.Second

// ListenUsage documents listen in the command table.
var ListenUsage = script.Usage{
	Summary: "open a TCP or UDP service in a namespace until the scenario ends",
	Args:    "[-n NS] tcp|udp ADDR:PORT",
	Detail: []string{
		"listen opens a socket bound to ADDR:PORT in NS (-n NS, or the namespace the command " +
			"runs in: \"ip netns exec NS listen ...\" works too) and returns as soon as the " +
			"service accepts clients, so the next line can connect without waiting. ADDR is an " +
			"IPv4 address, an IPv6 address in brackets ([fd00::2]:8080), or empty (:8080) for " +
			"every address of the namespace, IPv4 and IPv6.",
		"The service answers every TCP connection and every UDP datagram with one line, " +
			"\"hello from NS\\n\" (NS being the namespace's name), which connect prints: a " +
			"scenario can check which service answered. A TCP client is then sent FIN, and " +
			"what it sends is read and discarded until it closes, for at most a second.",
		"The service runs until the scenario ends or its namespace is deleted with " +
			"\"ip netns del\"; then its socket is closed. Nothing outlives the scenario.",
		"Exit status: 0 when the service is open; 1 when the kernel refused the socket, with " +
			"the C library's message (\"listen: tcp 10.0.0.9:80: Cannot assign requested " +
			"address\" for an address the namespace does not have, \"Address already in " +
			"use\"); 2 for bad arguments or an unknown namespace.",
	},
}

// ListenCmd returns the "listen" entry of the command table.
func ListenCmd() *script.Cmd {
	return &script.Cmd{
		Name:  "listen",
		Usage: ListenUsage,
		Parse: func(args []string) (script.Action, error) {
			c, err := parseCommon("listen", args, false, true, ListenUsage.Args)
			if err != nil {
				return nil, err
			}
			return script.ActionFunc(c.listen), nil
		},
	}
}

// listen opens the service and ties its life to the namespace's.
func (c *common) listen(s *script.State) error {
	ns, err := c.namespace(s)
	if err != nil {
		return err
	}
	greeting := fmt.Sprintf("hello from %s\n", label(ns))
	var (
		ln net.Listener
		pc net.PacketConn
	)
	network, addr := c.ep.proto, c.ep.hostPort()
	var lc net.ListenConfig
	if !c.ep.addr.Addr().IsValid() {
		// Every address, IPv4 and IPv6, on one IPv6 socket. Go's own
		// choice for ":PORT" depends on a probe of IPv6 support it makes
		// once per process, in whatever namespace it happens to run.
		network, addr = network+"6", fmt.Sprintf("[::]:%d", c.ep.addr.Port())
		lc.Control = dualStack
	}
	err = ns.Do(func() error {
		// The socket is made on this thread, inside the namespace.
		var err error
		if c.ep.proto == "tcp" {
			ln, err = lc.Listen(context.Background(), network, addr)
		} else {
			pc, err = lc.ListenPacket(context.Background(), network, addr)
		}
		return err
	})
	if err != nil {
		return s.Fail(exitFailed, "listen: %s: %s", c.ep, describe(err))
	}
	var wg sync.WaitGroup
	var closeSock func() error
	if ln != nil {
		closeSock = ln.Close
		wg.Go(func() { serveTCP(ln, greeting, &wg) })
	} else {
		closeSock = pc.Close
		wg.Go(func() { serveUDP(pc, greeting) })
	}
	stop := func() error {
		err := closeSock()
		wg.Wait()
		if err != nil {
			return fmt.Errorf("listen: close %s: %w", c.ep, err)
		}
		return nil
	}
	if err := ns.OnClose(stop); err != nil {
		if errors.Is(err, world.ErrClosed) {
			return s.Fail(exitError, "listen: namespace %s was deleted", label(ns))
		}
		return err
	}
	return nil
}

// dualStack lets an IPv6 socket take IPv4 traffic too.
func dualStack(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0)
	}); err != nil {
		return err
	}
	return serr
}

// serveTCP greets every client until ln is closed, each on a goroutine of
// wg for at most serveTimeout.
func serveTCP(ln net.Listener, greeting string, wg *sync.WaitGroup) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return // closed at the end of the scenario
		}
		wg.Go(func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(serveTimeout))
			io.WriteString(conn, greeting)
			if tc, ok := conn.(*net.TCPConn); ok {
				// Close gracefully: a close with unread data
				// would send the client a reset, not the greeting.
				tc.CloseWrite()
				io.Copy(io.Discard, tc)
			}
		})
	}
}

// serveUDP answers every datagram with the greeting until pc is closed.
func serveUDP(pc net.PacketConn, greeting string) {
	buf := make([]byte, 64<<10)
	for {
		_, from, err := pc.ReadFrom(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		pc.WriteTo([]byte(greeting), from)
	}
}
