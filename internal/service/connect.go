package service

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/script"
)

// DefaultTimeout is how long connect waits when -t is not given.
const DefaultTimeout = 2 * time.Second

// UDP resend schedule, as reach's: a datagram lost while the neighbour was
// being resolved costs milliseconds.
const (
	firstResend = 10 * time.Millisecond
	maxResend   = 100 * time.Millisecond
)

// udpProbe is what connect sends over UDP.
const udpProbe = "netscript\n"

// ConnectUsage documents connect in the command table.
var ConnectUsage = script.Usage{
	Summary: "reach a TCP or UDP service from a namespace: connected, refused or silent",
	Args:    "[-n NS] [-t TIMEOUT] tcp|udp ADDR:PORT",
	Detail: []string{
		"connect opens a socket in NS (-n NS, or the namespace the command runs in: \"ip netns " +
			"exec NS connect ...\" works too) and reaches for the service at ADDR:PORT (an IPv6 " +
			"address in brackets: [fd00::2]:8080), then prints on stdout what the service sent, " +
			"byte for byte: \"hello from NS\" for a service opened with listen.",
		"tcp: success is a completed handshake. connect sends nothing, shuts down its sending " +
			"side, and reads until the service closes the connection or TIMEOUT passes.",
		"udp: connect sends the datagram \"netscript\\n\", resending after 10 ms and then at " +
			"intervals growing to 100 ms, until a datagram comes back: success.",
		"Exit status: 0 on success; 1 when the service could not be reached, with the C " +
			"library's message on stderr: \"connect: tcp 10.0.0.2:8081: Connection refused\" " +
			"(nothing listens: a TCP reset, or ICMP port unreachable for UDP), \"Network is " +
			"unreachable\" (no route), \"No route to host\" (a router said so, or the " +
			"neighbour never answered), or \"timed out after TIMEOUT\" (silence; default 2s, a " +
			"Go duration or a number of seconds); 2 for bad arguments or an unknown namespace.",
	},
}

// ConnectCmd returns the "connect" entry of the command table.
func ConnectCmd() *script.Cmd {
	return &script.Cmd{
		Name:  "connect",
		Usage: ConnectUsage,
		Parse: func(args []string) (script.Action, error) {
			c, err := parseCommon("connect", args, true, false, ConnectUsage.Args)
			if err != nil {
				return nil, err
			}
			return script.ActionFunc(c.connect), nil
		},
	}
}

// connect reaches for the service and prints its answer.
func (c *common) connect(s *script.State) error {
	ns, err := c.namespace(s)
	if err != nil {
		return err
	}
	ctx := s.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var conn net.Conn
	err = ns.Do(func() error {
		// One literal address: the dialer makes its socket on this
		// thread, inside the namespace, and connects it there.
		var d net.Dialer
		var err error
		conn, err = d.DialContext(ctx, c.ep.proto, c.ep.hostPort())
		return err
	})
	if err != nil {
		return c.failure(ctx, s, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	var reply []byte
	if c.ep.proto == "tcp" {
		reply, err = readTCP(conn.(*net.TCPConn), deadline)
	} else {
		reply, err = exchangeUDP(ctx, conn, deadline)
	}
	if _, werr := s.Stdout.Write(reply); werr != nil {
		return werr
	}
	if err != nil {
		return c.failure(ctx, s, err)
	}
	return nil
}

// failure reports err: a refusal, an unreachable network or a timeout.
func (c *common) failure(ctx context.Context, s *script.State, err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return s.Fail(exitFailed, "connect: %s: %s", c.ep, describe(err))
	}
	if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
		if s.Ctx != nil && s.Ctx.Err() != nil {
			return s.Fail(exitFailed, "connect: %s: the scenario's deadline passed", c.ep)
		}
		return s.Fail(exitFailed, "connect: %s: timed out after %v", c.ep, c.timeout)
	}
	return s.Fail(exitFailed, "connect: %s: %s", c.ep, describe(err))
}

// readTCP half-closes a connected socket and reads until the service
// closes it; once connected, only the deadline ends the read early, and
// that is still a success.
func readTCP(conn *net.TCPConn, deadline time.Time) ([]byte, error) {
	conn.CloseWrite()
	conn.SetReadDeadline(deadline)
	var buf bytes.Buffer
	_, err := io.Copy(&buf, conn)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, unix.ECONNRESET) {
		return buf.Bytes(), err
	}
	return buf.Bytes(), nil
}

// exchangeUDP sends the probe until a datagram comes back.
func exchangeUDP(ctx context.Context, conn net.Conn, deadline time.Time) ([]byte, error) {
	buf := make([]byte, 64<<10)
	interval := firstResend
	var lastErr error
	for {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, err := conn.Write([]byte(udpProbe)); err != nil {
			if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENETUNREACH) {
				return nil, err
			}
			lastErr = err
		}
		wake := time.Now().Add(interval)
		if deadline.Before(wake) {
			wake = deadline
		}
		conn.SetReadDeadline(wake)
		n, err := conn.Read(buf)
		switch {
		case err == nil:
			return buf[:n], nil
		case errors.Is(err, unix.ECONNREFUSED):
			return nil, err
		case !errors.Is(err, os.ErrDeadlineExceeded):
			lastErr = err
		}
		if !time.Now().Before(deadline) {
			if lastErr != nil {
				return nil, lastErr
			}
			return nil, os.ErrDeadlineExceeded
		}
		interval = min(interval*3/2, maxResend)
	}
}
