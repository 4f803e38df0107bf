package iproute

import (
	"errors"
	"syscall"

	"github.com/netscript/netscript/internal/ipshow"
	"github.com/netscript/netscript/script"
)

// kernelError reports a netlink error the way iproute2 does, exit status 2:
// "Error: MESSAGE." when the kernel sent an extended-ack message, otherwise
// "RTNETLINK answers: STRERROR". An error that did not come from the kernel
// (a namespace that could not be entered, say) is returned as it is, so the
// runner reports it as a failure of netscript rather than of the command.
func kernelError(s *script.State, err error) error {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	return s.Fail(exitKernel, "%s", ipshow.TalkError(err))
}
