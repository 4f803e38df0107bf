package iproute

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/world"
)

// dump sends a dump request on the namespace's socket and returns the
// payloads of its answers of type resType. Unlike nl's Execute it reads
// the kernel's error of a failed dump as the kernel sends it: in
// NLMSG_DONE or NLMSG_ERROR, with extended-ack attributes after the
// error (and after a capped echo of the request in NLMSG_ERROR), so
// "Error: ipv4: FIB table does not exist." comes out as ip prints it.
func dump(ns *world.NS, req *nl.NetlinkRequest, resType uint16) ([][]byte, error) {
	c, err := ns.Conn()
	if err != nil {
		return nil, err
	}
	c.Socket.Lock()
	defer c.Socket.Unlock()
	if err := c.Socket.Send(req); err != nil {
		return nil, fmt.Errorf("send dump request: %w", err)
	}
	var out [][]byte
	for {
		msgs, _, err := c.Socket.Receive()
		if err != nil {
			return nil, fmt.Errorf("receive dump: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != req.Seq {
				continue
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				return out, nlError(m)
			case resType:
				out = append(out, m.Data)
			}
		}
	}
}

// nlError is the error an NLMSG_DONE or NLMSG_ERROR carries, nil for none,
// annotated with the kernel's extended-ack message as nl's Execute does.
func nlError(m syscall.NetlinkMessage) error {
	if len(m.Data) < 4 {
		return nil
	}
	errno := int32(binary.NativeEndian.Uint32(m.Data))
	if errno == 0 {
		return nil
	}
	var err error = syscall.Errno(-errno)
	rest := m.Data[4:]
	if m.Header.Flags&unix.NLM_F_ACK_TLVS == 0 {
		return err
	}
	if m.Header.Type == unix.NLMSG_ERROR && len(rest) >= unix.SizeofNlMsghdr {
		echoed := int(binary.NativeEndian.Uint32(rest))
		if m.Header.Flags&unix.NLM_F_CAPPED != 0 {
			echoed = unix.SizeofNlMsghdr
		}
		echoed = (echoed + 3) &^ 3
		if echoed > len(rest) {
			return err
		}
		rest = rest[echoed:]
	}
	for len(rest) >= unix.SizeofRtAttr {
		n := int(binary.NativeEndian.Uint16(rest))
		typ := binary.NativeEndian.Uint16(rest[2:])
		if n < unix.SizeofRtAttr || n > len(rest) {
			break
		}
		if typ == unix.NLMSGERR_ATTR_MSG {
			msg := rest[unix.SizeofRtAttr:n]
			for i, b := range msg {
				if b == 0 {
					msg = msg[:i]
					break
				}
			}
			return fmt.Errorf("%w: %s", err, msg)
		}
		rest = rest[min((n+3)&^3, len(rest)):]
	}
	return err
}
