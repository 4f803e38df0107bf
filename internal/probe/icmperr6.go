package probe

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ICMPv6 message types (RFC 4443, RFC 2710).
const (
	icmp6EchoRequest = 128
	icmp6EchoReply   = 129
)

// openErrQueue6 opens the IPv6 watching socket in the calling thread's
// namespace: a raw ICMPv6 socket that lets only echo replies into its
// receive queue, and queues the ICMPv6 errors about our requests on its
// error queue, where iputils' ping6 reads them (IPV6_RECVERR).
func openErrQueue6(prog string) (*errQueue, error) {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
	if err != nil {
		return nil, &callError{prog: prog, call: "socket", err: err}
	}
	q := &errQueue{fd: fd, family: unix.AF_INET6, prog: prog, replies: make(map[replyKey]replyInfo)}
	var filter unix.ICMPv6Filter
	for i := range filter.Data {
		filter.Data[i] = ^uint32(0) // block all...
	}
	filter.Data[icmp6EchoReply>>5] &^= 1 << (icmp6EchoReply & 31) // ...but echo replies
	for _, opt := range []struct {
		name string
		set  func() error
	}{
		{"ICMP6_FILTER", func() error { return unix.SetsockoptICMPv6Filter(fd, unix.SOL_ICMPV6, unix.ICMPV6_FILTER, &filter) }},
		{"IPV6_RECVERR", func() error { return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVERR, 1) }},
		{"IPV6_RECVHOPLIMIT", func() error { return unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1) }},
	} {
		if err := opt.set(); err != nil {
			unix.Close(fd)
			return nil, fmt.Errorf("%s: %w", opt.name, err)
		}
	}
	return q, nil
}

// parseReply6 decodes an ICMPv6 echo reply to one of our requests: its
// sequence number and source, the hop limit from its control message, and
// the scope the kernel gave its source address.
func (q *errQueue) parseReply6(pkt, oob []byte, sa unix.Sockaddr) (replyKey, replyInfo, bool) {
	in6, ok := sa.(*unix.SockaddrInet6)
	if !ok || len(pkt) < 8 || pkt[0] != icmp6EchoReply || int(binary.BigEndian.Uint16(pkt[4:6])) != q.id {
		return replyKey{}, replyInfo{}, false
	}
	info := replyInfo{ttl: -1, scope: in6.ZoneId}
	if msgs, err := unix.ParseSocketControlMessage(oob); err == nil {
		for _, m := range msgs {
			if m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT && len(m.Data) >= 4 {
				info.ttl = int(int32(binary.NativeEndian.Uint32(m.Data[:4])))
			}
		}
	}
	key := replyKey{seq: int(binary.BigEndian.Uint16(pkt[6:8])), from: netip.AddrFrom16(in6.Addr)}
	return key, info, true
}

// parseQueuedError6 decodes one message of an IPv6 error queue: the ICMPv6
// header of the offending echo request in payload, its destination in
// from, and a sock_extended_err followed by the reporter's sockaddr_in6 in
// oob. It keeps what iputils' ping6_receive_error_msg keeps. The reporter
// keeps its scope as an interface index in its zone.
func parseQueuedError6(payload, oob []byte, from unix.Sockaddr, target netip.Addr, id int) (queuedError, bool) {
	dst, ok := from.(*unix.SockaddrInet6)
	if !ok || netip.AddrFrom16(dst.Addr) != target.WithZone("") || len(payload) < 8 {
		return queuedError{}, false
	}
	if payload[0] != icmp6EchoRequest || int(binary.BigEndian.Uint16(payload[4:6])) != id {
		return queuedError{}, false // not an echo request of ours
	}
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return queuedError{}, false
	}
	const eeSize = int(unsafe.Sizeof(unix.SockExtendedErr{}))
	for _, m := range msgs {
		if m.Header.Level != unix.IPPROTO_IPV6 || m.Header.Type != unix.IPV6_RECVERR || len(m.Data) < eeSize {
			continue
		}
		origin, typ, code := m.Data[4], m.Data[5], m.Data[6]
		info := binary.NativeEndian.Uint32(m.Data[8:12])
		if origin != unix.SO_EE_ORIGIN_ICMP6 {
			return queuedError{}, false
		}
		reporter := netip.IPv6Unspecified()
		var scope uint32
		// struct sockaddr_in6: family, port, flowinfo, address, scope id.
		if off := m.Data[eeSize:]; len(off) >= 28 && binary.NativeEndian.Uint16(off[0:2]) == unix.AF_INET6 {
			reporter = netip.AddrFrom16([16]byte(off[8:24]))
			scope = binary.NativeEndian.Uint32(off[24:28])
		}
		return queuedError{
			seq:   int(binary.BigEndian.Uint16(payload[6:8])),
			from:  reporter,
			scope: scope,
			text:  icmp6Text(typ, code, info),
		}, true
	}
	return queuedError{}, false
}

// icmp6Text is iputils' print_icmp for ICMPv6, the text after "From ADDR
// icmp_seq=N ".
func icmp6Text(typ, code uint8, info uint32) string {
	switch typ {
	case 1: // destination unreachable
		texts := []string{"No route", "Administratively prohibited", "Beyond scope of source address",
			"Address unreachable", "Port unreachable"}
		if int(code) < len(texts) {
			return "Destination unreachable: " + texts[code]
		}
		return fmt.Sprintf("Destination unreachable: Unknown code %d", code)
	case 2:
		if code != 0 {
			return fmt.Sprintf("Packet too big: mtu=%d, code=%d", info, code)
		}
		return fmt.Sprintf("Packet too big: mtu=%d", info)
	case 3:
		switch code {
		case 0:
			return "Time exceeded: Hop limit"
		case 1:
			return "Time exceeded: Defragmentation failure"
		}
		return fmt.Sprintf("Time exceeded: code %d", code)
	case 4:
		what := map[uint8]string{0: "Wrong header field ", 1: "Unknown header ", 2: "Unknown option "}[code]
		if what == "" {
			what = fmt.Sprintf("code %d ", code)
		}
		return fmt.Sprintf("Parameter problem: %sat %d", what, info)
	case icmp6EchoRequest:
		return "Echo request"
	case icmp6EchoReply:
		return "Echo reply"
	case 130:
		return "MLD Query"
	case 131:
		return "MLD Report"
	case 132:
		return "MLD Reduction"
	}
	return fmt.Sprintf("unknown icmp type: %d", typ)
}
