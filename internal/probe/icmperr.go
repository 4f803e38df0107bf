package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/netscript/netscript/script"
	"golang.org/x/sys/unix"
)

// errQueue is a raw ICMP socket that watches the echo requests pro-bing
// sends, for what pro-bing does not report:
//
// ICMP errors. pro-bing ignores them; the kernel hands every such error to
// each raw ICMP socket of the namespace that matches it (raw_icmp_error),
// and with IP_RECVERR queues it on the socket's error queue, which is where
// iputils reads the errors it prints as "From 10.0.0.1 icmp_seq=1
// Destination Host Unreachable". Bound like iputils' socket (device,
// source), it sees the same errors.
//
// The TTL of a reply, when pro-bing lost it: pro-bing's first read can
// start before its first send turns on IP_PKTINFO (with -I NAME), and then
// the control message that carries the TTL does not fit. The socket's
// receive queue holds copies of the echo replies (ICMP_FILTER lets nothing
// else in); the raw IP header gives their TTL.
type errQueue struct {
	fd   int // owned by f once f is set
	f    *os.File
	rc   syscall.RawConn
	wg   sync.WaitGroup
	once sync.Once

	family  int // unix.AF_INET or unix.AF_INET6
	prog    string
	target  netip.Addr
	id      int
	mu      sync.Mutex
	replies map[replyKey]replyInfo // replies read but not asked for
	// handling counts the replies asked for (with reply) that the caller
	// has not yet said it counted (with handled).
	handling int
}

// replyKey identifies an echo reply: its sequence number and, for IPv6
// (where a multicast destination brings replies from many), its source.
type replyKey struct {
	seq  int
	from netip.Addr
}

// replyInfo is what the socket learnt of a reply: its TTL (hop limit) and,
// for IPv6, the index of the interface whose scope its source belongs to.
type replyInfo struct {
	ttl   int
	scope uint32
}

// openErrQueue opens the socket in the calling thread's namespace. Errors
// of system calls iputils also makes are *callError values, printed after
// prog, the name ping was called by.
func openErrQueue(prog string) (*errQueue, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
	if err != nil {
		return nil, &callError{prog: prog, call: "socket", err: err}
	}
	q := &errQueue{fd: fd, family: unix.AF_INET, prog: prog, replies: make(map[replyKey]replyInfo)}
	// Let only echo replies into the receive queue: errors still reach
	// the error queue, which ICMP_FILTER does not apply to.
	if err := unix.SetsockoptInt(fd, unix.SOL_RAW, unix.ICMP_FILTER, ^1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("ICMP_FILTER: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_RECVERR, 1); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("IP_RECVERR: %w", err)
	}
	return q, nil
}

// callError is a failed system call, printed as iputils prints it with
// error(3): "PROG: CALL: Message", or "PROG: MSG" when msg is set. PROG is
// the name ping was called by.
type callError struct {
	prog string
	call string
	err  error
	msg  string
}

func (e *callError) Error() string {
	if e.msg != "" {
		return e.prog + ": " + e.msg
	}
	var errno unix.Errno
	if errors.As(e.err, &errno) {
		return fmt.Sprintf("%s: %s: %s", e.prog, e.call, script.Strerror(errno))
	}
	return fmt.Sprintf("%s: %s: %v", e.prog, e.call, e.err)
}

// bindToDevice sets SO_BINDTODEVICE, as iputils does for -I NAME. call
// names the call in the message of a failure.
func (q *errQueue) bindToDevice(call, dev string) error {
	if err := unix.SetsockoptString(q.fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, dev); err != nil {
		return &callError{prog: q.prog, call: call + " " + dev, err: err}
	}
	return nil
}

// bind binds the socket to a source address, as iputils does for -I
// ADDRESS; scope is the interface index of an IPv6 link-local source. call
// names the call in the message of a failure.
func (q *errQueue) bind(call string, src netip.Addr, scope uint32) error {
	var sa unix.Sockaddr
	if q.family == unix.AF_INET6 {
		sa = &unix.SockaddrInet6{Addr: src.As16(), ZoneId: scope}
	} else {
		sa = &unix.SockaddrInet4{Addr: src.As4()}
	}
	if err := unix.Bind(q.fd, sa); err != nil {
		return &callError{prog: q.prog, call: call, err: err}
	}
	return nil
}

// queuedError is one ICMP error from the error queue.
type queuedError struct {
	seq   int        // sequence number of the echo request it is about
	from  netip.Addr // the host that reported it
	scope uint32     // for IPv6, the interface index of from's scope, or 0
	text  string     // iputils' description
}

// start reads the error queue until stop, passing on the errors about echo
// requests with identifier id sent to target.
func (q *errQueue) start(target netip.Addr, id int, handle func(queuedError)) error {
	q.target, q.id = target, id
	q.f = os.NewFile(uintptr(q.fd), "icmp-watch")
	rc, err := q.f.SyscallConn()
	if err != nil {
		q.f.Close()
		return fmt.Errorf("error queue: %w", err)
	}
	q.rc = rc
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		buf := make([]byte, 576)
		oob := make([]byte, 512)
		for {
			var n, oobn int
			var from unix.Sockaddr
			var rerr error
			err := rc.Read(func(fd uintptr) bool {
				n, oobn, _, from, rerr = unix.Recvmsg(int(fd), buf, oob, unix.MSG_ERRQUEUE|unix.MSG_DONTWAIT)
				return rerr != unix.EAGAIN
			})
			if err != nil {
				return // closed by stop
			}
			if rerr != nil {
				continue
			}
			parse := parseQueuedError
			if q.family == unix.AF_INET6 {
				parse = parseQueuedError6
			}
			if e, ok := parse(buf[:n], oob[:oobn], from, target, id); ok {
				handle(e)
			}
		}
	}()
	return nil
}

// reply returns what the socket saw of the reply to request seq from
// from (for IPv4, from the target), reading the replies queued so far; ok
// is false when it has not been seen. The caller handles the reply, and
// calls handled once it is counted.
func (q *errQueue) reply(seq int, from netip.Addr) (info replyInfo, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handling++
	if q.rc == nil {
		return info, false
	}
	q.drainLocked()
	key := replyKey{seq: seq}
	if q.family == unix.AF_INET6 {
		key.from = from.WithZone("")
	}
	info, ok = q.replies[key]
	delete(q.replies, key)
	return info, ok
}

// handled says that a reply asked for with reply is counted.
func (q *errQueue) handled() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.handling--
}

// pending returns how many replies have reached the namespace that the
// caller has not counted yet: those the socket has seen and pro-bing has
// not asked for, and those asked for and not yet handled; replies to
// request except (-1 for none) are left out. Under load, pro-bing's reader
// lags behind the replies.
func (q *errQueue) pending(except int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.rc != nil {
		q.drainLocked()
	}
	n := q.handling
	for key := range q.replies {
		if key.seq != except {
			n++
		}
	}
	return n
}

// drainLocked reads the replies queued on the socket into q.replies; q.mu
// is held.
func (q *errQueue) drainLocked() {
	buf := make([]byte, 576)
	oob := make([]byte, 128)
	q.rc.Control(func(fd uintptr) {
		for {
			n, oobn, _, sa, err := unix.Recvmsg(int(fd), buf, oob, unix.MSG_DONTWAIT)
			if err == unix.EINTR {
				continue
			}
			if err != nil {
				return
			}
			var key replyKey
			var got replyInfo
			var mine bool
			if q.family == unix.AF_INET6 {
				key, got, mine = q.parseReply6(buf[:n], oob[:oobn], sa)
			} else {
				key.seq, got.ttl, mine = q.parseReply(buf[:n])
			}
			if mine {
				if len(q.replies) > 1024 {
					clear(q.replies)
				}
				q.replies[key] = got
			}
		}
	})
}

// parseReply decodes an IPv4 packet holding an echo reply to one of our
// requests, returning its sequence number and TTL.
func (q *errQueue) parseReply(pkt []byte) (seq, ttl int, ok bool) {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return 0, 0, false
	}
	hl := int(pkt[0]&0x0f) * 4
	if hl < 20 || len(pkt) < hl+8 {
		return 0, 0, false
	}
	icmp := pkt[hl:]
	if icmp[0] != 0 || int(binary.BigEndian.Uint16(icmp[4:6])) != q.id ||
		netip.AddrFrom4([4]byte(pkt[12:16])) != q.target {
		return 0, 0, false
	}
	return int(binary.BigEndian.Uint16(icmp[6:8])), int(pkt[8]), true
}

// stop closes the socket and waits for the reader to finish.
func (q *errQueue) stop() {
	q.once.Do(func() {
		if q.f == nil {
			unix.Close(q.fd)
			return
		}
		q.f.Close()
		q.wg.Wait()
	})
}

// parseQueuedError decodes one message of the error queue: the start of
// the offending ICMP message in payload, the original destination in
// from, and a sock_extended_err with the reporter's address in oob. It
// keeps what iputils' ping4_receive_error_msg keeps.
func parseQueuedError(payload, oob []byte, from unix.Sockaddr, target netip.Addr, id int) (queuedError, bool) {
	dst, ok := from.(*unix.SockaddrInet4)
	if !ok || netip.AddrFrom4(dst.Addr) != target || len(payload) < 8 {
		return queuedError{}, false
	}
	if payload[0] != 8 || int(binary.BigEndian.Uint16(payload[4:6])) != id {
		return queuedError{}, false // not an echo request of ours
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return queuedError{}, false
	}
	const eeSize = int(unsafe.Sizeof(unix.SockExtendedErr{}))
	for _, m := range msgs {
		if m.Header.Level != unix.IPPROTO_IP || m.Header.Type != unix.IP_RECVERR || len(m.Data) < eeSize {
			continue
		}
		ee := unix.SockExtendedErr{
			Errno:  binary.NativeEndian.Uint32(m.Data[0:4]),
			Origin: m.Data[4],
			Type:   m.Data[5],
			Code:   m.Data[6],
			Info:   binary.NativeEndian.Uint32(m.Data[8:12]),
		}
		if ee.Origin != unix.SO_EE_ORIGIN_ICMP {
			return queuedError{}, false
		}
		var reporter netip.Addr
		if off := m.Data[eeSize:]; len(off) >= 8 && binary.NativeEndian.Uint16(off[0:2]) == unix.AF_INET {
			reporter = netip.AddrFrom4([4]byte(off[4:8]))
		} else {
			reporter = netip.IPv4Unspecified()
		}
		return queuedError{
			seq:  int(binary.BigEndian.Uint16(payload[6:8])),
			from: reporter,
			text: icmpText(ee.Type, ee.Code, ee.Info),
		}, true
	}
	return queuedError{}, false
}

// icmpText is iputils' pr_icmph for the ICMP errors that reach an error
// queue, without the trailing newline.
func icmpText(typ, code uint8, info uint32) string {
	switch typ {
	case 3: // destination unreachable
		texts := []string{
			"Destination Net Unreachable",
			"Destination Host Unreachable",
			"Destination Protocol Unreachable",
			"Destination Port Unreachable",
			"", // fragmentation needed: below
			"Source Route Failed",
			"Destination Net Unknown",
			"Destination Host Unknown",
			"Source Host Isolated",
			"Destination Net Prohibited",
			"Destination Host Prohibited",
			"Destination Net Unreachable for Type of Service",
			"Destination Host Unreachable for Type of Service",
			"Packet filtered",
			"Precedence Violation",
			"Precedence Cutoff",
		}
		switch {
		case code == 4:
			return fmt.Sprintf("Frag needed and DF set (mtu = %d)", info)
		case int(code) < len(texts):
			return texts[code]
		}
		return fmt.Sprintf("Dest Unreachable, Bad Code: %d", code)
	case 4:
		return "Source Quench"
	case 11: // time exceeded
		switch code {
		case 0:
			return "Time to live exceeded"
		case 1:
			return "Frag reassembly time exceeded"
		}
		return fmt.Sprintf("Time exceeded, Bad Code: %d", code)
	case 12:
		return fmt.Sprintf("Parameter problem: pointer = %d", info)
	}
	return fmt.Sprintf("Bad ICMP type: %d", typ)
}
