package reach

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/netscript/netscript/script"
	"golang.org/x/sys/unix"
)

// Resend schedule: the first resend after firstResend, each interval half
// as long again as the last, up to maxResend.
const (
	firstResend = 10 * time.Millisecond
	maxResend   = 100 * time.Millisecond
)

// nextID hands out ICMP identifiers. Every raw ICMP socket of a namespace
// sees every echo reply that reaches it, so concurrent probes from one
// namespace tell theirs apart by identifier and by a random token in the
// payload.
var nextID atomic.Uint32

func init() { nextID.Store(rand.Uint32()) }

// echoSock is a raw ICMP socket opened in a source namespace and connected
// to one destination: the kernel delivers to it only packets from there.
type echoSock struct {
	f     *os.File
	dst   netip.Addr
	id    uint16
	token [8]byte
	// hasNeighbour reports whether the source namespace has a neighbour
	// entry for the next hop to dst; true when it cannot tell.
	hasNeighbour func() bool
}

// unreachableError is a destination the source has no route to: a final
// answer for the pair, not a failure of the check.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }

// openEcho opens the socket in the calling thread's namespace.
func openEcho(dst netip.Addr) (*echoSock, error) {
	family, proto := unix.AF_INET, unix.IPPROTO_ICMP
	if dst.Is6() {
		family, proto = unix.AF_INET6, unix.IPPROTO_ICMPV6
	}
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, fmt.Errorf("open a raw ICMP socket: %w", err)
	}
	if err := filterReplies(fd, dst.Is6()); err != nil {
		unix.Close(fd)
		return nil, err
	}
	// Without IP_RECVERR a raw socket's send hides ENOBUFS, which is how
	// the kernel says that it could not make a neighbour entry for the
	// next hop because the neighbour table is full.
	level, opt := unix.IPPROTO_IP, unix.IP_RECVERR
	if dst.Is6() {
		level, opt = unix.IPPROTO_IPV6, unix.IPV6_RECVERR
	}
	if err := unix.SetsockoptInt(fd, level, opt, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("set RECVERR on a raw ICMP socket: %w", err)
	}
	var sa unix.Sockaddr
	if dst.Is6() {
		sa = &unix.SockaddrInet6{Addr: dst.As16()}
	} else {
		sa = &unix.SockaddrInet4{Addr: dst.As4()}
	}
	if err := unix.Connect(fd, sa); err != nil {
		unix.Close(fd)
		if errors.Is(err, unix.ENETUNREACH) || errors.Is(err, unix.EHOSTUNREACH) {
			return nil, &unreachableError{err}
		}
		return nil, fmt.Errorf("connect a raw ICMP socket to %s: %w", dst, err)
	}
	s := &echoSock{f: os.NewFile(uintptr(fd), "reach-"+dst.String()), dst: dst, id: uint16(nextID.Add(1))}
	binary.NativeEndian.PutUint64(s.token[:], rand.Uint64())
	return s, nil
}

// filterReplies lets only echo replies into the socket's receive queue.
func filterReplies(fd int, v6 bool) error {
	if v6 {
		var f unix.ICMPv6Filter
		for i := range f.Data {
			f.Data[i] = ^uint32(0)
		}
		f.Data[icmp6EchoReply>>5] &^= 1 << (icmp6EchoReply & 31)
		if err := unix.SetsockoptICMPv6Filter(fd, unix.IPPROTO_ICMPV6, unix.ICMPV6_FILTER, &f); err != nil {
			return fmt.Errorf("ICMPV6_FILTER: %w", err)
		}
		return nil
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_RAW, unix.ICMP_FILTER, ^(1 << icmpEchoReply)); err != nil {
		return fmt.Errorf("ICMP_FILTER: %w", err)
	}
	return nil
}

// ICMP message types.
const (
	icmpEchoReply    = 0
	icmpEcho         = 8
	icmp6Echo        = 128
	icmp6EchoReply   = 129
	echoHeaderLength = 8
)

func (s *echoSock) close() { s.f.Close() }

// send writes one request. Tests replace it to inject send errors.
var send = func(s *echoSock, b []byte) error {
	_, err := s.f.Write(b)
	return err
}

// drainErrors empties the socket's error queue, where IP_RECVERR puts the
// ICMP errors (and local send errors) it reports.
func (s *echoSock) drainErrors() {
	rc, err := s.f.SyscallConn()
	if err != nil {
		return
	}
	buf, oob := make([]byte, 512), make([]byte, 512)
	_ = rc.Control(func(fd uintptr) {
		for {
			if _, _, _, _, err := unix.Recvmsg(int(fd), buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT); err != nil {
				return
			}
		}
	})
}

// request builds echo request seq. The kernel fills in the ICMPv6
// checksum; the ICMP one is computed here.
func (s *echoSock) request(seq uint16) []byte {
	b := make([]byte, echoHeaderLength+len(s.token))
	b[0] = icmpEcho
	if s.dst.Is6() {
		b[0] = icmp6Echo
	}
	binary.BigEndian.PutUint16(b[4:], s.id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], s.token[:])
	if !s.dst.Is6() {
		binary.BigEndian.PutUint16(b[2:], checksum(b))
	}
	return b
}

// isReply reports whether packet, as read from the socket, answers one of
// this socket's requests. IPv4 raw sockets read the IP header too.
func (s *echoSock) isReply(packet []byte) bool {
	want := byte(icmp6EchoReply)
	if !s.dst.Is6() {
		if len(packet) < 20 || packet[0]>>4 != 4 {
			return false
		}
		packet = packet[int(packet[0]&0x0f)*4:]
		want = icmpEchoReply
	}
	return len(packet) >= echoHeaderLength+len(s.token) && packet[0] == want && packet[1] == 0 &&
		binary.BigEndian.Uint16(packet[4:]) == s.id && string(packet[8:16]) == string(s.token[:])
}

// probe sends echo requests until a reply comes, the timeout passes, or ctx
// ends, resending quickly so that a request lost while a neighbour entry
// was being resolved costs milliseconds, not a second.
func (s *echoSock) probe(ctx context.Context, timeout time.Duration) cell {
	deadline := time.Now().Add(timeout)
	stop := context.AfterFunc(ctx, func() { s.f.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 1500)
	var lastErr error  // an ICMP error the kernel reported on the socket
	tableFull := false // a send failed for want of room in the neighbour table
	interval, next := firstResend, time.Now()
	for seq := uint16(1); ; {
		now := time.Now()
		if ctx.Err() != nil {
			return cell{probed: true, reason: "the scenario's deadline passed"}
		}
		if !now.Before(deadline) {
			reason := fmt.Sprintf("no reply within %v", timeout)
			if tableFull {
				reason = fmt.Sprintf("the neighbour table was full (%s), and no reply came within %v", script.ErrorText(unix.ENOBUFS), timeout)
			} else if lastErr != nil {
				reason += fmt.Sprintf(" (last error: %s)", script.ErrorText(lastErr))
			}
			return cell{probed: true, reason: reason, tableFull: tableFull}
		}
		if !now.Before(next) {
			if err := send(s, s.request(seq)); err != nil {
				if errors.Is(err, unix.ENETUNREACH) {
					return cell{probed: true, reason: script.ErrorText(err)}
				}
				// Other send errors (a neighbour that failed to
				// resolve, a full neighbour table) may clear up:
				// resend.
				// ENOBUFS is also a queueing discipline's drop: the
				// table was full only if the next hop has no entry.
				tableFull = tableFull || errors.Is(err, unix.ENOBUFS) && !s.hasNeighbour()
				lastErr = errnoOf(err)
				s.drainErrors()
			}
			seq++
			next = now.Add(interval)
			interval = min(interval*3/2, maxResend)
		}
		wake := next
		if deadline.Before(wake) {
			wake = deadline
		}
		s.f.SetReadDeadline(wake)
		for {
			n, err := s.f.Read(buf)
			if err != nil {
				// The deadline: resend or give up. Or an ICMP error
				// (host unreachable from a router), reported once:
				// keep probing, it may clear up.
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					lastErr = errnoOf(err)
					s.drainErrors()
				}
				break
			}
			if s.isReply(buf[:n]) {
				return cell{probed: true, ok: true}
			}
		}
	}
}

// errnoOf returns the system error inside err, for messages without the
// file name os.File adds.
func errnoOf(err error) error {
	var errno unix.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// checksum is the Internet checksum (RFC 1071) of b.
func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}
