package world

import (
	"encoding/binary"
	"fmt"
	"syscall"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/netscript/netscript/internal/rtattr"
)

// Dump sends a dump request (from Request) on the namespace's Conn and
// returns the payloads of its answers of type resType. Unlike nl's Execute
// it reads the kernel's error of a failed dump as the kernel sends it: in
// NLMSG_DONE or NLMSG_ERROR, with extended-ack attributes after the error
// (and after a capped echo of the request in NLMSG_ERROR), so "Error:
// ipv4: FIB table does not exist." comes out as ip prints it. A dump the
// kernel marks as interrupted (NLM_F_DUMP_INTR: the table changed while it
// ran) returns what came with nl.ErrDumpInterrupted.
func (n *NS) Dump(req *nl.NetlinkRequest, resType uint16) ([][]byte, error) {
	c, err := n.Conn()
	if err != nil {
		return nil, err
	}
	c.Socket.Lock()
	defer c.Socket.Unlock()
	if err := c.Socket.Send(req); err != nil {
		return nil, fmt.Errorf("send dump request: %w", err)
	}
	var out [][]byte
	interrupted := false
	for {
		msgs, _, err := c.Socket.Receive()
		if err != nil {
			return nil, fmt.Errorf("receive dump: %w", err)
		}
		for _, m := range msgs {
			if m.Header.Seq != req.Seq {
				continue
			}
			if m.Header.Flags&unix.NLM_F_DUMP_INTR != 0 {
				interrupted = true
			}
			switch m.Header.Type {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				err := nlError(m)
				if err == nil && interrupted {
					err = nl.ErrDumpInterrupted
				}
				return out, err
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
	if msg, ok := rtattr.ParseMasked(rest, 0)[unix.NLMSGERR_ATTR_MSG]; ok {
		return fmt.Errorf("%w: %s", err, unix.ByteSliceToString(msg))
	}
	return err
}
